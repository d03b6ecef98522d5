import type { INestApplicationContext } from '@nestjs/common';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createWorkerApp } from '../../apps/worker/src/app.factory';
import { startApi, type ApiHarness } from '../support/api-harness';
import { TEST_PASSWORD } from '../support/factories';
import { unzip } from '../support/zip';
import { launchChromium, openApp, signIn, type PageProblems } from './support/browser';

/** The planners' dashboard and the data package, in headless Chromium against the API and worker. */
describe('web app: planners (browser e2e)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let browser: Browser;
  let exportsDir: string;
  let plannerEmail: string;
  const problems: PageProblems[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    exportsDir = mkdtempSync(join(tmpdir(), 'metrobici-web-exports-'));
    h = await startApi({ env: { EXPORTS_DIR: exportsDir, NIGHTLY_EXPORT_CRON: '' } });
    worker = await createWorkerApp(h.env.config, { logLevels: ['fatal'] });
    plannerEmail = (await h.make.staff('planner')).email;

    // Two trips today between two stations, through the API as operators make them.
    const a = await h.make.station({ name: 'Parque Origen' });
    const b = await h.make.station({ name: 'Parque Destino' });
    const { api: operator } = await h.signedIn('operator', { allStations: true });
    for (let i = 0; i < 2; i++) {
      const bike = await h.make.bike({ stationId: a.id });
      expect(
        (
          await operator.post('/api/v1/loans', {
            bikeCode: bike.code,
            riderId: (await h.make.rider({ gender: i ? 'male' : 'female' })).id,
            stationId: a.id,
          })
        ).status,
      ).toBe(201);
      expect((await operator.post('/api/v1/returns', { bikeCode: bike.code, stationId: b.id })).status).toBe(200);
    }
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await h?.close();
    rmSync(exportsDir, { recursive: true, force: true });
  });
  afterEach(() => {
    for (const p of problems.splice(0)) expect(p.errors).toEqual([]);
  });

  async function plannerPage() {
    const app = await openApp(browser, h.url);
    problems.push(app.problems);
    await signIn(app.page, plannerEmail, TEST_PASSWORD);
    await app.page.getByRole('heading', { level: 1, name: 'Panel de planeación' }).waitFor();
    return app;
  }

  it('starts a data package, follows its progress and downloads the zip', async () => {
    const { page } = await plannerPage();
    await page.getByRole('button', { name: 'Generar paquete de datos' }).click();
    await page
      .locator('[data-export-state]')
      .getByText(/En cola|En preparación|Listo/)
      .waitFor();
    const download = page.getByRole('button', { name: 'Descargar paquete (ZIP)' });
    await download.waitFor({ timeout: 60_000 }).catch(async (e: Error) => {
      const rows = await h.ds.query('SELECT id, state, progress, error, from_date, to_date FROM exports');
      const outbox = await h.ds.query(
        `SELECT id, type, published_at FROM outbox_events WHERE type LIKE 'export.%' ORDER BY id`,
      );
      throw new Error(
        `${e.message}\nexports: ${JSON.stringify(rows)}\noutbox: ${JSON.stringify(outbox)}\npage: ${await page.locator('[data-export]').innerText()}`,
      );
    });
    await expect(
      page.locator('[data-export-progress]').evaluate((el) => (el as HTMLProgressElement).value),
    ).resolves.toBe(100);
    await expect(page.locator('[data-export-state]').textContent()).resolves.toContain('Listo');

    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    expect(file.suggestedFilename()).toMatch(/\.zip$/);
    const saved = join(exportsDir, 'downloaded.zip');
    await file.saveAs(saved);
    const entries = await unzip(readFileSync(saved));
    const manifest = JSON.parse(entries.get('manifest.json')?.toString('utf8') ?? '{}') as {
      files?: Array<{ name: string; rows: number }>;
    };
    expect(manifest.files?.length).toBeGreaterThan(0);
    for (const f of manifest.files ?? []) expect(entries.has(f.name)).toBe(true);
    const [row] = await h.ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM exports WHERE state = 'completed'`,
    );
    expect(row.n).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('draws the KPI dashboard for the default last 30 days', async () => {
    const { page } = await plannerPage();
    const today = await page.locator('input[name="to"]').inputValue();
    const from = await page.locator('input[name="from"]').inputValue();
    expect((Date.parse(today) - Date.parse(from)) / 86_400_000).toBe(29);
    await page.locator('[data-kpi="trips"] dd').waitFor();
    for (const block of ['daily', 'hourly', 'age'])
      await page.locator(`[data-block="${block}"] canvas[role="img"]`).waitFor();
    await page.locator('[data-block="donors"] table').waitFor();
    await page.locator('[data-block="od"] table[data-od]').or(page.locator('[data-block="od"] .empty')).waitFor();
    await page
      .locator('[data-block="stations"] table, [data-block="stations"] .message, [data-block="stations"] .empty')
      .first()
      .waitFor();
  });

  it('says clearly, in Spanish, when the server lacks a statistic', async () => {
    const { page } = await plannerPage();
    await page.route('**/api/v1/stats/od?*', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({
          statusCode: 404,
          code: 'ROUTE_NOT_FOUND',
          message: 'No existe la ruta GET /api/v1/stats/od.',
        }),
      }),
    );
    await page.getByRole('button', { name: 'Ver indicadores' }).click();
    await page
      .locator('[data-block="od"]')
      .getByText('Este indicador todavía no está disponible en el servidor.')
      .waitFor();
    // The other blocks still work.
    await page.locator('[data-kpi="trips"] dd').waitFor();
  });
});
