import { startApi, type ApiHarness } from '../support/api-harness';
import { openLoanAt } from './support';

function registration(documentNumber: string, firstName = 'Ana'): Record<string, unknown> {
  return {
    documentType: 'CC',
    documentNumber,
    firstName,
    lastName: 'Rueda',
    birthDate: '1990-05-17',
    gender: 'female',
    phone: '3001234567',
    consent: { accepted: true, termsVersion: '2019-10' },
  };
}

/** Issue 10, items 7 and 8. */
describe('registration and corrections (e2e)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi({ env: { REVERT_WINDOW_MINUTES: '15' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('7. registration answers the same whether the document is registered or not, and never makes a second rider', async () => {
    const documentNumber = String(1_100_000_000 + Math.floor(Math.random() * 800_000_000));
    const fresh = await h.api.post('/api/v1/riders', registration(documentNumber));
    const repeat = await h.api.post('/api/v1/riders', registration(documentNumber, 'Impostora'));
    const unrelated = await h.api.post('/api/v1/riders', registration(String(Number(documentNumber) + 1)));
    for (const res of [fresh, repeat, unrelated]) {
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['id', 'status']);
      expect(res.body.status).toBe('pending');
    }
    const rows = await h.ds.query('SELECT id, first_name FROM riders WHERE document_number = $1', [documentNumber]);
    expect(rows).toEqual([{ id: fresh.body.id, first_name: 'Ana' }]);

    // The operator sees the truth by document.
    const { api: operator } = await h.signedIn('operator', { allStations: true });
    const found = await operator.get(`/api/v1/riders?documentType=CC&documentNumber=${documentNumber}`);
    expect(found.body.map((r: { id: string; firstName: string }) => [r.id, r.firstName])).toEqual([
      [fresh.body.id, 'Ana'],
    ]);
  });

  it('8a. force-return only into an active public station, never a depot or an inactive station; reason kept', async () => {
    const station = await h.make.station();
    const depot = await h.make.station({ kind: 'depot' });
    const closed = await h.make.station({ active: false });
    const { api: operator, id: operatorId } = await h.signedIn('operator', { allStations: true });
    const loan = await openLoanAt(h, station.id, operatorId);
    await expect(
      operator.post(`/api/v1/loans/${loan.id}/force-return`, { stationId: depot.id, reason: 'devuelta en bodega' }),
    ).resolves.toMatchObject({ status: 409, body: { code: 'STATION_NOT_PUBLIC' } });
    await expect(
      operator.post(`/api/v1/loans/${loan.id}/force-return`, { stationId: closed.id, reason: 'estación cerrada' }),
    ).resolves.toMatchObject({ status: 409, body: { code: 'STATION_INACTIVE' } });
    await expect(
      operator.post(`/api/v1/loans/${loan.id}/force-return`, { stationId: station.id, reason: '   ' }),
    ).resolves.toMatchObject({ status: 400 });
    const ok = await operator.post(`/api/v1/loans/${loan.id}/force-return`, {
      stationId: station.id,
      reason: 'olvidó registrarla',
    });
    expect(ok).toMatchObject({ status: 200, body: { state: 'closed', endReason: 'forced' } });
    const [stored] = await h.ds.query('SELECT correction_reason FROM loans WHERE id = $1', [loan.id]);
    expect(stored.correction_reason).toBe('olvidó registrarla');
    const events = await operator.get(`/api/v1/bikes/${loan.bikeId}/events`);
    expect(JSON.stringify(events.body)).toContain('olvidó registrarla');
  });

  it('8b. operators revert only within REVERT_WINDOW_MINUTES of the check-out; admins later', async () => {
    const station = await h.make.station();
    const { api: operator, id: operatorId } = await h.signedIn('operator', { homeStationId: station.id });
    const { api: admin } = await h.signedIn('admin');
    const old = await openLoanAt(h, station.id, operatorId, { startedMinutesAgo: 16 });
    await expect(
      operator.post(`/api/v1/loans/${old.id}/revert`, { reason: 'error de digitación' }),
    ).resolves.toMatchObject({
      status: 409,
      body: { code: 'REVERT_WINDOW_PASSED', details: { revertWindowMinutes: 15 } },
    });
    await expect(
      admin.post(`/api/v1/loans/${old.id}/revert`, { reason: 'revisado por el administrador' }),
    ).resolves.toMatchObject({
      status: 200,
      body: { state: 'reverted' },
    });
    const fresh = await openLoanAt(h, station.id, operatorId, { startedMinutesAgo: 14 });
    await expect(
      operator.post(`/api/v1/loans/${fresh.id}/revert`, { reason: 'error de digitación' }),
    ).resolves.toMatchObject({
      status: 200,
      body: { state: 'reverted' },
    });
    const [stored] = await h.ds.query('SELECT correction_reason FROM loans WHERE id = $1', [fresh.id]);
    expect(stored.correction_reason).toBe('error de digitación');
  });
});
