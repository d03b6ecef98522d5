import { startApi, type ApiHarness } from '../support/api-harness';
import type { ApiClient } from '../support/http';
import { loadAccessMatrix } from './access-matrix';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const HOSTILE = [
  '9999-12-31',
  '0000-00-00',
  '2019-02-30',
  '-1',
  '1e309',
  'NaN',
  '00000000-0000-0000-0000-000000000000',
  "' OR 1=1 --",
  '%00',
  '%E0%A4%A',
  '../../etc/passwd',
  'x'.repeat(5000),
  '[]',
  '{}',
  'true',
  '=HYPERLINK("x")',
  '🚲',
];
const HOSTILE_VALUES: unknown[] = [...HOSTILE, null, 0, -1, 1e308, true, [], {}, ['a'], { $gt: '' }, 'x'.repeat(3000)];

/** Issue 10, item 6: no input answers 500. */
describe('bad input (e2e)', () => {
  let h: ApiHarness;
  let admin: ApiClient;
  let planner: ApiClient;
  beforeAll(async () => {
    h = await startApi();
    admin = (await h.signedIn('admin')).api;
    planner = (await h.signedIn('planner')).api;
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ['/api/v1/exports/trips.csv?from=9999-12-31&to=9999-12-31'],
    ['/api/v1/stats/summary?from=9999-12-31&to=9999-12-31'],
    ['/api/v1/stats/daily?from=1000-01-01&to=1000-01-31'],
    ['/api/v1/stats/od?from=2018-12-31&to=2019-01-05'],
    ['/api/v1/stats/summary?to=2101-01-01'],
  ])('6a. a valid-looking date out of range is 400 DATE_OUT_OF_RANGE: %s', async (path) => {
    const res = await planner.get(path);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'DATE_OUT_OF_RANGE',
      details: { earliest: '2019-01-01', latest: '2100-12-31' },
    });
  });

  it('6b. POST /exports with dates out of range is a 400 too', async () => {
    const res = await planner.post('/api/v1/exports', { from: '9999-12-31', to: '9999-12-31' });
    expect(res).toMatchObject({ status: 400, body: { code: 'DATE_OUT_OF_RANGE' } });
  });

  it('6c. random requests to every route (hostile path, query and body values) never answer 5xx', async () => {
    const random = seeded(20191003);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const routes = loadAccessMatrix().map((r) => r.route.split(' ') as [string, string]);
    const failures: string[] = [];
    for (const [method, template] of routes) {
      for (let round = 0; round < 6; round++) {
        const path = template.replace(/\{[^}]+\}/g, () => encodeURIComponent(pick(HOSTILE)));
        const params = new URLSearchParams();
        for (const name of [
          'from',
          'to',
          'limit',
          'state',
          'stationId',
          'riderId',
          'status',
          'documentType',
          'documentNumber',
          'bikeCode',
          'queue',
          'donor',
          'end_time',
          'event_time',
        ])
          if (random() < 0.3) params.set(name, pick(HOSTILE));
        const query = params.size ? `?${params.toString()}` : '';
        const body =
          method === 'GET'
            ? undefined
            : random() < 0.2
              ? pick(['{"a":', '[1,2', 'null', '"text"', '0'])
              : Object.fromEntries(
                  [
                    'from',
                    'to',
                    'stationId',
                    'reason',
                    'bikeCode',
                    'email',
                    'password',
                    'documentNumber',
                    'birthDate',
                    'endDate',
                    'confirm',
                  ]
                    .filter(() => random() < 0.5)
                    .map((k) => [k, pick(HOSTILE_VALUES)]),
                );
        for (const client of [admin, planner, h.api]) {
          const res = await client.request(method, path + query, body);
          if (res.status >= 500)
            failures.push(`${res.status} ${method} ${path}${query} ${JSON.stringify(body)?.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
