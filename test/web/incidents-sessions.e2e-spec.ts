import type { Browser, Page } from 'playwright-core';
import type { StationEntity } from '@metrobici/stations';
import { startApi, type ApiHarness } from '../support/api-harness';
import { TEST_PASSWORD } from '../support/factories';
import { launchChromium, openApp, signIn, type PageProblems } from './support/browser';

/**
 * The last two screens of issue 12 in real Chromium against the real API: an operator records an
 * incident at their station from the corrections page (keyboard only) and sees it listed; an
 * admin lists the staff sessions and revokes one, after which that session's refresh token is
 * refused by the server.
 */
describe('web app: incidents and staff sessions (browser e2e)', () => {
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

  async function signedInAs(role: 'operator' | 'admin', station?: StationEntity): Promise<Page> {
    const staff = await h.make.staff(role, station ? { homeStationId: station.id } : {});
    const app = await openApp(browser, h.url, { viewport: { width: 1280, height: 800 } });
    problems.push(app.problems);
    await signIn(app.page, staff.email, TEST_PASSWORD);
    return app.page;
  }

  it('records an incident at the station with the keyboard and lists it', async () => {
    const station = await h.make.station({ name: 'Estación Incidentes' });
    const bike = await h.make.bike({ stationId: station.id });
    const page = await signedInAs('operator', station);
    await page.goto('/#/correcciones');

    const form = page.locator('[data-incident-form]');
    await form.getByLabel('Tipo de incidente').selectOption('accident');
    await form.getByLabel('Estación').selectOption(station.id);
    await form.locator('[data-incidentBike]').fill(bike.code);
    await form.getByLabel('Qué pasó').fill('Caída leve al salir de la estación');
    // The textarea keeps Enter for new lines; the button is reached with Tab and pressed with Enter.
    await form.getByRole('button', { name: 'Registrar incidente' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-incident-message]').getByText('Incidente registrado').waitFor();

    const rows = await h.ds.query<Array<{ type: string; station_id: string; description: string }>>(
      'SELECT type, station_id, description FROM incidents',
    );
    expect(rows).toEqual([
      { type: 'accident', station_id: station.id, description: 'Caída leve al salir de la estación' },
    ]);
    const listed = page.locator('[data-incidents] tr[data-incident-id]');
    await listed.first().waitFor();
    await expect(listed.first().textContent()).resolves.toContain(bike.code);
  });

  it('lists the staff sessions for an admin and revokes one for good', async () => {
    // A tablet's session, opened through the API as the tablet would.
    const operator = await h.make.staff('operator', { allStations: true });
    const login = await fetch(`${h.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Tableta estación 3' },
      body: JSON.stringify({ email: operator.email, password: TEST_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { refreshToken } = (await login.json()) as { refreshToken: string };

    const page = await signedInAs('admin');
    await page.goto('/#/admin/sesiones');
    const revoke = page.getByRole('button', { name: `Revocar la sesión de ${operator.email}` });
    await revoke.waitFor();
    await revoke.click();
    await page.locator('[data-sessions-message]').getByText(`Sesión de ${operator.email} revocada.`).waitFor();
    // The list (active sessions) is reloaded without it.
    await page.locator('[data-sessions] tr', { hasText: operator.email }).waitFor({ state: 'detached' });

    const refreshed = await fetch(`${h.url}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    expect(refreshed.status).toBe(401);
  });
});
