import type { INestApplicationContext } from '@nestjs/common';
import { io, type Socket } from 'socket.io-client';
import { LoanService } from '@metrobici/loans';
import type { OperationsAlert, StationSnapshotItem, StationUpdatedEvent } from '@metrobici/realtime';
import { changeStationCounts } from '@metrobici/stations';
import { createWorkerApp } from '../apps/worker/src/app.factory';
import { startApi, type ApiHarness } from './support/api-harness';
import { TEST_PASSWORD } from './support/factories';
import { recorder } from './support/socket-recorder';
import { spawnApi, type RunningApi } from './support/processes';

function connect(url: string, namespace: string, auth?: Record<string, string>): Socket {
  return io(`${url}${namespace}`, { transports: ['websocket'], auth, reconnection: false, forceNew: true });
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

function once<T>(socket: Socket, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`no ${event} within ${timeoutMs} ms (connected: ${socket.connected})`)),
      timeoutMs,
    );
    socket.once(event, (payload: T) => {
      clearTimeout(t);
      resolve(payload);
    });
  });
}

describe('realtime availability and alerts (e2e)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  const sockets: Socket[] = [];
  const open = (url: string, ns: string, auth?: Record<string, string>) => {
    const s = connect(url, ns, auth);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    h = await startApi();
    worker = await createWorkerApp(h.env.config, { logLevels: ['fatal'] });
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await worker?.close();
    await h.close();
  });

  it('sends a snapshot on connect and each committed change once, in order, after commit', async () => {
    const station = await h.make.station({ capacity: 10 });
    const bikes = [await h.make.bike({ stationId: station.id }), await h.make.bike({ stationId: station.id })];
    const client = open(h.url, '/availability');
    const snapshot = await recorder<{ stations: StationSnapshotItem[] }>(client, 'stations:snapshot').next(() => true);
    const updates = recorder<StationUpdatedEvent>(client, 'station:updated');
    const mine = snapshot.stations.find((s) => s.id === station.id)!;
    expect(mine).toMatchObject({
      bikesAvailable: 2,
      spacesAvailable: 8,
      isOpen: true,
      sequence: expect.any(Number),
      updatedAt: expect.any(String),
    });

    const { api: operator } = await h.signedIn('operator', { allStations: true });
    for (const bike of bikes) {
      const res = await operator.post('/api/v1/loans', {
        bikeCode: bike.code,
        riderId: (await h.make.rider()).id,
        stationId: station.id,
      });
      expect(res.status).toBe(201);
    }
    const last = await updates.next((e) => e.stationId === station.id && e.bikesAvailable === 0);
    await settle(300);
    const forStation = updates.seen.filter((e) => e.stationId === station.id);
    expect(forStation.map((e) => e.bikesAvailable)).toEqual([1, 0]);
    expect(forStation.map((e) => e.sequence)).toEqual([mine.sequence + 1, mine.sequence + 2]);
    expect(last).toMatchObject({ spacesAvailable: 10, isOpen: true });
  });

  it('never publishes a change that rolled back', async () => {
    const station = await h.make.station();
    await h.make.bike({ stationId: station.id });
    const client = open(h.url, '/availability');
    const snapshot = await recorder<{ stations: StationSnapshotItem[] }>(client, 'stations:snapshot').next(() => true);
    const before = snapshot.stations.find((s) => s.id === station.id)!;
    const updates = recorder<StationUpdatedEvent>(client, 'station:updated');

    await expect(
      h.ds.transaction(async (m) => {
        await changeStationCounts(m, station.id, { docked: -1, available: -1 });
        throw new Error('operator cancelled');
      }),
    ).rejects.toThrow('operator cancelled');
    await settle(1500);
    expect(updates.seen.filter((e) => e.stationId === station.id)).toEqual([]);

    const { api: admin } = await h.signedIn('admin');
    await admin.patch(`/api/v1/stations/${station.id}`, { capacity: 30 });
    const next = await updates.next((e) => e.stationId === station.id);
    expect(next).toMatchObject({ sequence: before.sequence + 1, bikesAvailable: 1, spacesAvailable: 29 });
  });

  it('keeps changes made while the relay is down and publishes them once it is back', async () => {
    const station = await h.make.station();
    const bike = await h.make.bike({ stationId: station.id });
    const client = open(h.url, '/availability');
    await recorder(client, 'stations:snapshot').next(() => true);
    const updates = recorder<StationUpdatedEvent>(client, 'station:updated');
    await worker.close();

    const { api: operator } = await h.signedIn('operator', { allStations: true });
    expect(
      (
        await operator.post('/api/v1/loans', {
          bikeCode: bike.code,
          riderId: (await h.make.rider()).id,
          stationId: station.id,
        })
      ).status,
    ).toBe(201);
    await settle(800);
    expect(updates.seen.filter((e) => e.stationId === station.id)).toEqual([]);
    const pending: Array<{ n: string }> = await h.ds.query(
      'SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL',
    );
    expect(Number(pending[0].n)).toBeGreaterThan(0);

    worker = await createWorkerApp(h.env.config, { logLevels: ['fatal'] });
    const late = await updates.next((e) => e.stationId === station.id);
    expect(late.bikesAvailable).toBe(0);
  });

  it('sends staff alerts only to staff, and to the operators of the station concerned', async () => {
    const a = await h.make.station();
    const b = await h.make.station();
    const bikeA = await h.make.bike({ stationId: a.id });
    const bikeB = await h.make.bike({ stationId: b.id });
    const opA = await h.signedIn('operator', { homeStationId: a.id });
    const admin = await h.signedIn('admin');
    const tokenOf = async (email: string) =>
      (await h.api.post('/api/v1/auth/login', { email, password: TEST_PASSWORD })).body.accessToken as string;

    const anonymous = open(h.url, '/operations');
    const refused = await once<Error>(anonymous, 'connect_error');
    expect(refused.message).toBe('UNAUTHENTICATED');
    const forged = open(h.url, '/operations', { token: 'not-a-token' });
    expect((await once<Error>(forged, 'connect_error')).message).toBe('UNAUTHENTICATED');

    const opSocket = open(h.url, '/operations', { token: await tokenOf(opA.email) });
    const adminSocket = open(h.url, '/operations', { token: await tokenOf(admin.email) });
    await Promise.all([opSocket, adminSocket].map((sk) => (sk.connected ? Promise.resolve() : once(sk, 'connect'))));
    await settle(100);
    const opAlerts = recorder<OperationsAlert>(opSocket, 'alert');
    const adminAlerts = recorder<OperationsAlert>(adminSocket, 'alert');
    const publicSocket = open(h.url, '/availability');
    const publicAlerts = recorder<OperationsAlert>(publicSocket, 'alert');

    expect((await admin.api.post(`/api/v1/bikes/${bikeB.id}/damage`, { note: 'Freno roto' })).status).toBe(200);
    expect((await opA.api.post(`/api/v1/bikes/${bikeA.id}/damage`, { note: 'Llanta pinchada' })).status).toBe(200);

    const damagedA = await opAlerts.next((e) => e.kind === 'bike_damaged' && e.stationId === a.id);
    expect(damagedA.message).toContain('Llanta pinchada');
    await adminAlerts.next((e) => e.kind === 'bike_damaged' && e.stationId === b.id);
    await adminAlerts.next((e) => e.kind === 'bike_damaged' && e.stationId === a.id);
    // Station A has no available bike now: an empty-station alert with its start time.
    const empty = await opAlerts.next((e) => e.kind === 'station_empty' && e.stationId === a.id);
    expect(Date.parse(empty.since)).toBeLessThanOrEqual(Date.parse(empty.at));

    // Overdue loans: flagged once by the worker's job, alerted to the station where it started.
    const bike2 = await h.make.bike({ stationId: a.id });
    const loan = await opA.api.post('/api/v1/loans', {
      bikeCode: bike2.code,
      riderId: (await h.make.rider()).id,
      stationId: a.id,
    });
    await h.ds.query(`UPDATE loans SET due_at = now() - interval '5 minutes' WHERE id = $1`, [loan.body.id]);
    const loans = worker.get(LoanService);
    expect(await loans.flagOverdue(new Date())).toBe(1);
    expect(await loans.flagOverdue(new Date())).toBe(0);
    const overdue = await opAlerts.next((e) => e.kind === 'loan_overdue');
    expect(overdue.data).toMatchObject({ loanId: loan.body.id, bikeCode: bike2.code });

    await settle(500);
    expect(opAlerts.seen.some((e) => e.stationId === b.id)).toBe(false);
    expect(publicAlerts.seen).toEqual([]);
    expect(new Set(opAlerts.seen.map((e) => e.id)).size).toBe(opAlerts.seen.length);
  });

  describe('with two API processes', () => {
    let first: RunningApi;
    let second: RunningApi;
    beforeAll(async () => {
      [first, second] = await Promise.all([spawnApi(h.env.env), spawnApi(h.env.env)]);
    }, 120_000);
    afterAll(async () => {
      await Promise.all([first?.stop(), second?.stop()]);
    });

    it('pushes a check-out made through one instance to a client connected to the other', async () => {
      const station = await h.make.station();
      const bike = await h.make.bike({ stationId: station.id });
      const client = open(second.url, '/availability');
      await recorder(client, 'stations:snapshot').next(() => true);
      const updates = recorder<StationUpdatedEvent>(client, 'station:updated');

      const operator = await h.make.staff('operator', { allStations: true });
      const login = await fetch(`${first.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: operator.email, password: TEST_PASSWORD }),
      });
      const { accessToken } = (await login.json()) as { accessToken: string };
      const res = await fetch(`${first.url}/api/v1/loans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ bikeCode: bike.code, riderId: (await h.make.rider()).id, stationId: station.id }),
      });
      expect(res.status).toBe(201);
      const event = await updates.next((e) => e.stationId === station.id);
      expect(event.bikesAvailable).toBe(0);
      await settle(300);
      expect(updates.seen.filter((e) => e.stationId === station.id)).toHaveLength(1);
    });
  });
});
