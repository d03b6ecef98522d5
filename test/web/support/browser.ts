import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Chromium, or fails with the fix: the browser suites are part of `npm test` and
 * must not pass by skipping on a machine without a browser.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}, so the browser tests cannot run. ` +
        "Install Debian's package (as root: apt-get update && apt-get install -y chromium) or point CHROMIUM_PATH at a Chromium binary.",
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}

export interface PageProblems {
  /** Console errors, uncaught exceptions and CSP violations seen by the page. */
  errors: string[];
}

/**
 * A fresh browser context (its own cookies and sessionStorage, like another device) for the app at
 * `baseURL`, in Bogotá time and Spanish. Requests that leave the machine (OpenStreetMap tiles) are
 * refused at once, as on a machine without internet, so the map's fallback is what is tested.
 */
export async function openApp(
  browser: Browser,
  baseURL: string,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({
    baseURL,
    locale: 'es-CO',
    timezoneId: 'America/Bogota',
    viewport: options.viewport ?? { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  await context.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => route.abort('internetdisconnected'));
  const page = await context.newPage();
  const problems: PageProblems = { errors: [] };
  page.on('pageerror', (e) => problems.errors.push(`pageerror: ${e.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    // The refused tile requests, a connection a test cuts on purpose and an expected 4xx answer
    // are not app errors.
    if (
      /tile\.openstreetmap\.org|ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET|Failed to load resource: the server responded with a status of 4\d\d/.test(
        text,
      )
    )
      return;
    problems.errors.push(`console: ${text}`);
  });
  return { context, page, problems };
}

/** Signs in through the login form, as a person would. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/#/ingresar');
  await page.getByLabel('Correo electrónico').fill(email);
  await page.getByLabel('Contraseña').fill(password);
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await page.waitForFunction(
    () => sessionStorage.getItem('metrobici.token') !== null && location.hash !== '#/ingresar',
  );
}
