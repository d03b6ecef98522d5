// The open loans that started at this station, with a renew button each; overdue ones stand out.
import { t } from '../../i18n/index.js';
import { api, errorMessage, query } from '../../lib/api.js';
import { dataTable, h, panel, replace, tableWrap } from '../../lib/dom.js';
import { formatTime } from '../../lib/format.js';
import { feedbackArea, sendOnClick } from '../../lib/request.js';
import { renewal } from './renewal.js';

const COLUMNS = [
  'operator.colBike',
  'operator.colRider',
  'operator.colStarted',
  'operator.colDue',
  'operator.colState',
];

function overdueBadge(loan) {
  const minutes = loan.minutesOverdue ?? (Date.now() - new Date(loan.dueAt).getTime()) / 60000;
  return h('span', { class: 'badge badge--closed' }, t('operator.overdueBy', { n: Math.max(1, Math.round(minutes)) }));
}

export function openLoansPanel(ctx) {
  const box = h('div', { 'data-open-loans': '' });
  const message = feedbackArea();

  function loanRow(loan) {
    const overdue = loan.overdue || new Date(loan.dueAt).getTime() < Date.now();
    const button = h(
      'button',
      { type: 'button', class: 'btn btn--small', 'aria-label': t('operator.renewFor', { bike: loan.bikeCode }) },
      t('operator.renew'),
    );
    sendOnClick(button, { message, ...renewal(ctx, loan), after: ctx.scheduleRefresh });
    // Revert, force-return or report missing: on the corrections page, with this loan loaded.
    const correct = h(
      'a',
      {
        class: 'btn btn--small btn--ghost',
        href: `#/correcciones?bici=${encodeURIComponent(loan.bikeCode)}`,
        'aria-label': t('corrections.correctFor', { bike: loan.bikeCode }),
      },
      t('corrections.correct'),
    );
    return h(
      'tr',
      { 'data-loan-id': loan.id, class: overdue ? 'row--warn' : '' },
      h('th', { scope: 'row', class: 'code' }, loan.bikeCode),
      h('td', {}, loan.riderName ?? '', h('br'), h('span', { class: 'muted' }, loan.riderDocument ?? '')),
      h('td', {}, formatTime(loan.startedAt)),
      h('td', {}, formatTime(loan.dueAt)),
      h('td', {}, overdue ? overdueBadge(loan) : t('operator.onTime')),
      h('td', { class: 'cell-actions' }, button, ' ', correct),
    );
  }

  ctx.onRefresh(async () => {
    const id = ctx.stationId;
    try {
      const all = await api.get(`/api/v1/loans${query({ state: 'open', stationId: id })}`);
      const loans = all.filter((l) => l.fromStationId === id);
      if (id !== ctx.stationId) return;
      if (loans.length === 0) {
        replace(box, h('p', { class: 'empty' }, t('operator.openLoansEmpty')));
        return;
      }
      const columns = [...COLUMNS.map((key) => t(key)), t('common.actions')];
      replace(box, tableWrap(t('operator.openLoansTitle'), dataTable(columns, loans.map(loanRow))));
    } catch (error) {
      message.set(errorMessage(error), 'error');
    }
  });

  return panel('loans-title', t('operator.openLoansTitle'), message.el, box);
}
