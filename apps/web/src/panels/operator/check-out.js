// Check-out: find the rider by document (Enter in the number field, or the button), scan the bike,
// helmet or not, confirm. The Idempotency-Key makes a retried confirm safe.
import { t } from '../../i18n/index.js';
import { api, errorMessage, query } from '../../lib/api.js';
import { field, h, panel, replace } from '../../lib/dom.js';
import { formatTime } from '../../lib/format.js';
import { Attempt } from '../../lib/ids.js';
import { pendingActions } from '../../lib/pending-actions.js';
import { BIKE_CODE_ATTRS, documentFields } from './correction-shared.js';
import { feedbackArea, LocalProblem, refuse, send } from '../../lib/request.js';
import { normaliseCode } from './context.js';
import { receiptBlock } from './receipt-qr.js';
import { riderCard } from './verification.js';

const WRONG_BIKE = ['BIKE_NOT_AT_STATION', 'BIKE_NOT_AVAILABLE', 'BIKE_NOT_FOUND'];

/** Only an unknown outcome (no answer, or a server fault) may be retried with the same key. */
export const retryable = (error) => error?.code === 'NETWORK_ERROR' || error?.status >= 500;

function riderFields(info) {
  const { docType, docNumber } = documentFields(info, {
    typeName: 'documentType',
    numberName: 'documentNumber',
    numberAttrs: { inputmode: 'text', 'data-document-number': '' },
  });
  const lookUpBtn = h('button', { type: 'button', class: 'btn', 'data-look-up': '' }, t('operator.lookUp'));
  return { docType, docNumber, lookUpBtn, defaultType: docType.input.value };
}

function helmetFieldset() {
  const no = h('input', { type: 'radio', name: 'helmet', value: 'no', id: 'helmet-no', checked: true });
  const yes = h('input', { type: 'radio', name: 'helmet', value: 'yes', id: 'helmet-yes' });
  const left = h('p', { class: 'hint', id: 'helmets-left' });
  const el = h(
    'fieldset',
    { class: 'fieldset radios', 'aria-describedby': 'helmets-left' },
    h('legend', {}, t('operator.helmet')),
    h('span', { class: 'radio' }, no, h('label', { for: 'helmet-no' }, t('common.no'))),
    h('span', { class: 'radio' }, yes, h('label', { for: 'helmet-yes' }, t('common.yes'))),
    left,
  );
  /** No helmet can be lent when the station has none left. */
  const setAvailable = (helmets) => {
    left.textContent = t('operator.helmetsLeft', { n: helmets });
    yes.disabled = helmets <= 0;
    if (helmets <= 0) no.checked = true;
  };
  return { el, setAvailable, wanted: () => yes.checked };
}

