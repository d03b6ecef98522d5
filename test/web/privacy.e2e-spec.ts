import type { Browser, Page } from 'playwright-core';
import { startApi, type ApiHarness } from '../support/api-harness';
import { TEST_PASSWORD } from '../support/factories';
import { launchChromium, openApp, signIn, type PageProblems } from './support/browser';

/** The admin privacy screen in headless Chromium: consents, anonymisation, approvals, audit (issue 11). */
describe('web app: privacy administration (browser e2e)', () => {
  let h: ApiHarness;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;

  beforeAll(async () => {
    browser = await launchChromium();
    h = await startApi({ env: { NIGHTLY_EXPORT_CRON: '' } });
    const admin = await h.make.staff('admin');
    ({ page, problems } = await openApp(browser, h.url));
    await signIn(page, admin.email, TEST_PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Administración' }).waitFor();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });
  afterEach(() => {
    expect(problems.errors.splice(0)).toEqual([]);
  });

  it('finds a rider by document, withdraws research, and anonymises them with the keyboard', async () => {
    const rider = await h.make.rider({ firstName: 'Leidy', lastName: 'Carvajalino', documentNumber: '1098123987' });
    await page.goto('/#/admin/privacidad');
    await page.getByRole('heading', { name: 'Derechos de un usuario (Ley 1581)' }).waitFor();
    await page.getByLabel('Tipo de documento').selectOption('CC');
    await page.getByLabel('Número de documento').fill('1098123987');
    await page.keyboard.press('Enter');
    await page.getByText('Leidy Carvajalino · CC 1098123987').waitFor();

    await page.getByLabel(/Investigación: compartir mis viajes/).uncheck();
    await page.getByRole('button', { name: 'Guardar autorizaciones' }).click();
    await page.getByText('Autorizaciones registradas.').waitFor();
    const [consent] = await h.ds.query<Array<{ purposes: string[]; recorded_by: string | null }>>(
      'SELECT purposes, recorded_by FROM rider_consents WHERE rider_id = $1 ORDER BY id DESC LIMIT 1',
      [rider.id],
    );
    expect(consent.purposes).toEqual(['service', 'reminders']);
    expect(consent.recorded_by).not.toBeNull();

    await page.getByLabel('Motivo de la anonimización (sin nombrar al usuario)').fill('Solicitud de supresión');
    await page.getByRole('button', { name: 'Anonimizar usuario' }).click();
    await page.getByText('Marque la confirmación para anonimizar.').waitFor();
    await page.getByLabel('Entiendo que los datos personales se borran para siempre.').check();
    await page.getByLabel('Entiendo que los datos personales se borran para siempre.').press('Enter');
    await page.getByText('Usuario anonimizado').waitFor();
    const [row] = await h.ds.query<Array<{ first_name: string; document_number: string; anonymised_at: Date | null }>>(
      'SELECT first_name, document_number, anonymised_at FROM riders WHERE id = $1',
      [rider.id],
    );
    expect(row.first_name).toBe('Anonimizado');
    expect(row.document_number).toMatch(/^ANON-/);
    expect(row.anonymised_at).not.toBeNull();

    // The look-ups above are in the audit log, shown on the same screen.
    await page.getByLabel('Id del usuario (opcional)').fill(rider.id);
    await page.getByRole('button', { name: 'Consultar registro' }).click();
    await page
      .locator('[data-audit] td', { hasText: 'GET /api/v1/riders?documentType&documentNumber' })
      .first()
      .waitFor();
  });

  it('approves a research package a planner asked for', async () => {
    const { api: planner } = await h.signedIn('planner');
    const created = await planner.post('/api/v1/exports', {
      from: '2026-03-02',
      to: '2026-03-03',
      kind: 'research',
      recipient: 'Asesor C40',
      agreementRef: 'ACU-WEB-1',
    });
    expect(created.body.state).toBe('unapproved');
    await page.goto('/#/admin/estaciones');
    await page.goto('/#/admin/privacidad');
    const item = page.locator('[data-approvals] li', { hasText: 'ACU-WEB-1' });
    await item.getByRole('button', { name: 'Aprobar' }).click();
    await page.getByText('Paquete aprobado').waitFor();
    const [e] = await h.ds.query<Array<{ state: string; approved_by: string | null }>>(
      'SELECT state, approved_by FROM exports WHERE id = $1',
      [created.body.id],
    );
    expect(e.state).not.toBe('unapproved');
    expect(e.approved_by).not.toBeNull();
  });
});
