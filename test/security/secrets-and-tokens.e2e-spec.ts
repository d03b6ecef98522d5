import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '@metrobici/config';
import { TEST_PASSWORD } from '../support/factories';
import { startApi, type ApiHarness } from '../support/api-harness';
import { signedToken } from './support';

/** Issue 10, item 3: no forged admin token in a default deployment. */
describe('secrets and tokens (e2e)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('3a. production refuses a JWT_SECRET or RIDER_KEY_SECRET that is short or shipped in the repository', () => {
    const shipped = /^JWT_SECRET=(.+)$/m.exec(readFileSync('.env.example', 'utf8'))![1];
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x',
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      PUBLIC_BASE_URL: 'https://bici.example.gov.co',
      RIDER_KEY_SECRET: 'k'.repeat(20) + '-private-key-for-the-city',
    };
    expect(() => loadConfig({ ...production, JWT_SECRET: shipped })).toThrow(ConfigError);
    expect(() => loadConfig({ ...production, JWT_SECRET: 'sixteen-chars-ok' })).toThrow(/at least 32 bytes/);
    expect(() =>
      loadConfig({ ...production, JWT_SECRET: 'z'.repeat(40), RIDER_KEY_SECRET: 'short-but-16-chars' }),
    ).toThrow(/RIDER_KEY_SECRET is invalid: must be at least 32 bytes/);
    expect(loadConfig({ ...production, JWT_SECRET: 'z'.repeat(40) }).env).toBe('production');
  });

  it('3b. compose requires the secrets from the environment and defaults to production', () => {
    const compose = parse(readFileSync('docker/compose.yaml', 'utf8')) as Record<string, Record<string, string>>;
    const env = compose['x-app-env'];
    expect(env.NODE_ENV).toBe('${NODE_ENV:-production}');
    expect(env.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
    expect(env.RIDER_KEY_SECRET).toMatch(/^\$\{RIDER_KEY_SECRET:\?/);
  });

  it('3c. tokens must name this API as issuer and its staff as audience', async () => {
    const admin = await h.make.staff('admin');
    await expect(h.api.as(signedToken(h, { sub: admin.id })).get('/api/v1/auth/me')).resolves.toMatchObject({
      status: 200,
    });
    for (const claims of [
      { iss: undefined },
      { aud: undefined },
      { iss: 'someone-else' },
      { aud: 'metrobici-mds' },
      { ver: undefined },
    ]) {
      const res = await h.api.as(signedToken(h, { sub: admin.id, ...claims })).get('/api/v1/auth/me');
      expect({ claims, status: res.status }).toEqual({ claims, status: 401 });
    }
  });

  it('3d. a password change or a deactivation ends the tokens already issued', async () => {
    const operator = await h.signedIn('operator');
    const second = await h.api.post('/api/v1/auth/login', { email: operator.email, password: TEST_PASSWORD });
    const other = h.api.as(second.body.accessToken);
    const changed = await operator.api.post('/api/v1/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'a-brand-new-password',
    });
    expect(changed.status).toBe(200);
    await expect(other.get('/api/v1/auth/me')).resolves.toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED' },
    });
    await expect(operator.api.get('/api/v1/auth/me')).resolves.toMatchObject({ status: 401 });
    // The answer to the change is a fresh token that works.
    await expect(h.api.as(changed.body.accessToken).get('/api/v1/auth/me')).resolves.toMatchObject({ status: 200 });

    const { api: admin } = await h.signedIn('admin');
    const victim = await h.signedIn('planner');
    await admin.post(`/api/v1/staff/${victim.id}/password`, { password: 'reset-by-the-admin' });
    await expect(victim.api.get('/api/v1/auth/me')).resolves.toMatchObject({ status: 401 });
  });
});
