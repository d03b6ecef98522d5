// The summary as KPI cards.
import { t } from '../../i18n/index.js';
import { h } from '../../lib/dom.js';
import { formatDecimal, formatDuration, formatInt, formatShare } from '../../lib/format.js';

/** KPI cards: key in the summary → how to show it. Absent keys are skipped. */
const KPIS = [
  ['trips', formatInt],
  ['riders', formatInt],
  ['averageDurationSeconds', formatDuration],
  ['medianDurationSeconds', formatDuration],
  ['tripsPerBikePerDay', formatDecimal],
  ['womenShare', formatShare],
  ['tripsPer1000Residents', formatDecimal],
  ['helmetShare', formatShare],
  ['overdueRate', formatShare],
  ['metrolineaShare', formatShare],
  ['renewals', formatInt],
  ['suspensions', formatInt],
  ['distanceKm', (v) => t('planner.units.km', { n: formatInt(v) })],
  ['co2AvoidedKg', (v) => t('planner.units.kg', { n: formatInt(v) })],
];

export function kpiCards(summary) {
  const cards = KPIS.filter(([key]) => summary[key] !== undefined).map(([key, fmt]) =>
    h(
      'div',
      { class: 'kpi', 'data-kpi': key },
      h('dt', {}, t(`planner.kpi.${key}`)),
      h('dd', {}, summary[key] === null ? '—' : fmt(summary[key])),
    ),
  );
  return h('dl', { class: 'kpis' }, cards);
}
