// Takes the README screenshots (docs/screenshots/*.png) in headless Chromium:
//   node scripts/run-ts.js test/web/support/take-screenshots.ts
// against a private, throw-away database and Redis db (as the e2e suites use) loaded with the demo
// data and 30 days of SYNTHETIC trips, with the API and worker running in this process.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { createApiApp } from '../../../apps/api/src/app.factory';
import { createWorkerApp } from '../../../apps/worker/src/app.factory';
import { DEMO_STAFF_PASSWORD } from '../../../apps/cli/src/demo-data/demo-data';
import { seedDemo } from '../../../apps/cli/src/demo-data/seed-demo';
import { generateDemoTrips } from '../../../apps/cli/src/synthetic-trips/generate-demo-trips';
import { rebuildTripFacts } from '@metrobici/stats';
import { createTestEnv } from '../../support/test-env';
import { ApiClient } from '../../support/http';
import { launchChromium, openApp, signIn } from './browser';

const OUT = join(process.cwd(), 'docs', 'screenshots');
const MAX_BYTES = 300 * 1024;

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  // Open all day, so the picture does not depend on the hour it is taken.
  const env = await createTestEnv({ OPENING_HOURS: '24/7', NIGHTLY_EXPORT_CRON: '' });
  const app = await createApiApp(env.config, { logLevels: ['error'] });
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const ds = app.get(DataSource);
  const worker = await createWorkerApp(env.config, { logLevels: ['error'] });
  const browser = await launchChromium();
  try {
    await seedDemo(ds, env.config, {});
    const { summary } = await generateDemoTrips(ds, env.config, {
      days: 30,
      now: new Date(),
      tripsPerWeekday: 300,
      syntheticRiders: 300,
    });
    await rebuildTripFacts(ds, { from: summary.from, to: summary.to }, env.config.stats.co2GramsPerKm);

    // A morning at Parque San Pío: two bikes out, one reported damaged (a live alert).
    const api = new ApiClient(url);
    const login = await api.post('/api/v1/auth/login', {
      email: 'operador.sanpio@metrobici.local',
      password: DEMO_STAFF_PASSWORD,
    });
    const operator = api.as(login.body.accessToken as string);
    const sanPio = ((await api.get('/api/v1/stations')).body as Array<{ id: string; code: string }>).find(
      (s) => s.code === 'SANPIO',
    )!;
    const bikes = (await operator.get(`/api/v1/bikes?stationId=${sanPio.id}&state=available`)).body as Array<{
      id: string;
      code: string;
    }>;
    await operator.post('/api/v1/loans', {
      bikeCode: bikes[0].code,
      documentType: 'CC',
      documentNumber: '1098765432',
      stationId: sanPio.id,
      helmet: true,
    });
    await operator.post('/api/v1/loans', {
      bikeCode: bikes[1].code,
      documentType: 'PEP',
      documentNumber: '960123456789012',
      stationId: sanPio.id,
    });

    const shots: Array<[string, string]> = [];

    const citizen = await openApp(browser, url, { viewport: { width: 1280, height: 860 } });
    await citizen.page.goto('/');
    await citizen.page.locator('[data-live-status][data-state="online"]').waitFor();
    await citizen.page.locator('.leaflet-marker-icon').first().waitFor();
    await citizen.page.waitForTimeout(500);
    shots.push(['citizen-home.png', await shoot(citizen.page, 'citizen-home.png')]);

    const op = await openApp(browser, url, { viewport: { width: 1280, height: 1000 } });
    await signIn(op.page, 'operador.sanpio@metrobici.local', DEMO_STAFF_PASSWORD);
    await op.page.getByRole('heading', { level: 1, name: 'Estación: Parque San Pío' }).waitFor();
    await op.page.locator('[data-open-loans] table').waitFor();
    await operator.post(`/api/v1/bikes/${bikes[2].id}/damage`, { note: 'Cadena rota' });
    await op.page.locator('[data-alerts] [data-alert-kind="bike_damaged"]').waitFor({ timeout: 15_000 });
    await op.page.getByLabel('Número de documento').fill('91234567');
    await op.page.keyboard.press('Enter');
    await op.page.locator('[data-rider-status="active"]').waitFor();
    await op.page.locator('[data-checkout-bike]').fill(bikes[3].code);
    await op.page.evaluate(() => window.scrollTo(0, 0));
    shots.push(['operator-station.png', await shoot(op.page, 'operator-station.png')]);

    const planner = await openApp(browser, url, { viewport: { width: 1280, height: 1500 } });
    await signIn(planner.page, 'planner@metrobici.local', DEMO_STAFF_PASSWORD);
    await planner.page.locator('[data-kpi="trips"] dd').waitFor();
    for (const block of ['daily', 'hourly', 'gender', 'age'])
      await planner.page.locator(`[data-block="${block}"] canvas`).waitFor();
    await planner.page.waitForTimeout(800);
    shots.push(['planner-dashboard.png', await shoot(planner.page, 'planner-dashboard.png')]);

    for (const [name, path] of shots) {
      const size = statSync(path).size;
      console.log(`${name}: ${Math.round(size / 1024)} KB${size > MAX_BYTES ? ' (over 300 KB!)' : ''}`);
    }
  } finally {
    await browser.close();
    await worker.close();
    await app.close();
    await env.teardown();
  }
}

async function shoot(page: Page, name: string): Promise<string> {
  const path = join(OUT, name);
  await page.screenshot({ path, fullPage: false, animations: 'disabled', caret: 'hide' });
  return path;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
