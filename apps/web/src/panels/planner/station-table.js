// Per-station departures and arrivals, and how long each was empty or full.
import { t } from '../../i18n/index.js';
import { dataTable, h, tableWrap } from '../../lib/dom.js';
import { formatDuration, formatInt, formatShare } from '../../lib/format.js';

const COLUMNS = [
  'planner.colStation',
  'planner.colDepartures',
  'planner.colArrivals',
  'planner.colEmpty',
  'planner.colFull',
  'planner.colLongestEmpty',
  'planner.colLongestFull',
];

const minutes = (m) => (Number.isFinite(Number(m)) ? formatDuration(Number(m) * 60) : '—');
const shareAndTime = (share, m) => (share == null ? '—' : `${formatShare(share)} (${minutes(m)})`);

/** `rows`: GET /stats/stations; `name(id)`: a station's name. Busiest first. */
export function stationTable(rows, name) {
  const sorted = [...rows].sort((a, b) => (b.departures ?? 0) - (a.departures ?? 0));
  const body = sorted.map((r) =>
    h(
      'tr',
      { 'data-station-id': r.stationId },
      h('th', { scope: 'row' }, r.name ?? name(r.stationId)),
      h('td', {}, formatInt(r.departures)),
      h('td', {}, formatInt(r.arrivals)),
      h('td', {}, shareAndTime(r.emptyShare, r.emptyMinutes)),
      h('td', {}, shareAndTime(r.fullShare, r.fullMinutes)),
      h('td', {}, minutes(r.longestEmptySpellMinutes)),
      h('td', {}, minutes(r.longestFullSpellMinutes)),
    ),
  );
  return tableWrap(
    t('planner.stationsTitle'),
    dataTable(
      COLUMNS.map((key) => t(key)),
      body,
    ),
  );
}
