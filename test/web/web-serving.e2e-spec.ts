import { startApi, type ApiHarness } from '../support/api-harness';

/** The API serves the web app without getting in the way of its own routes. */
describe('web app serving (e2e)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(async () => {
    await h?.close();
  });

  const get = (path: string, accept = '*/*') => fetch(h.url + path, { headers: { accept } });

  it('serves the page at / with lang="es", GBFS auto-discovery and a strict CSP', async () => {
    const res = await get('/', 'text/html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toMatch(/<html lang="es">/);
    // Prettier writes void elements as `<link ... />`; HTML reads both forms the same.
    expect(html).toMatch(/<link rel="gbfs" type="application\/json" href="\/gbfs\/gbfs\.json"\s*\/?>/);
    // No inline script and nothing from another origin: the CSP allows 'self' only.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/(src|href)="https?:\/\//);
  });

  it('serves the app modules and the vendor builds from node_modules', async () => {
    for (const [path, type] of [
      ['/app/main.js', /javascript/],
      ['/app/i18n/es.js', /javascript/],
      ['/app/styles.css', /css/],
      ['/vendor/leaflet/leaflet.js', /javascript/],
      ['/vendor/leaflet/leaflet.css', /css/],
      ['/vendor/chart.js/chart.umd.min.js', /javascript/],
      ['/vendor/socket.io/socket.io.esm.min.js', /javascript/],
    ] as const) {
      const res = await get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers.get('content-type')).toMatch(type);
      await res.arrayBuffer();
    }
  });

  it('leaves API, GBFS, health, docs and socket.io routes to the API', async () => {
    const health = await get('/health', 'text/html');
    expect(health.headers.get('content-type')).toMatch(/json/);
    await health.arrayBuffer();
    const gbfs = await get('/gbfs/gbfs.json', 'text/html');
    expect(gbfs.status).toBe(200);
    expect(((await gbfs.json()) as { data: unknown }).data).toBeDefined();
    const stations = await get('/api/v1/stations', 'text/html');
    expect(stations.status).toBe(200);
    expect(Array.isArray(await stations.json())).toBe(true);
    const docs = await get('/api/docs', 'text/html');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);
    // An unknown API route stays the API's JSON 404, even for a browser asking for HTML.
    const missing = await get('/api/v1/no-such-thing', 'text/html');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    const polling = await get('/socket.io/?EIO=4&transport=polling');
    expect(polling.status).toBe(200);
    expect(await polling.text()).toMatch(/"sid"/);
  });

  it('falls back to the page only for GET requests of HTML pages', async () => {
    const deep = await get('/staff', 'text/html,application/xhtml+xml');
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<link rel="gbfs"');
    const json = await get('/staff', 'application/json');
    expect(json.status).toBe(404);
    await json.arrayBuffer();
    const file = await get('/nothing.js', 'text/html');
    expect(file.status).toBe(404);
    await file.arrayBuffer();
    const post = await fetch(`${h.url}/staff`, { method: 'POST', headers: { accept: 'text/html' } });
    expect(post.status).toBe(404);
    await post.arrayBuffer();
  });

  it('never serves files outside the app and vendor folders', async () => {
    for (const path of [
      '/app/../../package.json',
      '/app/%2e%2e/%2e%2e/package.json',
      '/vendor/leaflet/../package.json',
      '/app/.env',
      '/vendor/socket.io/%2e%2e/%2e%2e/%2e%2e/.env',
    ]) {
      const res = await get(path);
      const body = await res.text();
      expect({ path, status: res.status }).not.toEqual({ path, status: 200 });
      expect(body).not.toContain('"dependencies"');
      expect(body).not.toContain('JWT_SECRET');
    }
  });

  it('exposes the service rules the registration form needs', async () => {
    const res = await h.api.get('/api/v1/service-info');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      termsVersion: '2019-10',
      minRiderAge: 16,
      adultAge: 18,
      openingHours: '24/7',
      timeZone: 'America/Bogota',
      loanMaxMinutes: 60,
      pilotStart: null,
      pilotEnd: null,
      documentTypes: [
        { code: 'CC', name: 'Cédula de ciudadanía' },
        { code: 'TI', name: 'Tarjeta de identidad' },
        { code: 'CE', name: 'Cédula de extranjería' },
        { code: 'PA', name: 'Pasaporte' },
        { code: 'PEP', name: 'Permiso Especial de Permanencia' },
        { code: 'PPT', name: 'Permiso por Protección Temporal' },
      ],
      genders: ['female', 'male', 'other', 'undisclosed'],
    });
  });
});
