// The operator's shift at this station: open it with a count of the bikes and helmets in the rack,
// close it with another count (and a note). A count that differs from the system's is said here
// and raises an alert (server side). The open shift is read from the API (after a reload too).
// Links to the station's printable daily report.
import { t } from '../../i18n/index.js';
import { api, query } from '../../lib/api.js';
import { field, h, panel } from '../../lib/dom.js';
import { formatTime } from '../../lib/format.js';
import { feedbackArea, refuse, send } from '../../lib/request.js';

function countField(name, label) {
  return field({
    label,
    name,
    type: 'number',
    attrs: { min: '0', max: '999', step: '1', inputmode: 'numeric', [`data-${name}`]: '' },
  });
}

/** A whole number ≥ 0 from `f`, or a refusal that focuses it. */
function countOf(f) {
  const raw = f.input.value.trim();
  if (!/^\d{1,3}$/.test(raw)) refuse(t('shifts.needCount'), f.input);
  return Number(raw);
}

const signed = (n) => (n > 0 ? `+${n}` : String(n));

/**
 * What a count said against the system (`shift.opening` / `shift.closing`): `{ text, differs }`.
 */
export function differenceOf(count) {
  if (!count) return { text: '', differs: false };
  const parts = [];
  if (count.bikesDifference) parts.push(t('shifts.bikesDiff', { n: signed(count.bikesDifference) }));
  if (count.helmetsDifference) parts.push(t('shifts.helmetsDiff', { n: signed(count.helmetsDifference) }));
  return parts.length
    ? { text: t('shifts.differs', { parts: parts.join(', ') }), differs: true }
    : { text: t('shifts.matches'), differs: false };
}

export function shiftPanel(ctx) {
  const bikes = countField('shiftBikes', t('shifts.bikesCounted'));
  const helmets = countField('shiftHelmets', t('shifts.helmetsCounted'));
  const note = field({
    label: t('shifts.note'),
    name: 'shiftNote',
    type: 'textarea',
    attrs: { rows: '2', maxlength: '500' },
  });
  const message = feedbackArea({ shiftMessage: '' });
  const state = h('p', { 'data-shift-state': '' });
  const submit = h('button', { type: 'submit', class: 'btn btn--primary', 'data-shift-submit': '' });
  const report = h('a', { class: 'btn btn--ghost', 'data-station-report': '' }, t('shifts.report'));
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'aria-labelledby': 'shift-title' },
    state,
    h('div', { class: 'fieldset--inline' }, bikes.wrap, helmets.wrap),
    note.wrap,
    message.el,
    h('div', { class: 'actions' }, submit, report),
  );

  /** This operator's open shift at the station, as the API last said (null: none). */
  let shift = null;

  function render() {
    note.wrap.hidden = !shift;
    state.dataset.open = String(Boolean(shift));
    state.textContent = shift ? t('shifts.openSince', { time: formatTime(shift.openedAt) }) : t('shifts.none');
    submit.textContent = t(shift ? 'shifts.close' : 'shifts.open');
    report.href = `#/informe?estacion=${encodeURIComponent(ctx.stationId ?? '')}`;
  }

  /** After a reload or a station change: is a shift of mine still open here? */
  async function load() {
    const id = ctx.stationId;
    try {
      const open = await api.get(`/api/v1/stations/${id}/shifts${query({ state: 'open' })}`);
      if (id !== ctx.stationId) return;
      shift = open.find((s) => s.operatorId === ctx.actor?.id) ?? null;
    } catch {
      // Offline or not allowed here: keep what we knew; opening or closing will say why.
    }
    render();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const current = shift;
    void send(submit, {
      message,
      request: () => {
        const counts = { bikesCounted: countOf(bikes), helmetsCounted: countOf(helmets) };
        if (!current) return api.post(`/api/v1/stations/${ctx.stationId}/shifts`, counts);
        const text = note.input.value.trim();
        return api.post(`/api/v1/shifts/${current.id}/close`, { ...counts, ...(text ? { note: text } : {}) });
      },
      success: (answer) => {
        const { text, differs } = differenceOf(current ? answer.closing : answer.opening);
        return {
          text: `${t(current ? 'shifts.closed' : 'shifts.opened')} ${text}`.trim(),
          kind: differs ? 'info' : 'success',
        };
      },
      after: (answer) => {
        shift = answer.state === 'open' ? answer : null;
        form.reset();
        render();
      },
      // Opened or closed meanwhile (another tablet, an admin): read it again.
      onError: (error) => ['SHIFT_ALREADY_OPEN', 'SHIFT_CLOSED', 'SHIFT_NOT_FOUND'].includes(error?.code) && load(),
    });
  });
  ctx.onStationChanged(() => {
    message.clear();
    shift = null;
    void load();
  });
  render();

  return panel('shift-title', t('shifts.title'), form);
}
