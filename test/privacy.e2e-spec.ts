import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COUNT_COLUMNS, PUBLIC_PACKAGE_FILES, RESEARCH_TRIP_COLUMNS, SUPPRESSED } from '@metrobici/exports';
import type { RiderEntity } from '@metrobici/riders';
import { rebuildTripFacts } from '@metrobici/stats';
import type { StationEntity } from '@metrobici/stations';
import { createWorkerApp } from '../apps/worker/src/app.factory';
import { parseCsv } from '../apps/cli/src/csv-import/csv';
import { startApi, type ApiHarness } from './support/api-harness';
import { TEST_PASSWORD } from './support/factories';
import type { ApiClient } from './support/http';
import { unzip } from './support/zip';

/** Ley 1581 rights and the two kinds of data package, against the real database, API and worker (issue 11). */

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

function csv(text: string): { header: string[]; rows: Array<Record<string, string>> } {
  const [head, ...records] = parseCsv(text);
  return {
    header: head.fields,
    rows: records.map((r) => Object.fromEntries(head.fields.map((h, i) => [h, r.fields[i]]))),
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await settle(150);
  }
}

const FROM = '2026-03-02';
const TO = '2026-03-03';
const STATS = ['summary', 'daily', 'hourly', 'stations', 'od', 'donors'];

