// The page heading (names the station) and, for staff of several stations, the picker.
import { t } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import { field, h, replace } from '../../lib/dom.js';
import { STATION_KEY } from './context.js';

const byKindThenName = (a, b) =>
  a.kind === b.kind ? a.name.localeCompare(b.name, 'es') : a.kind === 'station' ? -1 : 1;

const LAST_KNOWN = 'metrobici.stations';

/** The stations; without network, the last list this tablet read (so it can still queue work). */
async function stationsOrLastKnown() {
  try {
    const stations = await api.get('/api/v1/stations/all');
    localStorage.setItem(LAST_KNOWN, JSON.stringify(stations));
    return stations;
  } catch (error) {
    const last = error?.code === 'NETWORK_ERROR' ? localStorage.getItem(LAST_KNOWN) : null;
    if (last) return JSON.parse(last);
    throw error;
  }
}

export function stationPicker(ctx) {
  const heading = h('h1', {}, t('operator.title'));
  const el = h('div', { class: 'station-picker' });

  function render(allowed) {
    if (allowed.length <= 1) {
      replace(el); // the heading already names the one station
      return;
    }
    const select = field({
      label: t('operator.stationPicker'),
      name: 'station',
      type: 'select',
      options: allowed.map((s) => [s.id, s.kind === 'depot' ? `${s.name} ${t('operator.depot')}` : s.name]),
      value: ctx.stationId,
      attrs: { 'data-station-picker': '' },
    });
    select.input.addEventListener('change', () => {
      sessionStorage.setItem(STATION_KEY, select.input.value);
      ctx.setStation(select.input.value);
    });
    replace(el, select.wrap);
  }

  /** The stations this operator may work at; the first station to show (or null when none). */
  async function load() {
    ctx.stations = await stationsOrLastKnown();
    const allowed = ctx.stations
      .filter((s) => ctx.actor.stationIds === null || ctx.actor.stationIds.includes(s.id))
      .sort(byKindThenName);
    if (allowed.length === 0) return null;
    const saved = sessionStorage.getItem(STATION_KEY);
    ctx.stationId = allowed.some((s) => s.id === saved) ? saved : allowed[0].id;
    render(allowed);
    return ctx.stationId;
  }

  ctx.onStationChanged((id) => {
    heading.textContent = `${t('operator.title')}: ${ctx.stationName(id)}`;
  });
  return { heading, el, load };
}
