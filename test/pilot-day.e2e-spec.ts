import { FixedClock } from '@metrobici/common';
import { DEMO_STAFF_PASSWORD } from '../apps/cli/src/demo-data/demo-data';
import { seedDemo } from '../apps/cli/src/demo-data/seed-demo';
import { startApi, type ApiHarness } from './support/api-harness';
import { ApiClient } from './support/http';

// A Wednesday morning in the pilot, Bogotá time.
const clock = new FixedClock(new Date('2019-10-09T08:30:00-05:00'));

/** The "done when": on the demo data, an operator runs a citizen's first loan end to end. */
describe('a pilot day on the demo data (e2e)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi({ clock, env: { OPENING_HOURS: 'Mo-Fr 06:00-19:00; Sa 06:00-13:00; Su off; PH off' } });
    await seedDemo(h.ds, h.env.config, {});
  });
  afterAll(async () => {
    await h.close();
  });

  it('registers a citizen, verifies them, lends a bike at San Pío and takes it back at UIS', async () => {
    const stations = (await h.api.get('/api/v1/stations')).body as Array<{
      id: string;
      code: string;
      bikesAvailable: number;
      spacesAvailable: number;
      isOpen: boolean;
    }>;
    expect(stations).toHaveLength(12);
    const sanPio = stations.find((s) => s.code === 'SANPIO')!;
    const uis = stations.find((s) => s.code === 'UIS')!;
    expect(sanPio.isOpen).toBe(true);

    // A Venezuelan migrant registers online with a PPT and gives consent.
    const registered = await h.api.post('/api/v1/riders', {
      documentType: 'PPT',
      documentNumber: 'PPT4455667',
      firstName: 'Yusmary',
      lastName: 'Pérez',
      birthDate: '1996-02-10',
      gender: 'female',
      phone: '3157778899',
      consent: { accepted: true, termsVersion: '2019-10' },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.status).toBe('pending');

    const login = await h.api.post('/api/v1/auth/login', {
      email: 'operador.sanpio@metrobici.local',
      password: DEMO_STAFF_PASSWORD,
    });
    expect(login.status).toBe(200);
    const operator = h.api.as(login.body.accessToken);

    const bikes = (await operator.get(`/api/v1/bikes?stationId=${sanPio.id}&state=available&limit=1`)).body as Array<{
      code: string;
    }>;
    expect(bikes).toHaveLength(1);
    const notYet = await operator.post('/api/v1/loans', {
      bikeCode: bikes[0].code,
      documentType: 'PPT',
      documentNumber: 'PPT4455667',
      stationId: sanPio.id,
    });
    expect(notYet.status).toBe(409);
    expect(notYet.body.code).toBe('RIDER_NOT_VERIFIED');

    const verified = await operator.post(`/api/v1/riders/${registered.body.id}/verify`, { stationId: sanPio.id });
    expect(verified.status).toBe(200);
    expect(verified.body.status).toBe('active');

    const out = await operator.post(
      '/api/v1/loans',
      {
        bikeCode: bikes[0].code,
        documentType: 'PPT',
        documentNumber: 'ppt-4455667',
        stationId: sanPio.id,
        helmet: true,
      },
      { 'Idempotency-Key': 'pilot-day-checkout-0001' },
    );
    expect(out.status).toBe(201);

    // The San Pío operator cannot take the return at UIS; UIS's operator can.
    const wrongStation = await operator.post('/api/v1/returns', { bikeCode: bikes[0].code, stationId: uis.id });
    expect(wrongStation.body.code).toBe('STATION_NOT_ALLOWED');
    clock.advance(35 * 60_000);
    const uisLogin = await h.api.post('/api/v1/auth/login', {
      email: 'operador.uis@metrobici.local',
      password: DEMO_STAFF_PASSWORD,
    });
    const back = await new ApiClient(h.url, uisLogin.body.accessToken).post('/api/v1/returns', {
      bikeCode: bikes[0].code,
      stationId: uis.id,
    });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ durationSeconds: 35 * 60, overdue: false, toStationId: uis.id });

    const after = (await h.api.get('/api/v1/stations')).body as typeof stations;
    expect(after.find((s) => s.code === 'SANPIO')).toMatchObject({
      bikesAvailable: sanPio.bikesAvailable - 1,
      spacesAvailable: sanPio.spacesAvailable + 1,
    });
    expect(after.find((s) => s.code === 'UIS')).toMatchObject({
      bikesAvailable: uis.bikesAvailable + 1,
      spacesAvailable: uis.spacesAvailable - 1,
    });
  });
});
