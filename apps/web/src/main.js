// The app shell: navigation by role, session, and a hash router (`#/…`), so any path of the page
// works as a static file and the API needs no route per page.
import { t } from './i18n/index.js';
import { errorMessage, keepSessionFresh, logout } from './lib/api.js';
import { h, replace } from './lib/dom.js';
import { registerServiceWorker } from './lib/pwa.js';
import { homeFor, session } from './lib/session.js';
import { renderCitizen } from './pages/citizen.js';
import { renderHowTo } from './pages/how-to.js';
import { renderRegister } from './pages/register.js';
import { renderLogin } from './pages/login.js';
import { renderOperator } from './pages/operator.js';
import { renderPlanner } from './pages/planner.js';
import { renderAdmin } from './pages/admin.js';
import { renderCorrections } from './pages/corrections.js';
import { renderReceipt } from './pages/receipt.js';
import { renderStationReport } from './pages/station-report.js';

/** path → page; `roles` set means sign-in required with one of them. */
const ROUTES = [
  { path: '/', render: renderCitizen, title: () => t('citizen.title') },
  { path: '/como-usar', render: renderHowTo, title: () => t('howTo.title') },
  { path: '/registro', render: renderRegister, title: () => t('register.title') },
  { path: '/ingresar', render: renderLogin, title: () => t('login.title') },
  // The rider's receipt (public, from the QR code at check-out): /recibo/<token>.
  { path: '/recibo', render: renderReceipt, prefix: true, title: () => t('receipt.title') },
  { path: '/estacion', render: renderOperator, roles: ['operator', 'admin'], title: () => t('operator.title') },
  {
    path: '/correcciones',
    render: renderCorrections,
    roles: ['operator', 'admin'],
    title: () => t('corrections.title'),
  },
  {
    path: '/informe',
    render: renderStationReport,
    roles: ['operator', 'admin'],
    title: () => t('stationReport.title'),
  },
  { path: '/planeacion', render: renderPlanner, roles: ['planner', 'admin'], title: () => t('planner.title') },
  { path: '/admin', render: renderAdmin, roles: ['admin'], prefix: true, title: () => t('admin.title') },
];

/** Deep links without the hash (e.g. /staff) that the API answers with this page. */
const PATH_ALIASES = {
  '/staff': '/ingresar',
  '/ingresar': '/ingresar',
  '/personal': '/ingresar',
  '/registro': '/registro',
  '/como-usar': '/como-usar',
};

const main = document.getElementById('contenido');
const nav = document.getElementById('site-nav');
const sessionBox = document.getElementById('session');
let cleanup = null;
let flash = null;
let renderCount = 0;

function currentPath() {
  const hash = location.hash;
  if (!hash || hash === '#' || hash === '#/') return '/';
  return hash.startsWith('#/') ? decodeURI(hash.slice(1)).split('?')[0] : null;
}

function findRoute(path) {
  return ROUTES.find((r) => r.path === path || (r.prefix && path.startsWith(`${r.path}/`)));
}

/** Shows a one-time message on the next page (e.g. "session expired" on the login page). */
export function navigate(hash, message) {
  flash = message ?? null;
  if (location.hash === hash) void render();
  else location.hash = hash;
}

export function takeFlash() {
  const m = flash;
  flash = null;
  return m;
}

function renderNav(path) {
  const links = [
    ['#/', t('nav.stations'), '/'],
    ['#/como-usar', t('nav.howTo'), '/como-usar'],
    ['#/registro', t('nav.register'), '/registro'],
  ];
  if (session.hasRole('operator', 'admin')) links.push(['#/estacion', t('nav.operator'), '/estacion']);
  if (session.hasRole('operator', 'admin')) links.push(['#/correcciones', t('corrections.nav'), '/correcciones']);
  if (session.hasRole('planner', 'admin')) links.push(['#/planeacion', t('nav.planner'), '/planeacion']);
  if (session.hasRole('admin')) links.push(['#/admin', t('nav.admin'), '/admin']);
  if (!session.signedIn) links.push(['#/ingresar', t('nav.login'), '/ingresar']);
  replace(
    nav,
    h(
      'ul',
      {},
      links.map(([href, text, p]) => {
        const current = p === '/' ? path === '/' : path === p || path.startsWith(`${p}/`);
        return h('li', {}, h('a', { href, 'aria-current': current ? 'page' : undefined }, text));
      }),
    ),
  );
  const actor = session.actor;
  if (actor) {
    replace(
      sessionBox,
      h('span', { class: 'session__who' }, t('nav.signedInAs', { email: actor.email, role: t(`roles.${actor.role}`) })),
      h('button', { type: 'button', class: 'btn btn--ghost', onclick: () => logout() }, t('nav.logout')),
    );
  } else {
    replace(sessionBox);
  }
}

