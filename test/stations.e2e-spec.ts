import { startApi, type ApiHarness } from './support/api-harness';

describe('stations (e2e)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(async () => {
    await h.close();
  });

  it('lists public stations with live counts and hides depots', async () => {
    const station = await h.make.station({ capacity: 10, helmetsAvailable: 3 });
    await h.make.station({ kind: 'depot', code: `DEPOT-${Date.now()}` });
    await h.make.bike({ stationId: station.id });
    await h.make.bike({ stationId: station.id, state: 'maintenance' });

    const res = await h.api.get('/api/v1/stations');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toMatchObject({
      id: station.id,
      code: station.code,
      capacity: 10,
      bikesAvailable: 1,
      spacesAvailable: 8,
      helmetsAvailable: 3,
      isOpen: true,
    });
    expect(Object.keys(res.body[0])).toEqual(
      expect.arrayContaining([
        'id',
        'code',
        'name',
        'address',
        'lat',
        'lon',
        'capacity',
        'bikesAvailable',
        'spacesAvailable',
        'helmetsAvailable',
        'isOpen',
      ]),
    );
  });

  it('lets an admin create, update, close and reopen a station', async () => {
    const { api } = await h.signedIn('admin');
    const created = await api.post('/api/v1/stations', {
      code: 'SANPIO-T',
      name: 'Parque San Pío',
      address: 'Cra 35 # 45',
      lat: 7.117,
      lon: -73.108,
      capacity: 15,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'SANPIO-T', capacity: 15, bikesAvailable: 0, spacesAvailable: 15 });

    const dup = await api.post('/api/v1/stations', {
      code: 'SANPIO-T',
      name: 'Otra',
      address: '',
      lat: 7.1,
      lon: -73.1,
      capacity: 5,
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('STATION_CODE_TAKEN');

    const updated = await api.patch(`/api/v1/stations/${created.body.id}`, { capacity: 12, helmetsAvailable: 4 });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ capacity: 12, spacesAvailable: 12, helmetsAvailable: 4 });

    const closed = await api.post(`/api/v1/stations/${created.body.id}/close`);
    expect(closed.body).toMatchObject({ active: false, isOpen: false });
    const reopened = await api.post(`/api/v1/stations/${created.body.id}/open`);
    expect(reopened.body).toMatchObject({ active: true, isOpen: true });
  });

  it('refuses a capacity below the bikes in the rack', async () => {
    const { api } = await h.signedIn('admin');
    const station = await h.make.station({ capacity: 3 });
    await h.make.bike({ stationId: station.id });
    await h.make.bike({ stationId: station.id });
    const res = await api.patch(`/api/v1/stations/${station.id}`, { capacity: 1 });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CAPACITY_BELOW_OCCUPANCY');
  });

  it('rejects bad input with 400 and a code, and non-admins with 401/403', async () => {
    const { api: admin } = await h.signedIn('admin');
    const bad = await admin.post('/api/v1/stations', {
      code: 'x',
      name: '',
      lat: 200,
      lon: 'a',
      capacity: -1,
      extra: true,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.details.fields.map((f: { field: string }) => f.field)).toEqual(
      expect.arrayContaining(['code', 'lat', 'lon', 'capacity', 'extra']),
    );
    // Field problems speak Spanish, like every other message.
    const problemsOf = (name: string) =>
      bad.body.details.fields.find((f: { field: string }) => f.field === name).problems as string[];
    expect(problemsOf('capacity')).toContain('no puede ser menor que 1');
    expect(problemsOf('extra')).toEqual(['este campo no se admite']);
    expect(problemsOf('lon')).toContain('debe ser un número');

    const anonymous = await h.api.post('/api/v1/stations', {
      code: 'ABC',
      name: 'abc',
      address: '',
      lat: 7.1,
      lon: -73.1,
      capacity: 5,
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');

    const { api: operator } = await h.signedIn('operator');
    const forbidden = await operator.post('/api/v1/stations', {
      code: 'ABC',
      name: 'abc',
      address: '',
      lat: 7.1,
      lon: -73.1,
      capacity: 5,
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');

    const notUuid = await h.api.get('/api/v1/stations/not-a-uuid');
    expect(notUuid.status).toBe(400);
    const missing = await h.api.get('/api/v1/stations/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('STATION_NOT_FOUND');
  });
});
