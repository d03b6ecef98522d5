import { randomBytes } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { Redis } from 'ioredis';
import { TEST_PASSWORD } from './support/factories';
import { startApi, type ApiHarness } from './support/api-harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const jwt = new JwtService({});
const uniqueEmail = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}@test.local`;

/**
 * A token as the API would issue it (or not): `secret` and `claims` decide how good it is. Issuer,
 * audience, token version 0 (a fresh account) and a 15-minute expiry unless `claims` say otherwise.
 */
function token(secret: string, claims: Record<string, unknown>, algorithm: 'HS256' | 'HS512' = 'HS256'): string {
  const full = { iss: 'metrobici-api', aud: 'metrobici-staff', ver: 0, ...claims };
  return jwt.sign(full, { secret, algorithm, ...('exp' in claims ? {} : { expiresIn: 900 }) });
}

describe('platform (e2e)', () => {
  describe('with the default configuration', () => {
    let h: ApiHarness;
    let secret: string;
    beforeAll(async () => {
      h = await startApi();
      secret = h.env.env.JWT_SECRET;
    });
    afterAll(async () => {
      await h.close();
    });

    describe('login', () => {
      it('returns a bearer token that opens the staff routes', async () => {
        const user = await h.make.staff('operator');
        const res = await h.api.post('/api/v1/auth/login', { email: user.email, password: TEST_PASSWORD });
        expect(res.status).toBe(200);
        // Issue 12: the token opens a session for the shift, renewed with the single-use refresh token.
        expect(res.body).toEqual({
          accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
          expiresIn: 900,
          role: 'operator',
          refreshToken: expect.stringMatching(/^[\w-]{43}$/),
          sessionId: expect.any(String),
          sessionExpiresAt: expect.any(String),
        });

        const me = await h.api.as(res.body.accessToken).get('/api/v1/auth/me');
        expect(me.status).toBe(200);
        expect(me.body.id).toBe(user.id);
      });

      it('matches the e-mail without regard to case', async () => {
        const user = await h.make.staff('planner');
        const res = await h.api.post('/api/v1/auth/login', {
          email: user.email.toUpperCase(),
          password: TEST_PASSWORD,
        });
        expect(res.status).toBe(200);
      });

      it('answers a wrong password and an unknown e-mail the same way: 401 INVALID_CREDENTIALS', async () => {
        const user = await h.make.staff('operator');
        const wrongPassword = await h.api.post('/api/v1/auth/login', {
          email: user.email,
          password: 'not-the-password',
        });
        const unknownEmail = await h.api.post('/api/v1/auth/login', {
          email: uniqueEmail('nobody'),
          password: TEST_PASSWORD,
        });
        expect(wrongPassword.status).toBe(401);
        expect(wrongPassword.body).toMatchObject({ statusCode: 401, code: 'INVALID_CREDENTIALS' });
        expect(unknownEmail.status).toBe(401);
        // Same body, so the answer does not reveal which e-mails have accounts.
        expect(unknownEmail.body).toEqual(wrongPassword.body);
        expect(JSON.stringify(wrongPassword.body)).not.toContain('accessToken');
      });

      it('rejects a malformed login body with 400 VALIDATION_FAILED', async () => {
        const res = await h.api.post('/api/v1/auth/login', { email: 'not-an-email', password: '' });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
        expect(res.body.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['email', 'password']);
      });
    });

    describe('deactivated staff', () => {
      it('cannot log in, and the token they already hold stops working at once', async () => {
        const { api: admin } = await h.signedIn('admin');
        const operator = await h.signedIn('operator');
        await expect(operator.api.get('/api/v1/auth/me')).resolves.toMatchObject({ status: 200 });

        const deactivated = await admin.post(`/api/v1/staff/${operator.id}/deactivate`);
        expect(deactivated.status).toBe(200);
        expect(deactivated.body).toMatchObject({ id: operator.id, active: false });

        const withOldToken = await operator.api.get('/api/v1/auth/me');
        expect(withOldToken.status).toBe(401);
        expect(withOldToken.body.code).toBe('UNAUTHENTICATED');

        const login = await h.api.post('/api/v1/auth/login', { email: operator.email, password: TEST_PASSWORD });
        expect(login.status).toBe(401);
        expect(login.body.code).toBe('INVALID_CREDENTIALS');

        // Reactivating restores access by a new sign-in, so the refusals above were about the
        // account state; the token held before the deactivation stays dead (issue 10).
        await expect(admin.post(`/api/v1/staff/${operator.id}/activate`)).resolves.toMatchObject({
          status: 200,
          body: { active: true },
        });
        await expect(operator.api.get('/api/v1/auth/me')).resolves.toMatchObject({ status: 401 });
        const again = await h.api.post('/api/v1/auth/login', { email: operator.email, password: TEST_PASSWORD });
        expect(again.status).toBe(200);
        await expect(h.api.as(again.body.accessToken).get('/api/v1/auth/me')).resolves.toMatchObject({ status: 200 });
      });

      it('answers 404 STAFF_NOT_FOUND for an unknown account and 400 for a non-UUID id', async () => {
        const { api: admin } = await h.signedIn('admin');
        await expect(
          admin.post('/api/v1/staff/00000000-0000-4000-8000-000000000000/deactivate'),
        ).resolves.toMatchObject({
          status: 404,
          body: { code: 'STAFF_NOT_FOUND' },
        });
        await expect(admin.post('/api/v1/staff/42/deactivate')).resolves.toMatchObject({
          status: 400,
          body: { code: 'VALIDATION_FAILED' },
        });
      });
    });

    describe('bearer tokens', () => {
      it('accepts a token signed with the API secret (the control for the refusals below)', async () => {
        const user = await h.make.staff('planner');
        const res = await h.api.as(token(secret, { sub: user.id, role: 'planner' })).get('/api/v1/auth/me');
        expect(res.status).toBe(200);
        expect(res.body.id).toBe(user.id);
      });

      it.each([
        ['no token', () => undefined],
        ['a garbage token', () => 'not-a-jwt'],
        ['a token with a broken signature', () => 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
      ])('refuses %s with 401 UNAUTHENTICATED', async (_label, make) => {
        const res = await h.api.as(make()).get('/api/v1/auth/me');
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
      });

      it('refuses an expired token', async () => {
        const user = await h.make.staff('admin');
        const expired = token(secret, {
          sub: user.id,
          role: 'admin',
          iat: Math.floor(Date.now() / 1000) - 3600,
          exp: Math.floor(Date.now() / 1000) - 60,
        });
        const res = await h.api.as(expired).get('/api/v1/auth/me');
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('UNAUTHENTICATED');
      });

      it('refuses a token signed with another secret', async () => {
        const user = await h.make.staff('admin');
        const res = await h.api
          .as(token('another-secret-0123456789abcdef', { sub: user.id, role: 'admin' }))
          .get('/api/v1/auth/me');
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('UNAUTHENTICATED');
      });

      it('refuses a token signed with the right secret but another algorithm', async () => {
        const user = await h.make.staff('admin');
        const res = await h.api.as(token(secret, { sub: user.id, role: 'admin' }, 'HS512')).get('/api/v1/auth/me');
        expect(res.status).toBe(401);
      });

      it('refuses a well-signed token for an account that does not exist', async () => {
        const res = await h.api
          .as(token(secret, { sub: '00000000-0000-4000-8000-000000000000', role: 'admin' }))
          .get('/api/v1/auth/me');
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('UNAUTHENTICATED');
      });

      it('takes the role from the account, not from the token', async () => {
        const user = await h.make.staff('operator');
        const forged = token(secret, { sub: user.id, role: 'admin' });
        await expect(h.api.as(forged).get('/api/v1/staff')).resolves.toMatchObject({
          status: 403,
          body: { code: 'FORBIDDEN' },
        });
      });
    });

    describe('GET /api/v1/auth/me', () => {
      it('returns the actor of an operator with a home station', async () => {
        const station = await h.make.station();
        const operator = await h.signedIn('operator', { homeStationId: station.id });
        const res = await operator.api.get('/api/v1/auth/me');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          id: operator.id,
          email: operator.email,
          role: 'operator',
          stationIds: [station.id],
        });
      });

      it('returns every station (null) for an admin and a roaming operator', async () => {
        const admin = await h.signedIn('admin');
        await expect(admin.api.get('/api/v1/auth/me')).resolves.toMatchObject({
          status: 200,
          body: { id: admin.id, role: 'admin', stationIds: null },
        });
        const roaming = await h.signedIn('operator', { allStations: true });
        await expect(roaming.api.get('/api/v1/auth/me')).resolves.toMatchObject({
          status: 200,
          body: { id: roaming.id, role: 'operator', stationIds: null },
        });
      });
    });

    describe('staff administration', () => {
      it('lets an admin list staff without exposing password hashes', async () => {
        const admin = await h.signedIn('admin');
        const other = await h.make.staff('planner');
        const res = await admin.api.get('/api/v1/staff');
        expect(res.status).toBe(200);
        expect(res.body.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([admin.id, other.id]));
        expect(res.body.find((s: { id: string }) => s.id === other.id)).toEqual({
          id: other.id,
          email: other.email,
          fullName: other.fullName,
          role: 'planner',
          homeStationId: null,
          allStations: false,
          active: true,
        });
        expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);
      });

      it('lets an admin create staff who can then log in, and refuses a duplicate e-mail', async () => {
        const { api: admin } = await h.signedIn('admin');
        const station = await h.make.station();
        const email = uniqueEmail('Nueva.Operadora');
        const created = await admin.post('/api/v1/staff', {
          email,
          password: 'una-clave-larga',
          fullName: 'Nueva Operadora',
          role: 'operator',
          homeStationId: station.id,
        });
        expect(created.status).toBe(201);
        expect(created.body).toEqual({
          id: expect.stringMatching(UUID),
          email: email.toLowerCase(),
          fullName: 'Nueva Operadora',
          role: 'operator',
          homeStationId: station.id,
          allStations: false,
          active: true,
        });

        const login = await h.api.post('/api/v1/auth/login', { email, password: 'una-clave-larga' });
        expect(login.status).toBe(200);
        await expect(h.api.as(login.body.accessToken).get('/api/v1/auth/me')).resolves.toMatchObject({
          body: { stationIds: [station.id] },
        });

        const duplicate = await admin.post('/api/v1/staff', {
          email: email.toUpperCase(),
          password: 'otra-clave-larga',
          role: 'planner',
        });
        expect(duplicate.status).toBe(409);
        expect(duplicate.body.code).toBe('STAFF_EMAIL_TAKEN');
      });

      it('validates the new account', async () => {
        const { api: admin } = await h.signedIn('admin');
        const short = await admin.post('/api/v1/staff', {
          email: uniqueEmail('short'),
          password: 'corta',
          role: 'operator',
        });
        expect(short.status).toBe(400);
        expect(short.body.code).toBe('VALIDATION_FAILED');
        expect(short.body.details.fields.map((f: { field: string }) => f.field)).toEqual(['password']);

        const bad = await admin.post('/api/v1/staff', {
          email: 'no-at-sign',
          password: 'una-clave-larga',
          role: 'root',
          isAdmin: true,
        });
        expect(bad.status).toBe(400);
        expect(bad.body.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
          'email',
          'isAdmin',
          'role',
        ]);

        const unknownStation = await admin.post('/api/v1/staff', {
          email: uniqueEmail('nostation'),
          password: 'una-clave-larga',
          role: 'operator',
          homeStationId: '00000000-0000-4000-8000-000000000000',
        });
        expect(unknownStation.status).toBe(404);
        expect(unknownStation.body.code).toBe('STATION_NOT_FOUND');
      });

      it('is for admins only', async () => {
        const operator = await h.signedIn('operator');
        const planner = await h.signedIn('planner');
        await expect(operator.api.get('/api/v1/staff')).resolves.toMatchObject({
          status: 403,
          body: { code: 'FORBIDDEN' },
        });
        await expect(planner.api.get('/api/v1/staff')).resolves.toMatchObject({
          status: 403,
          body: { code: 'FORBIDDEN' },
        });
        await expect(
          operator.api.post('/api/v1/staff', {
            email: uniqueEmail('sneaky'),
            password: 'una-clave-larga',
            role: 'admin',
          }),
        ).resolves.toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
        await expect(operator.api.post(`/api/v1/staff/${planner.id}/deactivate`)).resolves.toMatchObject({
          status: 403,
        });
        await expect(h.api.get('/api/v1/staff')).resolves.toMatchObject({
          status: 401,
          body: { code: 'UNAUTHENTICATED' },
        });
      });
    });

    describe('GET /health', () => {
      it('reports the database and Redis up', async () => {
        const res = await h.api.get('/health');
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ status: 'ok', database: { status: 'up' }, redis: { status: 'up' } });
        expect(typeof res.body.database.latencyMs).toBe('number');
      });
    });

    describe('HTTP hygiene', () => {
      it.each([['/health'], ['/api/v1/stations'], ['/api/v1/no-such-route']])(
        'sends the security headers on %s',
        async (path) => {
          const res = await h.api.get(path);
          const csp = res.headers.get('content-security-policy') ?? '';
          expect(csp).toContain("default-src 'self'");
          expect(csp).toContain("script-src 'self'");
          expect(res.headers.get('x-content-type-options')).toBe('nosniff');
          // Framing is refused by X-Frame-Options or by CSP frame-ancestors.
          expect(res.headers.get('x-frame-options') === 'SAMEORIGIN' || /frame-ancestors '(self|none)'/.test(csp)).toBe(
            true,
          );
          expect(res.headers.get('x-powered-by')).toBeNull();
        },
      );

      it('gives no CORS grant to an origin that is not listed', async () => {
        const simple = await h.api.get('/api/v1/stations', { origin: 'https://evil.example' });
        expect(simple.status).toBe(200);
        expect(simple.headers.get('access-control-allow-origin')).toBeNull();
        const preflight = await h.api.request('OPTIONS', '/api/v1/auth/login', undefined, {
          origin: 'https://evil.example',
          'access-control-request-method': 'POST',
        });
        expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
        expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
      });

      it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
        const given = await h.api.get('/health', { 'x-request-id': 'trace-42.abc:1' });
        expect(given.headers.get('x-request-id')).toBe('trace-42.abc:1');

        const absent = await h.api.get('/health');
        expect(absent.headers.get('x-request-id')).toMatch(UUID);

        const insane = await h.api.get('/health', { 'x-request-id': 'x'.repeat(101) });
        expect(insane.headers.get('x-request-id')).toMatch(UUID);

        const onError = await h.api.get('/api/v1/no-such-route', { 'x-request-id': 'error-trace-1' });
        expect(onError.status).toBe(404);
        expect(onError.headers.get('x-request-id')).toBe('error-trace-1');
      });

      it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
        const res = await h.api.post('/api/v1/auth/login', '{"email": "a@b.c", "password": ');
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, code: 'MALFORMED_JSON' });
      });

      it('answers a body over 100 kB with 413 PAYLOAD_TOO_LARGE, and reads one just under it', async () => {
        const tooLarge = await h.api.post('/api/v1/auth/login', {
          email: 'a@test.local',
          password: 'x'.repeat(101 * 1024),
        });
        expect(tooLarge.status).toBe(413);
        expect(tooLarge.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });

        // Parsed, then refused by validation (password longer than 200): the limit is the body size.
        const underLimit = await h.api.post('/api/v1/auth/login', {
          email: 'a@test.local',
          password: 'x'.repeat(90 * 1024),
        });
        expect(underLimit.status).toBe(400);
        expect(underLimit.body.code).toBe('VALIDATION_FAILED');
      });

      it('answers an unknown route with 404 ROUTE_NOT_FOUND', async () => {
        const get = await h.api.get('/api/v1/no-such-route');
        expect(get.status).toBe(404);
        expect(get.body).toMatchObject({ statusCode: 404, code: 'ROUTE_NOT_FOUND' });
        const post = await h.api.post('/api/v2/stations', {});
        expect(post.status).toBe(404);
        expect(post.body.code).toBe('ROUTE_NOT_FOUND');
      });
    });

    describe('OpenAPI', () => {
      it('publishes a JSON document listing the main paths', async () => {
        const res = await h.api.get('/api/docs-json');
        expect(res.status).toBe(200);
        expect(res.body.openapi).toMatch(/^3\./);
        expect(res.body.info.title).toBe('Metrobici API');
        expect(Object.keys(res.body.paths)).toEqual(
          expect.arrayContaining([
            '/api/v1/auth/login',
            '/api/v1/auth/me',
            '/api/v1/stations',
            '/api/v1/loans',
            '/api/v1/returns',
            '/api/v1/riders',
            '/api/v1/bikes',
            '/api/v1/staff',
            '/health',
          ]),
        );
        expect(Object.keys(res.body.paths['/api/v1/auth/login'])).toContain('post');
        expect(res.body.components.securitySchemes).toHaveProperty('bearer');
      });

      it('serves the interactive documentation as HTML', async () => {
        const res = await h.api.get('/api/docs');
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(String(res.body)).toMatch(/swagger-ui/i);
      });
    });
  });

  describe('rate limits (login 3/min, public 5/min)', () => {
    let h: ApiHarness;
    let redis: Redis;
    beforeAll(async () => {
      h = await startApi({ env: { LOGIN_RATE_LIMIT_PER_MINUTE: '3', PUBLIC_RATE_LIMIT_PER_MINUTE: '5' } });
      redis = new Redis(h.env.redisUrl, { maxRetriesPerRequest: 1 });
    });
    afterAll(async () => {
      redis.disconnect();
      await h.close();
    });

    it('refuses the 4th login in a minute with 429 RATE_LIMITED and Retry-After, counting in Redis', async () => {
      const user = await h.make.staff('operator');
      const statuses: number[] = [];
      let last = await h.api.post('/api/v1/auth/login', { email: user.email, password: 'wrong-password' });
      statuses.push(last.status);
      for (let i = 0; i < 4; i++) {
        last = await h.api.post('/api/v1/auth/login', { email: user.email, password: 'wrong-password' });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      expect(last.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
      const retryAfter = Number(last.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(last.headers.get('ratelimit-limit')).toBe('3');

      // While blocked, even the right password is refused.
      await expect(
        h.api.post('/api/v1/auth/login', { email: user.email, password: TEST_PASSWORD }),
      ).resolves.toMatchObject({ status: 429 });

      const keys = await redis.keys('metrobici:rate:login:*');
      expect(keys.some((k) => k.endsWith(':hits'))).toBe(true);
      expect(keys.some((k) => k.endsWith(':blocked'))).toBe(true);
      const hitsKey = keys.find((k) => k.endsWith(':hits'))!;
      expect(Number(await redis.get(hitsKey))).toBeGreaterThanOrEqual(6);
      const ttl = await redis.pttl(hitsKey);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    });

    it('limits anonymous calls, but not signed-in staff, health checks, or a bogus Authorization header', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await h.api.get('/api/v1/stations')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const blocked = await h.api.get('/api/v1/stations');
      expect(blocked.body.code).toBe('RATE_LIMITED');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      await expect(redis.keys('metrobici:rate:public:*')).resolves.toEqual(
        expect.arrayContaining([expect.stringMatching(/:hits$/)]),
      );

      // Staff with a valid token (no login needed: that limit is spent) are not counted.
      const user = await h.make.staff('operator');
      const staff = h.api.as(token(h.env.env.JWT_SECRET, { sub: user.id, role: 'operator' }));
      const staffStatuses: number[] = [];
      for (let i = 0; i < 10; i++) staffStatuses.push((await staff.get('/api/v1/stations')).status);
      expect(staffStatuses).toEqual(new Array(10).fill(200));
      await expect(staff.get('/api/v1/auth/me')).resolves.toMatchObject({ status: 200 });

      await expect(h.api.get('/health')).resolves.toMatchObject({ status: 200 });

      // Any Authorization header must not be a way around the limit.
      const bogus = await h.api.as('not-a-real-token').get('/api/v1/stations');
      expect(bogus.status).toBe(429);
      const wrongSecret = await h.api
        .as(token('another-secret-0123456789abcdef', { sub: user.id, role: 'operator' }))
        .get('/api/v1/stations');
      expect(wrongSecret.status).toBe(429);
    });
  });

  describe('CORS with CORS_ORIGINS=https://example.org', () => {
    let h: ApiHarness;
    beforeAll(async () => {
      h = await startApi({ env: { CORS_ORIGINS: 'https://example.org' } });
    });
    afterAll(async () => {
      await h.close();
    });

    it('grants the listed origin', async () => {
      const res = await h.api.get('/api/v1/stations', { origin: 'https://example.org' });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://example.org');
      expect(res.headers.get('vary') ?? '').toMatch(/origin/i);
      expect((res.headers.get('access-control-expose-headers') ?? '').toLowerCase()).toContain('x-request-id');
    });

    it('answers a preflight from the listed origin', async () => {
      const res = await h.api.request('OPTIONS', '/api/v1/auth/login', undefined, {
        origin: 'https://example.org',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://example.org');
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect((res.headers.get('access-control-allow-headers') ?? '').toLowerCase()).toContain('authorization');
    });

    it('still refuses other origins', async () => {
      const res = await h.api.get('/api/v1/stations', { origin: 'https://evil.example' });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const lookalike = await h.api.get('/api/v1/stations', { origin: 'https://example.org.evil.example' });
      expect(lookalike.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
