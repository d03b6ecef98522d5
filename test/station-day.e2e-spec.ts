import type { INestApplicationContext } from '@nestjs/common';
import { io, type Socket } from 'socket.io-client';
import { type AlertChange, applyAlertChanges, conditionKeys } from '@metrobici/alerts';
import { bogotaDate } from '@metrobici/common';
import { LoanService, tripSql } from '@metrobici/loans';
import type { AlertResolvedEvent, OperationsAlert } from '@metrobici/realtime';
import { touchStation } from '@metrobici/stations';
import { createWorkerApp } from '../apps/worker/src/app.factory';
import { startApi, type ApiHarness } from './support/api-harness';
import { TEST_PASSWORD } from './support/factories';
import { recorder } from './support/socket-recorder';

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await settle(50);
  }
}

/**
 * At the station (issue 12), against the real API and worker: stored alerts (transition-only
 * empty/full with the right `since`, self-resolution, fetch after reconnect, acknowledgement),
 * a bike never returned, a helmet not returned, shifts, incidents, the station's day and the
 * rider's receipt.
 */
describe('at the station: alerts, corrections, shifts, receipt (e2e)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  const sockets: Socket[] = [];
  const openSocket = async (token: string) => {
    const s = io(`${h.url}/operations`, {
      transports: ['websocket'],
      auth: { token },
      reconnection: false,
      forceNew: true,
    });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    await settle(50);
    return s;
  };
  const tokenOf = async (email: string) =>
    (await h.api.post('/api/v1/auth/login', { email, password: TEST_PASSWORD })).body.accessToken as string;

  beforeAll(async () => {
    h = await startApi();
    worker = await createWorkerApp(h.env.config, { logLevels: ['fatal'] });
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await worker?.close();
    await h.close();
  });

  const alertsOf = (api: ApiHarness['api'], query = '') =>
    api.get<OperationsAlert[]>(`/api/v1/alerts${query}`).then((r) => {
      expect(r.status).toBe(200);
      return r.body;
    });

  it('empty alerts fire on the transition with the time the station became empty, and resolve themselves', async () => {
    const station = await h.make.station({ capacity: 10 });
    const bike = await h.make.bike({ stationId: station.id });
    const op = await h.signedIn('operator', { homeStationId: station.id });
    const socket = await openSocket(await tokenOf(op.email));
    const alerts = recorder<OperationsAlert>(socket, 'alert');
    const resolved = recorder<AlertResolvedEvent>(socket, 'alert:resolved');

    const out = await op.api.post('/api/v1/loans', {
      bikeCode: bike.code,
      riderId: (await h.make.rider()).id,
      stationId: station.id,
    });
    expect(out.status).toBe(201);
    const emptiedAt = (await h.ds.query(`SELECT availability_updated_at FROM stations WHERE id = $1`, [station.id]))[0]
      .availability_updated_at as Date;
    const empty = await alerts.next((e) => e.kind === 'station_empty' && e.stationId === station.id);
    expect(empty).toMatchObject({ audience: 'station', resolvedAt: null, acknowledgedAt: null });
    expect(empty.id).toMatch(/^\d+$/);
    expect(Date.parse(empty.since)).toBe(new Date(emptiedAt).getTime());

    // Later changes while it stays empty raise nothing new.
    await h.ds.transaction((m) => touchStation(m, station.id));
    await h.ds.transaction((m) => touchStation(m, station.id));
    await settle(700);
    expect(alerts.seen.filter((e) => e.kind === 'station_empty' && e.stationId === station.id)).toHaveLength(1);
    const stored = await alertsOf(op.api, `?stationId=${station.id}`);
    expect(stored.filter((a) => a.kind === 'station_empty')).toEqual([
      expect.objectContaining({ id: empty.id, since: empty.since }),
    ]);

    // A return ends the condition: resolved by itself, pushed and stored.
    expect((await op.api.post('/api/v1/returns', { bikeCode: bike.code, stationId: station.id })).status).toBe(200);
    const gone = await resolved.next((e) => e.id === empty.id);
    expect(gone.kind).toBe('station_empty');
    expect((await alertsOf(op.api, `?stationId=${station.id}`)).some((a) => a.id === empty.id)).toBe(false);
    const history = await alertsOf(op.api, `?state=resolved&stationId=${station.id}`);
    expect(history).toEqual([expect.objectContaining({ id: empty.id, resolvedAt: gone.resolvedAt })]);

    // Empty again: a new alert, with the new time.
    await op.api.post('/api/v1/loans', {
      bikeCode: bike.code,
      riderId: (await h.make.rider()).id,
      stationId: station.id,
    });
    const again = await alerts.next(
      (e) => e.kind === 'station_empty' && e.stationId === station.id && e.id !== empty.id,
    );
    expect(Date.parse(again.since)).toBeGreaterThan(Date.parse(empty.since));
  });

  it('stores each outbox row’s alert once, and follows a condition across one batch', async () => {
    const stationId = '00000000-0000-4000-8000-00000000e001';
    const key = conditionKeys.stationEmpty(stationId);
    const raise = (outboxId: string, since: string): AlertChange => ({
      type: 'raise',
      draft: {
        outboxId,
        kind: 'station_empty',
        stationId,
        audience: 'station',
        message: 'vacía',
        since,
        data: {},
        conditionKey: key,
      },
    });
    // Empty, refilled, empty again, all in one relay batch.
    const batch: AlertChange[] = [
      raise('900001', '2026-01-01T10:00:00.000Z'),
      { type: 'resolve', conditionKey: key, at: '2026-01-01T10:05:00.000Z', outboxId: '900002' },
      raise('900003', '2026-01-01T10:07:00.000Z'),
      raise('900004', '2026-01-01T10:08:00.000Z'),
    ];
    const first = await applyAlertChanges(h.ds, batch);
    expect(first.raised.map((a) => [a.outboxId, a.resolvedAt])).toEqual([
      ['900001', '2026-01-01T10:05:00.000Z'],
      ['900003', null],
    ]);
    // The same batch published again (a crash before marking it): nothing new.
    const again = await applyAlertChanges(h.ds, batch);
    expect(again.raised).toEqual([]);
    const rows = await h.ds.query(
      `SELECT outbox_id, since, resolved_at FROM alerts WHERE station_id = $1 ORDER BY id`,
      [stationId],
    );
    expect(rows).toHaveLength(2);
    expect(new Date(rows[1].since).toISOString()).toBe('2026-01-01T10:07:00.000Z');
    const resolved = await applyAlertChanges(h.ds, [
      { type: 'resolve', conditionKey: key, at: '2026-01-01T11:00:00.000Z', outboxId: '900005' },
    ]);
    expect(resolved.resolved).toEqual([
      { id: first.raised[1].id, kind: 'station_empty', stationId, resolvedAt: '2026-01-01T11:00:00.000Z' },
    ]);
  });

  it('full alerts too; overdue alerts resolve on return', async () => {
    const station = await h.make.station({ capacity: 2 });
    await h.make.bike({ stationId: station.id });
    const elsewhere = await h.make.station({ capacity: 10 });
    const travelling = await h.make.bike({ stationId: elsewhere.id });
    const admin = await h.signedIn('admin');
    const out = await admin.api.post('/api/v1/loans', {
      bikeCode: travelling.code,
      riderId: (await h.make.rider()).id,
      stationId: elsewhere.id,
    });
    expect(out.status).toBe(201);
    await h.ds.query(`UPDATE loans SET due_at = now() - interval '5 minutes' WHERE id = $1`, [out.body.id]);
    expect(await worker.get(LoanService).flagOverdue(new Date())).toBe(1);
    const overdue = await until(
      () => alertsOf(admin.api, `?stationId=${elsewhere.id}`),
      (list) => list.some((a) => a.kind === 'loan_overdue'),
    );
    const overdueAlert = overdue.find((a) => a.kind === 'loan_overdue')!;
    expect(overdueAlert.data).toMatchObject({ loanId: out.body.id });

    // Returned at the small station: it fills up (a full alert) and the overdue alert resolves.
    const back = await admin.api.post('/api/v1/returns', { bikeCode: travelling.code, stationId: station.id });
    expect(back.status).toBe(200);
    const full = await until(
      () => alertsOf(admin.api, `?stationId=${station.id}`),
      (list) => list.some((a) => a.kind === 'station_full'),
    );
    expect(full.filter((a) => a.kind === 'station_full')).toHaveLength(1);
    const after = await until(
      () => alertsOf(admin.api, `?state=resolved&stationId=${elsewhere.id}`),
      (list) => list.some((a) => a.id === overdueAlert.id),
    );
    expect(after.find((a) => a.id === overdueAlert.id)?.resolvedAt).toEqual(expect.any(String));
  });

  it('a tablet that was offline fetches the alerts it missed, and acknowledges them', async () => {
    const station = await h.make.station();
    const other = await h.make.station();
    const damaged = await h.make.bike({ stationId: station.id });
    await h.make.bike({ stationId: station.id });
    const op = await h.signedIn('operator', { homeStationId: station.id });
    const colleague = await h.signedIn('operator', { homeStationId: station.id });
    const stranger = await h.signedIn('operator', { homeStationId: other.id });
    const watching = await openSocket(await tokenOf(colleague.email));
    const acks = recorder<{ id: string; acknowledgedBy: string }>(watching, 'alert:acknowledged');

    // The tablet is closed while a bike is reported damaged.
    expect((await colleague.api.post(`/api/v1/bikes/${damaged.id}/damage`, { note: 'Cadena rota' })).status).toBe(200);
    const missed = await until(
      () => alertsOf(op.api, '?state=open'),
      (list) => list.some((a) => a.kind === 'bike_damaged' && a.stationId === station.id),
    );
    const alert = missed.find((a) => a.kind === 'bike_damaged' && a.stationId === station.id)!;
    expect(alert.message).toContain('Cadena rota');
    // Another station's operator does not see it, and cannot acknowledge it.
    expect((await alertsOf(stranger.api)).some((a) => a.id === alert.id)).toBe(false);
    await expect(stranger.api.post(`/api/v1/alerts/${alert.id}/ack`)).resolves.toMatchObject({
      status: 404,
      body: { code: 'ALERT_NOT_FOUND' },
    });
    await expect(stranger.api.get(`/api/v1/alerts?stationId=${station.id}`)).resolves.toMatchObject({ status: 403 });
    // Planners have no alerts.
    const planner = await h.signedIn('planner');
    await expect(planner.api.get('/api/v1/alerts')).resolves.toMatchObject({ status: 403 });

    const acked = await op.api.post(`/api/v1/alerts/${alert.id}/ack`);
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ id: alert.id, acknowledgedBy: op.id, acknowledgedAt: expect.any(String) });
    const again = await op.api.post(`/api/v1/alerts/${alert.id}/ack`);
    expect(again.body.acknowledgedAt).toBe(acked.body.acknowledgedAt);
    await acks.next((e) => e.id === alert.id && e.acknowledgedBy === op.id);
    expect((await alertsOf(op.api, '?state=open')).some((a) => a.id === alert.id)).toBe(false);
    expect((await alertsOf(op.api, '?state=acknowledged')).some((a) => a.id === alert.id)).toBe(true);
    await expect(op.api.post('/api/v1/alerts/abc/ack')).resolves.toMatchObject({ status: 400 });
  });

  it('a bike never returned: not a trip, bike missing, counters unchanged, rider suspended', async () => {
    const station = await h.make.station({ capacity: 10 });
    const kept = await h.make.bike({ stationId: station.id });
    const lost = await h.make.bike({ stationId: station.id });
    const op = await h.signedIn('operator', { homeStationId: station.id });
    const rider = await h.make.rider();
    const other = await h.make.rider();
    const a = await op.api.post('/api/v1/loans', { bikeCode: kept.code, riderId: other.id, stationId: station.id });
    const b = await op.api.post('/api/v1/loans', {
      bikeCode: lost.code,
      riderId: rider.id,
      stationId: station.id,
      helmet: true,
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect((await op.api.post('/api/v1/returns', { bikeCode: kept.code, stationId: station.id })).status).toBe(200);
    const counters = async () =>
      (
        await h.ds.query(`SELECT bikes_docked, bikes_available, helmets_available FROM stations WHERE id = $1`, [
          station.id,
        ])
      )[0];
    const before = await counters();

    const key = { 'Idempotency-Key': `missing-${b.body.id}` };
    const res = await op.api.post(
      `/api/v1/loans/${b.body.id}/report-missing`,
      { note: 'No volvió; el usuario no contesta', policeReport: 'SPOA-123' },
      key,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: b.body.id,
      state: 'closed',
      endReason: 'bike_missing',
      toStationId: null,
      helmetMissing: true,
      riderSuspended: true,
    });
    const replay = await op.api.post(
      `/api/v1/loans/${b.body.id}/report-missing`,
      { note: 'No volvió; el usuario no contesta', policeReport: 'SPOA-123' },
      key,
    );
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    await expect(op.api.post(`/api/v1/loans/${b.body.id}/report-missing`, { note: 'otra vez' })).resolves.toMatchObject(
      { status: 409, body: { code: 'LOAN_NOT_OPEN' } },
    );

    expect(await counters()).toEqual(before);
    const [bikeRow] = await h.ds.query(`SELECT state, station_id, police_report FROM bikes WHERE id = $1`, [lost.id]);
    expect(bikeRow).toEqual({ state: 'missing', station_id: null, police_report: 'SPOA-123' });
    const riderView = await op.api.get(`/api/v1/riders/${rider.id}`);
    expect(riderView.body).toMatchObject({ status: 'suspended', suspensionReason: expect.stringContaining(lost.code) });
    await expect(
      op.api.post('/api/v1/loans', { bikeCode: kept.code, riderId: rider.id, stationId: station.id }),
    ).resolves.toMatchObject({ status: 409, body: { code: 'RIDER_SUSPENDED' } });

    // Not a trip: no trip fact (the worker derived one for the returned loan), no export/KPI row.
    await until(
      () => h.ds.query(`SELECT count(*)::int AS n FROM trip_facts WHERE loan_id = $1`, [a.body.id]),
      (rows: Array<{ n: number }>) => rows[0].n === 1,
    );
    await settle(300);
    await expect(
      h.ds.query(`SELECT count(*)::int AS n FROM trip_facts WHERE loan_id = $1`, [b.body.id]),
    ).resolves.toEqual([{ n: 0 }]);
    await expect(
      h.ds.query(`SELECT count(*)::int AS n FROM loans l WHERE ${tripSql('l')} AND l.from_station_id = $1`, [
        station.id,
      ]),
    ).resolves.toEqual([{ n: 1 }]);
    const planner = await h.signedIn('planner');
    const today = bogotaDate(new Date());
    const summary = await planner.api.get(`/api/v1/stats/summary?from=${today}&to=${today}&stationId=${station.id}`);
    expect(summary.status).toBe(200);
    expect(summary.body.trips).toBe(1);
    // The missing-bike alert names the station the loan started from.
    await until(
      () => alertsOf(op.api, `?stationId=${station.id}`),
      (list) => list.some((x) => x.kind === 'bike_missing'),
    ).then((list) => expect(list.find((x) => x.kind === 'bike_missing')?.message).toContain('SPOA-123'));
  });

  it('a helmet that did not come back: not back in stock, one strike, shown on the rider', async () => {
    const station = await h.make.station({ capacity: 10, helmetsAvailable: 3 });
    const bike = await h.make.bike({ stationId: station.id });
    const op = await h.signedIn('operator', { homeStationId: station.id });
    const rider = await h.make.rider();
    const helmets = async () =>
      Number(
        (await h.ds.query(`SELECT helmets_available FROM stations WHERE id = $1`, [station.id]))[0].helmets_available,
      );
    const out = await op.api.post('/api/v1/loans', {
      bikeCode: bike.code,
      riderId: rider.id,
      stationId: station.id,
      helmet: true,
    });
    expect(out.status).toBe(201);
    expect(out.body.helmetMissing).toBe(false);
    expect(await helmets()).toBe(2);
    const back = await op.api.post('/api/v1/returns', {
      bikeCode: bike.code,
      stationId: station.id,
      helmetReturned: false,
    });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({
      helmet: true,
      helmetMissing: true,
      riderOverdueStrikes: 1,
      riderSuspended: false,
    });
    expect(await helmets()).toBe(2);
    const view = await op.api.get(`/api/v1/riders/${rider.id}`);
    expect(view.body).toMatchObject({ overdueStrikes: 1, helmetsMissing: 1, status: 'active' });

    // Default: the helmet came back.
    const out2 = await op.api.post('/api/v1/loans', {
      bikeCode: bike.code,
      riderId: rider.id,
      stationId: station.id,
      helmet: true,
    });
    expect(out2.status).toBe(201);
    const back2 = await op.api.post('/api/v1/returns', { bikeCode: bike.code, stationId: station.id });
    expect(back2.body).toMatchObject({ helmetMissing: false, riderSuspended: false });
    expect(await helmets()).toBe(2);
    await expect(
      op.api.post('/api/v1/returns', { bikeCode: bike.code, stationId: station.id, helmetReturned: 'no' }),
    ).resolves.toMatchObject({ status: 400 });
  });

  it('shift counts that differ from the system raise an alert with the difference', async () => {
    const station = await h.make.station({ capacity: 10, helmetsAvailable: 4 });
    await h.make.bike({ stationId: station.id });
    await h.make.bike({ stationId: station.id });
    const op = await h.signedIn('operator', { homeStationId: station.id });
    const stranger = await h.signedIn('operator', { homeStationId: (await h.make.station()).id });

    const opened = await op.api.post(`/api/v1/stations/${station.id}/shifts`, { bikesCounted: 2, helmetsCounted: 4 });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({
      state: 'open',
      operatorId: op.id,
      opening: { bikesExpected: 2, helmetsExpected: 4, mismatch: false },
      closing: null,
    });
    await expect(
      op.api.post(`/api/v1/stations/${station.id}/shifts`, { bikesCounted: 2, helmetsCounted: 4 }),
    ).resolves.toMatchObject({ status: 409, body: { code: 'SHIFT_ALREADY_OPEN' } });
    await expect(
      stranger.api.post(`/api/v1/stations/${station.id}/shifts`, { bikesCounted: 2, helmetsCounted: 4 }),
    ).resolves.toMatchObject({ status: 403 });
    await expect(
      op.api.post(`/api/v1/stations/${station.id}/shifts`, { bikesCounted: -1, helmetsCounted: 4 }),
    ).resolves.toMatchObject({ status: 400 });
    const open = await op.api.get(`/api/v1/stations/${station.id}/shifts?state=open`);
    expect(open.body.map((s: { id: string }) => s.id)).toEqual([opened.body.id]);

    await expect(
      stranger.api.post(`/api/v1/shifts/${opened.body.id}/close`, { bikesCounted: 2, helmetsCounted: 4 }),
    ).resolves.toMatchObject({ status: 404, body: { code: 'SHIFT_NOT_FOUND' } });
    const closed = await op.api.post(`/api/v1/shifts/${opened.body.id}/close`, {
      bikesCounted: 1,
      helmetsCounted: 5,
      note: 'Falta una bicicleta',
    });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({
      state: 'closed',
      closing: { bikesCounted: 1, bikesExpected: 2, bikesDifference: -1, helmetsDifference: 1, mismatch: true },
      note: 'Falta una bicicleta',
    });
    await expect(
      op.api.post(`/api/v1/shifts/${opened.body.id}/close`, { bikesCounted: 1, helmetsCounted: 5 }),
    ).resolves.toMatchObject({ status: 409, body: { code: 'SHIFT_CLOSED' } });

    const list = await until(
      () => alertsOf(op.api, `?stationId=${station.id}`),
      (l) => l.some((a) => a.kind === 'shift_count_mismatch'),
    );
    const mismatches = list.filter((a) => a.kind === 'shift_count_mismatch');
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0].data).toMatchObject({ phase: 'close', bikesDifference: -1, helmetsDifference: 1 });
    expect(mismatches[0].message).toContain('-1');
  });

  it('an injury alerts the admins at once; incidents are listed for admins and the station’s operators', async () => {
    const station = await h.make.station();
    const bike = await h.make.bike({ stationId: station.id });
    const op = await h.signedIn('operator', { homeStationId: station.id });
    const admin = await h.signedIn('admin');
    const stranger = await h.signedIn('operator', { homeStationId: (await h.make.station()).id });
    const adminSocket = await openSocket(await tokenOf(admin.email));
    const opSocket = await openSocket(await tokenOf(op.email));
    const adminAlerts = recorder<OperationsAlert>(adminSocket, 'alert');
    const opAlerts = recorder<OperationsAlert>(opSocket, 'alert');

    const fall = await op.api.post('/api/v1/incidents', {
      type: 'injury',
      stationId: station.id,
      bikeCode: bike.code,
      description: 'Caída al salir de la estación, raspón en la rodilla',
    });
    expect(fall.status).toBe(201);
    expect(fall.body).toMatchObject({ type: 'injury', stationId: station.id, bikeCode: bike.code, reportedBy: op.id });
    const injury = await adminAlerts.next((e) => e.kind === 'incident_injury' && e.stationId === station.id);
    expect(injury).toMatchObject({ audience: 'admins', data: expect.objectContaining({ incidentId: fall.body.id }) });
    await op.api.post('/api/v1/incidents', {
      type: 'vandalism',
      stationId: station.id,
      description: 'Grafiti en el anclaje',
    });
    await settle(500);
    expect(opAlerts.seen.some((e) => e.kind === 'incident_injury')).toBe(false);
    expect((await alertsOf(op.api)).some((a) => a.kind === 'incident_injury')).toBe(false);
    expect((await alertsOf(admin.api)).some((a) => a.id === injury.id)).toBe(true);

    const today = bogotaDate(new Date());
    const mine = await op.api.get(`/api/v1/incidents?stationId=${station.id}&from=${today}&to=${today}`);
    expect(mine.status).toBe(200);
    expect(mine.body.map((i: { type: string }) => i.type).sort()).toEqual(['injury', 'vandalism']);
    expect((await admin.api.get(`/api/v1/incidents?stationId=${station.id}`)).body).toHaveLength(2);
    expect(
      (await stranger.api.get('/api/v1/incidents')).body.some((i: { stationId: string }) => i.stationId === station.id),
    ).toBe(false);
    await expect(stranger.api.get(`/api/v1/incidents?stationId=${station.id}`)).resolves.toMatchObject({ status: 403 });
    await expect(
      op.api.post('/api/v1/incidents', { type: 'fire', stationId: station.id, description: 'xxx' }),
    ).resolves.toMatchObject({ status: 400 });
    await expect(
      op.api.post('/api/v1/incidents', {
        type: 'theft',
        stationId: station.id,
        bikeCode: 'NOPE-1',
        description: 'xxx',
      }),
    ).resolves.toMatchObject({ status: 404, body: { code: 'BIKE_NOT_FOUND' } });
  });

  it('the station’s day: check-outs, returns, renewals, overdue, damage, incidents, shifts', async () => {
    const station = await h.make.station({ capacity: 10, helmetsAvailable: 5 });
    const other = await h.make.station({ capacity: 10 });
    const bikes = [
      await h.make.bike({ stationId: station.id }),
      await h.make.bike({ stationId: station.id }),
      await h.make.bike({ stationId: station.id }),
      await h.make.bike({ stationId: station.id }),
    ];
    const op = await h.signedIn('operator', { homeStationId: station.id });
    const admin = await h.signedIn('admin');
    const shift = await op.api.post(`/api/v1/stations/${station.id}/shifts`, { bikesCounted: 4, helmetsCounted: 5 });
    expect(shift.status).toBe(201);
    const loans = [];
    for (const bike of bikes.slice(0, 3)) {
      const res = await op.api.post('/api/v1/loans', {
        bikeCode: bike.code,
        riderId: (await h.make.rider()).id,
        stationId: station.id,
        helmet: bike === bikes[0],
      });
      expect(res.status).toBe(201);
      loans.push(res.body);
    }
    // One returned late without its helmet, one renewed here, one returned elsewhere.
    await h.ds.query(`UPDATE loans SET due_at = now() - interval '1 minute' WHERE id = $1`, [loans[0].id]);
    await op.api.post('/api/v1/returns', { bikeCode: bikes[0].code, stationId: station.id, helmetReturned: false });
    expect((await op.api.post(`/api/v1/loans/${loans[1].id}/renew`, { stationId: station.id })).status).toBe(201);
    expect((await admin.api.post('/api/v1/returns', { bikeCode: bikes[2].code, stationId: other.id })).status).toBe(
      200,
    );
    expect((await op.api.post(`/api/v1/bikes/${bikes[3].id}/damage`, { note: 'Pedal flojo' })).status).toBe(200);
    await op.api.post('/api/v1/incidents', { type: 'accident', stationId: station.id, description: 'Choque leve' });
    await op.api.post(`/api/v1/shifts/${shift.body.id}/close`, { bikesCounted: 2, helmetsCounted: 4 });

    const date = bogotaDate(new Date());
    const report = await op.api.get(`/api/v1/stations/${station.id}/report?date=${date}`);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      station: { id: station.id, code: station.code },
      date,
      checkOuts: 3,
      checkOutsReverted: 0,
      returns: 1,
      forcedReturns: 0,
      renewals: 1,
      overdue: 1,
      helmetsMissing: 1,
      bikesMissing: 0,
      damageReports: 1,
    });
    expect(report.body.incidents).toEqual([expect.objectContaining({ type: 'accident' })]);
    expect(report.body.shifts).toEqual([expect.objectContaining({ id: shift.body.id, state: 'closed' })]);
    // The other station saw one return; another day is empty.
    const there = await admin.api.get(`/api/v1/stations/${other.id}/report?date=${date}`);
    expect(there.body).toMatchObject({ checkOuts: 0, returns: 1 });
    const before = await op.api.get(`/api/v1/stations/${station.id}/report?date=2020-01-01`);
    expect(before.body).toMatchObject({ checkOuts: 0, returns: 0, incidents: [], shifts: [] });
    await expect(op.api.get(`/api/v1/stations/${station.id}/report?date=2020-13-45`)).resolves.toMatchObject({
      status: 400,
    });
    await expect(op.api.get(`/api/v1/stations/${other.id}/report?date=${date}`)).resolves.toMatchObject({
      status: 403,
    });
    const planner = await h.signedIn('planner');
    await expect(planner.api.get(`/api/v1/stations/${station.id}/report?date=${date}`)).resolves.toMatchObject({
      status: 200,
    });
  });

  it('the rider’s receipt: public during the loan and its renewal, no personal data, gone after the return', async () => {
    const station = await h.make.station({ capacity: 10, name: 'Parque San Pío' });
    const next = await h.make.station({ capacity: 10, name: 'UIS' });
    const bike = await h.make.bike({ stationId: station.id });
    const op = await h.signedIn('operator', { allStations: true });
    const rider = await h.make.rider({ firstName: 'Lucía', lastName: 'Gómez' });
    const out = await op.api.post(
      '/api/v1/loans',
      { bikeCode: bike.code, riderId: rider.id, stationId: station.id },
      { 'Idempotency-Key': `receipt-${bike.id}` },
    );
    expect(out.status).toBe(201);
    expect(out.body.receipt).toEqual({
      token: expect.stringMatching(/^[\w-]{32}$/),
      url: `/#/recibo/${out.body.receipt.token}`,
    });
    const token = out.body.receipt.token as string;
    // A replay of the check-out answers the same receipt.
    const replay = await op.api.post(
      '/api/v1/loans',
      { bikeCode: bike.code, riderId: rider.id, stationId: station.id },
      { 'Idempotency-Key': `receipt-${bike.id}` },
    );
    expect(replay.body.receipt).toEqual(out.body.receipt);
    // Only a hash is stored.
    const stored = await h.ds.query(`SELECT token_hash FROM loan_receipts WHERE journey_id = $1`, [out.body.journeyId]);
    expect(stored).toHaveLength(1);
    expect(stored[0].token_hash).not.toContain(token);

    const receipt = await h.api.get(`/api/v1/receipts/${token}`);
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get('cache-control')).toBe('no-store');
    expect(receipt.body).toEqual({
      bikeCode: bike.code,
      state: 'open',
      startedAt: out.body.startedAt,
      dueAt: out.body.dueAt,
      journeyStartedAt: out.body.startedAt,
      renewalRuleMinutes: 60,
      renewalRule: expect.stringContaining('60 minutos'),
      station: { id: station.id, code: station.code, name: 'Parque San Pío', lat: 7.1, lon: -73.11 },
      serverTime: expect.any(String),
    });
    const text = JSON.stringify(receipt.body);
    for (const personal of [
      rider.id,
      rider.firstName,
      rider.lastName,
      rider.documentNumber,
      rider.phone,
      out.body.id,
    ]) {
      expect(text).not.toContain(personal);
    }

    const qr = await h.api.get(`/api/v1/receipts/${token}/qr.svg`);
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toContain('image/svg+xml');
    expect(String(qr.body)).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

    // A renewal keeps the receipt, now showing the new segment.
    const renewed = await op.api.post(`/api/v1/loans/${out.body.id}/renew`, { stationId: next.id });
    expect(renewed.status).toBe(201);
    const after = await h.api.get(`/api/v1/receipts/${token}`);
    expect(after.body).toMatchObject({
      startedAt: renewed.body.startedAt,
      dueAt: renewed.body.dueAt,
      journeyStartedAt: out.body.startedAt,
      station: { id: next.id, name: 'UIS' },
    });

    expect((await op.api.post('/api/v1/returns', { bikeCode: bike.code, stationId: next.id })).status).toBe(200);
    await expect(h.api.get(`/api/v1/receipts/${token}`)).resolves.toMatchObject({
      status: 404,
      body: { code: 'RECEIPT_NOT_FOUND' },
    });
    await expect(h.api.get(`/api/v1/receipts/${token}/qr.svg`)).resolves.toMatchObject({ status: 404 });
    await expect(h.api.get(`/api/v1/receipts/${'A'.repeat(32)}`)).resolves.toMatchObject({ status: 404 });
    await expect(h.api.get('/api/v1/receipts/short')).resolves.toMatchObject({ status: 404 });
  });
});
