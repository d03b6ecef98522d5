import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startApi, type ApiHarness } from '../support/api-harness';
import { TEST_PASSWORD } from '../support/factories';
import { launchChromium, openApp, signIn, type PageProblems } from './support/browser';

/** The admin pages in headless Chromium: stations, fleet (form and CSV import), staff, pilot. */
describe('web app: administration (browser e2e)', () => {
  let h: ApiHarness;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  let dir: string;

  beforeAll(async () => {
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'metrobici-web-admin-'));
    h = await startApi();
    const admin = await h.make.staff('admin');
    ({ page, problems } = await openApp(browser, h.url));
    await signIn(page, admin.email, TEST_PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Administración' }).waitFor();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    expect(problems.errors.splice(0)).toEqual([]);
  });

  it('closes and reopens a station and changes its capacity', async () => {
    const station = await h.make.station({ name: 'Parque Admin', capacity: 20 });
    await page.goto('/#/admin/estaciones');
    const row = page.locator(`[data-admin-stations] tr[data-station-id="${station.id}"]`);
    await row.getByRole('button', { name: 'Cerrar la estación Parque Admin' }).click();
    await page.getByText('Estación Parque Admin cerrada al público.').waitFor();
    await row.getByText('Cerrada').waitFor();
    await row.getByRole('spinbutton', { name: 'Capacidad de Parque Admin' }).fill('24');
    await row.getByRole('button', { name: 'Guardar cambios de Parque Admin' }).click();
    await page.getByText('Cambios guardados en Parque Admin.').waitFor();
    await row.getByRole('button', { name: 'Abrir la estación Parque Admin' }).click();
    await page.getByText('Estación Parque Admin abierta.').waitFor();
    const [s] = await h.ds.query<Array<{ active: boolean; capacity: number }>>(
      'SELECT active, capacity FROM stations WHERE id = $1',
      [station.id],
    );
    expect(s).toEqual({ active: true, capacity: 24 });
  });

  it('registers a bike and imports a CSV row by row, listing the refused lines', async () => {
    const station = await h.make.station({ code: 'ADMST', name: 'Parque Flota' });
    const donor = await h.make.donor({ code: 'donante-web', name: 'Donante Web' });
    await page.goto('/#/admin/flota');
    await page.getByLabel('Código del marco').fill('web-001');
    await page.getByLabel('Donante').selectOption(donor.code);
    await page.getByLabel('Estación o bodega').selectOption({ label: 'Parque Flota' });
    await page.getByRole('button', { name: 'Crear' }).click();
    await page.getByText('Bicicleta WEB-001 registrada.').waitFor();

    const csv = join(dir, 'bikes.csv');
    writeFileSync(
      csv,
      'code,donor_code,donor_name,station_code,state\nWEB-002,donante-web,Donante Web,ADMST,available\nWEB-001,donante-web,Donante Web,ADMST,available\nWEB-003,donante-web,Donante Web,NOPE,available\n',
    );
    await page.getByLabel('Archivo CSV').setInputFiles(csv);
    await page.getByRole('button', { name: 'Importar' }).click();
    await page.getByText('Importación terminada: 1 registradas, 2 con error.').waitFor();
    await page.getByText('Línea 3: WEB-001 Ya existe una bicicleta con ese código.').waitFor();
    await page.getByText('Línea 4: WEB-003 La estación no existe.').waitFor();
    const codes = await h.ds.query<Array<{ code: string }>>(
      'SELECT code FROM bikes WHERE station_id = $1 ORDER BY code',
      [station.id],
    );
    expect(codes.map((c) => c.code)).toEqual(['WEB-001', 'WEB-002']);
  });

  it('creates a staff account', async () => {
    await page.goto('/#/admin/personal');
    await page.getByLabel('Correo').fill('nueva.promotora@metrobici.local');
    await page.getByLabel('Nombre completo').fill('Nueva Promotora');
    await page.getByLabel('Contraseña inicial (mínimo 10 caracteres)').fill('una-clave-larga-123');
    await page.getByRole('button', { name: 'Crear' }).click();
    await page.getByText('Cuenta nueva.promotora@metrobici.local creada.').waitFor();
    await page.locator('[data-admin-staff]').getByText('nueva.promotora@metrobici.local').waitFor();
  });

  it('closes the pilot only when confirmed, and reopens it with a reason', async () => {
    await page.goto('/#/admin/piloto');
    await page.locator('[data-pilot-status]').getByText('Estado del piloto: en operación').waitFor();
    await page.getByRole('button', { name: 'Cerrar el piloto' }).click();
    await page.getByText('Marque la confirmación para cerrar el piloto.').waitFor();
    await page.getByLabel('Entiendo que, al cerrar, no se prestan más bicicletas.').check();
    await page.getByRole('button', { name: 'Cerrar el piloto' }).click();
    await page.getByText('Piloto cerrado.').waitFor();
    await page.locator('[data-pilot-status]').getByText('Estado del piloto: cerrado').waitFor();
    await page.getByLabel('Motivo de la reapertura').fill('Cierre por error en la prueba');
    await page.getByRole('button', { name: 'Reabrir el piloto' }).click();
    await page.getByText('Piloto reabierto.').waitFor();
    await page.locator('[data-pilot-status]').getByText('Estado del piloto: en operación').waitFor();
  });
});
