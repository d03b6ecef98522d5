// Renewal (the hourly rule): by bike code here, for a rider coming from any station; the open
// loans list renews with the same request.
import { t } from '../../i18n/index.js';
import { errorMessage } from '../../lib/api.js';
import { field, h, panel } from '../../lib/dom.js';
import { formatTime } from '../../lib/format.js';
import { Attempt } from '../../lib/ids.js';
import { pendingActions } from '../../lib/pending-actions.js';
import { feedbackArea, refuse, send } from '../../lib/request.js';
import { normaliseCode } from './context.js';

/** The Spanish outcome of a renewal sent now or kept for later. */
function renewedText({ value, queued }, bikeCode) {
  if (queued) return { text: t('queue.renewQueued', { bike: bikeCode }), kind: 'info' };
  return t('operator.renewed', { bike: value.bikeCode ?? bikeCode, due: formatTime(value.dueAt) });
}

/**
 * The renewal request and its Spanish confirmation, for `send`. A loan is renewed at most once,
 * so its id makes the Idempotency-Key: a second press, or the queue resending it, is the same renewal.
 */
export function renewal(ctx, loan) {
  return {
    request: () =>
      pendingActions.sendOrQueue('renew', `renew:${loan.id}`, {
        body: { stationId: ctx.stationId },
        loanId: loan.id,
        bikeCode: loan.bikeCode,
        stationId: ctx.stationId,
        summary: loan.riderName ?? '',
      }),
    success: (outcome) => renewedText(outcome, loan.bikeCode),
  };
}

export function renewalPanel(ctx) {
  const code = field({
    label: t('operator.bikeCode'),
    name: 'renewBikeCode',
    attrs: { autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: '32' },
  });
  const message = feedbackArea();
  const confirm = h('button', { type: 'submit', class: 'btn' }, t('operator.renewByBike'));
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'data-renew-form': '', 'aria-labelledby': 'renew-title' },
    code.wrap,
    message.el,
    h('div', { class: 'actions' }, confirm),
  );

  const attempt = new Attempt();
  // By bike code: operators see other stations' loans only for the bike in front of them. The
  // loan is looked up when the renewal is sent (now, or from the queue when the network is back).
  async function findAndRenew() {
    const bikeCode = normaliseCode(code.input.value);
    if (!bikeCode) refuse(t('operator.needBike'), code.input);
    const body = { stationId: ctx.stationId };
    const outcome = await pendingActions.sendOrQueue('renew', attempt.keyFor({ bikeCode, ...body }), {
      body,
      bikeCode,
      stationId: ctx.stationId,
    });
    return renewedText(outcome, bikeCode);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send(confirm, {
      message,
      request: findAndRenew,
      success: (text) => text,
      describe: (error) =>
        error?.code === 'RENEW_LOAN_NOT_FOUND'
          ? t('operator.renewNotFound', { bike: normaliseCode(code.input.value) })
          : errorMessage(error),
      after: (said) => {
        if (typeof said !== 'string') return; // queued: kept as typed
        attempt.done();
        form.reset();
        code.input.focus();
        ctx.scheduleRefresh();
      },
      onError: () => {
        attempt.done();
        code.input.select();
      },
    });
  });
  ctx.onStationChanged(() => message.clear());

  return panel('renew-title', t('operator.renewTitle'), form);
}
