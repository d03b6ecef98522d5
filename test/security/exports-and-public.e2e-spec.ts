import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { bogotaDate } from '@metrobici/common';
import { ExportService } from '@metrobici/exports';
import { REDIS_CLIENT } from '@metrobici/redis';
import { startApi, type ApiHarness } from '../support/api-harness';

/** Issue 10, items 9 and 10. */
describe('exports and public surfaces (e2e)', () => {
  let h: ApiHarness;
  let exportsDir: string;
  beforeAll(async () => {
    exportsDir = mkdtempSync(join(tmpdir(), 'metrobici-security-exports-'));
    h = await startApi({ env: { EXPORTS_DIR: exportsDir, NIGHTLY_EXPORT_CRON: '', EXPORT_RETENTION_DAYS: '30' } });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(exportsDir, { recursive: true, force: true });
  });

  it('9. a station named like a formula reaches the CSV as text', async () => {
    const station = await h.make.station({ name: '=HYPERLINK("http://evil.example","x")' });
    const other = await h.make.station({ name: '@SUM(1+1)' });
    const bike = await h.make.bike({ stationId: station.id });
    const rider = await h.make.rider();
    const { api: operator } = await h.signedIn('operator', { allStations: true });
    const out = await operator.post('/api/v1/loans', { bikeCode: bike.code, stationId: station.id, riderId: rider.id });
    expect(out.status).toBe(201);
    await expect(operator.post('/api/v1/returns', { bikeCode: bike.code, stationId: other.id })).resolves.toMatchObject(
      {
        status: 200,
      },
    );
    const { api: planner } = await h.signedIn('planner');
    const today = bogotaDate(new Date());
    const csv = await planner.get(`/api/v1/exports/trips.csv?from=${today}&to=${today}`);
    expect(csv.status).toBe(200);
    const text = String(csv.body);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(text).toContain(`'@SUM(1+1)`);
    // Cells start with a formula character only when neutralised; negative longitudes stay numbers.
    const cells = text.split('\n').slice(1).join(',').split(',');
    expect(cells.filter((c) => /^"?[=+@]/.test(c))).toEqual([]);
    expect(text).toMatch(/,-73\.\d+,/);
  });

  it('10a. GBFS links never come from the Host header', async () => {
    // node:http, because fetch does not let a caller choose the Host header.
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${h.url}/gbfs/gbfs.json`, { headers: { host: 'evil.example' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(body).not.toContain('evil.example');
    expect(body).toContain(`${h.url}/gbfs/`);
  });

  it('10b. a package is for its requester and admins; at most 3 in flight per person', async () => {
    const alice = await h.signedIn('planner');
    const bob = await h.signedIn('planner');
    const { api: admin } = await h.signedIn('admin');
    const [row] = await h.ds.query<Array<{ id: string }>>(
      `INSERT INTO exports (kind, requested_by, from_date, to_date, state, file_path, size_bytes, completed_at)
       VALUES ('on_request', $1, '2019-10-07', '2019-10-07', 'completed', 'alice.zip', 3, now()) RETURNING id`,
      [alice.id],
    );
    writeFileSync(join(exportsDir, 'alice.zip'), 'zip');
    await expect(alice.api.get(`/api/v1/exports/${row.id}/download`)).resolves.toMatchObject({ status: 200 });
    await expect(admin.get(`/api/v1/exports/${row.id}/download`)).resolves.toMatchObject({ status: 200 });
    await expect(bob.api.get(`/api/v1/exports/${row.id}/download`)).resolves.toMatchObject({
      status: 404,
      body: { code: 'EXPORT_NOT_FOUND' },
    });
    await expect(bob.api.get(`/api/v1/exports/${row.id}`)).resolves.toMatchObject({ status: 404 });
    expect((await bob.api.get('/api/v1/exports')).body.map((e: { id: string }) => e.id)).not.toContain(row.id);

    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await bob.api.post('/api/v1/exports', { from: '2019-10-01', to: '2019-10-02' })).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    const fourth = await bob.api.post('/api/v1/exports', { from: '2019-10-01', to: '2019-10-02' });
    expect(fourth.body).toMatchObject({ code: 'EXPORTS_IN_FLIGHT', details: { max: 3 } });
    // Someone else's requests are theirs to count.
    await expect(alice.api.post('/api/v1/exports', { from: '2019-10-01', to: '2019-10-02' })).resolves.toMatchObject({
      status: 202,
    });
  });

  it('10c. packages older than EXPORT_RETENTION_DAYS are deleted, file and row (the pilot’s final one is kept)', async () => {
    const insert = async (kind: string, file: string, daysAgo: number) => {
      writeFileSync(join(exportsDir, file), 'zip');
      const [row] = await h.ds.query<Array<{ id: string }>>(
        `INSERT INTO exports (kind, from_date, to_date, state, file_path, size_bytes, completed_at, created_at)
         VALUES ($1, ('2019-10-0' || $4::text)::date, ('2019-10-0' || $4::text)::date, 'completed', $2, 3, now() - ($3 || ' days')::interval, now() - ($3 || ' days')::interval)
         RETURNING id`,
        [kind, file, String(daysAgo), String(1 + Math.floor(Math.random() * 8))],
      );
      return row.id;
    };
    const old = await insert('on_request', 'old.zip', 31);
    const recent = await insert('on_request', 'recent.zip', 29);
    const final = await insert('pilot_final', 'final.zip', 90);
    const result = await h.app.get(ExportService).deleteExpired(new Date());
    expect(result.deleted).toBeGreaterThanOrEqual(1);
    const left = (await h.ds.query('SELECT id FROM exports WHERE id = ANY($1::uuid[])', [[old, recent, final]])).map(
      (r: { id: string }) => r.id,
    );
    expect(left.sort()).toEqual([recent, final].sort());
    expect(existsSync(join(exportsDir, 'old.zip'))).toBe(false);
    expect(existsSync(join(exportsDir, 'recent.zip'))).toBe(true);
    expect(existsSync(join(exportsDir, 'final.zip'))).toBe(true);
  });

  it('10d. public /health says only up or down per part; the details are for admins', async () => {
    const { api: admin } = await h.signedIn('admin');
    // Take this instance's Redis connection away: the health check must notice without telling why.
    const redis = h.app.get<Redis>(REDIS_CLIENT);
    redis.disconnect();
    try {
      const res = await h.api.get('/health');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        status: 'degraded',
        database: { status: 'up', latencyMs: expect.any(Number) },
        redis: { status: 'down', latencyMs: expect.any(Number) },
      });
      const details = await admin.get('/health/details');
      expect(details.body.redis).toMatchObject({ status: 'down', error: expect.any(String) });
      await expect(h.api.get('/health/details')).resolves.toMatchObject({ status: 401 });
    } finally {
      await redis.connect().catch(() => undefined);
    }
  });
});
