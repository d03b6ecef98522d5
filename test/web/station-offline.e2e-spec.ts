import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RiderEntity } from '@metrobici/riders';
import type { StationEntity } from '@metrobici/stations';
import { startApi, type ApiHarness } from '../support/api-harness';
import { TEST_PASSWORD } from '../support/factories';
import { launchChromium, openApp, signIn, type PageProblems } from './support/browser';

/**
 * The station tablet through network drops, in real Chromium: the installable app (manifest and
 * service worker), the app shell starting offline, and check-outs typed offline kept in IndexedDB
 * with their Idempotency-Key, sent once when the network is back, refusals kept for the operator.
 */
describe('web app: the station tablet offline (browser e2e)', () => {
  let h: ApiHarness;
  let browser: Browser;
  const problems: PageProblems[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    h = await startApi();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });
  afterEach(() => {
    for (const p of problems.splice(0)) expect(p.errors).toEqual([]);
  });

  /** An operator of `station` on their station screen, with the service worker in control. */
  async function operatorAt(station: StationEntity): Promise<{ page: Page; context: BrowserContext }> {
    const staff = await h.make.staff('operator', { homeStationId: station.id });
    const app = await openApp(browser, h.url);
    problems.push(app.problems);
    await signIn(app.page, staff.email, TEST_PASSWORD);
    await app.page.getByRole('heading', { level: 1, name: `Estación: ${station.name}` }).waitFor();
    await app.page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      // The shell files the first visit loaded are handed to the worker; wait until they are kept.
      for (let i = 0; i < 50; i++) {
        const cache = await caches.open('metrobici-shell-v1');
        if ((await cache.match('/app/panels/operator/pending.js')) && (await cache.match('/'))) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the app shell was not cached');
    });
    return app;
  }

  /** Types a check-out without looking the rider up (that needs the network). */
  async function typeCheckOut(page: Page, rider: RiderEntity, bikeCode: string) {
    await page.getByLabel('Tipo de documento').selectOption(rider.documentType);
    await page.getByLabel('Número de documento').fill(rider.documentNumber);
    await page.locator('[data-checkout-bike]').fill(bikeCode);
    await page.getByRole('button', { name: 'Confirmar préstamo' }).click();
  }

  const loansOf = async (riderId: string) =>
    await h.ds.query<Array<{ id: string; state: string }>>('SELECT id, state FROM loans WHERE rider_id = $1', [
      riderId,
    ]);

  it('is installable: manifest, icon and a service worker served at the root with no long caching', async () => {
    const page = await fetch(`${h.url}/`, { headers: { accept: 'text/html' } });
    expect(await page.text()).toMatch(/<link rel="manifest" href="\/manifest\.webmanifest"\s*\/?>/);
    const manifest = await fetch(`${h.url}/manifest.webmanifest`);
    expect(manifest.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    const body = (await manifest.json()) as { name: string; start_url: string; icons: Array<{ src: string }> };
    expect(body).toMatchObject({ short_name: 'Metrobici', start_url: '/', display: 'standalone', lang: 'es-CO' });
    expect((await fetch(`${h.url}${body.icons[0].src}`)).status).toBe(200);
    const sw = await fetch(`${h.url}/sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get('content-type')).toMatch(/javascript/);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect(sw.headers.get('service-worker-allowed')).toBe('/');
    await sw.arrayBuffer();
    const idb = await fetch(`${h.url}/vendor/idb/index.js`);
    expect(idb.headers.get('content-type')).toMatch(/javascript/);
    await idb.arrayBuffer();
  });

  it('queues a check-out typed offline, keeps it through a reload, and sends it once when back online', async () => {
    const station = await h.make.station({ name: 'Parque Sin Red' });
    const bike = await h.make.bike({ stationId: station.id });
    const rider = await h.make.rider();
    const { page, context } = await operatorAt(station);
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/v1/loans')) sent.push(r.headers()['idempotency-key']);
    });

    await context.setOffline(true);
    await page.locator('[data-network][data-state="offline"]').waitFor();
    await typeCheckOut(page, rider, bike.code);
    await page.locator('[data-checkout-message]').getByText(`bicicleta ${bike.code} quedó pendiente`).waitFor();
    const item = page.locator('[data-pending-list] li[data-state="pending"]', { hasText: bike.code });
    await item.getByText('pendiente', { exact: true }).waitFor();
    await expect(loansOf(rider.id)).resolves.toEqual([]);

    // The tablet restarts without network: the app shell comes from the service worker and the
    // queued check-out from IndexedDB.
    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await page.getByRole('heading', { level: 1, name: `Estación: ${station.name}` }).waitFor();
    await item.waitFor();
    // Really offline: the API is out of reach (and never answered from the worker's cache).
    await expect(
      page.evaluate(() =>
        fetch('/api/v1/service-info').then(
          () => 'reached',
          () => 'offline',
        ),
      ),
    ).resolves.toBe('offline');
    const stored = await page.evaluate(async () => {
      const idb: string = '/vendor/idb/index.js';
      const { openDB } = await import(idb);
      const db = await openDB('metrobici', 1);
      return (await db.getAll('pending-actions')) as Array<{ key: string; kind: string; bikeCode: string }>;
    });
    expect(stored).toEqual([expect.objectContaining({ kind: 'checkOut', bikeCode: bike.code })]);
    await expect(loansOf(rider.id)).resolves.toEqual([]);

    await context.setOffline(false);
    await page.locator('[data-pending-message]').getByText(`bicicleta ${bike.code} prestada`).waitFor();
    await page.locator('[data-pending-list] li.empty').waitFor();
    await expect(loansOf(rider.id)).resolves.toEqual([expect.objectContaining({ state: 'open' })]);
    expect(sent).toEqual([stored[0].key]);
    // Going offline and back once more sends nothing again.
    await context.setOffline(true);
    await context.setOffline(false);
    await new Promise((r) => setTimeout(r, 500));
    expect(sent).toHaveLength(1);
    await expect(loansOf(rider.id)).resolves.toHaveLength(1);
  });

  it('keeps a queued check-out that the server refuses, for the operator to retry or discard', async () => {
    const station = await h.make.station({ name: 'Parque Rechazo Diferido' });
    const bike = await h.make.bike({ stationId: station.id });
    const [rider, other] = [await h.make.rider(), await h.make.rider()];
    const { page, context } = await operatorAt(station);

    await context.setOffline(true);
    await typeCheckOut(page, rider, bike.code);
    await page.locator('[data-pending-list] li[data-state="pending"]', { hasText: bike.code }).waitFor();

    // Meanwhile the bike is lent by another operator (another tablet with network).
    const { api: roaming } = await h.signedIn('operator', { allStations: true });
    expect(
      (await roaming.post('/api/v1/loans', { bikeCode: bike.code, riderId: other.id, stationId: station.id })).status,
    ).toBe(201);

    await context.setOffline(false);
    const refused = page.locator('[data-pending-list] li[data-state="refused"]', { hasText: bike.code });
    await refused.locator('[data-pending-error]').getByText('La bicicleta no está disponible para préstamo.').waitFor();
    await page.locator('[data-pending-message]').getByText('El servidor rechazó la acción pendiente').waitFor();
    await expect(loansOf(rider.id)).resolves.toEqual([]);

    // It stays after a reload, and a retry is refused again, still kept.
    await page.reload();
    await refused.waitFor();
    await refused.getByRole('button', { name: `Reintentar: Préstamo ${bike.code}` }).click();
    await page.locator('[data-pending-message]').getByText('El servidor rechazó la acción pendiente').waitFor();
    await refused.waitFor();
    await refused.getByRole('button', { name: `Descartar: Préstamo ${bike.code}` }).click();
    await page.locator('[data-pending-list] li.empty').waitFor();
    await expect(loansOf(rider.id)).resolves.toEqual([]);
  });
});
