import type { Browser, Page } from 'playwright-core';
import type { StationEntity } from '@metrobici/stations';
import { startApi, type ApiHarness } from '../support/api-harness';
import { TEST_PASSWORD } from '../support/factories';
import { launchChromium, openApp, signIn, type PageProblems } from './support/browser';

/**
 * The corrections page in real Chromium against the real API: revert and force-return of a loan
 * (with a reason), a bike reported missing and found again, and a rider found by document and
 * suspended/reactivated by an admin. Keyboard-usable: the forms are submitted with Enter.
 */
describe('web app: corrections at the station (browser e2e)', () => {
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

  async function lend(station: StationEntity) {
    const bike = await h.make.bike({ stationId: station.id });
    const rider = await h.make.rider({ firstName: 'Carla', lastName: 'Corrige' });
    const { api } = await h.signedIn('operator', { allStations: true });
    const res = await api.post('/api/v1/loans', { bikeCode: bike.code, riderId: rider.id, stationId: station.id });
    expect(res.status).toBe(201);
    return { bike, rider, loan: res.body as { id: string } };
  }

  const loanRow = async (id: string) =>
    (
      await h.ds.query<Array<{ state: string; end_reason: string | null; correction_reason: string | null }>>(
        'SELECT state, end_reason, correction_reason FROM loans WHERE id = $1',
        [id],
      )
    )[0];
  const bikeRow = async (id: string) =>
    (
      await h.ds.query<Array<{ state: string; station_id: string | null }>>(
        'SELECT state, station_id FROM bikes WHERE id = $1',
        [id],
      )
    )[0];

  it('reverts a check-out made by mistake, from the open loans list, with a reason', async () => {
    const station = await h.make.station({ name: 'Parque Reversa' });
    const { bike, loan } = await lend(station);
    const page = await signedInAs('operator', station);
    await page.getByRole('heading', { level: 1, name: `Estación: ${station.name}` }).waitFor();
    await page.getByRole('link', { name: `Corregir el préstamo de la bicicleta ${bike.code}` }).click();
    await page.getByRole('heading', { level: 1, name: 'Correcciones' }).waitFor();
    const found = page.locator(`[data-loan-found="${loan.id}"]`);
    await found.getByText('Carla Corrige').waitFor();

    // No reason: refused before anything is sent, the focus goes to the reason.
    await page.getByRole('button', { name: 'Revertir el préstamo (fue un error)' }).click();
    await page.locator('[data-correction-message]').getByText('Escriba el motivo').waitFor();
    await expect(page.evaluate(() => document.activeElement?.getAttribute('name'))).resolves.toBe('correctionReason');
    await page.getByLabel('Motivo de la corrección').fill('Se registró la bicicleta equivocada');
    await page.getByRole('button', { name: 'Revertir el préstamo (fue un error)' }).click();
    await page
      .locator('[data-correction-message]')
      .getByText(`Préstamo de la bicicleta ${bike.code} revertido`)
      .waitFor();
    await expect(loanRow(loan.id)).resolves.toEqual({
      state: 'reverted',
      end_reason: 'reverted',
      correction_reason: 'Se registró la bicicleta equivocada',
    });
    await expect(bikeRow(bike.id)).resolves.toEqual({ state: 'available', station_id: station.id });
  });

  it('records a missed return at a chosen station (force-return), by bike code and keyboard', async () => {
    const [from, to] = [
      await h.make.station({ name: 'Parque Salida' }),
      await h.make.station({ name: 'Parque Llegada' }),
    ];
    const { bike, loan } = await lend(from);
    const page = await signedInAs('admin');
    await page.goto('/#/correcciones');
    await page.getByRole('heading', { level: 1, name: 'Correcciones' }).waitFor();
    await page.locator('[data-correctionBike]').fill(bike.code.toLowerCase());
    await page.locator('[data-correctionBike]').press('Enter');
    await page.locator(`[data-loan-found="${loan.id}"]`).waitFor();
    await page.getByLabel('Motivo de la corrección').fill('El usuario la dejó sin avisar');
    await page.getByLabel('Estación donde quedó la bicicleta').selectOption(to.id);
    await page.getByRole('button', { name: 'Registrar devolución' }).click();
    await page
      .locator('[data-correction-message]')
      .getByText(`Devolución de la bicicleta ${bike.code} registrada en Parque Llegada.`)
      .waitFor();
    await expect(loanRow(loan.id)).resolves.toMatchObject({ end_reason: 'forced' });
    await expect(bikeRow(bike.id)).resolves.toEqual({ state: 'available', station_id: to.id });

    // A loan that is no longer open is not found.
    await page.locator('[data-correctionBike]').fill(bike.code);
    await page.locator('[data-correctionBike]').press('Enter');
    await page
      .locator('[data-correction-message]')
      .getByText(`La bicicleta ${bike.code} no tiene un préstamo abierto.`)
      .waitFor();
  });

  it('reports a bike missing with the police report, then found at a station', async () => {
    const station = await h.make.station({ name: 'Parque Pérdidas' });
    const bike = await h.make.bike({ stationId: station.id });
    const page = await signedInAs('operator', station);
    await page.goto('/#/correcciones');
    await page.locator('[data-statusBike]').fill(bike.code);
    await page.locator('[data-statusBike]').press('Enter');
    await page.locator('[data-bike-state="available"]').waitFor();
    await page.getByRole('button', { name: 'Reportar perdida o robada' }).click();
    await page.locator('[data-bike-status-message]').getByText('Escriba el número de la denuncia').waitFor();
    await page.getByLabel('Número de denuncia').fill('SPOA-2026-001');
    await page.getByRole('button', { name: 'Reportar perdida o robada' }).click();
    await page
      .locator('[data-bike-status-message]')
      .getByText(`Bicicleta ${bike.code} reportada como perdida.`)
      .waitFor();
    await expect(bikeRow(bike.id)).resolves.toMatchObject({ state: 'missing' });

    await page.locator('[data-statusBike]').fill(bike.code);
    await page.locator('[data-statusBike]').press('Enter');
    await page.locator('[data-bike-state="missing"]').getByText('denuncia SPOA-2026-001').waitFor();
    await page.getByRole('button', { name: 'Registrar que apareció' }).click();
    await page
      .locator('[data-bike-status-message]')
      .getByText(`Bicicleta ${bike.code} recibida en Parque Pérdidas`)
      .waitFor();
    await expect(bikeRow(bike.id)).resolves.toEqual({ state: 'maintenance', station_id: station.id });
  });

  it('finds a rider by document; an admin suspends and reactivates, an operator only reads', async () => {
    const station = await h.make.station({ name: 'Parque Usuarios' });
    const rider = await h.make.rider({ firstName: 'Sara', lastName: 'Suspendible' });
    const admin = await signedInAs('admin');
    await admin.goto('/#/correcciones');
    const search = async (page: Page) => {
      await page.locator('select[name="searchDocumentType"]').selectOption(rider.documentType);
      await page.locator('[data-search-document]').fill(rider.documentNumber);
      await page.locator('[data-search-document]').press('Enter');
      await page.locator('[data-rider-result]').getByText('Sara Suspendible').waitFor();
    };
    await search(admin);
    await admin.getByLabel('Motivo de la suspensión').fill('Daños reiterados a la bicicleta');
    await admin.getByRole('button', { name: 'Suspender' }).click();
    await admin.locator('[data-rider-search-message]').getByText('Sara Suspendible quedó suspendido(a).').waitFor();
    await admin.locator('[data-suspension]').getByText('Daños reiterados a la bicicleta').waitFor();
    const status = async () =>
      (await h.ds.query<Array<{ status: string }>>('SELECT status FROM riders WHERE id = $1', [rider.id]))[0].status;
    await expect(status()).resolves.toBe('suspended');
    await admin.getByRole('button', { name: 'Reactivar' }).click();
    await admin
      .locator('[data-rider-search-message]')
      .getByText('Sara Suspendible puede volver a usar el servicio.')
      .waitFor();
    await expect(status()).resolves.toBe('active');

    const operator = await signedInAs('operator', station);
    await operator.goto('/#/correcciones');
    await search(operator);
    await expect(operator.getByRole('button', { name: 'Suspender' }).count()).resolves.toBe(0);
  });
});
