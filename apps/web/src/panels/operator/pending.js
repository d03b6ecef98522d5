// The actions waiting for the network (check-outs, returns, renewals typed while the tablet was
// offline), each marked "pendiente" until it is sent, or "rechazada" with the server's reason when
// the answer was a refusal — those stay here until the operator retries or discards them.
import { t } from '../../i18n/index.js';
import { errorMessage } from '../../lib/api.js';
import { h, panel, replace } from '../../lib/dom.js';
import { formatTime } from '../../lib/format.js';
import { offlineNow, pendingActions, startPendingSync } from '../../lib/pending-actions.js';
import { feedbackArea, send } from '../../lib/request.js';
import { receiptBlock } from './receipt-qr.js';

const KIND = { checkOut: 'queue.kindCheckOut', return: 'queue.kindReturn', renew: 'queue.kindRenew' };

/** What a sent action did, in the words of the panel that would have sent it. */
function sentText(entry, value) {
  if (entry.kind === 'checkOut') return t('queue.sentCheckOut', { bike: value?.bikeCode ?? entry.bikeCode });
  if (entry.kind === 'return') return t('queue.sentReturn', { bike: entry.bikeCode });
  return t('queue.sentRenew', { bike: entry.bikeCode });
}

export function pendingPanel(ctx) {
  const network = h('p', { class: 'live-status', 'data-network': '' });
  const message = feedbackArea({ pendingMessage: '' });
  const list = h('ul', { class: 'pending-list', 'data-pending-list': '' });
  /** The receipt of a queued check-out that went through: the rider's QR, shown once. */
  const receipt = h('div', { 'data-pending-receipt': '' });

  function showNetwork() {
    const offline = offlineNow();
    network.dataset.state = offline ? 'offline' : 'online';
    network.textContent = t(offline ? 'queue.offline' : 'queue.online');
  }

  function actionButton(entry, label, run) {
    const button = h(
      'button',
      { type: 'button', class: 'btn btn--small', 'aria-label': `${label}: ${t(KIND[entry.kind])} ${entry.bikeCode}` },
      label,
    );
    button.addEventListener('click', () => void send(button, { message, ...run }));
    return button;
  }

  function item(entry) {
    const refused = entry.state === 'refused';
    const retry = actionButton(entry, t(refused ? 'queue.retry' : 'queue.sendNow'), {
      request: () => pendingActions.resend(entry.key),
      success: (outcome) =>
        outcome.value !== undefined
          ? undefined
          : outcome.failed
            ? { text: errorMessage(outcome.failed), kind: 'error' }
            : undefined,
    });
    const discard = refused
      ? actionButton(entry, t('queue.discard'), {
          request: () => pendingActions.remove(entry.key),
          success: () => t('queue.discarded', { bike: entry.bikeCode }),
        })
      : null;
    return h(
      'li',
      { class: `pending pending--${entry.state}`, 'data-pending-key': entry.key, 'data-state': entry.state },
      h(
        'p',
        { class: 'pending__head' },
        h('span', { class: `badge badge--pending-${entry.state}` }, t(`queue.state.${entry.state}`)),
        ' ',
        h('strong', {}, `${t(KIND[entry.kind])} · ${entry.bikeCode}`),
        entry.summary ? ` · ${entry.summary}` : '',
      ),
      h(
        'p',
        { class: 'muted' },
        t('queue.madeAt', { time: formatTime(entry.createdAt), station: ctx.stationName(entry.stationId) }),
      ),
      refused ? h('p', { class: 'pending__error', 'data-pending-error': '' }, entry.error?.message ?? '') : null,
      h('div', { class: 'actions' }, retry, discard),
    );
  }

  async function render() {
    const entries = await pendingActions.all();
    if (entries.length === 0) replace(list, h('li', { class: 'empty' }, t('queue.empty')));
    else replace(list, entries.map(item));
  }

  const unsubscribe = pendingActions.subscribe(({ type, entry, value }) => {
    if (type === 'sent') {
      message.set(sentText(entry, value), 'success');
      if (entry.kind === 'checkOut') replace(receipt, receiptBlock(value));
      ctx.scheduleRefresh();
    }
    if (type === 'refused')
      message.set(t('queue.refused', { bike: entry.bikeCode, reason: entry.error.message }), 'error');
    void render();
  });
  const onNetwork = () => showNetwork();
  window.addEventListener('online', onNetwork);
  window.addEventListener('offline', onNetwork);
  const stopSync = startPendingSync();
  ctx.onDispose(() => {
    unsubscribe();
    stopSync();
    window.removeEventListener('online', onNetwork);
    window.removeEventListener('offline', onNetwork);
  });
  showNetwork();
  void render();

  const el = panel('pending-title', t('queue.title'), network, message.el, receipt, list);
  el.classList.add('panel--pending');
  return el;
}
