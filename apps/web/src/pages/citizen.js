// Citizens' home: the stations on a map and as a list, live.
import { t } from '../i18n/index.js';
import { errorMessage } from '../lib/api.js';
import { h, messageArea, replace } from '../lib/dom.js';
import { formatAgo } from '../lib/format.js';
import { connectAvailability, StationStore } from '../lib/live.js';
import { createStationsMap } from '../lib/map.js';

export function renderCitizen(view) {
  const store = new StationStore();
  const status = h('p', { class: 'live-status', role: 'status', 'data-live-status': '' }, t('live.connecting'));
  const announcer = h('div', {
    class: 'visually-hidden',
    'aria-live': 'polite',
    'aria-atomic': 'true',
    'data-announcer': '',
  });
  const summary = h('p', { class: 'summary', 'data-summary': '' });
  const mapNotice = messageArea();
  mapNotice.clear();
  const mapEl = h('div', { class: 'map', id: 'stations-map', role: 'region', 'aria-label': t('citizen.mapLabel') });
  const list = h('ul', { class: 'station-list', 'aria-label': t('citizen.listTitle'), 'data-station-list': '' });
  const loadError = messageArea({ assertive: true });
  loadError.clear();

  view.append(
    h('h1', {}, t('citizen.title')),
    h('p', { class: 'lead' }, t('citizen.intro')),
    status,
    summary,
    loadError.el,
    h(
      'div',
      { class: 'citizen-layout' },
      h('div', { class: 'citizen-layout__map' }, mapEl, mapNotice.el),
      h(
        'section',
        { class: 'citizen-layout__list', 'aria-labelledby': 'station-list-title' },
        h('h2', { id: 'station-list-title' }, t('citizen.listTitle')),
        list,
      ),
    ),
    h('p', { class: 'cta' }, t('citizen.ctaRegister'), ' ', h('a', { href: '#/registro' }, t('nav.register'))),
    announcer,
  );

  const map = createStationsMap(mapEl, { onNotice: (text) => mapNotice.set(text, 'info') });
  if (!map) mapEl.hidden = true;
  const items = new Map();

  function sorted() {
    return store.list.sort((a, b) => a.name.localeCompare(b.name, 'es'));
  }

  function buildItem(s) {
    const li = h('li', { class: 'station', 'data-station-id': s.id });
    fillItem(li, s);
    return li;
  }

  function fillItem(li, s) {
    const level = !s.isOpen ? 'closed' : s.bikesAvailable === 0 ? 'empty' : s.spacesAvailable === 0 ? 'full' : 'ok';
    li.className = `station station--${level}`;
    replace(
      li,
      h('h3', { class: 'station__name' }, s.name),
      h('p', { class: 'station__address' }, s.address),
      h(
        'dl',
        { class: 'station__counts' },
        h('div', {}, h('dt', {}, t('citizen.bikes')), h('dd', { 'data-field': 'bikes' }, String(s.bikesAvailable))),
        h('div', {}, h('dt', {}, t('citizen.spaces')), h('dd', { 'data-field': 'spaces' }, String(s.spacesAvailable))),
      ),
      h(
        'p',
        { class: 'station__meta' },
        h(
          'span',
          { class: `badge badge--${s.isOpen ? 'open' : 'closed'}`, 'data-field': 'open' },
          s.isOpen ? t('citizen.open') : t('citizen.closed'),
        ),
        ' ',
        h(
          'time',
          { 'data-field': 'updated', datetime: s.updatedAt },
          t('time.updated', { ago: formatAgo(s.updatedAt) }),
        ),
      ),
    );
  }

  function renderSummary() {
    const stations = store.list;
    const bikes = stations.reduce((n, s) => n + s.bikesAvailable, 0);
    const open = stations.filter((s) => s.isOpen).length;
    summary.textContent = stations.length ? t('citizen.summary', { stations: stations.length, bikes, open }) : '';
  }

  function renderAll() {
    const stations = sorted();
    items.clear();
    if (stations.length === 0) {
      replace(list, h('li', { class: 'empty' }, t('citizen.empty')));
    } else {
      replace(
        list,
        stations.map((s) => {
          const li = buildItem(s);
          items.set(s.id, li);
          return li;
        }),
      );
    }
    renderSummary();
    map?.update(stations);
  }

  let announceTimer = null;
  const pending = new Map();
  function announce(s) {
    pending.set(s.id, s);
    clearTimeout(announceTimer);
    // One message per burst of changes, so a screen reader is not flooded.
    announceTimer = setTimeout(() => {
      announcer.textContent = [...pending.values()]
        .map((x) => t('live.stationChanged', { name: x.name, bikes: x.bikesAvailable, spaces: x.spacesAvailable }))
        .join(' ');
      pending.clear();
    }, 800);
  }

  const unsubscribe = store.subscribe((change) => {
    loadError.clear();
    if (change.type === 'list') return renderAll();
    const li = items.get(change.station.id);
    if (!li) return renderAll();
    fillItem(li, change.station);
    li.classList.add('station--changed');
    setTimeout(() => li.classList.remove('station--changed'), 1500);
    renderSummary();
    map?.update(sorted());
    announce(change.station);
  });

  const connection = connectAvailability(store, {
    onStatus(state) {
      status.dataset.state = state;
      status.textContent = t(`live.${state}`);
    },
  });
  void connection.ready.then((error) => {
    if (store.list.length > 0) return;
    if (error) loadError.set(t('citizen.loadFailed', { reason: errorMessage(error) }), 'error');
    else renderAll();
  });

  // "Actualizado hace N s" ticks without touching anything else (not announced).
  const ticker = setInterval(() => {
    for (const [id, li] of items) {
      const s = store.get(id);
      const el = li.querySelector('[data-field="updated"]');
      if (s && el) el.textContent = t('time.updated', { ago: formatAgo(s.updatedAt) });
    }
  }, 1000);

  return () => {
    clearInterval(ticker);
    clearTimeout(announceTimer);
    unsubscribe();
    connection.close();
    map?.destroy();
  };
}
