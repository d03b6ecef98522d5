import type { INestApplicationContext } from '@nestjs/common';
import type { Browser, Page } from 'playwright-core';
import type { RiderEntity } from '@metrobici/riders';
import type { StationEntity } from '@metrobici/stations';
import { createWorkerApp } from '../../apps/worker/src/app.factory';
import { startApi, type ApiHarness } from '../support/api-harness';
import { TEST_PASSWORD } from '../support/factories';
import { launchChromium, openApp, signIn, type PageProblems } from './support/browser';

/**
 * The citizen page and the operator's screen in real headless Chromium, against the real API and
 * worker (live events go through the outbox relay, Redis and socket.io as in production).
 */
describe('web app: citizens and station operators (browser e2e)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let browser: Browser;
  const problems: PageProblems[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    h = await startApi();
    worker = await createWorkerApp(h.env.config, { logLevels: ['fatal'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await h?.close();
  });
  afterEach(() => {
    // No script error, CSP violation or failed asset load on any page a test opened.
    for (const p of problems.splice(0)) expect(p.errors).toEqual([]);
  });

  async function open(viewport?: { width: number; height: number }) {
    const app = await openApp(browser, h.url, { viewport });
    problems.push(app.problems);
    return app;
  }

  /** An operator of `station`, signed in through the form, on their station screen. */
  async function operatorAt(station: StationEntity): Promise<Page> {
    const staff = await h.make.staff('operator', { homeStationId: station.id });
    const { page } = await open();
    await signIn(page, staff.email, TEST_PASSWORD);
    await page.getByRole('heading', { level: 1, name: `Estación: ${station.name}` }).waitFor();
    return page;
  }

  async function lookUp(page: Page, rider: RiderEntity) {
    await page.getByLabel('Tipo de documento').selectOption(rider.documentType);
    await page.getByLabel('Número de documento').fill(rider.documentNumber);
    await page.getByRole('button', { name: 'Buscar usuario' }).click();
    await page.locator('[data-rider-card]').getByText(`${rider.firstName} ${rider.lastName}`).waitFor();
  }

  const checkOutMessage = (page: Page) => page.locator('[data-checkout-message]');
  const loansOf = async (riderId: string) =>
    await h.ds.query<Array<{ id: string; state: string; helmet: boolean }>>(
      'SELECT id, state, helmet FROM loans WHERE rider_id = $1',
      [riderId],
    );

  it('shows a check-out on the citizen page, live, without a reload', async () => {
    const station = await h.make.station({ name: 'Parque Vivo', capacity: 10 });
    const bike = await h.make.bike({ stationId: station.id });
    const rider = await h.make.rider({ firstName: 'Luz', lastName: 'Ardila' });

    const { page: citizen } = await open({ width: 390, height: 844 });
    await citizen.goto('/');
    const card = citizen.locator(`li[data-station-id="${station.id}"]`);
    await card.locator('[data-field="bikes"]', { hasText: '1' }).waitFor();
    await citizen.locator('[data-live-status][data-state="online"]').waitFor();
    await expect(card.locator('[data-field="spaces"]').textContent()).resolves.toBe('9');
    await expect(card.locator('[data-field="open"]').textContent()).resolves.toBe('Abierta');
    await expect(card.locator('[data-field="updated"]').textContent()).resolves.toMatch(/^Actualizado hace/);
    // Without map tiles (no internet here) the stations are still drawn, and the page says why.
    await citizen.locator(`.leaflet-marker-icon[data-station-id="${station.id}"]`, { hasText: '1' }).waitFor();
    await citizen.getByText('El mapa base no se pudo cargar').waitFor();
    await citizen.evaluate(() => Object.assign(window, { sameDocument: true }));

    const operator = await operatorAt(station);
    await lookUp(operator, rider);
    await operator.locator('[data-checkout-bike]').fill(bike.code);
    await operator.getByRole('button', { name: 'Confirmar préstamo' }).click();
    await checkOutMessage(operator).getByText(`Préstamo registrado: bicicleta ${bike.code}`).waitFor();

    await card.locator('[data-field="bikes"]', { hasText: '0' }).waitFor({ timeout: 10_000 });
    await expect(card.locator('[data-field="spaces"]').textContent()).resolves.toBe('10');
    await citizen.locator(`.leaflet-marker-icon[data-station-id="${station.id}"]`, { hasText: '0' }).waitFor();
    await citizen
      .locator('[data-announcer]', { hasText: 'Parque Vivo: 0 bicicletas disponibles' })
      .waitFor({ state: 'attached' });
    await expect(citizen.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).resolves.toBe(
      true,
    );
    // The operator's own glance followed too.
    await operator.locator('[data-glance] [data-field="bikes"]', { hasText: '0' }).waitFor();
  });

  it('applies live updates only when newer than what the page holds', async () => {
    const { page } = await open();
    await page.goto('/');
    const results = await page.evaluate(async () => {
      const live: string = '/app/lib/live.js'; // served by the app, not a module tsc can resolve
      const { StationStore } = await import(live);
      const store = new StationStore();
      const base = {
        id: 's1',
        name: 'S',
        bikesAvailable: 5,
        spacesAvailable: 5,
        helmetsAvailable: 1,
        isOpen: true,
        sequence: 10,
        updatedAt: new Date().toISOString(),
      };
      store.applyList([base]);
      const update = (sequence: number, bikesAvailable: number) =>
        store.applyUpdate({
          stationId: 's1',
          bikesAvailable,
          spacesAvailable: 10 - bikesAvailable,
          helmetsAvailable: 1,
          isOpen: true,
          sequence,
          updatedAt: base.updatedAt,
        });
      const out = [update(11, 4), update(11, 9), update(10, 9), update(13, 2), update(12, 9)];
      // A snapshot read before the latest update must not move the count back.
      store.applyList([{ ...base, sequence: 12, bikesAvailable: 9 }]);
      return {
        out,
        bikes: store.get('s1').bikesAvailable,
        sequence: store.get('s1').sequence,
        unknown: store.applyUpdate({ stationId: 'nope', sequence: 1 }),
      };
    });
    expect(results).toEqual({
      out: ['applied', 'stale', 'stale', 'applied', 'stale'],
      bikes: 2,
      sequence: 13,
      unknown: 'unknown',
    });
  });

  it('shows the Spanish reason when a check-out is refused', async () => {
    const station = await h.make.station({ name: 'Parque Rechazos' });
    const elsewhere = await h.make.station({ name: 'Otra estación' });
    const [bikeA, bikeB] = [await h.make.bike({ stationId: station.id }), await h.make.bike({ stationId: station.id })];
    const farBike = await h.make.bike({ stationId: elsewhere.id });
    const busy = await h.make.rider({ firstName: 'Pedro', lastName: 'Ocupado' });
    const { api: roaming } = await h.signedIn('operator', { allStations: true });
    expect(
      (await roaming.post('/api/v1/loans', { bikeCode: bikeA.code, riderId: busy.id, stationId: station.id })).status,
    ).toBe(201);

    const page = await operatorAt(station);
    // The rider already has a bike: the card says so, and the check-out is refused.
    await lookUp(page, busy);
    await page.locator('[data-rider-loan]').getByText('Tiene una bicicleta prestada').waitFor();
    await page.locator('[data-checkout-bike]').fill(bikeB.code);
    await page.getByRole('button', { name: 'Confirmar préstamo' }).click();
    await checkOutMessage(page).getByText('El usuario ya tiene una bicicleta.').waitFor();
    await expect(checkOutMessage(page).getAttribute('role')).resolves.toBe('alert');

    // A bike racked at another station.
    const free = await h.make.rider({ firstName: 'Ana', lastName: 'Libre' });
    await lookUp(page, free);
    await page.locator('[data-checkout-bike]').fill(farBike.code);
    await page.getByRole('button', { name: 'Confirmar préstamo' }).click();
    await checkOutMessage(page).getByText('La bicicleta no está en esta estación.').waitFor();
    await expect(loansOf(free.id)).resolves.toEqual([]);

    // A rider who registered online but was never verified: refused, then verified here and served.
    const pending = await h.make.rider({
      firstName: 'Nueva',
      lastName: 'Usuaria',
      status: 'pending',
      verifiedAt: null,
    });
    await lookUp(page, pending);
    await page.locator('[data-rider-status="pending"]').getByText('Pendiente de verificación').waitFor();
    await page.locator('[data-checkout-bike]').fill(bikeB.code);
    await page.getByRole('button', { name: 'Confirmar préstamo' }).click();
    await checkOutMessage(page).getByText('El usuario no ha verificado su documento').waitFor();
    await page.getByRole('button', { name: 'Verificar documento' }).click();
    await page.locator('[data-rider-status="active"]').waitFor();
    await page.locator('[data-checkout-bike]').fill(bikeB.code);
    await page.getByRole('button', { name: 'Confirmar préstamo' }).click();
    await checkOutMessage(page).getByText(`Préstamo registrado: bicicleta ${bikeB.code}`).waitFor();
    await expect(loansOf(pending.id)).resolves.toHaveLength(1);
  });

  it('creates exactly one loan on a double click, and on a retry after a lost answer', async () => {
    const station = await h.make.station({ name: 'Parque Doble Clic' });
    const [bike1, bike2] = [await h.make.bike({ stationId: station.id }), await h.make.bike({ stationId: station.id })];
    const [rider1, rider2] = [await h.make.rider(), await h.make.rider()];
    const page = await operatorAt(station);
    const keys: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/v1/loans'))
        keys.push(r.headers()['idempotency-key'] ?? '(none)');
    });

    await lookUp(page, rider1);
    await page.locator('[data-checkout-bike]').fill(bike1.code);
    await page.getByRole('button', { name: 'Confirmar préstamo' }).dblclick();
    await checkOutMessage(page).getByText(`Préstamo registrado: bicicleta ${bike1.code}`).waitFor();
    await new Promise((r) => setTimeout(r, 500));
    await expect(loansOf(rider1.id)).resolves.toHaveLength(1);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);

    // The server commits the loan but the answer never reaches the tablet (flaky network): the
    // operator presses confirm again and the same Idempotency-Key brings the first answer back.
    let lost = false;
    await page.route('**/api/v1/loans', async (route) => {
      if (route.request().method() !== 'POST' || lost) return route.continue();
      lost = true;
      await route.fetch(); // reaches the API, which creates the loan
      await route.abort('connectionreset');
    });
    keys.length = 0;
    await lookUp(page, rider2);
    await page.locator('[data-checkout-bike]').fill(bike2.code);
    await page.getByRole('button', { name: 'Confirmar préstamo' }).click();
    await checkOutMessage(page).getByText('No hay conexión con el servidor').waitFor();
    await expect(loansOf(rider2.id)).resolves.toHaveLength(1);
    await page.getByRole('button', { name: 'Confirmar préstamo' }).click();
    await checkOutMessage(page).getByText(`Préstamo registrado: bicicleta ${bike2.code}`).waitFor();
    await expect(loansOf(rider2.id)).resolves.toHaveLength(1);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it('returns and renews in one step each, and lists the open loans that started here', async () => {
    const station = await h.make.station({ name: 'Parque Devoluciones' });
    const [bike1, bike2] = [await h.make.bike({ stationId: station.id }), await h.make.bike({ stationId: station.id })];
    const [rider1, rider2] = [await h.make.rider({ firstName: 'Rita', lastName: 'Renueva' }), await h.make.rider()];
    const { api: roaming } = await h.signedIn('operator', { allStations: true });
    const loan1 = (
      await roaming.post('/api/v1/loans', { bikeCode: bike1.code, riderId: rider1.id, stationId: station.id })
    ).body as { id: string };
    await roaming.post('/api/v1/loans', { bikeCode: bike2.code, riderId: rider2.id, stationId: station.id });

    const page = await operatorAt(station);
    const row = page.locator(`[data-open-loans] tr[data-loan-id="${loan1.id}"]`);
    await row.getByText('Rita Renueva').waitFor();
    await row.getByRole('button', { name: `Renovar el préstamo de la bicicleta ${bike1.code}` }).click();
    await page.getByText(`Préstamo de la bicicleta ${bike1.code} renovado hasta`).waitFor();
    const renewed = await h.ds.query<Array<{ state: string; end_reason: string }>>(
      'SELECT state, end_reason FROM loans WHERE id = $1',
      [loan1.id],
    );
    expect(renewed[0].state).not.toBe('open');
    await expect(loansOf(rider1.id)).resolves.toEqual(
      expect.arrayContaining([expect.objectContaining({ state: 'open' })]),
    );

    await page.locator('[data-return-bike]').fill(bike2.code);
    await page.getByRole('button', { name: 'Confirmar devolución' }).click();
    await page.getByText(`Bicicleta ${bike2.code} recibida.`).waitFor();
    const open = await loansOf(rider2.id);
    expect(open.map((l) => l.state)).not.toContain('open');
  });

  it('lets an operator verify, report damage and move a bike between stations', async () => {
    const station = await h.make.station({ name: 'Parque Taller' });
    const other = await h.make.station({ name: 'Parque Destino' });
    const [bike1, bike2] = [await h.make.bike({ stationId: station.id }), await h.make.bike({ stationId: station.id })];
    const staff = await h.make.staff('operator', { allStations: true });
    const { page } = await open();
    await signIn(page, staff.email, TEST_PASSWORD);
    await page.getByLabel('Estación en la que trabaja').selectOption({ label: 'Parque Taller' });
    await page.getByRole('heading', { level: 1, name: 'Estación: Parque Taller' }).waitFor();

    const row = page.locator(`[data-bikes-here] tr[data-bike-code="${bike1.code}"]`);
    await row.getByRole('button', { name: `Reportar daño de la bicicleta ${bike1.code}` }).click();
    await page.getByRole('textbox', { name: 'Qué está dañado' }).fill('Freno trasero suelto');
    await page.getByRole('button', { name: 'Enviar reporte' }).click();
    await page.getByText(`Bicicleta ${bike1.code} reportada en mantenimiento.`).waitFor();
    await page.locator(`[data-bikes-here] tr[data-bike-code="${bike1.code}"]`).getByText('En mantenimiento').waitFor();
    // The worker's relay turns the report into a live alert on this screen.
    await page
      .locator('[data-alerts] [data-alert-kind="bike_damaged"]')
      .getByText('Freno trasero suelto')
      .waitFor({ timeout: 10_000 });

    await page
      .locator(`[data-bikes-here] tr[data-bike-code="${bike2.code}"]`)
      .getByRole('button', { name: `Recoger la bicicleta ${bike2.code} para trasladarla` })
      .click();
    await page.getByText(`Bicicleta ${bike2.code} en tránsito desde Parque Taller.`).waitFor();
    await page.getByLabel('Estación en la que trabaja').selectOption({ label: 'Parque Destino' });
    await page.getByRole('heading', { level: 1, name: 'Estación: Parque Destino' }).waitFor();
    await page.getByRole('button', { name: `Entregar aquí la bicicleta ${bike2.code}` }).click();
    await page.getByText(`Bicicleta ${bike2.code} entregada en Parque Destino.`).waitFor();
    const [moved] = await h.ds.query<Array<{ state: string; station_id: string }>>(
      'SELECT state, station_id FROM bikes WHERE id = $1',
      [bike2.id],
    );
    expect(moved).toEqual({ state: 'available', station_id: other.id });
  });

  it('fits the station lists on a 1280×800 tablet: no action button is cut off', async () => {
    const station = await h.make.station({ name: 'Parque Tableta' });
    const [bike1, bike2, bike3] = [
      await h.make.bike({ stationId: station.id }),
      await h.make.bike({ stationId: station.id }),
      await h.make.bike({ stationId: station.id }),
    ];
    const rider = await h.make.rider();
    const { api: roaming } = await h.signedIn('operator', { allStations: true });
    expect((await roaming.post(`/api/v1/bikes/${bike2.id}/damage`, { note: 'Cadena rota' })).status).toBe(200);
    expect(
      (await roaming.post('/api/v1/loans', { bikeCode: bike3.code, riderId: rider.id, stationId: station.id })).status,
    ).toBe(201);
    const staff = await h.make.staff('operator', { homeStationId: station.id });
    const { page } = await open({ width: 1280, height: 800 });
    await signIn(page, staff.email, TEST_PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Estación: Parque Tableta' }).waitFor();

    for (const name of [
      `Reportar daño de la bicicleta ${bike1.code}`,
      `Recoger la bicicleta ${bike1.code} para trasladarla`,
      `Marcar reparada la bicicleta ${bike2.code}`,
      `Renovar el préstamo de la bicicleta ${bike3.code}`,
    ]) {
      // Measured in one go in the page, and again while the button has no box: the lists are
      // re-rendered when the station's realtime events arrive, and a button measured between its
      // lookup and the re-render is a detached one (all zeros), not a cut-off one.
      const measured = await page.waitForFunction(
        (label) => {
          const el = [...document.querySelectorAll('button[aria-label]')].find(
            (b) => b.getAttribute('aria-label') === label,
          );
          const wrap = el?.closest('.table-wrap');
          if (!el || !wrap) return null;
          el.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' });
          const b = el.getBoundingClientRect();
          if (b.width === 0 || b.height === 0) return null;
          const w = wrap.getBoundingClientRect();
          return {
            visible: true,
            insideItsTable: b.left >= w.left - 0.5 && b.right <= w.right + 0.5,
            insideTheViewport:
              b.left >= 0 && b.right <= window.innerWidth && b.top >= 0 && b.bottom <= window.innerHeight,
            tableScrollsSideways: wrap.scrollWidth > wrap.clientWidth,
            pageScrollsSideways: document.documentElement.scrollWidth > window.innerWidth,
          };
        },
        name,
        { timeout: 5000 },
      );
      const fit = (await measured.jsonValue())!;
      expect({ name, ...fit }).toEqual({
        name,
        visible: true,
        insideItsTable: true,
        insideTheViewport: true,
        tableScrollsSideways: false,
        pageScrollsSideways: false,
      });
    }
  });

  it('can be used with the keyboard alone: sign in, then a check-out with a helmet', async () => {
    const station = await h.make.station({ name: 'Parque Teclado', helmetsAvailable: 3 });
    const bike = await h.make.bike({ stationId: station.id });
    const rider = await h.make.rider();
    const staff = await h.make.staff('operator', { homeStationId: station.id });
    const { page } = await open();
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement | null;
        return el ? `${el.tagName.toLowerCase()}:${el.getAttribute('name') ?? el.textContent?.trim() ?? ''}` : '';
      });

    await page.goto('/');
    // From the top of the page: the skip link comes first, then the navigation.
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('a:Saltar al contenido');
    await page.goto('/#/ingresar');
    await expect(focused()).resolves.toBe('input:email');
    await page.keyboard.type(staff.email);
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('input:password');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Estación: Parque Teclado' }).waitFor();

    // The document number has the focus; Enter looks the rider up and moves on to the bike code.
    await expect(focused()).resolves.toBe('input:documentNumber');
    await page.keyboard.type(rider.documentNumber);
    await page.keyboard.press('Enter');
    await page.locator('[data-rider-status="active"]').waitFor();
    await expect(focused()).resolves.toBe('input:bikeCode');
    await page.keyboard.type(bike.code.toLowerCase());
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('input:helmet');
    await page.keyboard.press('ArrowRight'); // "Sí"
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('button:Confirmar préstamo');
    await page.keyboard.press('Enter');
    await checkOutMessage(page).getByText(`Préstamo registrado: bicicleta ${bike.code}`).waitFor();
    await expect(loansOf(rider.id)).resolves.toEqual([expect.objectContaining({ state: 'open', helmet: true })]);
    // Ready for the next rider.
    await expect(focused()).resolves.toBe('input:documentNumber');
  });

  it('registers a citizen with consent, asking for a guardian only for minors', async () => {
    const { page } = await open({ width: 390, height: 844 });
    await page.goto('/#/registro');
    await page.getByRole('heading', { level: 1, name: 'Registro de usuarios' }).waitFor();
    await expect(page.locator('[data-terms-version]').textContent()).resolves.toContain('2019-10');
    const number = String(1_200_000_000 + Math.floor(Math.random() * 1e6));
    await page.getByRole('textbox', { name: 'Número de documento', exact: true }).fill(number);
    await page.getByLabel('Nombres').fill('Yusmary');
    await page.getByLabel('Apellidos').fill('Pérez');
    await page.locator('input[name="birthDate"]').fill('2009-01-15');
    await page.locator('[data-guardian]').waitFor();
    await page.getByLabel('Género').selectOption('female');
    await page.getByLabel('Teléfono celular').fill('3157778899');
    await page.getByRole('button', { name: 'Registrarme' }).click();
    // Without the consent nothing is sent.
    await page.getByText('Debe aceptar la autorización de tratamiento de datos para registrarse.').waitFor();
    await page.getByLabel(/Autorizo, de forma previa/).check();
    await page.getByRole('button', { name: 'Registrarme' }).click();
    await page.getByText('Este campo es obligatorio.').first().waitFor();
    await page.getByLabel('Nombre completo del acudiente').fill('Carmen Pérez');
    await page.getByLabel('Número de documento del acudiente').fill('63123456');
    // The guardian declares an adult birth date; the optional purposes are opt-in (issue 11).
    await page.getByLabel('Fecha de nacimiento del acudiente (debe ser mayor de edad)').fill('1980-06-01');
    await page.getByLabel(/Investigación: compartir mis viajes/).check();
    await page.getByRole('button', { name: 'Registrarme' }).click();
    await page.getByText('Registro recibido.').waitFor();
    const [row] = await h.ds.query<Array<Record<string, string>>>(
      'SELECT status, guardian_name, consent_terms_version FROM riders WHERE document_number = $1',
      [number],
    );
    expect(row).toEqual({ status: 'pending', guardian_name: 'Carmen Pérez', consent_terms_version: '2019-10' });
    const [consent] = await h.ds.query<Array<{ purposes: string[] }>>(
      `SELECT c.purposes FROM rider_consents c JOIN riders r ON r.id = c.rider_id
        WHERE r.document_number = $1 AND c.granted_by = 'guardian'`,
      [number],
    );
    expect(consent.purposes).toEqual(['service', 'research']);

    // The same document again: the same answer as a new registration (nobody can learn from the
    // form whether a document is registered: issue 10), and still one rider with the first data.
    await page.getByRole('textbox', { name: 'Número de documento', exact: true }).fill(number);
    await page.getByLabel('Nombres').fill('Otra');
    await page.getByLabel('Apellidos').fill('Vez');
    await page.locator('input[name="birthDate"]').fill('1990-03-01');
    await page.getByLabel('Género').selectOption('undisclosed');
    await page.getByLabel('Teléfono celular').fill('3001112233');
    await page.getByLabel(/Autorizo, de forma previa/).check();
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/riders') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Registrarme' }).click();
    expect((await answer).status()).toBe(201);
    await page.getByText('Registro recibido.').waitFor();
    const riders = await h.ds.query<Array<{ first_name: string }>>(
      'SELECT first_name FROM riders WHERE document_number = $1',
      [number],
    );
    expect(riders).toHaveLength(1);
    expect(riders[0].first_name).not.toBe('Otra');
  });
});
