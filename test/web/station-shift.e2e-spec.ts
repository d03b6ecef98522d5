import type { INestApplicationContext } from '@nestjs/common';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { StationEntity } from '@metrobici/stations';
import { createWorkerApp } from '../../apps/worker/src/app.factory';
import { startApi, type ApiHarness } from '../support/api-harness';
import { TEST_PASSWORD } from '../support/factories';
import { launchChromium, openApp, signIn, type PageProblems } from './support/browser';

/** Resolves with `read()`'s value once `ok(value)` holds, or fails after `timeoutMs`. */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The shortest access token the API accepts (JWT_TTL_SECONDS ≥ 60): the test outlives it. */
const TTL_SECONDS = 60;

/**
 * A whole shift on the station tablet, in real Chromium against the real API and worker: the
 * operator stays signed in past the access token's lifetime (silent refresh), alerts raised while
 * the tablet was away are shown when it comes back and can be acknowledged, the shift is opened and
 * closed with counts, and the rider's receipt (QR after check-out) counts down and updates live.
 */
describe('web app: a shift at the station (browser e2e)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let browser: Browser;
  const problems: PageProblems[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    h = await startApi({ env: { JWT_TTL_SECONDS: String(TTL_SECONDS) } });
    worker = await createWorkerApp(h.env.config, { logLevels: ['fatal'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await h?.close();
  });
  afterEach(() => {
    for (const p of problems.splice(0)) expect(p.errors).toEqual([]);
  });

  async function operatorAt(station: StationEntity): Promise<{ page: Page; context: BrowserContext; id: string }> {
    const staff = await h.make.staff('operator', { homeStationId: station.id });
    const app = await openApp(browser, h.url);
    problems.push(app.problems);
    await signIn(app.page, staff.email, TEST_PASSWORD);
    await app.page.getByRole('heading', { level: 1, name: `Estación: ${station.name}` }).waitFor();
    await app.page.locator('.panel--alerts .live-status[data-state="online"]').waitFor();
    return { ...app, id: staff.id };
  }

  const loansOf = async (riderId: string) =>
    await h.ds.query<Array<{ id: string; state: string }>>('SELECT id, state FROM loans WHERE rider_id = $1', [
      riderId,
    ]);

  it('keeps the operator signed in past the access token’s lifetime, socket included', async () => {
    const station = await h.make.station({ name: 'Parque Turno Largo' });
    const bike = await h.make.bike({ stationId: station.id });
    const rider = await h.make.rider();
    const { page } = await operatorAt(station);
    const first = await page.evaluate(() => sessionStorage.getItem('metrobici.token'));
    expect(await page.evaluate(() => sessionStorage.getItem('metrobici.refresh'))).toMatch(/^[\w-]{43}$/);

    // Past the first token's lifetime: renewed silently, the page never left.
    await page.waitForTimeout((TTL_SECONDS + 5) * 1000);
    await expect(page.evaluate(() => location.hash)).resolves.toBe('#/estacion');
    const renewed = await page.evaluate(() => sessionStorage.getItem('metrobici.token'));
    expect(renewed).not.toBe(first);
    await page.locator('.panel--alerts .live-status[data-state="online"]').waitFor();

    // A token refused anyway (here: one that expired long ago) costs one refresh and one retry.
    await page.evaluate((token) => sessionStorage.setItem('metrobici.token', token), first ?? '');
    await page.getByLabel('Número de documento').fill(rider.documentNumber);
    await page.getByLabel('Tipo de documento').selectOption(rider.documentType);
    await page.locator('[data-checkout-bike]').fill(bike.code);
    await page.getByRole('button', { name: 'Confirmar préstamo' }).click();
    await page.locator('[data-checkout-message]').getByText(`Préstamo registrado: bicicleta ${bike.code}`).waitFor();
    await expect(loansOf(rider.id)).resolves.toHaveLength(1);
    await expect(page.evaluate(() => location.hash)).resolves.toBe('#/estacion');

    // "Cerrar sesión" ends the session on the server too: its refresh token no longer works.
    const refreshToken = await page.evaluate(() => sessionStorage.getItem('metrobici.refresh'));
    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await page.waitForFunction(() => sessionStorage.getItem('metrobici.token') === null);
    await eventually(
      async () => (await h.api.post('/api/v1/auth/refresh', { refreshToken })).status,
      (status) => status === 401,
    );
  }, 120_000);

  it('shows an alert raised while the tablet was away, and acknowledges it', async () => {
    const station = await h.make.station({ name: 'Parque Alertas' });
    const bike = await h.make.bike({ stationId: station.id });
    await h.make.bike({ stationId: station.id });
    const { page, context } = await operatorAt(station);

    // The tablet loses its network (asleep, out of coverage): the live push is missed.
    await context.setOffline(true);
    await page.locator('.panel--alerts .live-status[data-state="offline"]').waitFor();
    const other = await h.signedIn('operator', { homeStationId: station.id });
    expect((await other.api.post(`/api/v1/bikes/${bike.id}/damage`, { note: 'Freno trasero suelto' })).status).toBe(
      200,
    );
    await eventually(
      async () => (await other.api.get(`/api/v1/alerts?stationId=${station.id}`)).body as Array<{ kind: string }>,
      (alerts) => alerts.some((a) => a.kind === 'bike_damaged'),
    );

    await context.setOffline(false);
    const alert = page.locator('[data-alerts] [data-alert-kind="bike_damaged"]');
    await alert.waitFor({ timeout: 20_000 });
    await alert.getByRole('button', { name: 'Reconocer la alerta: Bicicleta dañada' }).click();
    await alert.locator('[data-alert-note="acknowledged"]').waitFor();
    const acked = (await other.api.get(`/api/v1/alerts?state=acknowledged&stationId=${station.id}`)).body as Array<{
      kind: string;
      acknowledgedAt: string | null;
    }>;
    expect(acked).toEqual([expect.objectContaining({ kind: 'bike_damaged', acknowledgedAt: expect.any(String) })]);

    // Reopened later: an acknowledged alert is not open any more.
    await page.reload();
    await page.locator('.panel--alerts .live-status[data-state="online"]').waitFor();
    await page.waitForTimeout(500);
    await expect(page.locator('[data-alerts] [data-alert-kind="bike_damaged"]').count()).resolves.toBe(0);
  });

  it('opens and closes a shift with counts, and prints the station’s day', async () => {
    const station = await h.make.station({ name: 'Parque Conteos', helmetsAvailable: 2 });
    await h.make.bike({ stationId: station.id });
    await h.make.bike({ stationId: station.id });
    const { page, id } = await operatorAt(station);
    await page.getByLabel('Bicicletas contadas en el bicicletero').fill('2');
    await page.getByLabel('Cascos contados').fill('2');
    await page.getByRole('button', { name: 'Abrir turno' }).click();
    await page.locator('[data-shift-message]').getByText('Turno abierto. El conteo coincide con el sistema.').waitFor();

    // After a reload the open shift is read back from the API.
    await page.reload();
    await page.locator('[data-shift-state][data-open="true"]').waitFor();
    await page.getByLabel('Bicicletas contadas en el bicicletero').fill('1');
    await page.getByLabel('Cascos contados').fill('2');
    await page.getByLabel('Nota del cierre').fill('Falta una bicicleta');
    await page.getByRole('button', { name: 'Cerrar turno' }).click();
    await page
      .locator('[data-shift-message]')
      .getByText('Turno cerrado. El conteo difiere del sistema (bicicletas -1)')
      .waitFor();
    const shifts = await h.ds.query<Array<{ operator_id: string }>>(
      'SELECT operator_id FROM station_shifts WHERE station_id = $1',
      [station.id],
    );
    expect(shifts).toEqual([{ operator_id: id }]);

    await page.getByRole('link', { name: 'Informe del día' }).click();
    const sheet = page.locator('[data-station-report]');
    await sheet.getByRole('heading', { name: /Parque Conteos/ }).waitFor();
    await sheet.getByText('Falta una bicicleta').waitFor();
    await sheet.getByText('1 bicicletas, 2 cascos').waitFor();
  });

  it('gives the rider a receipt: QR after check-out, a public page that counts down and follows the stations live', async () => {
    const station = await h.make.station({ name: 'Parque Recibo', capacity: 10, lat: 7.2, lon: -73.2 });
    const [bike1, bike2] = [await h.make.bike({ stationId: station.id }), await h.make.bike({ stationId: station.id })];
    const [rider, other] = [await h.make.rider(), await h.make.rider()];
    const { page } = await operatorAt(station);
    await page.getByLabel('Tipo de documento').selectOption(rider.documentType);
    await page.getByLabel('Número de documento').fill(rider.documentNumber);
    await page.locator('[data-checkout-bike]').fill(bike1.code);
    await page.getByRole('button', { name: 'Confirmar préstamo' }).click();
    const qr = page.locator('[data-checkout-receipt] img[data-receipt-qr]');
    await qr.waitFor();
    await expect(qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).resolves.toBe(true);
    const link = (await page.locator('[data-receipt-link]').getAttribute('href')) ?? '';
    expect(link).toMatch(/\/#\/recibo\/[\w-]{32}$/);

    // The rider's phone: no account, no personal data.
    const phone = await openApp(browser, h.url, { viewport: { width: 390, height: 844 } });
    problems.push(phone.problems);
    await phone.page.goto(link.replace(/^https?:\/\/[^/]+/, ''));
    await phone.page.locator('[data-receipt-bike]', { hasText: bike1.code }).waitFor();
    const countdown = phone.page.locator('[data-countdown]');
    const before = await countdown.textContent();
    expect(before).toMatch(/^Le quedan (\d+ h )?\d\d min \d\d s\.$/);
    await eventually(
      () => countdown.textContent(),
      (now) => now !== before,
      5_000,
    );
    const text = (await phone.page.locator('main').textContent()) ?? '';
    expect(text).not.toContain(rider.documentNumber);
    expect(text).not.toContain(rider.lastName);

    // Free spaces at the station, live: another check-out there frees one more.
    const spaces = phone.page.locator(
      `[data-receipt-stations] li[data-station-id="${station.id}"] [data-field="spaces"]`,
    );
    await spaces.getByText('9', { exact: true }).waitFor();
    const { api: roaming } = await h.signedIn('operator', { allStations: true });
    expect(
      (await roaming.post('/api/v1/loans', { bikeCode: bike2.code, riderId: other.id, stationId: station.id })).status,
    ).toBe(201);
    await spaces.getByText('10', { exact: true }).waitFor({ timeout: 15_000 });

    // The path form of the link works too.
    await phone.page.goto(link.replace(/^https?:\/\/[^/]+\/#/, ''));
    await phone.page.locator('[data-receipt-bike]', { hasText: bike1.code }).waitFor();
  });
});
