// Administration: stations (capacity, helmets, open/close, new), fleet (register, retire, CSV
// import through the API), staff accounts, closing the pilot, and privacy (riders' rights, research
// package approvals, the audit of personal-data reads). Each section is a panel module
// (panels/admin/); this page is the sub-navigation.
import { t } from '../i18n/index.js';
import { h } from '../lib/dom.js';
import { renderFleet } from '../panels/admin/fleet.js';
import { renderPilot } from '../panels/admin/pilot.js';
import { renderPrivacy } from '../panels/admin/privacy.js';
import { renderSessions } from '../panels/admin/sessions.js';
import { renderStaff } from '../panels/admin/staff.js';
import { renderStations } from '../panels/admin/stations.js';

const SECTIONS = [
  ['estaciones', 'admin.stations', renderStations],
  ['flota', 'admin.fleet', renderFleet],
  ['personal', 'admin.staff', renderStaff],
  ['piloto', 'admin.pilot', renderPilot],
  ['sesiones', 'sessions.nav', renderSessions],
  ['privacidad', 'admin.privacy', renderPrivacy],
];

export function renderAdmin(view, { path }) {
  const sub = path.split('/')[2] || 'estaciones';
  const section = SECTIONS.find(([slug]) => slug === sub) ?? SECTIONS[0];
  view.append(
    h('h1', {}, t('admin.title')),
    h(
      'nav',
      { class: 'subnav', 'aria-label': t('admin.sectionsLabel') },
      h(
        'ul',
        {},
        SECTIONS.map(([slug, key]) =>
          h(
            'li',
            {},
            h('a', { href: `#/admin/${slug}`, 'aria-current': slug === section[0] ? 'page' : undefined }, t(key)),
          ),
        ),
      ),
    ),
  );
  const body = h('div', { class: 'admin-body' });
  view.append(body);
  return section[2](body);
}