export function checkOutPanel(ctx, info) {
  const { docType, docNumber, lookUpBtn, defaultType } = riderFields(info);
  const bikeCode = field({
    label: t('operator.bikeCode'),
    name: 'bikeCode',
    hint: t('operator.bikeCodeHint'),
    attrs: { ...BIKE_CODE_ATTRS, 'data-checkout-bike': '' },
  });
  const helmet = helmetFieldset();
  const message = feedbackArea({ checkoutMessage: '' });
  /** The last check-out's receipt (QR and link), until the next one or a station change. */
  const receipt = h('div', { class: 'receipt-box', 'data-checkout-receipt': '', 'aria-live': 'polite' });
  const showReceipt = (loan) => replace(receipt, receiptBlock(loan));
  const card = riderCard(ctx, { message, onVerified: () => bikeCode.input.focus() });
  const confirm = h(
    'button',
    { type: 'submit', class: 'btn btn--primary btn--big', 'data-confirm-checkout': '' },
    t('operator.confirmCheckOut'),
  );
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'data-checkout-form': '', 'aria-labelledby': 'checkout-title' },
    h(
      'fieldset',
      { class: 'fieldset fieldset--inline' },
      h('legend', {}, t('operator.riderFieldset')),
      docType.wrap,
      docNumber.wrap,
      h('div', { class: 'field field--button' }, lookUpBtn),
    ),
    card.el,
    bikeCode.wrap,
    helmet.el,
    message.el,
    receipt,
    h('div', { class: 'actions' }, confirm),
  );

  const lookUp = () =>
    send(lookUpBtn, {
      message,
      request: async () => {
        const number = docNumber.input.value.trim();
        if (!number) refuse(t('operator.needRider'), docNumber.input);
        const found = await api.get(
          `/api/v1/riders${query({ documentType: docType.input.value, documentNumber: number })}`,
        );
        const rider = Array.isArray(found) ? (found[0] ?? null) : found;
        if (!rider) refuse(t('errors.RIDER_NOT_FOUND'), docNumber.input);
        return rider;
      },
      after: (rider) => {
        card.show(rider);
        bikeCode.input.focus();
      },
      onError: () => card.show(null),
    });

  const attempt = new Attempt();
  function checkOutRequest() {
    const code = normaliseCode(bikeCode.input.value);
    const number = docNumber.input.value.trim();
    if (!card.rider && !number) refuse(t('operator.needRider'), docNumber.input);
    if (!code) refuse(t('operator.needBike'), bikeCode.input);
    const rider = card.rider;
    const payload = {
      bikeCode: code,
      stationId: ctx.stationId,
      helmet: helmet.wanted(),
      ...(rider ? { riderId: rider.id } : { documentType: docType.input.value, documentNumber: number }),
    };
    // Without network the action is kept (IndexedDB) with its key and sent when the network is back.
    return pendingActions.sendOrQueue('checkOut', attempt.keyFor(payload), {
      body: payload,
      bikeCode: code,
      stationId: ctx.stationId,
      summary: rider ? `${rider.firstName} ${rider.lastName}` : `${docType.input.value} ${number}`,
    });
  }

  function ready() {
    attempt.done();
    form.reset();
    docType.input.value = defaultType;
    card.show(null);
    docNumber.input.focus();
    ctx.scheduleRefresh();
  }

  const checkOut = () =>
    send(confirm, {
      message,
      request: checkOutRequest,
      success: ({ value, queued }) =>
        queued
          ? { text: t('queue.checkOutQueued', { bike: queued.bikeCode }), kind: 'info' }
          : t('operator.checkedOut', { bike: value.bikeCode, due: formatTime(value.dueAt) }),
      // A refusal rolled back on the server; only an unknown outcome keeps the key for the retry.
      describe: (error) => `${errorMessage(error)}${retryable(error) ? ` ${t('operator.retryHint')}` : ''}`,
      // A queued check-out keeps the form as it is: pressing confirm again retries the same action.
      after: ({ value, queued }) => {
        if (queued) return;
        showReceipt(value);
        ready();
      },
      onError: (error) => {
        if (!(error instanceof LocalProblem) && !retryable(error)) attempt.done();
        if (WRONG_BIKE.includes(error?.code)) bikeCode.input.select();
      },
    });

  lookUpBtn.addEventListener('click', () => void lookUp());
  docNumber.input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void lookUp();
    }
  });
  const forgetRider = () => card.rider && card.show(null);
  docNumber.input.addEventListener('input', forgetRider);
  docType.input.addEventListener('change', forgetRider);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void checkOut();
  });

  // The queued check-out on this form went through in the background: same ending as a direct one.
  const unsubscribe = pendingActions.subscribe(({ type, entry, value }) => {
    if (type !== 'sent' || entry.kind !== 'checkOut' || entry.key !== attempt.key) return;
    if (normaliseCode(bikeCode.input.value) !== entry.bikeCode) return; // the operator moved on
    // Its receipt (QR) is shown in the pending panel, with the rest of what was sent.
    message.set(t('operator.checkedOut', { bike: value.bikeCode, due: formatTime(value.dueAt) }), 'success');
    ready();
  });
  ctx.onDispose(unsubscribe);
  ctx.onCountsChanged((c) => helmet.setAvailable(c.helmets));
  ctx.onStationChanged(() => {
    card.show(null);
    message.clear();
    replace(receipt);
  });

  return { el: panel('checkout-title', t('operator.checkOutTitle'), form), focus: () => docNumber.input.focus() };
}
