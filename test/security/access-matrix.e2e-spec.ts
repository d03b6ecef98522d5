import { readFileSync } from 'node:fs';
import { receiptTokenHash } from '@metrobici/loans';
import { startApi, type ApiHarness } from '../support/api-harness';
import type { ApiClient } from '../support/http';
import { loadAccessMatrix, MATRIX_ROLES, type MatrixRole, type MatrixRoute, renderAccessTable } from './access-matrix';

/**
 * The role × route table (docs/access-matrix.json, rendered in the README) walked against the
 * running API: every route of the OpenAPI document must have a decision, and every role gets the
 * answer the table gives. Objects belong to station A; "otherOperator" is tied to station B.
 */
describe('access by role (e2e)', () => {
  const matrix = loadAccessMatrix();
  let h: ApiHarness;
  let clients: Record<MatrixRole, ApiClient>;
  const fixtures: Record<string, string> = {};

  beforeAll(async () => {
    h = await startApi();
    const stationA = await h.make.station({ name: 'Estación A' });
    const stationB = await h.make.station({ name: 'Estación B' });
    const spareStation = await h.make.station({ name: 'Estación de repuesto' });
    const admin = await h.signedIn('admin');
    const operatorA = await h.signedIn('operator', { homeStationId: stationA.id });
    clients = {
      anonymous: h.api,
      otherOperator: (await h.signedIn('operator', { homeStationId: stationB.id })).api,
      operator: operatorA.api,
      planner: (await h.signedIn('planner')).api,
      agency: (await h.signedIn('agency')).api,
      admin: admin.api,
    };
    const riderAtA = await h.make.rider({ verifiedAtStationId: stationA.id });
    const pendingRider = await h.make.rider({ status: 'pending', verifiedAt: null });
    const bikeAt = async (state: 'available' | 'maintenance' = 'available') =>
      h.make.bike({ stationId: stationA.id, state });
    const bikeAtA = await bikeAt();
    const bikeToMove = await bikeAt();
    const bikeForCheckOut = await bikeAt();
    const missingBike = await h.make.bike({ state: 'missing' });
    const openLoan = async () => {
      const bike = await h.make.bike({ state: 'on_loan' });
      const rider = await h.make.rider({ verifiedAtStationId: stationA.id });
      const [loan] = await h.ds.query<Array<{ id: string }>>(
        `INSERT INTO loans (journey_id, bike_id, rider_id, from_station_id, started_at, due_at, state, checked_out_by)
         VALUES (gen_random_uuid(), $1, $2, $3, now(), now() + interval '1 hour', 'open', $4) RETURNING id`,
        [bike.id, rider.id, stationA.id, admin.id],
      );
      return { id: loan.id, bikeCode: bike.code };
    };
    const move = await admin.api.post('/api/v1/rebalancing', {
      bikeCode: (await bikeAt()).code,
      fromStationId: stationA.id,
    });
    if (move.status !== 201) throw new Error(`fixture move: ${move.status} ${JSON.stringify(move.body)}`);
    const [systemExport] = await h.ds.query<Array<{ id: string }>>(
      `INSERT INTO exports (kind, from_date, to_date, state) VALUES ('nightly', '2019-10-07', '2019-10-07', 'completed') RETURNING id`,
    );
    Object.assign(fixtures, {
      stationA: stationA.id,
      spareStation: spareStation.id,
      spareStaff: (await h.make.staff('planner')).id,
      riderAtA: riderAtA.id,
      riderAtADocument: riderAtA.documentNumber,
      pendingRider: pendingRider.id,
      bikeAtA: bikeAtA.id,
      bikeAtACode: bikeAtA.code,
      bikeToRetire: (await bikeAt()).id,
      bikeToDamage: (await bikeAt()).id,
      bikeInMaintenance: (await bikeAt('maintenance')).id,
      bikeToLose: (await bikeAt()).id,
      missingBike: missingBike.id,
      bikeToMoveCode: bikeToMove.code,
      moveInTransit: move.body.id,
      bikeForCheckOutCode: bikeForCheckOut.code,
      loanToRead: (await openLoan()).id,
      loanToRenew: (await openLoan()).id,
      loanToRevert: (await openLoan()).id,
      loanToForce: (await openLoan()).id,
      bikeOnLoanCode: (await openLoan()).bikeCode,
      systemExport: systemExport.id,
      ...(await issue12Fixtures()),
    });

    /** Objects of issue 12: a session, a loan to report missing, an alert, a shift and a receipt at station A. */
    async function issue12Fixtures(): Promise<Record<string, string>> {
      const spare = await h.make.staff('planner');
      const [session] = await h.ds.query<Array<{ id: string }>>(
        `INSERT INTO staff_sessions (staff_id, token_version, expires_at, last_used_at)
         VALUES ($1, 0, now() + interval '1 hour', now()) RETURNING id`,
        [spare.id],
      );
      const [alert] = await h.ds.query<Array<{ id: string }>>(
        `INSERT INTO alerts (outbox_id, kind, station_id, audience, message, data, since)
         VALUES (1, 'bike_damaged', $1, 'station', 'prueba de acceso', '{}', now()) RETURNING id`,
        [stationA.id],
      );
      const [shift] = await h.ds.query<Array<{ id: string }>>(
        `INSERT INTO station_shifts (station_id, operator_id, opened_at, open_bikes_counted, open_helmets_counted,
                                     open_bikes_expected, open_helmets_expected)
         VALUES ($1, $2, now() - interval '1 hour', 0, 0, 0, 0) RETURNING id`,
        [stationA.id, operatorA.id],
      );
      const receiptLoan = await openLoan();
      const receiptToken = 'access-matrix-receipt-token-0001';
      await h.ds.query(
        `INSERT INTO loan_receipts (token_hash, journey_id) SELECT $1, journey_id FROM loans WHERE id = $2`,
        [receiptTokenHash(receiptToken), receiptLoan.id],
      );
      return {
        spareSession: session.id,
        loanToLose: (await openLoan()).id,
        alertAtA: String(alert.id),
        shiftToClose: shift.id,
        receiptToken,
      };
    }
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('has a decision for every route of the OpenAPI document, and no stale rows', async () => {
    const doc = (await h.api.get('/api/docs-json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const decided = matrix.map((r) => r.route);
    expect(documented.filter((route) => !decided.includes(route))).toEqual([]);
    expect(decided.filter((route) => !documented.includes(route))).toEqual([]);
    expect(new Set(decided).size).toBe(decided.length);
  });

  it('is the table of the README section "Access by role"', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.split('## Access by role')[1]?.split('\n## ')[0] ?? '';
    expect(section).toContain(renderAccessTable(matrix));
  });

  // Roles in this order so that an operator of another station meets the objects untouched (a
  // refusal for the station, not for a state the operator's own call already changed).
  const ORDER: MatrixRole[] = ['anonymous', 'agency', 'planner', 'otherOperator', 'operator', 'admin'];
  it.each(matrix.map((r) => [r.route, r] as [string, MatrixRoute]))(
    '%s answers each role as the table says',
    async (_name, route) => {
      const [method, templatePath] = route.route.split(' ');
      const path = fill(route.request?.path ?? templatePath);
      const body = route.request?.body === undefined ? undefined : JSON.parse(fill(JSON.stringify(route.request.body)));
      const seen: Array<{ role: MatrixRole; expected: string; status: number; code?: string }> = [];
      for (const role of ORDER) {
        const res = await clients[role].request(method, path, body ?? (method === 'GET' ? undefined : {}));
        seen.push({ role, expected: route[role], status: res.status, code: (res.body as { code?: string })?.code });
      }
      const wrong = seen.filter(({ role, expected, status }) => {
        if (expected === 'yes') return status === 401 || status === 403;
        if (role === 'anonymous') return status !== 401;
        return role === 'otherOperator' ? status !== 403 && status !== 404 : status !== 403;
      });
      expect({ route: route.route, wrong }).toEqual({ route: route.route, wrong: [] });
      expect(MATRIX_ROLES.every((r) => route[r] === 'yes' || route[r] === 'no')).toBe(true);
    },
  );

  function fill(text: string): string {
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
      if (!(name in fixtures)) throw new Error(`access matrix: no fixture named ${whole}`);
      return fixtures[name];
    });
  }
});
