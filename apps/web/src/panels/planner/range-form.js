// The dashboard's filters: date range (Bogotá dates, both included) and station.
import { t } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import { field, h } from '../../lib/dom.js';
import { addDays, bogotaToday } from '../../lib/format.js';
import { feedbackArea } from '../../lib/request.js';

export function rangeForm() {
  const today = bogotaToday();
  const from = field({
    label: t('planner.from'),
    name: 'from',
    type: 'date',
    value: addDays(today, -29),
    attrs: { max: today },
  });
  const to = field({ label: t('planner.to'), name: 'to', type: 'date', value: today, attrs: { max: today } });
  const station = field({
    label: t('planner.station'),
    name: 'stationId',
    type: 'select',
    options: [['', t('planner.allStations')]],
    value: '',
  });
  // Synthetic demo trips stay out of the figures unless asked for here (issue 11).
  const synthetic = h('input', { type: 'checkbox', id: 'planner-synthetic', 'data-synthetic': '' });
  const apply = h('button', { type: 'submit', class: 'btn btn--primary' }, t('planner.apply'));
  const message = feedbackArea();
  const form = h(
    'form',
    { class: 'form form--inline filters', novalidate: true, 'data-range-form': '' },
    from.wrap,
    to.wrap,
    station.wrap,
    h('div', { class: 'check' }, synthetic, h('label', { for: 'planner-synthetic' }, t('planner.synthetic'))),
    h('div', { class: 'field field--button' }, apply),
  );
  let names = new Map();

  /** Fills the station filter; names fall back to ids (and the filter to "all") when this fails. */
  async function loadStations() {
    try {
      const list = await api.get('/api/v1/stations/all');
      const publicOnes = list.filter((s) => s.kind === 'station').sort((a, b) => a.name.localeCompare(b.name, 'es'));
      names = new Map(list.map((s) => [s.id, s.name]));
      for (const s of publicOnes) station.input.append(h('option', { value: s.id }, s.name));
    } catch {
      // Names fall back to ids; the filter offers "all stations" only.
    }
  }

  return {
    form,
    apply,
    message,
    loadStations,
    stationName: (id) => names.get(id) ?? id.slice(0, 8),
    dates: () => ({ from: from.input.value, to: to.input.value }),
    /** Whether the planner asked for the synthetic demo trips too. */
    withSynthetic: () => synthetic.checked,
    range: () => ({
      from: from.input.value,
      to: to.input.value,
      stationId: station.input.value,
      synthetic: synthetic.checked ? 'include' : undefined,
    }),
    /** True when both dates are set and in order. */
    valid: () => Boolean(from.input.value && to.input.value && from.input.value <= to.input.value),
  };
}