describe('privacy by design (e2e)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let exportsDir: string;
  let admin: ApiClient;
  let adminId: string;
  let planner: ApiClient;
  let plannerBearer: string;
  let operator: ApiClient;
  let stations: { a: StationEntity; b: StationEntity };
  let bikeId: string;

  const insertLoan = async (o: { rider: string; start: string; minutes?: number; state?: string; reason?: string }) => {
    const start = new Date(o.start);
    const open = o.state === 'open';
    const [row] = await h.ds.query<Array<{ id: string }>>(
      `INSERT INTO loans (journey_id, bike_id, rider_id, from_station_id, to_station_id, started_at, due_at, ended_at, state,
                          end_reason, helmet, overdue, checked_out_by, closed_by, correction_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, false, false, $11, $11, $12) RETURNING id`,
      [
        randomUUID(),
        bikeId,
        o.rider,
        stations.a.id,
        open ? null : stations.b.id,
        start,
        new Date(start.getTime() + 3600_000),
        open ? null : new Date(start.getTime() + (o.minutes ?? 15) * 60_000),
        o.state ?? 'closed',
        open ? null : 'returned',
        adminId,
        o.reason ?? null,
      ],
    );
    return row.id;
  };

  const buildPackage = async (body: Record<string, unknown>, approve = false) => {
    const created = await planner.post('/api/v1/exports', { from: FROM, to: TO, ...body });
    expect({ status: created.status, body: created.status === 202 ? null : created.body }).toEqual({
      status: 202,
      body: null,
    });
    const id = created.body.id as string;
    if (approve) expect((await admin.post(`/api/v1/exports/${id}/approve`, {})).status).toBe(200);
    await waitFor('the package', async () => {
      const res = await planner.get(`/api/v1/exports/${id}`);
      if (res.body.state === 'failed') throw new Error(`export failed: ${res.body.error}`);
      return res.body.state === 'completed' ? true : undefined;
    });
    const download = await fetch(`${h.url}/api/v1/exports/${id}/download`, {
      headers: { authorization: plannerBearer },
    });
    expect(download.status).toBe(200);
    return { id, files: await unzip(Buffer.from(await download.arrayBuffer())) };
  };

  beforeAll(async () => {
    exportsDir = mkdtempSync(join(tmpdir(), 'metrobici-privacy-'));
    h = await startApi({ env: { EXPORTS_DIR: exportsDir, NIGHTLY_EXPORT_CRON: '', WORKER_HEALTH_PORT: '0' } });
    worker = await createWorkerApp(h.env.config, { logLevels: ['fatal'] });
    ({ api: admin, id: adminId } = await h.signedIn('admin'));
    let plannerEmail: string;
    ({ api: planner, email: plannerEmail } = await h.signedIn('planner'));
    const login = await h.api.post('/api/v1/auth/login', { email: plannerEmail, password: TEST_PASSWORD });
    plannerBearer = `Bearer ${login.body.accessToken as string}`;
    stations = { a: await h.make.station({ name: 'Privacidad A' }), b: await h.make.station({ name: 'Privacidad B' }) };
    ({ api: operator } = await h.signedIn('operator', { homeStationId: stations.a.id }));
    const donor = await h.make.donor({ code: 'priv-donor', name: 'Donante privado' });
    bikeId = (await h.make.bike({ stationId: stations.a.id, donorId: donor.id })).id;
  });

  afterAll(async () => {
    await worker?.close();
    await h?.close();
    rmSync(exportsDir, { recursive: true, force: true });
  });

  it('anonymising leaves no direct identifier anywhere in the database, and every /stats answer is unchanged', async () => {
    const minor = {
      documentType: 'TI',
      documentNumber: '1097111222',
      firstName: 'Xiomarita',
      lastName: 'Quebradanegra',
      birthDate: `${Number(new Date().toISOString().slice(0, 4)) - 17}-01-15`,
      gender: 'female',
      phone: '3187654321',
      email: 'xiomarita.q@example.org',
      consent: { accepted: true, termsVersion: '2019-10', purposes: ['research', 'reminders'] },
      guardian: {
        name: 'Gumersindo Quebradanegra',
        documentType: 'CC',
        documentNumber: '88776655',
        birthDate: '1975-04-02',
      },
    };
    // The guardian must be an adult other than the rider.
    const childGuardian = await h.api.post('/api/v1/riders', {
      ...minor,
      guardian: { ...minor.guardian, birthDate: '2012-01-01' },
    });
    expect(childGuardian).toMatchObject({ status: 422, body: { code: 'GUARDIAN_NOT_ADULT' } });
    const sameAsRider = await h.api.post('/api/v1/riders', {
      ...minor,
      guardian: { ...minor.guardian, documentType: 'TI', documentNumber: minor.documentNumber },
    });
    expect(sameAsRider).toMatchObject({ status: 422, body: { code: 'GUARDIAN_NOT_ADULT' } });
    const reg = await h.api.post('/api/v1/riders', minor);
    expect(reg.status).toBe(201);
    const riderId = reg.body.id as string;
    // The minor's consent and the guardian's are both on record.
    const consents = await admin.get(`/api/v1/riders/${riderId}/consents`);
    expect(consents.body.current).toEqual(['service', 'research', 'reminders']);
    expect(consents.body.history.map((c: { grantedBy: string }) => c.grantedBy).sort()).toEqual(['guardian', 'rider']);

    // Free text that names the rider: a rectification reason, a suspension reason, a loan correction.
    const rectified = await admin.patch(`/api/v1/riders/${riderId}`, {
      phone: '3187654322',
      reason: 'Xiomarita Quebradanegra pidió corregir su teléfono',
    });
    expect(rectified.status).toBe(200);
    await admin.post(`/api/v1/riders/${riderId}/suspend`, { reason: 'Xiomarita no devolvió a tiempo' });
    await admin.post(`/api/v1/riders/${riderId}/reactivate`, {});
    await h.ds.query(`UPDATE riders SET status = 'active', verified_at = now() WHERE id = $1`, [riderId]);
    for (let i = 0; i < 3; i++)
      await insertLoan({
        rider: riderId,
        start: `2026-03-02T0${7 + i}:00:00-05:00`,
        reason: i === 0 ? 'Corregido: era Xiomarita, TI 1097111222' : undefined,
      });
    const other = await h.make.rider({ firstName: 'Otro', lastName: 'Usuario' });
    for (let i = 0; i < 3; i++) await insertLoan({ rider: other.id, start: `2026-03-03T1${i}:00:00-05:00` });
    await rebuildTripFacts(h.ds, { from: FROM, to: TO }, h.env.config.stats.co2GramsPerKm);
    await admin.get(`/api/v1/riders/${riderId}`);
    await admin.get(`/api/v1/riders/${riderId}/personal-data`);

    const stats = async () =>
      Object.fromEntries(
        await Promise.all(
          STATS.map(async (p) => [p, (await planner.get(`/api/v1/stats/${p}?from=${FROM}&to=${TO}`)).body] as const),
        ),
      );
    const before = await stats();
    expect(before.summary.trips).toBe(6);
    expect(before.summary.ageBands.find((b: { band: string }) => b.band === '16-17').trips).toBe(3);

    // Refused while the rider holds a bike, and for anyone but an admin.
    const openLoan = await insertLoan({ rider: riderId, start: new Date().toISOString(), state: 'open' });
    const holding = await admin.post(`/api/v1/riders/${riderId}/anonymise`, { reason: 'Solicitud de supresión' });
    expect(holding).toMatchObject({ status: 409, body: { code: 'RIDER_HOLDS_BIKE' } });
    await h.ds.query('DELETE FROM loans WHERE id = $1', [openLoan]);
    expect((await operator.post(`/api/v1/riders/${riderId}/anonymise`, { reason: 'Solicitud' })).status).toBe(403);

    const done = await admin.post(`/api/v1/riders/${riderId}/anonymise`, {
      reason: 'Solicitud de supresión (Ley 1581)',
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ firstName: 'Anonimizado', birthDate: null, guardian: null, email: null });
    expect(done.body.anonymisedAt).toEqual(expect.any(String));
    expect((await admin.post(`/api/v1/riders/${riderId}/anonymise`, { reason: 'otra vez' })).body.code).toBe(
      'RIDER_ANONYMISED',
    );

    // Every text, varchar and jsonb column of every table.
    const identifiers = [
      'Xiomarita',
      'Quebradanegra',
      '1097111222',
      '3187654321',
      '3187654322',
      'xiomarita.q@example.org',
      'Gumersindo',
      '88776655',
    ];
    const columns = await h.ds.query<Array<{ table_name: string; column_name: string }>>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character', 'jsonb', 'json')`,
    );
    expect(columns.length).toBeGreaterThan(20);
    const found: string[] = [];
    for (const { table_name, column_name } of columns) {
      for (const needle of identifiers) {
        const [{ n }] = await h.ds.query<Array<{ n: number }>>(
          `SELECT count(*)::integer AS n FROM "${table_name}" WHERE "${column_name}"::text ILIKE '%' || $1 || '%'`,
          [needle],
        );
        if (n > 0) found.push(`${table_name}.${column_name}: ${needle}`);
      }
    }
    expect(found).toEqual([]);
    const [row] = await h.ds.query<Array<{ birth_date: string | null; guardian_birth_date: string | null }>>(
      'SELECT birth_date, guardian_birth_date FROM riders WHERE id = $1',
      [riderId],
    );
    expect(row).toEqual({ birth_date: null, guardian_birth_date: null });
    // The placeholder never matches a document typed at a station.
    expect((await admin.get('/api/v1/riders?documentType=TI&documentNumber=1097111222')).status).toBe(200);
    expect((await admin.get('/api/v1/riders?documentType=TI&documentNumber=1097111222')).body).toEqual([]);

    expect(await stats()).toEqual(before);
    // Even a rebuild of the statistics keeps the anonymised rider's age bands.
    await rebuildTripFacts(h.ds, { from: FROM, to: TO }, h.env.config.stats.co2GramsPerKm);
    expect(await stats()).toEqual(before);
  });

  it('logs every staff read of personal data; the audit is for admins only', async () => {
    const rider = await h.make.rider({ verifiedAtStationId: stations.a.id });
    const { api: reader, id: readerId } = await h.signedIn('admin');
    await reader.get(`/api/v1/riders/${rider.id}`);
    await reader.get(`/api/v1/riders?documentType=CC&documentNumber=${rider.documentNumber}`);
    await reader.get('/api/v1/riders?status=active');
    await reader.get(`/api/v1/riders/${rider.id}/personal-data`);
    await operator.get(`/api/v1/riders/${rider.id}`);
    const audit = await admin.get(`/api/v1/audit/personal-data?riderId=${rider.id}`);
    expect(audit.status).toBe(200);
    const mine = (audit.body as Array<{ actorId: string; route: string }>).filter((e) => e.actorId === readerId);
    expect(mine.map((e) => e.route).sort()).toEqual(
      [
        'GET /api/v1/riders',
        'GET /api/v1/riders/:id',
        'GET /api/v1/riders/:id/personal-data',
        'GET /api/v1/riders?documentType&documentNumber',
      ].sort(),
    );
    expect((audit.body as Array<{ actorRole: string }>).some((e) => e.actorRole === 'operator')).toBe(true);
    const byActor = await admin.get(`/api/v1/audit/personal-data?actorId=${readerId}&from=2020-01-01T00:00:00Z`);
    expect(byActor.body.length).toBeGreaterThanOrEqual(4);
    expect((await planner.get('/api/v1/audit/personal-data')).status).toBe(403);
    expect((await operator.get('/api/v1/audit/personal-data')).status).toBe(403);
    // The log cannot be rewritten.
    await expect(h.ds.query('DELETE FROM personal_data_reads')).rejects.toThrow(/append-only/);
    await expect(h.ds.query('UPDATE rider_consents SET terms_version = $1', ['x'])).rejects.toThrow(/append-only/);
  });

  describe('data packages', () => {
    const riders: RiderEntity[] = [];
    beforeAll(async () => {
      // Two riders who consented to research before the trips, 12 trips each in the range.
      for (const name of ['Rosalba', 'Evaristo']) {
        const r = await h.make.rider({ firstName: name, consentAcceptedAt: new Date('2026-02-01T12:00:00Z') });
        await h.ds.query(
          `INSERT INTO rider_consents (rider_id, purposes, terms_version, granted_by, source, recorded_at)
           VALUES ($1, '["service", "research"]', '2019-10', 'rider', 'migration', '2026-02-01T12:00:00Z')`,
          [r.id],
        );
        riders.push(r);
        for (let i = 0; i < 12; i++)
          await insertLoan({
            rider: r.id,
            start: `2026-03-0${2 + (i % 2)}T${String(6 + i).padStart(2, '0')}:1${i % 6}:00-05:00`,
          });
      }
    });

    it('public: aggregates only, every count cell ≥ 10 or marked suppressed', async () => {
      const { files } = await buildPackage({});
      expect([...files.keys()].sort()).toEqual([...PUBLIC_PACKAGE_FILES, 'manifest.json'].sort());
      const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
      expect(manifest).toMatchObject({ packageKind: 'public', suppressionK: 10, suppressedMarker: SUPPRESSED });
      let checked = 0;
      let suppressed = 0;
      for (const [name, columns] of Object.entries(COUNT_COLUMNS)) {
        const text = files.get(name)!.toString('utf8');
        const rows: Array<Record<string, unknown>> = name.endsWith('.geojson')
          ? JSON.parse(text).features.map((f: { properties: Record<string, unknown> }) => f.properties)
          : csv(text).rows;
        for (const row of rows)
          for (const column of columns) {
            const v = row[column];
            checked += 1;
            if (v === SUPPRESSED) suppressed += 1;
            else expect({ name, column, v: Number(v) >= 10 }).toEqual({ name, column, v: true });
          }
      }
      expect(checked).toBeGreaterThan(50);
      expect(suppressed).toBeGreaterThan(0);
      const everything = [...files.values()].map((b) => b.toString('utf8')).join('\n');
      for (const r of riders) expect(everything).not.toContain(r.id);
      expect(everything).not.toContain('Rosalba');
    });

    it('research: needs recipient, agreement and an admin approval; no shared rider key or ride id; withdrawal removes the rider', async () => {
      expect((await planner.post('/api/v1/exports', { from: FROM, to: TO, kind: 'research' })).status).toBe(400);
      const first = await buildPackage(
        { kind: 'research', recipient: 'C40 CFF — asesor', agreementRef: 'ACU-2026-07' },
        true,
      );
      // A planner cannot approve.
      const pending = await planner.post('/api/v1/exports', {
        from: FROM,
        to: TO,
        kind: 'research',
        recipient: 'GIZ',
        agreementRef: 'ACU-2026-08',
      });
      expect(pending.body.state).toBe('unapproved');
      expect((await planner.post(`/api/v1/exports/${pending.body.id}/approve`, {})).status).toBe(403);
      expect((await planner.get(`/api/v1/exports/${pending.body.id}`)).body).toMatchObject({
        state: 'unapproved',
        packageKind: 'research',
        approvedBy: null,
      });
      const second = await buildPackage(
        { kind: 'research', recipient: 'C40 CFF — asesor', agreementRef: 'ACU-2026-07' },
        true,
      );

      const trips = (p: { files: Map<string, Buffer> }) => csv(p.files.get('trips.csv')!.toString('utf8'));
      const t1 = trips(first);
      const t2 = trips(second);
      expect(t1.header).toEqual([...RESEARCH_TRIP_COLUMNS]);
      expect(t1.rows).toHaveLength(24);
      expect(new Set(t1.rows.map((r) => r.rider_key)).size).toBe(2);
      const keys2 = new Set(t2.rows.map((r) => r.rider_key));
      expect(t1.rows.filter((r) => keys2.has(r.rider_key))).toEqual([]);
      const rides2 = new Set(t2.rows.map((r) => r.ride_id));
      expect(t1.rows.filter((r) => rides2.has(r.ride_id))).toEqual([]);
      for (const r of t1.rows) expect(r.started_at).toMatch(/T\d{2}:\d{2}:00-05:00$/);
      const loanIds = (await h.ds.query<Array<{ id: string }>>('SELECT id::text FROM loans')).map((l) => l.id);
      const text1 = first.files.get('trips.csv')!.toString('utf8');
      for (const id of loanIds) expect(text1).not.toContain(id);
      const manifest = JSON.parse(first.files.get('manifest.json')!.toString('utf8'));
      expect(manifest).toMatchObject({
        packageKind: 'research',
        recipient: 'C40 CFF — asesor',
        agreementRef: 'ACU-2026-07',
        approvedBy: adminId,
      });
      const audit = await admin.get(`/api/v1/audit/personal-data?actorId=${adminId}`);
      expect(
        (audit.body as Array<{ route: string; details: { exportId?: string } | null }>).some(
          (e) => e.route === 'POST /api/v1/exports/:id/approve' && e.details?.exportId === first.id,
        ),
      ).toBe(true);

      // Evaristo withdraws research: gone from every later research package.
      const withdrawn = await admin.post(`/api/v1/riders/${riders[1].id}/consents`, { purposes: ['service'] });
      expect(withdrawn.status).toBe(200);
      expect(withdrawn.body.current).toEqual(['service']);
      const third = await buildPackage(
        { kind: 'research', recipient: 'C40 CFF — asesor', agreementRef: 'ACU-2026-07' },
        true,
      );
      const t3 = trips(third);
      expect(t3.rows).toHaveLength(12);
      expect(new Set(t3.rows.map((r) => r.rider_key)).size).toBe(1);
    });

    it('the planners’ trips.csv has no rider attribute, no loan id and no synthetic trip unless asked', async () => {
      await h.ds.query(
        `UPDATE loans SET synthetic = true WHERE id IN (SELECT id FROM loans ORDER BY started_at LIMIT 1)`,
      );
      const get = async (qs: string) => {
        const res = await fetch(`${h.url}/api/v1/exports/trips.csv?from=${FROM}&to=${TO}${qs}`, {
          headers: { authorization: plannerBearer },
        });
        return csv(await res.text());
      };
      const real = await get('');
      for (const c of ['rider_key', 'gender', 'age_band']) expect(real.header).not.toContain(c);
      const withSynthetic = await get('&synthetic=include');
      expect(withSynthetic.rows.length).toBe(real.rows.length + 1);
      expect(real.rows.every((r) => r.synthetic === 'false')).toBe(true);
      const loanIds = (await h.ds.query<Array<{ id: string }>>('SELECT id::text FROM loans')).map((l) => l.id);
      const ids = new Set(withSynthetic.rows.map((r) => r.ride_id));
      expect(loanIds.filter((id) => ids.has(id))).toEqual([]);
    });
  });
});
