// Bikes and trips per donor (the companies that gave the fleet).
import { t } from '../../i18n/index.js';
import { dataTable, h, tableWrap } from '../../lib/dom.js';
import { formatDecimal, formatInt } from '../../lib/format.js';

const COLUMNS = ['planner.colDonor', 'planner.colBikes', 'planner.colTrips', 'planner.colTripsPerBike'];

export function donorsTable(rows) {
  const body = rows.map((r) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, r.name ?? r.code),
      h('td', {}, formatInt(r.bikesInService ?? r.bikes)),
      h('td', {}, formatInt(r.trips)),
      h('td', {}, r.tripsPerBikePerDay == null ? '—' : formatDecimal(r.tripsPerBikePerDay)),
    ),
  );
  return tableWrap(
    t('planner.donorsTitle'),
    dataTable(
      COLUMNS.map((key) => t(key)),
      body,
    ),
  );
}
