// Correcting a loan, found by its bike's code: revert a check-out made by mistake (no trip is
// counted), record a return the operator missed (force-return, at a chosen station), or report a
// bike that was never returned. Every correction needs a reason, kept in the bike's log.
import { t } from '../../i18n/index.js';
import { api, query } from '../../lib/api.js';
import { h, panel, replace } from '../../lib/dom.js';
import { formatDateTime, formatTime } from '../../lib/format.js';
import { Attempt } from '../../lib/ids.js';
import { feedbackArea, refuse, send } from '../../lib/request.js';
import { bikeCodeField, bikeCodeOf, reasonField, reasonOf, stationSelect } from './correction-shared.js';
import { STATION_KEY } from './context.js';

function loanSummary(loan, stationName) {
  return h(
    'dl',
    { class: 'facts', 'data-loan-found': loan.id },
    h('dt', {}, t('operator.colBike')),
    h('dd', { class: 'code' }, loan.bikeCode),
    h('dt', {}, t('operator.colRider')),
    h('dd', {}, `${loan.riderName ?? ''} ${loan.riderDocument ? `· ${loan.riderDocument}` : ''}`.trim()),
    h('dt', {}, t('corrections.fromStation')),
    h('dd', {}, stationName(loan.fromStationId)),
    h('dt', {}, t('operator.colStarted')),
    h('dd', {}, formatDateTime(loan.startedAt)),
    h('dt', {}, t('operator.colDue')),
    h('dd', {}, formatTime(loan.dueAt), loan.overdue ? ` · ${t('corrections.overdue')}` : ''),
  );
}

/** The actions on one open loan; `done()` runs after a correction went through. */
function loanActions(loan, { stations, message, done }) {
  const reason = reasonField('correctionReason');
  const station = stationSelect('forceReturnStation', t('corrections.returnStation'), stations, {
    selected: sessionStorage.getItem(STATION_KEY),
    publicOnly: true,
  });
  const policeReport = h('input', { type: 'text', id: 'missing-police-report', maxlength: '64', autocomplete: 'off' });
  // Only asked when the loan had a helmet: unchecked, the helmet is recorded as not returned.
  const helmetBack = h('input', { type: 'checkbox', id: 'force-return-helmet', checked: true });
  const attempt = new Attempt();
  const button = (label, data, cls = 'btn') => h('button', { type: 'button', class: cls, [data]: '' }, label);
  const revertBtn = button(t('corrections.revert'), 'data-revert');
  const forceBtn = button(t('corrections.forceReturn'), 'data-force-return', 'btn btn--primary');
  const missingBtn = button(t('corrections.reportMissing'), 'data-report-missing');

  const correct = (btn, path, body, success) =>
    send(btn, {
      message,
      request: () => {
        const payload = { ...body(), reason: reasonOf(reason) };
        return api.post(path, payload, { headers: { 'Idempotency-Key': attempt.keyFor({ path, payload }) } });
      },
      success,
      after: () => {
        attempt.done();
        done();
      },
    });

  revertBtn.addEventListener(
    'click',
    () =>
      void correct(
        revertBtn,
        `/api/v1/loans/${loan.id}/revert`,
        () => ({}),
        () => t('corrections.reverted', { bike: loan.bikeCode }),
      ),
  );
  forceBtn.addEventListener(
    'click',
    () =>
      void correct(
        forceBtn,
        `/api/v1/loans/${loan.id}/force-return`,
        () => ({ stationId: station.input.value, ...(loan.helmet ? { helmetReturned: helmetBack.checked } : {}) }),
        () =>
          t('corrections.forceReturned', {
            bike: loan.bikeCode,
            station: station.input.selectedOptions[0]?.text ?? '',
          }),
      ),
  );
  // The bike never came back: the loan closes without a trip, the bike is marked missing.
  missingBtn.addEventListener(
    'click',
    () =>
      void send(missingBtn, {
        message,
        request: () => {
          const note = reason.input.value.trim();
          if (note.length < 3) refuse(t('corrections.needReason'), reason.input);
          const report = policeReport.value.trim();
          const body = { note, ...(report ? { policeReport: report } : {}) };
          return api.post(`/api/v1/loans/${loan.id}/report-missing`, body, {
            headers: { 'Idempotency-Key': attempt.keyFor({ path: 'report-missing', body }) },
          });
        },
        success: (closed) =>
          `${t('corrections.reportedMissing', { bike: loan.bikeCode })}${closed?.riderSuspended ? ` ${t('corrections.riderSuspended')}` : ''}`,
        after: () => {
          attempt.done();
          done();
        },
      }),
  );

  return h(
    'div',
    { class: 'correction-actions' },
    reason.wrap,
    h(
      'fieldset',
      { class: 'fieldset fieldset--inline' },
      h('legend', {}, t('corrections.forceReturnLegend')),
      station.wrap,
      loan.helmet
        ? h(
            'p',
            { class: 'check' },
            helmetBack,
            h('label', { for: 'force-return-helmet' }, t('returns.helmetReturned')),
          )
        : null,
      h('div', { class: 'field field--button' }, forceBtn),
    ),
    h('div', { class: 'actions' }, revertBtn),
    h(
      'fieldset',
      { class: 'fieldset fieldset--inline' },
      h('legend', {}, t('corrections.missingLegend')),
      h(
        'div',
        { class: 'field' },
        h('label', { for: policeReport.id }, t('corrections.policeReport'), ' ', t('common.optional')),
        policeReport,
      ),
      h('div', { class: 'field field--button' }, missingBtn),
    ),
  );
}

/** `ctx`: `{ stations, stationName(id) }`; `initialCode`: a bike code to look up at once. */
export function loanCorrectionPanel(ctx, { initialCode } = {}) {
  const code = bikeCodeField('correctionBike');
  const message = feedbackArea({ correctionMessage: '' });
  const found = h('div', { 'data-loan-correction': '' });
  const find = h('button', { type: 'submit', class: 'btn' }, t('corrections.findLoan'));
  const form = h(
    'form',
    { class: 'form form--inline', novalidate: true, 'aria-labelledby': 'loan-correction-title' },
    code.wrap,
    h('div', { class: 'field field--button' }, find),
  );

  const lookUp = () =>
    send(find, {
      message,
      request: async () => {
        const bikeCode = bikeCodeOf(code);
        const open = await api.get(`/api/v1/loans${query({ state: 'open', bikeCode })}`);
        const loan = open.find((l) => l.bikeCode === bikeCode);
        if (!loan) refuse(t('operator.renewNotFound', { bike: bikeCode }), code.input);
        return loan;
      },
      after: (loan) => {
        replace(
          found,
          loanSummary(loan, ctx.stationName),
          loanActions(loan, {
            stations: ctx.stations,
            message,
            done: () => {
              replace(found);
              form.reset();
              code.input.focus();
            },
          }),
        );
        found.querySelector('textarea')?.focus();
      },
      onError: () => replace(found),
    });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void lookUp();
  });
  if (initialCode) {
    code.input.value = initialCode;
    queueMicrotask(() => void lookUp());
  }

  return panel(
    'loan-correction-title',
    t('corrections.loanTitle'),
    h('p', { class: 'hint' }, t('corrections.loanIntro')),
    form,
    message.el,
    found,
  );
}