function renderFooter() {
  replace(
    document.getElementById('site-footer'),
    h(
      'div',
      { class: 'site-footer__inner' },
      h('p', {}, t('app.footerDemo')),
      h(
        'p',
        {},
        h('a', { href: '/gbfs/gbfs.json' }, t('app.footerGbfs')),
        ' · ',
        h('a', { href: '/api/docs' }, t('app.footerApi')),
        ' · ',
        h('a', { href: '#/como-usar' }, t('app.footerPrivacy')),
      ),
    ),
  );
}

async function render() {
  const path = currentPath();
  if (path === null) return; // an in-page anchor, not a route
  const mine = ++renderCount;
  if (cleanup) {
    try {
      cleanup();
    } catch (e) {
      console.error(e);
    }
    cleanup = null;
  }
  renderNav(path);
  const route = findRoute(path);
  const view = h('div', { class: 'view' });
  replace(main, view);
  if (!route) {
    document.title = `${t('app.notFoundTitle')} · Metrobici`;
    view.append(
      h('h1', { tabindex: '-1' }, t('app.notFoundTitle')),
      h('p', {}, t('app.notFoundBody', { path })),
      h('p', {}, h('a', { href: '#/' }, t('app.backHome'))),
    );
    focusHeading(view);
    return;
  }
  if (route.roles && !session.signedIn) {
    navigate('#/ingresar', null);
    sessionStorage.setItem('metrobici.after-login', `#${path}`);
    return;
  }
  if (route.roles && !session.hasRole(...route.roles)) {
    navigate(homeFor(session.actor.role), t('login.forbidden'));
    return;
  }
  document.title = `${route.title()} · Metrobici`;
  const before = document.activeElement;
  try {
    const dispose = (await route.render(view, { path, navigate, flash: takeFlash() })) ?? null;
    // Another navigation happened while this page was loading: it is already gone.
    if (mine !== renderCount) {
      dispose?.();
      return;
    }
    cleanup = dispose;
  } catch (e) {
    console.error(e);
    // e.g. the service rules could not be read: the error's Spanish message, not a stack trace.
    view.append(h('p', { class: 'message message--error', role: 'alert' }, errorMessage(e)));
  }
  // After a navigation, move focus to the new page's heading (screen readers announce it) unless
  // the page put it somewhere on purpose. The first page load keeps the browser's default.
  if (mine > 1 && (document.activeElement === before || document.activeElement === document.body)) focusHeading(view);
}

function focusHeading(view) {
  const heading = view.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

session.onChange((reason) => {
  if (reason === 'expired') {
    // Back to the same page after signing in again.
    if (location.hash && location.hash !== '#/ingresar') sessionStorage.setItem('metrobici.after-login', location.hash);
    navigate('#/ingresar', t('login.expired'));
  } else if (reason === 'logout') navigate('#/', null);
  else if (reason === 'renewed') keepSessionFresh();
  else {
    keepSessionFresh();
    renderNav(currentPath() ?? '/');
  }
});

// Skip link: focus the content without turning "#contenido" into a route.
document.querySelector('[data-skip-link]')?.addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', () => void render());

function boot() {
  const alias = PATH_ALIASES[location.pathname.replace(/\/+$/, '')];
  if (location.pathname !== '/' && location.pathname !== '/index.html') {
    // Served as the fallback page for a deep link: move to the hash route (or say "not found").
    history.replaceState(null, '', `/#${alias ?? location.pathname}`);
  }
  renderFooter();
  void render();
  void registerServiceWorker();
  keepSessionFresh(); // a reload during the shift keeps renewing the token
}

boot();
