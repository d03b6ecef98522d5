import { io, type Socket } from 'socket.io-client';
import { startApi, type ApiHarness } from './support/api-harness';
import { TEST_PASSWORD } from './support/factories';

/**
 * Sessions for a shift (issue 12): login answers an access and a refresh token; refresh rotates
 * the pair; a reused refresh token ends the whole session; logout, an admin's revocation, the
 * session's end and the account's deactivation all stop the session's tokens.
 */
describe('staff sessions (e2e)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    // A short access token: the test shows the session outliving it.
    h = await startApi({ env: { JWT_TTL_SECONDS: '60', STAFF_SESSION_HOURS: '12' } });
  });
  afterAll(async () => {
    await h.close();
  });

  const login = async (email: string) => {
    const res = await h.api.post(
      '/api/v1/auth/login',
      { email, password: TEST_PASSWORD },
      { 'user-agent': 'tablet-test' },
    );
    expect(res.status).toBe(200);
    return res.body as {
      accessToken: string;
      refreshToken: string;
      expiresIn: number;
      sessionId: string;
      sessionExpiresAt: string;
      role: string;
    };
  };
  const refresh = (refreshToken: string) => h.api.post('/api/v1/auth/refresh', { refreshToken });

  it('login answers the pair; refresh rotates it and the old refresh token cannot be used again', async () => {
    const user = await h.make.staff('operator', { allStations: true });
    const first = await login(user.email);
    expect(first).toEqual({
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      expiresIn: 60,
      sessionId: expect.any(String),
      sessionExpiresAt: expect.any(String),
      role: 'operator',
    });
    const hours = (Date.parse(first.sessionExpiresAt) - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
    // Only the hash of the refresh token is stored.
    const stored = await h.ds.query(`SELECT token_hash FROM staff_refresh_tokens WHERE session_id = $1`, [
      first.sessionId,
    ]);
    expect(stored).toHaveLength(1);
    expect(stored[0].token_hash).not.toContain(first.refreshToken);
    expect(stored[0].token_hash).toMatch(/^[0-9a-f]{64}$/);

    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect(second.body.sessionId).toBe(first.sessionId);
    expect(second.body.sessionExpiresAt).toBe(first.sessionExpiresAt);
    await expect(h.api.as(second.body.accessToken).get('/api/v1/auth/me')).resolves.toMatchObject({ status: 200 });

    const third = await refresh(second.body.refreshToken);
    expect(third.status).toBe(200);
    await expect(h.api.as(third.body.accessToken).get('/api/v1/auth/me')).resolves.toMatchObject({
      status: 200,
      body: { id: user.id },
    });
  });

  it('a reused refresh token revokes the whole session (every token of the family)', async () => {
    const user = await h.make.staff('operator', { allStations: true });
    const first = await login(user.email);
    const second = (await refresh(first.refreshToken)).body;
    // Someone replays the spent token: refused, and the legitimate holder is signed out too.
    await expect(refresh(first.refreshToken)).resolves.toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED' },
    });
    await expect(refresh(second.refreshToken)).resolves.toMatchObject({ status: 401 });
    await expect(h.api.as(second.accessToken).get('/api/v1/auth/me')).resolves.toMatchObject({ status: 401 });
    const [session] = await h.ds.query(`SELECT revoked_reason FROM staff_sessions WHERE id = $1`, [first.sessionId]);
    expect(session.revoked_reason).toBe('refresh_reused');
    // Another sign-in is a new session, unaffected.
    const again = await login(user.email);
    await expect(h.api.as(again.accessToken).get('/api/v1/auth/me')).resolves.toMatchObject({ status: 200 });
  });

  it('two refreshes racing with the same token: one wins, and the session is treated as stolen', async () => {
    const user = await h.make.staff('operator', { allStations: true });
    const first = await login(user.email);
    const results = await Promise.all([refresh(first.refreshToken), refresh(first.refreshToken)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('a session ends at its expiry whatever the refreshes', async () => {
    const user = await h.make.staff('operator', { allStations: true });
    const first = await login(user.email);
    await h.ds.query(`UPDATE staff_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      first.sessionId,
    ]);
    await expect(refresh(first.refreshToken)).resolves.toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED' },
    });
    await expect(h.api.as(first.accessToken).get('/api/v1/auth/me')).resolves.toMatchObject({ status: 401 });
  });

  it('deactivating the account ends its sessions: access and refresh tokens are refused', async () => {
    const admin = await h.signedIn('admin');
    const user = await h.make.staff('operator', { allStations: true });
    const first = await login(user.email);
    expect((await admin.api.post(`/api/v1/staff/${user.id}/deactivate`)).status).toBe(200);
    await expect(h.api.as(first.accessToken).get('/api/v1/auth/me')).resolves.toMatchObject({ status: 401 });
    await expect(refresh(first.refreshToken)).resolves.toMatchObject({ status: 401 });
    // Reactivation does not bring the old session back.
    expect((await admin.api.post(`/api/v1/staff/${user.id}/activate`)).status).toBe(200);
    await expect(refresh(first.refreshToken)).resolves.toMatchObject({ status: 401 });
    const listed = await admin.api.get(`/api/v1/staff/sessions?staffId=${user.id}`);
    expect(listed.body).toEqual([expect.objectContaining({ id: first.sessionId, state: 'ended' })]);
  });

  it('logout ends the session, with the access token or with the refresh token alone', async () => {
    const user = await h.make.staff('planner');
    const a = await login(user.email);
    const out = await h.api.as(a.accessToken).post('/api/v1/auth/logout', {});
    expect(out.status).toBe(204);
    await expect(h.api.as(a.accessToken).get('/api/v1/auth/me')).resolves.toMatchObject({ status: 401 });
    await expect(refresh(a.refreshToken)).resolves.toMatchObject({ status: 401 });

    const b = await login(user.email);
    expect((await h.api.post('/api/v1/auth/logout', { refreshToken: b.refreshToken })).status).toBe(204);
    await expect(h.api.as(b.accessToken).get('/api/v1/auth/me')).resolves.toMatchObject({ status: 401 });
    // Nothing to end: still 204 (the tablet may log out twice, or offline then online).
    expect((await h.api.post('/api/v1/auth/logout', {})).status).toBe(204);
  });

  it('admins list and revoke sessions; the revoked session’s tokens and sockets stop', async () => {
    const admin = await h.signedIn('admin');
    const user = await h.make.staff('operator', { allStations: true });
    const mine = await login(user.email);
    const listed = await admin.api.get(`/api/v1/staff/sessions?staffId=${user.id}`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      expect.objectContaining({
        id: mine.sessionId,
        staffId: user.id,
        email: user.email,
        state: 'active',
        userAgent: 'tablet-test',
        revokedAt: null,
      }),
    ]);
    const active = await admin.api.get('/api/v1/staff/sessions');
    expect(active.body.map((s: { id: string }) => s.id)).toContain(mine.sessionId);
    // Not for operators.
    await expect(h.api.as(mine.accessToken).get('/api/v1/staff/sessions')).resolves.toMatchObject({ status: 403 });

    const socket: Socket = io(`${h.url}/operations`, {
      transports: ['websocket'],
      auth: { token: mine.accessToken },
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const closed = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));

    const revoked = await admin.api.post(`/api/v1/staff/sessions/${mine.sessionId}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: mine.sessionId, state: 'revoked', revokedReason: 'revoked' });
    await expect(h.api.as(mine.accessToken).get('/api/v1/auth/me')).resolves.toMatchObject({ status: 401 });
    await expect(refresh(mine.refreshToken)).resolves.toMatchObject({ status: 401 });
    await closed;
    socket.disconnect();

    await expect(
      admin.api.post('/api/v1/staff/sessions/00000000-0000-4000-8000-000000000000/revoke'),
    ).resolves.toMatchObject({ status: 404, body: { code: 'SESSION_NOT_FOUND' } });
  });

  it('refuses malformed or unknown refresh tokens with 401, and a missing one with 400', async () => {
    await expect(refresh('x'.repeat(43))).resolves.toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    await expect(refresh('not a token')).resolves.toMatchObject({ status: 401 });
    await expect(h.api.post('/api/v1/auth/refresh', {})).resolves.toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
  });
});
