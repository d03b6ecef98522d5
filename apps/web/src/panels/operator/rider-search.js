// A rider found by document (type + number): status, strikes, open loan, suspension reason. An
// admin can suspend (with a reason) or reactivate the rider here; operators only see the record.
import { t } from '../../i18n/index.js';
import { api, query } from '../../lib/api.js';
import { field, h, panel, replace } from '../../lib/dom.js';
import { formatDateTime, formatTime } from '../../lib/format.js';
import { feedbackArea, refuse, send } from '../../lib/request.js';
import { documentFields } from './correction-shared.js';

function riderFacts(rider) {
  const loan = rider.openLoan
    ? t('operator.riderOpenLoan', { time: formatTime(rider.openLoan.startedAt), due: formatTime(rider.openLoan.dueAt) })
    : t('operator.riderNoOpenLoan');
  return [
    h(
      'p',
      { class: 'rider-card__name' },
      h('strong', {}, `${rider.firstName} ${rider.lastName}`),
      ' ',
      h(
        'span',
        { class: `badge badge--rider-${rider.status}`, 'data-rider-status': rider.status },
        t(`operator.riderStatus.${rider.status}`),
      ),
    ),
    h('p', {}, `${rider.documentType} ${rider.documentNumber}`),
    h('p', {}, t('riders.strikes', { n: rider.overdueStrikes ?? 0 })),
    rider.helmetsMissing
      ? h('p', { 'data-helmets-missing': '' }, t('riders.helmetsMissing', { n: rider.helmetsMissing }))
      : null,
    rider.status === 'suspended'
      ? h(
          'p',
          { 'data-suspension': '' },
          t('riders.suspendedSince', {
            when: formatDateTime(rider.suspendedAt),
            reason: rider.suspensionReason ?? '—',
          }),
        )
      : null,
    h('p', {}, loan),
  ];
}

/** Suspend (with a reason) or reactivate: admins only, as the API allows. */
function adminActions(rider, { message, show }) {
  if (rider.status === 'suspended') {
    const button = h(
      'button',
      { type: 'button', class: 'btn btn--primary', 'data-reactivate': '' },
      t('riders.reactivate'),
    );
    button.addEventListener(
      'click',
      () =>
        void send(button, {
          message,
          request: () => api.post(`/api/v1/riders/${rider.id}/reactivate`, {}),
          success: (next) => t('riders.reactivated', { name: `${next.firstName} ${next.lastName}` }),
          after: show,
        }),
    );
    return h('div', { class: 'actions' }, button);
  }
  const reason = field({
    label: t('riders.suspendReason'),
    name: 'suspendReason',
    type: 'textarea',
    attrs: { rows: '2', maxlength: '500', 'data-suspend-reason': '' },
  });
  const button = h('button', { type: 'submit', class: 'btn', 'data-suspend': '' }, t('riders.suspend'));
  const form = h('form', { class: 'form', novalidate: true }, reason.wrap, h('div', { class: 'actions' }, button));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send(button, {
      message,
      request: () => {
        const text = reason.input.value.trim();
        if (text.length < 3) refuse(t('corrections.needReason'), reason.input);
        return api.post(`/api/v1/riders/${rider.id}/suspend`, { reason: text });
      },
      success: (next) => t('riders.suspended', { name: `${next.firstName} ${next.lastName}` }),
      after: show,
    });
  });
  return form;
}

/** `info`: the service rules (document types); `actor`: the signed-in staff member. */
export function riderSearchPanel(info, actor) {
  const { docType, docNumber } = documentFields(info, {
    typeName: 'searchDocumentType',
    numberName: 'searchDocumentNumber',
    numberAttrs: { 'data-search-document': '' },
  });
  const message = feedbackArea({ riderSearchMessage: '' });
  const card = h('div', { class: 'rider-card', 'data-rider-result': '', hidden: true });
  const find = h('button', { type: 'submit', class: 'btn' }, t('operator.lookUp'));
  const form = h(
    'form',
    { class: 'form form--inline', novalidate: true, 'aria-labelledby': 'rider-search-title' },
    docType.wrap,
    docNumber.wrap,
    h('div', { class: 'field field--button' }, find),
  );

  function show(rider) {
    card.hidden = !rider;
    if (!rider) return replace(card);
    card.className = `rider-card rider-card--${rider.status}`;
    replace(card, riderFacts(rider), actor?.role === 'admin' ? adminActions(rider, { message, show }) : null);
    return card;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send(find, {
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
      after: show,
      onError: () => show(null),
    });
  });

  return panel('rider-search-title', t('riders.title'), form, message.el, card);
}
