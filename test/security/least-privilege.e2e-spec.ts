import { startApi, type ApiHarness } from '../support/api-harness';
import { loadAccessMatrix } from './access-matrix';
import { openLoanAt } from './support';

/** Issue 10, items 1 and 2: who sees riders' personal data. */
describe('least privilege (e2e)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('1. planners never receive riders’ names, documents, phones, e-mails or birth dates', async () => {
    const station = await h.make.station();
    const admin = await h.signedIn('admin');
    const rider = await h.make.rider({
      firstName: 'Yusmary',
      lastName: 'Carrizales',
      documentType: 'PPT',
      documentNumber: 'PPT7788990',
      phone: '3157771234',
      email: 'yusmary@example.com',
      birthDate: '1994-03-21',
      verifiedAtStationId: station.id,
    });
    await openLoanAt(h, station.id, admin.id, { riderId: rider.id });
    const planner = await h.signedIn('planner');

    // The route that used to hand them out refuses planners outright.
    await expect(planner.api.get('/api/v1/loans?state=all')).resolves.toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });

    // And nothing a planner may GET carries a direct identifier.
    const pii = ['Yusmary', 'Carrizales', 'PPT7788990', '3157771234', 'yusmary@example.com', '1994-03-21'];
    const plannerGets = loadAccessMatrix().filter(
      (r) => r.planner === 'yes' && r.route.startsWith('GET ') && !r.route.includes('{'),
    );
    expect(plannerGets.length).toBeGreaterThan(10);
    for (const route of plannerGets) {
      const path = route.route.slice(4);
      const res = await planner.api.get(
        path.includes('stats') || path.includes('trips.csv') ? `${path}?from=2019-10-01&to=2030-12-31` : path,
      );
      const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
      expect({ path, leaked: pii.filter((p) => text.includes(p)) }).toEqual({ path, leaked: [] });
    }
  });

  it('2. operators find one rider by exact document, see riders and loans of their stations only; listing riders is for admins', async () => {
    const mine = await h.make.station();
    const elsewhere = await h.make.station();
    const admin = await h.signedIn('admin');
    const operator = await h.signedIn('operator', { homeStationId: mine.id });
    const foreignRider = await h.make.rider({ verifiedAtStationId: elsewhere.id, status: 'active' });
    const foreignLoan = await openLoanAt(h, elsewhere.id, admin.id, { riderId: foreignRider.id });
    const ownLoan = await openLoanAt(h, mine.id, admin.id);

    // Paging through riders by status: admins only.
    await expect(operator.api.get('/api/v1/riders?status=active')).resolves.toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    await expect(operator.api.get('/api/v1/riders')).resolves.toMatchObject({ status: 403 });
    await expect(operator.api.get('/api/v1/riders?documentType=CC')).resolves.toMatchObject({ status: 403 });
    await expect(admin.api.get('/api/v1/riders?status=active')).resolves.toMatchObject({ status: 200 });

    // By exact document: found, to be served, wherever they were verified.
    const found = await operator.api.get(
      `/api/v1/riders?documentType=${foreignRider.documentType}&documentNumber=${foreignRider.documentNumber}`,
    );
    expect(found.status).toBe(200);
    expect(found.body.map((r: { id: string }) => r.id)).toEqual([foreignRider.id]);

    // By id, a rider of another station does not exist for this operator.
    await expect(operator.api.get(`/api/v1/riders/${foreignRider.id}`)).resolves.toMatchObject({
      status: 404,
      body: { code: 'RIDER_NOT_FOUND' },
    });
    await expect(
      operator.api.get(`/api/v1/riders/${(await h.make.rider({ verifiedAtStationId: mine.id })).id}`),
    ).resolves.toMatchObject({ status: 200 });

    // Loans: only those from or to the operator's stations.
    const byRider = await operator.api.get(`/api/v1/loans?state=all&riderId=${foreignRider.id}`);
    expect(byRider).toMatchObject({ status: 200, body: [] });
    const all = await operator.api.get('/api/v1/loans?state=all&limit=500');
    const ids = all.body.map((l: { id: string }) => l.id);
    expect(ids).toContain(ownLoan.id);
    expect(ids).not.toContain(foreignLoan.id);
    await expect(operator.api.get(`/api/v1/loans?stationId=${elsewhere.id}`)).resolves.toMatchObject({
      status: 403,
      body: { code: 'STATION_NOT_ALLOWED' },
    });
    await expect(operator.api.get(`/api/v1/loans/${foreignLoan.id}`)).resolves.toMatchObject({ status: 404 });
    // The open loan of a bike in front of them (renewal at another station) is found by its code.
    const byBike = await operator.api.get(`/api/v1/loans?state=open&bikeCode=${foreignLoan.bikeCode}`);
    expect(byBike.body.map((l: { id: string }) => l.id)).toEqual([foreignLoan.id]);
  });
});
