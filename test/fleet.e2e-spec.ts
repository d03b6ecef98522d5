import { startApi, type ApiHarness } from './support/api-harness';
import type { ApiClient } from './support/http';

describe('fleet (e2e)', () => {
  let h: ApiHarness;
  let admin: { api: ApiClient; id: string };
  let planner: { api: ApiClient; id: string };

  beforeAll(async () => {
    h = await startApi();
    admin = await h.signedIn('admin');
    planner = await h.signedIn('planner');
  });
  afterAll(async () => {
    await h.close();
  });

  /** Live counts as the public sees them. */
  async function publicCounts(stationId: string): Promise<{ bikesAvailable: number; spacesAvailable: number }> {
    const res = await h.api.get(`/api/v1/stations/${stationId}`);
    expect(res.status).toBe(200);
    return { bikesAvailable: res.body.bikesAvailable, spacesAvailable: res.body.spacesAvailable };
  }

  /** Raw counters, also for depots (which the public never sees). */
  async function rack(stationId: string): Promise<{ docked: number; available: number }> {
    const [row] = await h.ds.query('SELECT bikes_docked, bikes_available FROM stations WHERE id = $1', [stationId]);
    return { docked: Number(row.bikes_docked), available: Number(row.bikes_available) };
  }

  describe('listing', () => {
    it('filters by station, state, donor and limit, sorted by code', async () => {
      const a = await h.make.station();
      const b = await h.make.station();
      const d1 = await h.make.donor({ name: 'Fundación Bavaria' });
      const d2 = await h.make.donor();
      const a1 = await h.make.bike({ stationId: a.id, donorId: d1.id, code: `A1-${a.code}` });
      const a2 = await h.make.bike({ stationId: a.id, donorId: d1.id, state: 'maintenance', code: `A2-${a.code}` });
      const b1 = await h.make.bike({ stationId: b.id, donorId: d2.id });

      const atA = await planner.api.get(`/api/v1/bikes?stationId=${a.id}`);
      expect(atA.status).toBe(200);
      expect(atA.body.map((x: { code: string }) => x.code)).toEqual([a1.code, a2.code]);
      expect(atA.body[0]).toEqual({
        id: a1.id,
        code: a1.code,
        donor: d1.code,
        donorName: 'Fundación Bavaria',
        state: 'available',
        stationId: a.id,
        note: null,
        policeReport: null,
      });

      const inMaintenance = await planner.api.get(`/api/v1/bikes?stationId=${a.id}&state=maintenance`);
      expect(inMaintenance.body.map((x: { id: string }) => x.id)).toEqual([a2.id]);

      const byDonor = await planner.api.get(`/api/v1/bikes?donor=${d2.code}`);
      expect(byDonor.body.map((x: { id: string }) => x.id)).toEqual([b1.id]);

      const limited = await planner.api.get(`/api/v1/bikes?stationId=${a.id}&limit=1`);
      expect(limited.body.map((x: { id: string }) => x.id)).toEqual([a1.id]);

      const all = await planner.api.get('/api/v1/bikes');
      const codes = all.body.map((x: { code: string }) => x.code);
      expect(codes.length).toBeGreaterThanOrEqual(3);
      expect(codes).toEqual([...codes].sort((x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0)));

      const one = await planner.api.get(`/api/v1/bikes/${a2.id}`);
      expect(one.body).toMatchObject({ id: a2.id, state: 'maintenance', stationId: a.id, donor: d1.code });
      const byCode = await planner.api.get(`/api/v1/bikes/by-code/${a2.code}`);
      expect(byCode.body).toMatchObject({ id: a2.id });
    });

    it('rejects bad filters with 400 VALIDATION_FAILED', async () => {
      for (const query of [
        'limit=0',
        'limit=1001',
        'limit=abc',
        'state=stolen',
        'stationId=not-a-uuid',
        'colour=red',
      ]) {
        const res = await planner.api.get(`/api/v1/bikes?${query}`);
        expect({ query, status: res.status, code: res.body.code }).toEqual({
          query,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
      const notUuid = await planner.api.get('/api/v1/bikes/xyz');
      expect(notUuid.status).toBe(400);
      const unknown = await planner.api.get('/api/v1/bikes/00000000-0000-4000-8000-000000000000');
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('BIKE_NOT_FOUND');
    });

    it('lists donors with their bikes counted by state', async () => {
      const donor = await h.make.donor({ name: 'Ministerio de Transporte' });
      const station = await h.make.station();
      await h.make.bike({ donorId: donor.id, stationId: station.id });
      await h.make.bike({ donorId: donor.id, stationId: station.id });
      await h.make.bike({ donorId: donor.id, state: 'missing' });
      const empty = await h.make.donor();

      const res = await planner.api.get('/api/v1/donors');
      expect(res.status).toBe(200);
      const mine = res.body.find((d: { id: string }) => d.id === donor.id);
      expect(mine).toEqual({
        id: donor.id,
        code: donor.code,
        name: 'Ministerio de Transporte',
        bikes: 3,
        byState: { available: 2, on_loan: 0, maintenance: 0, in_transit: 0, missing: 1, retired: 0 },
      });
      expect(res.body.find((d: { id: string }) => d.id === empty.id)).toMatchObject({ bikes: 0 });
    });
  });

  describe('registering', () => {
    it('registers a donated bike available at a station, once per code', async () => {
      const station = await h.make.station({ capacity: 5 });
      const donor = await h.make.donor();
      const code = `MB-${Date.now()}`;

      const res = await admin.api.post('/api/v1/bikes', { code, donor: donor.code, stationId: station.id });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ code, donor: donor.code, state: 'available', stationId: station.id });
      await expect(publicCounts(station.id)).resolves.toEqual({ bikesAvailable: 1, spacesAvailable: 4 });

      const dup = await admin.api.post('/api/v1/bikes', { code, donor: donor.code, stationId: station.id });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('BIKE_CODE_TAKEN');
      await expect(publicCounts(station.id)).resolves.toEqual({ bikesAvailable: 1, spacesAvailable: 4 });

      const events = await admin.api.get(`/api/v1/bikes/${res.body.id}/events`);
      expect(events.body).toEqual([
        expect.objectContaining({
          type: 'registered',
          fromState: null,
          toState: 'available',
          toStationId: station.id,
          actorId: admin.id,
        }),
      ]);
    });

    it('refuses an unknown donor (404), an unknown station (404) and a full station (409)', async () => {
      const donor = await h.make.donor();
      const station = await h.make.station({ capacity: 1 });
      await h.make.bike({ stationId: station.id });

      const noDonor = await admin.api.post('/api/v1/bikes', {
        code: 'MB-NODONOR',
        donor: 'nobody',
        stationId: station.id,
      });
      expect(noDonor.status).toBe(404);
      expect(noDonor.body.code).toBe('DONOR_NOT_FOUND');

      const noStation = await admin.api.post('/api/v1/bikes', {
        code: 'MB-NOSTATION',
        donor: donor.code,
        stationId: '00000000-0000-4000-8000-000000000000',
      });
      expect(noStation.status).toBe(404);
      expect(noStation.body.code).toBe('STATION_NOT_FOUND');

      const full = await admin.api.post('/api/v1/bikes', { code: 'MB-FULL', donor: donor.code, stationId: station.id });
      expect(full.status).toBe(409);
      expect(full.body.code).toBe('STATION_FULL');
      const notCreated = await admin.api.get('/api/v1/bikes/by-code/MB-FULL');
      expect(notCreated.status).toBe(404);
      await expect(publicCounts(station.id)).resolves.toEqual({ bikesAvailable: 1, spacesAvailable: 0 });
    });

    it('validates the body', async () => {
      const res = await admin.api.post('/api/v1/bikes', { code: 'lower case', donor: '', stationId: 'x', extra: 1 });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toEqual(
        expect.arrayContaining(['code', 'donor', 'stationId', 'extra']),
      );
    });
  });

  describe('damage and repair', () => {
    it('takes a damaged bike out of the available count and puts it back after repair', async () => {
      const station = await h.make.station({ capacity: 5 });
      const bike = await h.make.bike({ stationId: station.id });
      await h.make.bike({ stationId: station.id });
      const operator = await h.signedIn('operator', { homeStationId: station.id });
      await expect(publicCounts(station.id)).resolves.toEqual({ bikesAvailable: 2, spacesAvailable: 3 });

      const damaged = await operator.api.post(`/api/v1/bikes/${bike.id}/damage`, { note: 'Freno trasero suelto' });
      expect(damaged.status).toBe(200);
      expect(damaged.body).toMatchObject({ state: 'maintenance', stationId: station.id, note: 'Freno trasero suelto' });
      // Still in the rack: one fewer to lend, no extra space.
      await expect(publicCounts(station.id)).resolves.toEqual({ bikesAvailable: 1, spacesAvailable: 3 });
      const [outbox] = await h.ds.query(
        `SELECT payload FROM outbox_events WHERE type = 'bike.damage_reported' AND aggregate_id = $1`,
        [bike.id],
      );
      expect(outbox.payload).toEqual({
        bikeId: bike.id,
        bikeCode: bike.code,
        stationId: station.id,
        note: 'Freno trasero suelto',
      });

      const again = await operator.api.post(`/api/v1/bikes/${bike.id}/damage`, { note: 'Otra vez' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('BIKE_STATE_CONFLICT');

      const repaired = await operator.api.post(`/api/v1/bikes/${bike.id}/repair`, {});
      expect(repaired.status).toBe(200);
      expect(repaired.body).toMatchObject({ state: 'available', stationId: station.id, note: null });
      await expect(publicCounts(station.id)).resolves.toEqual({ bikesAvailable: 2, spacesAvailable: 3 });

      const notBroken = await operator.api.post(`/api/v1/bikes/${bike.id}/repair`, {});
      expect(notBroken.status).toBe(409);
      expect(notBroken.body.code).toBe('BIKE_STATE_CONFLICT');
    });

    it('refuses operators of another station (403 STATION_NOT_ALLOWED) and planners (403 FORBIDDEN)', async () => {
      const station = await h.make.station();
      const elsewhere = await h.make.station();
      const bike = await h.make.bike({ stationId: station.id });
      const stranger = await h.signedIn('operator', { homeStationId: elsewhere.id });

      const res = await stranger.api.post(`/api/v1/bikes/${bike.id}/damage`, { note: 'Pinchazo' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('STATION_NOT_ALLOWED');

      const byPlanner = await planner.api.post(`/api/v1/bikes/${bike.id}/damage`, { note: 'Pinchazo' });
      expect(byPlanner.status).toBe(403);
      expect(byPlanner.body.code).toBe('FORBIDDEN');

      const after = await admin.api.get(`/api/v1/bikes/${bike.id}`);
      expect(after.body.state).toBe('available');
      await expect(publicCounts(station.id)).resolves.toMatchObject({ bikesAvailable: 1 });
    });
  });

  describe('rebalancing', () => {
    it('moves a bike from A to B through transit, never as a trip', async () => {
      const a = await h.make.station({ capacity: 5 });
      const b = await h.make.station({ capacity: 5 });
      const bike = await h.make.bike({ stationId: a.id });
      await h.make.bike({ stationId: a.id });
      const driver = await h.signedIn('operator', { allStations: true });

      const picked = await driver.api.post('/api/v1/rebalancing', { bikeCode: bike.code, fromStationId: a.id });
      expect(picked.status).toBe(201);
      expect(picked.body).toMatchObject({
        bikeId: bike.id,
        bikeCode: bike.code,
        fromStationId: a.id,
        toStationId: null,
        state: 'in_transit',
        needsRepair: false,
        pickedUpBy: driver.id,
      });
      await expect(publicCounts(a.id)).resolves.toEqual({ bikesAvailable: 1, spacesAvailable: 4 });
      const inTransit = await driver.api.get(`/api/v1/bikes/${bike.id}`);
      expect(inTransit.body).toMatchObject({ state: 'in_transit', stationId: null });
      const open = await planner.api.get('/api/v1/rebalancing?state=in_transit');
      expect(open.body.map((m: { id: string }) => m.id)).toContain(picked.body.id);

      const dropped = await driver.api.post(`/api/v1/rebalancing/${picked.body.id}/drop`, { toStationId: b.id });
      expect(dropped.status).toBe(200);
      expect(dropped.body).toMatchObject({
        id: picked.body.id,
        state: 'completed',
        toStationId: b.id,
        droppedBy: driver.id,
      });
      expect(dropped.body.droppedAt).toEqual(expect.any(String));
      await expect(publicCounts(b.id)).resolves.toEqual({ bikesAvailable: 1, spacesAvailable: 4 });
      await expect(publicCounts(a.id)).resolves.toEqual({ bikesAvailable: 1, spacesAvailable: 4 });
      const arrived = await driver.api.get(`/api/v1/bikes/${bike.id}`);
      expect(arrived.body).toMatchObject({ state: 'available', stationId: b.id });

      const twice = await driver.api.post(`/api/v1/rebalancing/${picked.body.id}/drop`, { toStationId: b.id });
      expect(twice.status).toBe(409);
      expect(twice.body.code).toBe('BIKE_STATE_CONFLICT');

      const [{ n }] = await h.ds.query('SELECT count(*)::int AS n FROM loans WHERE bike_id = $1', [bike.id]);
      expect(n).toBe(0);
      const completed = await planner.api.get('/api/v1/rebalancing?state=completed');
      expect(completed.body.map((m: { id: string }) => m.id)).toContain(picked.body.id);
    });

    it('takes a bike awaiting repair to a depot, where it arrives in maintenance', async () => {
      const station = await h.make.station({ capacity: 5 });
      const depot = await h.make.station({ kind: 'depot', capacity: 50 });
      const bike = await h.make.bike({ stationId: station.id, state: 'maintenance' });

      const picked = await admin.api.post('/api/v1/rebalancing', { bikeCode: bike.code, fromStationId: station.id });
      expect(picked.status).toBe(201);
      expect(picked.body.needsRepair).toBe(true);
      await expect(rack(station.id)).resolves.toEqual({ docked: 0, available: 0 });

      const dropped = await admin.api.post(`/api/v1/rebalancing/${picked.body.id}/drop`, { toStationId: depot.id });
      expect(dropped.status).toBe(200);
      await expect(rack(depot.id)).resolves.toEqual({ docked: 1, available: 0 });
      const atDepot = await admin.api.get(`/api/v1/bikes/${bike.id}`);
      expect(atDepot.body).toMatchObject({ state: 'maintenance', stationId: depot.id });
    });

    it('refuses a bike that is elsewhere, in a wrong state, or an operator not allowed there', async () => {
      const a = await h.make.station();
      const b = await h.make.station();
      const bike = await h.make.bike({ stationId: b.id });
      const onLoan = await h.make.bike({ state: 'on_loan' });
      const operatorA = await h.signedIn('operator', { homeStationId: a.id });

      const elsewhere = await operatorA.api.post('/api/v1/rebalancing', { bikeCode: bike.code, fromStationId: a.id });
      expect(elsewhere.status).toBe(409);
      expect(elsewhere.body.code).toBe('BIKE_NOT_AT_STATION');

      const lent = await operatorA.api.post('/api/v1/rebalancing', { bikeCode: onLoan.code, fromStationId: a.id });
      expect(lent.status).toBe(409);
      expect(lent.body.code).toBe('BIKE_STATE_CONFLICT');

      const notAllowed = await operatorA.api.post('/api/v1/rebalancing', { bikeCode: bike.code, fromStationId: b.id });
      expect(notAllowed.status).toBe(403);
      expect(notAllowed.body.code).toBe('STATION_NOT_ALLOWED');

      const unknownBike = await operatorA.api.post('/api/v1/rebalancing', {
        bikeCode: 'NO-SUCH-BIKE',
        fromStationId: a.id,
      });
      expect(unknownBike.status).toBe(404);
      expect(unknownBike.body.code).toBe('BIKE_NOT_FOUND');

      const unknownMove = await admin.api.post('/api/v1/rebalancing/00000000-0000-4000-8000-000000000000/drop', {
        toStationId: a.id,
      });
      expect(unknownMove.status).toBe(404);
      expect(unknownMove.body.code).toBe('REBALANCING_MOVE_NOT_FOUND');

      const byPlanner = await planner.api.post('/api/v1/rebalancing', { bikeCode: bike.code, fromStationId: b.id });
      expect(byPlanner.status).toBe(403);
      expect(byPlanner.body.code).toBe('FORBIDDEN');
    });

    it('refuses to drop into a full station and keeps the bike in transit', async () => {
      const a = await h.make.station({ capacity: 5 });
      const full = await h.make.station({ capacity: 1 });
      await h.make.bike({ stationId: full.id });
      const bike = await h.make.bike({ stationId: a.id });

      const picked = await admin.api.post('/api/v1/rebalancing', { bikeCode: bike.code, fromStationId: a.id });
      const res = await admin.api.post(`/api/v1/rebalancing/${picked.body.id}/drop`, { toStationId: full.id });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('STATION_FULL');

      const still = await admin.api.get(`/api/v1/bikes/${bike.id}`);
      expect(still.body).toMatchObject({ state: 'in_transit', stationId: null });
      const [move] = await h.ds.query('SELECT state, to_station_id FROM rebalancing_moves WHERE id = $1', [
        picked.body.id,
      ]);
      expect(move).toEqual({ state: 'in_transit', to_station_id: null });
      await expect(publicCounts(full.id)).resolves.toEqual({ bikesAvailable: 1, spacesAvailable: 0 });

      const elsewhere = await admin.api.post(`/api/v1/rebalancing/${picked.body.id}/drop`, { toStationId: a.id });
      expect(elsewhere.status).toBe(200);
    });

    it('lets exactly one of five simultaneous pick-ups of the same bike win', async () => {
      const station = await h.make.station({ capacity: 5 });
      const bike = await h.make.bike({ stationId: station.id });
      await h.make.bike({ stationId: station.id });
      const operator = await h.signedIn('operator', { homeStationId: station.id });

      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          operator.api.post('/api/v1/rebalancing', { bikeCode: bike.code, fromStationId: station.id }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409]);
      expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'BIKE_STATE_CONFLICT')).toBe(true);

      const [{ n }] = await h.ds.query('SELECT count(*)::int AS n FROM rebalancing_moves WHERE bike_id = $1', [
        bike.id,
      ]);
      expect(n).toBe(1);
      await expect(rack(station.id)).resolves.toEqual({ docked: 1, available: 1 });
      const events = await operator.api.get(`/api/v1/bikes/${bike.id}/events`);
      expect(events.body.filter((e: { type: string }) => e.type === 'rebalance_picked_up')).toHaveLength(1);
    });
  });

  describe('missing, found and retired', () => {
    it('reports a bike missing with the police report, finds it at another station and retires it', async () => {
      const a = await h.make.station({ capacity: 5 });
      const b = await h.make.station({ capacity: 5 });
      const bike = await h.make.bike({ stationId: a.id });
      const operatorA = await h.signedIn('operator', { homeStationId: a.id });
      const operatorB = await h.signedIn('operator', { homeStationId: b.id });

      const missing = await operatorA.api.post(`/api/v1/bikes/${bike.id}/missing`, {
        policeReport: 'SPOA-680016000159-2019-12345',
        note: 'No regresó de la noche',
      });
      expect(missing.status).toBe(200);
      expect(missing.body).toMatchObject({
        state: 'missing',
        stationId: null,
        policeReport: 'SPOA-680016000159-2019-12345',
        note: 'No regresó de la noche',
      });
      await expect(publicCounts(a.id)).resolves.toEqual({ bikesAvailable: 0, spacesAvailable: 5 });
      const [outbox] = await h.ds.query(
        `SELECT payload FROM outbox_events WHERE type = 'bike.reported_missing' AND aggregate_id = $1`,
        [bike.id],
      );
      expect(outbox.payload).toEqual({
        bikeId: bike.id,
        bikeCode: bike.code,
        stationId: a.id,
        policeReport: 'SPOA-680016000159-2019-12345',
      });

      const twice = await operatorA.api.post(`/api/v1/bikes/${bike.id}/missing`, { policeReport: 'SPOA-1' });
      expect(twice.status).toBe(409);
      expect(twice.body.code).toBe('BIKE_STATE_CONFLICT');

      const wrongStation = await operatorA.api.post(`/api/v1/bikes/${bike.id}/found`, { stationId: b.id });
      expect(wrongStation.status).toBe(403);
      expect(wrongStation.body.code).toBe('STATION_NOT_ALLOWED');

      const found = await operatorB.api.post(`/api/v1/bikes/${bike.id}/found`, { stationId: b.id });
      expect(found.status).toBe(200);
      expect(found.body).toMatchObject({ state: 'maintenance', stationId: b.id });
      await expect(publicCounts(b.id)).resolves.toEqual({ bikesAvailable: 0, spacesAvailable: 4 });

      const byOperator = await operatorB.api.post(`/api/v1/bikes/${bike.id}/retire`, { reason: 'Cuadro doblado' });
      expect(byOperator.status).toBe(403);
      expect(byOperator.body.code).toBe('FORBIDDEN');

      const retired = await admin.api.post(`/api/v1/bikes/${bike.id}/retire`, { reason: 'Cuadro doblado' });
      expect(retired.status).toBe(200);
      expect(retired.body).toMatchObject({ state: 'retired', stationId: null });
      await expect(publicCounts(b.id)).resolves.toEqual({ bikesAvailable: 0, spacesAvailable: 5 });

      const retiredAgain = await admin.api.post(`/api/v1/bikes/${bike.id}/retire`, { reason: 'Otra vez' });
      expect(retiredAgain.status).toBe(409);
      expect(retiredAgain.body.code).toBe('BIKE_STATE_CONFLICT');
    });

    it('finds a bike only where there is space', async () => {
      const full = await h.make.station({ capacity: 1 });
      await h.make.bike({ stationId: full.id });
      const bike = await h.make.bike({ state: 'missing' });
      const res = await admin.api.post(`/api/v1/bikes/${bike.id}/found`, { stationId: full.id });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('STATION_FULL');
      const after = await admin.api.get(`/api/v1/bikes/${bike.id}`);
      expect(after.body.state).toBe('missing');
    });

    it('sends bikes on loan to the loan flow and cancels the move of a bike in transit', async () => {
      const a = await h.make.station();
      const onLoan = await h.make.bike({ state: 'on_loan' });
      const lent = await admin.api.post(`/api/v1/bikes/${onLoan.id}/missing`, { policeReport: 'DEN-2019-1' });
      expect(lent.status).toBe(409);
      expect(lent.body.code).toBe('BIKE_STATE_CONFLICT');
      expect(lent.body.message).toMatch(/devolución forzada/);

      const onLoanRetire = await admin.api.post(`/api/v1/bikes/${onLoan.id}/retire`, { reason: 'Baja' });
      expect(onLoanRetire.status).toBe(409);
      expect(onLoanRetire.body.code).toBe('BIKE_STATE_CONFLICT');

      const bike = await h.make.bike({ stationId: a.id });
      const driver = await h.signedIn('operator', { homeStationId: a.id });
      const picked = await driver.api.post('/api/v1/rebalancing', { bikeCode: bike.code, fromStationId: a.id });
      const missing = await driver.api.post(`/api/v1/bikes/${bike.id}/missing`, { policeReport: 'DEN-2019-2' });
      expect(missing.status).toBe(200);
      expect(missing.body.state).toBe('missing');
      const [move] = await h.ds.query('SELECT state FROM rebalancing_moves WHERE id = $1', [picked.body.id]);
      expect(move.state).toBe('cancelled');
      const drop = await driver.api.post(`/api/v1/rebalancing/${picked.body.id}/drop`, { toStationId: a.id });
      expect(drop.status).toBe(409);
      expect(drop.body.code).toBe('BIKE_STATE_CONFLICT');
    });
  });

  describe('bike log', () => {
    it('keeps every step in order with who did it', async () => {
      const a = await h.make.station({ capacity: 5 });
      const b = await h.make.station({ capacity: 5 });
      const donor = await h.make.donor();
      const operatorA = await h.signedIn('operator', { homeStationId: a.id });
      const driver = await h.signedIn('operator', { allStations: true });

      const registered = await admin.api.post('/api/v1/bikes', {
        code: `LOG-${Date.now()}`,
        donor: donor.code,
        stationId: a.id,
      });
      const id = registered.body.id;
      expect((await operatorA.api.post(`/api/v1/bikes/${id}/damage`, { note: 'Cadena rota' })).status).toBe(200);
      expect((await operatorA.api.post(`/api/v1/bikes/${id}/repair`, { note: 'Cadena nueva' })).status).toBe(200);
      const picked = await driver.api.post('/api/v1/rebalancing', {
        bikeCode: registered.body.code,
        fromStationId: a.id,
      });
      expect(picked.status).toBe(201);
      expect((await driver.api.post(`/api/v1/rebalancing/${picked.body.id}/drop`, { toStationId: b.id })).status).toBe(
        200,
      );
      expect((await driver.api.post(`/api/v1/bikes/${id}/missing`, { policeReport: 'DEN-77' })).status).toBe(200);
      expect((await operatorA.api.post(`/api/v1/bikes/${id}/found`, { stationId: a.id })).status).toBe(200);
      expect((await admin.api.post(`/api/v1/bikes/${id}/retire`, { reason: 'Fin del piloto' })).status).toBe(200);

      const log = await planner.api.get(`/api/v1/bikes/${id}/events`);
      expect(log.status).toBe(200);
      const steps = log.body.map((e: Record<string, unknown>) => [
        e.type,
        e.fromState,
        e.toState,
        e.fromStationId,
        e.toStationId,
        e.actorId,
      ]);
      expect(steps).toEqual(
        [
          ['registered', null, 'available', null, a.id, admin.id],
          ['damage_reported', 'available', 'maintenance', a.id, a.id, operatorA.id],
          ['repaired', 'maintenance', 'available', a.id, a.id, operatorA.id],
          ['rebalance_picked_up', 'available', 'in_transit', a.id, null, driver.id],
          ['rebalance_dropped', 'in_transit', 'available', null, b.id, driver.id],
          ['reported_missing', 'available', 'missing', b.id, null, driver.id],
          ['found', 'missing', 'maintenance', null, a.id, operatorA.id],
          ['retired', 'maintenance', 'retired', a.id, null, admin.id],
        ].reverse(),
      );
      expect(log.body.find((e: { type: string }) => e.type === 'damage_reported').reason).toBe('Cadena rota');
      expect(log.body.find((e: { type: string }) => e.type === 'reported_missing').reason).toContain('DEN-77');
      expect(log.body.find((e: { type: string }) => e.type === 'retired').reason).toBe('Fin del piloto');
      const times = log.body.map((e: { occurredAt: string }) => Date.parse(e.occurredAt));
      expect(times).toEqual([...times].sort((x, y) => y - x));
    });

    it('is append-only: the database refuses UPDATE and DELETE', async () => {
      const bike = await h.make.bike();
      await admin.api.post(`/api/v1/bikes/${bike.id}/retire`, { reason: 'Prueba' });
      const [{ n }] = await h.ds.query('SELECT count(*)::int AS n FROM bike_events WHERE bike_id = $1', [bike.id]);
      expect(n).toBe(1);

      await expect(
        h.ds.query('UPDATE bike_events SET reason = $1 WHERE bike_id = $2', ['reescrito', bike.id]),
      ).rejects.toThrow(/append-only/);
      await expect(h.ds.query('DELETE FROM bike_events WHERE bike_id = $1', [bike.id])).rejects.toThrow(/append-only/);
      const [{ reason }] = await h.ds.query('SELECT reason FROM bike_events WHERE bike_id = $1', [bike.id]);
      expect(reason).toBe('Prueba');
    });
  });

  describe('access', () => {
    it('requires a token (401) and a writing role (403)', async () => {
      const station = await h.make.station();
      const bike = await h.make.bike({ stationId: station.id });
      const donor = await h.make.donor();

      for (const res of [
        await h.api.get('/api/v1/bikes'),
        await h.api.get(`/api/v1/bikes/${bike.id}/events`),
        await h.api.get('/api/v1/donors'),
        await h.api.get('/api/v1/rebalancing'),
        await h.api.post(`/api/v1/bikes/${bike.id}/damage`, { note: 'Pinchazo' }),
      ]) {
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('UNAUTHENTICATED');
      }

      for (const res of [
        await planner.api.post('/api/v1/bikes', { code: 'MB-PLANNER', donor: donor.code, stationId: station.id }),
        await planner.api.post(`/api/v1/bikes/${bike.id}/retire`, { reason: 'No puedo' }),
        await planner.api.post(`/api/v1/bikes/${bike.id}/repair`, {}),
        await planner.api.post(`/api/v1/bikes/${bike.id}/missing`, { policeReport: 'DEN-1' }),
        await planner.api.post(`/api/v1/bikes/${bike.id}/found`, { stationId: station.id }),
        await planner.api.post('/api/v1/rebalancing', { bikeCode: bike.code, fromStationId: station.id }),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('FORBIDDEN');
      }
      const unchanged = await planner.api.get(`/api/v1/bikes/${bike.id}`);
      expect(unchanged.body.state).toBe('available');
    });

    it('validates action bodies', async () => {
      const bike = await h.make.bike();
      const cases: Array<[string, unknown]> = [
        [`/api/v1/bikes/${bike.id}/damage`, {}],
        [`/api/v1/bikes/${bike.id}/damage`, { note: 'x'.repeat(501) }],
        [`/api/v1/bikes/${bike.id}/missing`, { note: 'sin denuncia' }],
        [`/api/v1/bikes/${bike.id}/missing`, { policeReport: 'x'.repeat(65) }],
        [`/api/v1/bikes/${bike.id}/found`, { stationId: 'nope' }],
        [`/api/v1/bikes/${bike.id}/retire`, { reason: 42 }],
        ['/api/v1/rebalancing', { bikeCode: bike.code }],
        ['/api/v1/rebalancing/00000000-0000-4000-8000-000000000000/drop', {}],
      ];
      for (const [path, body] of cases) {
        const res = await admin.api.post(path, body);
        expect({ path, body, status: res.status, code: res.body.code }).toEqual({
          path,
          body,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
      const badState = await admin.api.get('/api/v1/rebalancing?state=lost');
      expect(badState.status).toBe(400);
    });
  });
});
