import { createHash } from 'node:crypto';
import { FixedClock } from '@metrobici/common';
import { pruneIdempotencyRecords } from '@metrobici/idempotency';
import { startApi, type ApiHarness } from './support/api-harness';

// Wednesday 9 October 2019, 10:00 in Bogotá: inside the pilot's opening hours (closes 19:00).
const WEDNESDAY_10AM = new Date('2019-10-09T10:00:00-05:00');
const WEDNESDAY_7_30PM = new Date('2019-10-09T19:30:00-05:00');

const replayed = (r: { headers: Headers }) => r.headers.get('idempotent-replayed') === 'true';

describe('Idempotency-Key (e2e, IETF draft semantics)', () => {
  let h: ApiHarness;
  const clock = new FixedClock(WEDNESDAY_10AM);

  beforeAll(async () => {
    h = await startApi({
      clock,
      env: { OPENING_HOURS: 'Mo-Fr 06:00-19:00; Sa 06:00-13:00; Su off; PH off', DB_LOCK_TIMEOUT_MS: '10000' },
    });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => clock.set(WEDNESDAY_10AM));

  it('replays a committed check-out and return after the hours ended and an admin closed the stations', async () => {
    const { api: admin } = await h.signedIn('admin');
    const { api: operator } = await h.signedIn('operator', { allStations: true });
    const a = await h.make.station();
    const b = await h.make.station();
    const bike = await h.make.bike({ stationId: a.id });
    const rider = await h.make.rider();
    const body = { bikeCode: bike.code, riderId: rider.id, stationId: a.id };
    const key = { 'Idempotency-Key': `co-closed-${bike.code}` };
    const first = await operator.post('/api/v1/loans', body, key);
    expect(first.status).toBe(201);
    expect(replayed(first)).toBe(false);

    clock.set(WEDNESDAY_7_30PM); // the station is closed by its opening hours now
    const fresh = await operator.post('/api/v1/loans', body, { 'Idempotency-Key': `co-closed-other-${bike.code}` });
    expect(fresh.body.code).toBe('STATION_CLOSED');
    const afterHours = await operator.post('/api/v1/loans', body, key);
    expect(afterHours.status).toBe(201);
    expect(replayed(afterHours)).toBe(true);
    expect(afterHours.body).toEqual(first.body);

    expect((await admin.post(`/api/v1/stations/${a.id}/close`)).status).toBe(200);
    const afterClosing = await operator.post('/api/v1/loans', body, key);
    expect(afterClosing.status).toBe(201);
    expect(replayed(afterClosing)).toBe(true);
    expect(afterClosing.body.id).toBe(first.body.id);

    const rkey = { 'Idempotency-Key': `rt-closed-${bike.code}` };
    const back = await operator.post('/api/v1/returns', { bikeCode: bike.code, stationId: b.id }, rkey);
    expect(back.status).toBe(200);
    expect((await admin.post(`/api/v1/stations/${b.id}/close`)).status).toBe(200);
    const again = await operator.post('/api/v1/returns', { bikeCode: bike.code, stationId: b.id }, rkey);
    expect(again.status).toBe(200);
    expect(replayed(again)).toBe(true);
    expect(again.body).toEqual(back.body);
    const loans: unknown[] = await h.ds.query('SELECT id FROM loans WHERE bike_id = $1', [bike.id]);
    expect(loans).toHaveLength(1);
  });

  it('takes a key on renewal, revert, force-return, rebalancing and damage reports', async () => {
    const { api: operator } = await h.signedIn('operator', { allStations: true });
    const a = await h.make.station();
    const b = await h.make.station();
    const bike = await h.make.bike({ stationId: a.id });
    const rider = await h.make.rider();
    const out = await operator.post('/api/v1/loans', { bikeCode: bike.code, riderId: rider.id, stationId: a.id });
    expect(out.status).toBe(201);

    const twice = async (path: string, body: unknown, changed: unknown, key: string, status: number) => {
      const r1 = await operator.post(path, body, { 'Idempotency-Key': key });
      const r2 = await operator.post(path, body, { 'Idempotency-Key': key });
      expect([r1.status, r2.status]).toEqual([status, status]);
      expect([replayed(r1), replayed(r2)]).toEqual([false, true]);
      expect(r2.body).toEqual(r1.body);
      const reused = await operator.post(path, changed, { 'Idempotency-Key': key });
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      return r1.body;
    };

    const renewed = await twice(
      `/api/v1/loans/${out.body.id}/renew`,
      { stationId: b.id },
      { stationId: a.id },
      `renew-${bike.code}`,
      201,
    );
    const segments: unknown[] = await h.ds.query('SELECT id FROM loans WHERE bike_id = $1', [bike.id]);
    expect(segments).toHaveLength(2);
    await twice(
      `/api/v1/loans/${renewed.id}/force-return`,
      { stationId: b.id, reason: 'Devuelta sin registrar' },
      { stationId: a.id, reason: 'Devuelta sin registrar' },
      `force-${bike.code}`,
      200,
    );

    const out2 = await operator.post('/api/v1/loans', { bikeCode: bike.code, riderId: rider.id, stationId: b.id });
    expect(out2.status).toBe(201);
    await twice(
      `/api/v1/loans/${out2.body.id}/revert`,
      { reason: 'Error del operador' },
      { reason: 'Otra razón' },
      `revert-${bike.code}`,
      200,
    );

    const move = await twice(
      '/api/v1/rebalancing',
      { bikeCode: bike.code, fromStationId: b.id },
      { bikeCode: bike.code, fromStationId: a.id },
      `pick-${bike.code}`,
      201,
    );
    await twice(
      `/api/v1/rebalancing/${move.id}/drop`,
      { toStationId: a.id },
      { toStationId: b.id },
      `drop-${bike.code}`,
      200,
    );
    const moves: unknown[] = await h.ds.query('SELECT id FROM rebalancing_moves WHERE bike_id = $1', [bike.id]);
    expect(moves).toHaveLength(1);

    const d1 = await operator.post(
      `/api/v1/bikes/${bike.id}/damage`,
      { note: 'freno suelto' },
      {
        'Idempotency-Key': `damage-${bike.code}`,
      },
    );
    const d2 = await operator.post(
      `/api/v1/bikes/${bike.id}/damage`,
      { note: 'freno suelto' },
      {
        'Idempotency-Key': `damage-${bike.code}`,
      },
    );
    expect([d1.status, d2.status, replayed(d2)]).toEqual([200, 200, true]);
    expect(d2.body).toEqual(d1.body);
    const damage: unknown[] = await h.ds.query(
      `SELECT id FROM outbox_events WHERE type = 'bike.damage_reported' AND aggregate_id = $1`,
      [bike.id],
    );
    expect(damage).toHaveLength(1);
  });

  it('answers a duplicate of a request in flight with 409 IDEMPOTENCY_IN_PROGRESS, without waiting for it', async () => {
    const { api: operator } = await h.signedIn('operator', { allStations: true });
    const a = await h.make.station();
    const bike = await h.make.bike({ stationId: a.id });
    const rider = await h.make.rider();
    const body = { bikeCode: bike.code, riderId: rider.id, stationId: a.id };
    const key = { 'Idempotency-Key': `co-inflight-${bike.code}` };
    // Another transaction holds the bike: the first attempt waits inside its transaction.
    const holder = h.ds.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query('SELECT id FROM bikes WHERE id = $1 FOR UPDATE', [bike.id]);
      const first = operator.post('/api/v1/loans', body, key);
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      const duplicate = await operator.post('/api/v1/loans', body, key);
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
      expect(Date.now() - started).toBeLessThan(4000);
      await holder.commitTransaction();
      const done = await first;
      expect(done.status).toBe(201);
      const replay = await operator.post('/api/v1/loans', body, key);
      expect([replay.status, replayed(replay), replay.body.id]).toEqual([201, true, done.body.id]);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  });

  it('lets a retry take over the claim of an attempt that crashed, once its lease has expired', async () => {
    const { api: operator, id: operatorId } = await h.signedIn('operator', { allStations: true });
    const a = await h.make.station();
    const bike = await h.make.bike({ stationId: a.id });
    const rider = await h.make.rider();
    const body = { bikeCode: bike.code, riderId: rider.id, stationId: a.id };
    const hash = createHash('sha256')
      .update(JSON.stringify({ bikeCode: bike.code, riderId: rider.id, stationId: a.id })) // keys in order
      .digest('hex');
    // What a crash leaves: a claim without an answer. Still leased: in progress; lapsed: free.
    await h.ds.query(
      `INSERT INTO idempotency_records (actor_id, scope, key, request_hash, lease_token, lease_expires_at, created_at)
       VALUES ($1, 'loan.check_out', $2, $4, gen_random_uuid(), clock_timestamp() + interval '1 minute', $3)`,
      [operatorId, `co-crash-${bike.code}`, WEDNESDAY_10AM, hash],
    );
    const stuck = await operator.post('/api/v1/loans', body, { 'Idempotency-Key': `co-crash-${bike.code}` });
    expect(stuck.status).toBe(409);
    expect(stuck.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    await h.ds.query(
      `UPDATE idempotency_records SET lease_expires_at = clock_timestamp() - interval '1 second' WHERE key = $1`,
      [`co-crash-${bike.code}`],
    );
    const retried = await operator.post('/api/v1/loans', body, { 'Idempotency-Key': `co-crash-${bike.code}` });
    expect(retried.status).toBe(201);
    expect(replayed(retried)).toBe(false);
    const [record] = await h.ds.query(
      'SELECT response_status, lease_token FROM idempotency_records WHERE actor_id = $1 AND key = $2',
      [operatorId, `co-crash-${bike.code}`],
    );
    expect(record).toEqual({ response_status: 201, lease_token: null });
  });

  it('treats a key as new once its record expired, and prunes expired records', async () => {
    const { api: operator } = await h.signedIn('operator', { allStations: true });
    const a = await h.make.station();
    const bike = await h.make.bike({ stationId: a.id });
    const rider = await h.make.rider();
    const body = { bikeCode: bike.code, riderId: rider.id, stationId: a.id };
    const key = { 'Idempotency-Key': `co-expiry-${bike.code}` };
    const first = await operator.post('/api/v1/loans', body, key);
    expect(first.status).toBe(201);
    await operator.post('/api/v1/returns', { bikeCode: bike.code, stationId: a.id });

    clock.set(new Date(WEDNESDAY_10AM.getTime() + 24 * 3600_000 + 60_000)); // Thursday, 10:01
    const later = await operator.post('/api/v1/loans', body, key);
    expect(later.status).toBe(201);
    expect(replayed(later)).toBe(false);
    expect(later.body.id).not.toBe(first.body.id);

    const count = async () =>
      Number(
        (await h.ds.query('SELECT count(*) AS n FROM idempotency_records WHERE key = $1', [key['Idempotency-Key']]))[0]
          .n,
      );
    expect(
      await pruneIdempotencyRecords(h.ds, new Date(WEDNESDAY_10AM.getTime() + 47 * 3600_000), 24),
    ).toBeGreaterThanOrEqual(0);
    expect(await count()).toBe(1); // renewed on Thursday: not expired yet
    expect(
      await pruneIdempotencyRecords(h.ds, new Date(WEDNESDAY_10AM.getTime() + 49 * 3600_000), 24),
    ).toBeGreaterThanOrEqual(1);
    expect(await count()).toBe(0);
  });
});
