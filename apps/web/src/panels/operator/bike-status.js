// A bike by its code: where it is and in what state; a bike in a rack can be reported missing or
// stolen (with the police report number), and a missing bike that turned up comes back into service
// at a station (in maintenance, to be checked). A bike on loan is corrected from its loan instead.
import { t } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import { field, h, panel, replace } from '../../lib/dom.js';
import { feedbackArea, refuse, send, sendOnSubmit } from '../../lib/request.js';
import { bikeCodeField, bikeCodeOf, stationSelect } from './correction-shared.js';
import { STATION_KEY } from './context.js';

/** The optional free-text note both forms send (the API keeps up to 500 characters). */
function noteField(name) {
  return field({ label: t('fields.note'), name, type: 'textarea', attrs: { rows: '2', maxlength: '500' } });
}

/** `{ note }` when something was typed, `{}` otherwise. */
function noteOf(note) {
  const text = note.input.value.trim();
  return text ? { note: text } : {};
}

function missingForm(bike, { message, done }) {
  const report = field({
    label: t('corrections.policeReport'),
    name: 'policeReport',
    hint: t('corrections.policeReportHint'),
    attrs: { maxlength: '64', autocomplete: 'off', 'data-police-report': '' },
  });
  const note = noteField('missingNote');
  const submit = h(
    'button',
    { type: 'submit', class: 'btn btn--primary', 'data-mark-missing': '' },
    t('corrections.markMissing'),
  );
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    report.wrap,
    note.wrap,
    h('div', { class: 'actions' }, submit),
  );
  sendOnSubmit(form, submit, {
    message,
    request: () => {
      const policeReport = report.input.value.trim();
      if (policeReport.length < 3) refuse(t('corrections.needPoliceReport'), report.input);
      return api.post(`/api/v1/bikes/${bike.id}/missing`, { policeReport, ...noteOf(note) });
    },
    success: () => t('corrections.markedMissing', { bike: bike.code }),
    after: done,
  });
  return form;
}

function foundForm(bike, { stations, message, done }) {
  const station = stationSelect('foundStation', t('corrections.foundStation'), stations, {
    selected: sessionStorage.getItem(STATION_KEY),
  });
  const note = noteField('foundNote');
  const submit = h(
    'button',
    { type: 'submit', class: 'btn btn--primary', 'data-mark-found': '' },
    t('corrections.markFound'),
  );
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    station.wrap,
    note.wrap,
    h('div', { class: 'actions' }, submit),
  );
  sendOnSubmit(form, submit, {
    message,
    request: () => api.post(`/api/v1/bikes/${bike.id}/found`, { stationId: station.input.value, ...noteOf(note) }),
    success: () =>
      t('corrections.markedFound', { bike: bike.code, station: station.input.selectedOptions[0]?.text ?? '' }),
    after: done,
  });
  return form;
}

/** `ctx`: `{ stations, stationName(id) }`. */
export function bikeStatusPanel(ctx) {
  const code = bikeCodeField('statusBike');
  const message = feedbackArea({ bikeStatusMessage: '' });
  const found = h('div', { 'data-bike-status': '' });
  const find = h('button', { type: 'submit', class: 'btn' }, t('corrections.findBike'));
  const form = h(
    'form',
    { class: 'form form--inline', novalidate: true, 'aria-labelledby': 'bike-status-title' },
    code.wrap,
    h('div', { class: 'field field--button' }, find),
  );
  const done = () => {
    replace(found);
    form.reset();
    code.input.focus();
  };

  function show(bike) {
    const where = bike.stationId ? ctx.stationName(bike.stationId) : t('corrections.noStation');
    const state = h(
      'p',
      { 'data-bike-state': bike.state },
      h('strong', { class: 'code' }, bike.code),
      ' · ',
      h('span', { class: `badge badge--bike-${bike.state}` }, t(`bikeStates.${bike.state}`)),
      ' · ',
      where,
      bike.policeReport ? ` · ${t('corrections.policeReportIs', { report: bike.policeReport })}` : '',
    );
    let action = null;
    if (bike.state === 'missing') action = foundForm(bike, { stations: ctx.stations, message, done });
    else if (bike.state === 'available' || bike.state === 'maintenance') action = missingForm(bike, { message, done });
    else if (bike.state === 'on_loan') action = h('p', { class: 'hint' }, t('corrections.onLoanHint'));
    replace(found, state, action);
    found.querySelector('input, select, textarea')?.focus();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send(find, {
      message,
      request: () => api.get(`/api/v1/bikes/by-code/${encodeURIComponent(bikeCodeOf(code))}`),
      after: show,
      onError: () => replace(found),
    });
  });

  return panel(
    'bike-status-title',
    t('corrections.bikeTitle'),
    h('p', { class: 'hint' }, t('corrections.bikeIntro')),
    form,
    message.el,
    found,
  );
}
