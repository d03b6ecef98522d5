// Return: scan the bike, confirm. Says how long the trip took, and whether it was late.
import { t } from '../../i18n/index.js';
import { errorMessage } from '../../lib/api.js';
import { field, h, panel } from '../../lib/dom.js';
import { Attempt } from '../../lib/ids.js';
import { pendingActions } from '../../lib/pending-actions.js';
import { feedbackArea, LocalProblem, refuse, send } from '../../lib/request.js';
import { retryable } from './check-out.js';
import { normaliseCode } from './context.js';

function returnedText(loan) {
  const parts = [
    t('operator.returned', { bike: loan.bikeCode, minutes: Math.round((loan.durationSeconds ?? 0) / 60) }),
  ];
  if (loan.overdue) parts.push(t('operator.returnedLate'));
  if (loan.helmetMissing) parts.push(t('returns.helmetMissing'));
  if (loan.riderSuspended) parts.push(t('operator.riderNowSuspended'));
  return {
    text: parts.join(' '),
    kind: loan.riderSuspended || loan.overdue || loan.helmetMissing ? 'info' : 'success',
  };
}

export function returnPanel(ctx) {
  const code = field({
    label: t('operator.bikeCode'),
    name: 'returnBikeCode',
    attrs: {
      autocomplete: 'off',
      autocapitalize: 'characters',
      spellcheck: 'false',
      maxlength: '32',
      'data-return-bike': '',
    },
  });
  const message = feedbackArea();
  // Checked by default: a loan without a helmet, or a helmet that came back. Unchecked, the
  // helmet is recorded as missing against the loan (and shown on the rider).
  const helmetBack = h('input', { type: 'checkbox', id: 'return-helmet', checked: true, 'data-helmet-returned': '' });
  const confirm = h('button', { type: 'submit', class: 'btn btn--primary' }, t('operator.confirmReturn'));
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'data-return-form': '', 'aria-labelledby': 'return-title' },
    code.wrap,
    h(
      'div',
      { class: 'field field--checkbox' },
      h('span', { class: 'check' }, helmetBack, h('label', { for: 'return-helmet' }, t('returns.helmetReturned'))),
      h('p', { class: 'hint' }, t('returns.helmetHint')),
    ),
    message.el,
    h('div', { class: 'actions' }, confirm),
  );
  const attempt = new Attempt();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send(confirm, {
      message,
      request: () => {
        const bikeCode = normaliseCode(code.input.value);
        if (!bikeCode) refuse(t('operator.needBike'), code.input);
        // Sent only when the helmet did not come back: "came back" is the API's default.
        const payload = {
          bikeCode,
          stationId: ctx.stationId,
          ...(helmetBack.checked ? {} : { helmetReturned: false }),
        };
        return pendingActions.sendOrQueue('return', attempt.keyFor(payload), {
          body: payload,
          bikeCode,
          stationId: ctx.stationId,
        });
      },
      success: ({ value, queued }) =>
        queued ? { text: t('queue.returnQueued', { bike: queued.bikeCode }), kind: 'info' } : returnedText(value),
      describe: (error) => `${errorMessage(error)}${retryable(error) ? ` ${t('operator.retryHint')}` : ''}`,
      after: ({ queued }) => {
        if (queued) return; // kept as typed: confirming again retries the same return
        attempt.done();
        form.reset();
        helmetBack.checked = true;
        code.input.focus();
        ctx.scheduleRefresh();
      },
      onError: (error) => {
        if (error instanceof LocalProblem) return;
        if (!retryable(error)) attempt.done();
        code.input.select();
      },
    });
  });
  ctx.onStationChanged(() => message.clear());

  return panel('return-title', t('operator.returnTitle'), form);
}
