import { Redis } from 'ioredis';
import { REDIS_CLIENT } from '@metrobici/redis';
import { TEST_PASSWORD } from '../support/factories';
import { startApi, type ApiHarness } from '../support/api-harness';

/** Issue 10, item 4: limits that hold. */
describe('rate limits (e2e)', () => {
  describe('without TRUST_PROXY (the socket is the client)', () => {
    let h: ApiHarness;
    beforeAll(async () => {
      h = await startApi({ env: { LOGIN_RATE_LIMIT_PER_MINUTE: '3' } });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('4a. a new X-Forwarded-For on each try does not escape the login limit', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await h.api.post(
          '/api/v1/auth/login',
          { email: `someone${i}@test.local`, password: 'wrong-password' },
          { 'x-forwarded-for': `203.0.113.${i + 1}` },
        );
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    });
  });

  describe('with TRUST_PROXY=loopback (a proxy on this machine names the client)', () => {
    let h: ApiHarness;
    beforeAll(async () => {
      h = await startApi({ env: { TRUST_PROXY: 'loopback', LOGIN_RATE_LIMIT_PER_MINUTE: '3' } });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('4b. counts per forwarded client address, so one client does not block the city', async () => {
      const user = await h.make.staff('operator');
      const from = (address: string) => ({ 'x-forwarded-for': address });
      for (let i = 0; i < 3; i++)
        await h.api.post('/api/v1/auth/login', { email: user.email, password: 'wrong' }, from('198.51.100.7'));
      await expect(
        h.api.post('/api/v1/auth/login', { email: user.email, password: TEST_PASSWORD }, from('198.51.100.7')),
      ).resolves.toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
      await expect(
        h.api.post('/api/v1/auth/login', { email: user.email, password: TEST_PASSWORD }, from('198.51.100.8')),
      ).resolves.toMatchObject({ status: 200 });
    });

    it('4c. locks an account after 10 failures from any addresses (429 ACCOUNT_LOCKED, Retry-After); an admin lifts it', async () => {
      const user = await h.make.staff('planner');
      const bystander = await h.make.staff('planner');
      for (let i = 0; i < 10; i++) {
        const res = await h.api.post(
          '/api/v1/auth/login',
          { email: user.email, password: `guess-${i}` },
          { 'x-forwarded-for': `192.0.2.${i + 1}` },
        );
        expect(res.status).toBe(401);
      }
      const locked = await h.api.post(
        '/api/v1/auth/login',
        { email: user.email.toUpperCase(), password: TEST_PASSWORD },
        { 'x-forwarded-for': '192.0.2.200' },
      );
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('ACCOUNT_LOCKED');
      const retryAfter = Number(locked.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(60);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      // Another account at the same time is not affected.
      await expect(
        h.api.post(
          '/api/v1/auth/login',
          { email: bystander.email, password: TEST_PASSWORD },
          { 'x-forwarded-for': '192.0.2.201' },
        ),
      ).resolves.toMatchObject({ status: 200 });

      const { api: admin } = await h.signedIn('admin');
      await expect(admin.post(`/api/v1/staff/${user.id}/unlock`)).resolves.toMatchObject({ status: 200 });
      await expect(
        h.api.post(
          '/api/v1/auth/login',
          { email: user.email, password: TEST_PASSWORD },
          { 'x-forwarded-for': '192.0.2.202' },
        ),
      ).resolves.toMatchObject({ status: 200 });
    });
  });

  describe('with Redis down', () => {
    let h: ApiHarness;
    beforeAll(async () => {
      h = await startApi({ env: { PUBLIC_RATE_LIMIT_PER_MINUTE: '5', LOGIN_RATE_LIMIT_PER_MINUTE: '2' } });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('4d. falls back to counting in memory: still limited, never a 500', async () => {
      const redis = h.app.get<Redis>(REDIS_CLIENT);
      redis.disconnect();
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++) statuses.push((await h.api.get('/api/v1/stations')).status);
        expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
        const logins: number[] = [];
        for (let i = 0; i < 3; i++)
          logins.push((await h.api.post('/api/v1/auth/login', { email: 'x@test.local', password: 'wrong' })).status);
        expect(logins).toEqual([401, 401, 429]);
      } finally {
        await redis.connect().catch(() => undefined);
      }
    });
  });
});
