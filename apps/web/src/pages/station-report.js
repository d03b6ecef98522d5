// A station's day, printable: check-outs, returns, renewals, overdue loans, damage reports,
// incidents and the shifts' counts (GET /api/v1/stations/:id/report?date=YYYY-MM-DD, Bogotá day).
// `#/informe?estacion=<id>&fecha=YYYY-MM-DD`; "Imprimir" uses the browser's print (print CSS
// hides the navigation and the form).
import { t } from '../i18n/index.js';
import { api, errorMessage, query } from '../lib/api.js';
import { dataTable, field, h, replace } from '../lib/dom.js';
import { bogotaToday, formatDateTime, formatInt } from '../lib/format.js';
import { feedbackArea, send } from '../lib/request.js';
import { session } from '../lib/session.js';
import { stationSelect, stationsFor } from '../panels/operator/correction-shared.js';

/** The day's totals, in the order a supervisor reads them. */
const TOTALS = [
  'checkOuts',
  'checkOutsReverted',
  'returns',
  'forcedReturns',
  'renewals',
  'overdue',
  'helmetsMissing',
  'bikesMissing',
  'damageReports',
  'incidents',
];

const count = (value) => (Array.isArray(value) ? value.length : value);

function totals(report) {
  const rows = TOTALS.filter((k) => report[k] !== undefined && report[k] !== null);
  return h(
    'dl',
    { class: 'report-totals', 'data-report-totals': '' },
    rows.map((k) =>
      h(
        'div',
        { 'data-total': k },
        h('dt', {}, t(`stationReport.totals.${k}`)),
        h('dd', {}, formatInt(count(report[k]))),
      ),
    ),
  );
}

/** A count of a shift (`opening` / `closing`): counted, and what the system expected when different. */
function countCell(c) {
  if (!c) return '—';
  const counted = t('stationReport.counts', { bikes: c.bikesCounted, helmets: c.helmetsCounted });
  if (!c.mismatch) return counted;
  return h(
    'span',
    { class: 'mismatch' },
    counted,
    h('br'),
    h('small', {}, t('stationReport.expected', { bikes: c.bikesExpected, helmets: c.helmetsExpected })),
  );
}

function shiftsTable(shifts) {
  if (!shifts?.length) return h('p', { class: 'empty' }, t('stationReport.noShifts'));
  return dataTable(
    [
      t('stationReport.opened'),
      t('stationReport.openCount'),
      t('stationReport.closed'),
      t('stationReport.closeCount'),
      t('stationReport.note'),
    ],
    shifts.map((s) =>
      h(
        'tr',
        { 'data-shift-id': s.id },
        h('td', {}, formatDateTime(s.openedAt)),
        h('td', {}, countCell(s.opening)),
        h('td', {}, s.closedAt ? formatDateTime(s.closedAt) : t('stationReport.stillOpen')),
        h('td', {}, countCell(s.closing)),
        h('td', {}, s.note ?? ''),
      ),
    ),
  );
}

function incidentsTable(incidents) {
  if (!Array.isArray(incidents) || incidents.length === 0) return h('p', { class: 'empty' }, t('incidents.empty'));
  return dataTable(
    [t('incidents.colWhen'), t('incidents.type'), t('operator.colBike'), t('incidents.description')],
    incidents.map((i) =>
      h(
        'tr',
        {},
        h('td', {}, formatDateTime(i.occurredAt ?? i.createdAt)),
        h('td', {}, t(`incidents.types.${i.type}`)),
        h('td', { class: 'code' }, i.bikeCode ?? '—'),
        h('td', {}, i.description),
      ),
    ),
  );
}

export async function renderStationReport(view) {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  view.append(h('h1', {}, t('stationReport.title')));
  let stations;
  try {
    stations = (await stationsFor(session.actor)).filter((s) => s.kind === 'station');
  } catch (error) {
    view.append(h('p', { class: 'message message--error', role: 'alert' }, errorMessage(error)));
    return undefined;
  }
  const station = stationSelect('reportStation', t('incidents.station'), stations, {
    selected: params.get('estacion'),
  });
  const date = field({
    label: t('stationReport.date'),
    name: 'reportDate',
    type: 'date',
    value: params.get('fecha') ?? bogotaToday(),
  });
  const message = feedbackArea();
  const show = h('button', { type: 'submit', class: 'btn btn--primary' }, t('stationReport.show'));
  const print = h('button', { type: 'button', class: 'btn', onclick: () => window.print() }, t('stationReport.print'));
  const form = h(
    'form',
    { class: 'form form--inline no-print', novalidate: true },
    station.wrap,
    date.wrap,
    h('div', { class: 'field field--button' }, show, ' ', print),
  );
  const sheet = h('article', { class: 'report-sheet', 'data-station-report': '' });
  view.append(form, message.el, sheet);

  const load = () =>
    send(show, {
      message,
      request: () => api.get(`/api/v1/stations/${station.input.value}/report${query({ date: date.input.value })}`),
      after: (report) => {
        const name = report.station?.name ?? station.input.selectedOptions[0]?.text ?? '';
        replace(
          sheet,
          h('h2', {}, t('stationReport.heading', { station: name, date: report.date ?? date.input.value })),
          totals(report),
          h('h3', {}, t('stationReport.shiftsTitle')),
          shiftsTable(report.shifts),
          h('h3', {}, t('incidents.listTitle')),
          incidentsTable(report.incidents),
          h('p', { class: 'muted' }, t('stationReport.generated', { when: formatDateTime(new Date().toISOString()) })),
        );
      },
    });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  void load();
  return undefined;
}
