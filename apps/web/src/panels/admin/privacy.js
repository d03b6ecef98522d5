// Ley 1581 for admins: a rider's rights on their request (look-up by document, consents, a copy of
// their data, anonymisation), the research packages waiting for approval, and the audit of who
// read whose personal data. Every look-up here is itself logged by the server.
import { t } from '../../i18n/index.js';
import { api, query } from '../../lib/api.js';
import { field, h, panel, replace } from '../../lib/dom.js';
import { formatDateTime } from '../../lib/format.js';
import { feedbackArea, refuse, sendOnClick, sendOnSubmit } from '../../lib/request.js';
import { documentTypeOptions, loadServiceInfo } from '../../lib/service-info.js';

const OPTIONAL = ['research', 'reminders'];

/** Hands a JSON document to the browser as a file. */
function saveJson(data, fileName) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const a = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Consents (one checkbox per optional purpose) and the copy of the data, for one rider. */
function consentControls(rider, current, message) {
  const boxes = OPTIONAL.map((p) => {
    const input = h('input', { type: 'checkbox', id: `pv-${p}`, checked: current.includes(p), 'data-purpose': p });
    const label = t(`register.purpose${p === 'research' ? 'Research' : 'Reminders'}`);
    return { p, input, el: h('div', { class: 'check' }, input, h('label', { for: `pv-${p}` }, label)) };
  });
  const save = h('button', { type: 'button', class: 'btn', 'data-save-consents': '' }, t('admin.privacySaveConsents'));
  sendOnClick(save, {
    message,
    request: () =>
      api.post(`/api/v1/riders/${rider.id}/consents`, {
        purposes: ['service', ...boxes.filter((b) => b.input.checked).map((b) => b.p)],
      }),
    success: () => t('admin.privacyConsentsSaved'),
  });
  const copy = h('button', { type: 'button', class: 'btn', 'data-personal-data': '' }, t('admin.privacyCopy'));
  sendOnClick(copy, {
    message,
    request: async () => saveJson(await api.get(`/api/v1/riders/${rider.id}/personal-data`), `datos-${rider.id}.json`),
    success: () => t('admin.privacyCopyDone'),
  });
  return h(
    'fieldset',
    { class: 'fieldset' },
    h('legend', {}, t('admin.privacyPurposes')),
    h(
      'div',
      { class: 'check' },
      h('input', { type: 'checkbox', checked: true, disabled: true, id: 'pv-service' }),
      h('label', { for: 'pv-service' }, t('register.purposeService')),
    ),
    boxes.map((b) => b.el),
    h('div', { class: 'actions' }, save, copy),
  );
}

/** Anonymisation: a reason (that must not name the rider) and an explicit confirmation. */
function anonymiseForm(rider, message, reload) {
  const reason = field({
    label: t('admin.privacyReason'),
    name: 'reason',
    attrs: { maxlength: '500', minlength: '3' },
  });
  const confirm = h('input', { type: 'checkbox', id: 'pv-confirm' });
  const button = h('button', { type: 'submit', class: 'btn btn--danger' }, t('admin.privacyAnonymise'));
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'data-anonymise': '' },
    reason.wrap,
    h('div', { class: 'check' }, confirm, h('label', { for: 'pv-confirm' }, t('admin.privacyConfirm'))),
    h('div', { class: 'actions' }, button),
  );
  sendOnSubmit(form, button, {
    message,
    request: () => {
      const text = reason.input.value.trim();
      if (text.length < 3) refuse(t('common.requiredField'), reason.input);
      if (!confirm.checked) refuse(t('admin.privacyNeedConfirm'), confirm);
      return api.post(`/api/v1/riders/${rider.id}/anonymise`, { reason: text });
    },
    success: () => t('admin.privacyDone'),
    after: reload,
  });
  return form;
}

function riderPanel(info) {
  const type = field({
    label: t('register.documentType'),
    name: 'documentType',
    type: 'select',
    options: documentTypeOptions(info, 'long'),
    value: documentTypeOptions(info, 'long')[0]?.[0],
  });
  const number = field({ label: t('register.documentNumber'), name: 'documentNumber', attrs: { maxlength: '40' } });
  const find = h('button', { type: 'submit', class: 'btn btn--primary' }, t('admin.privacyFind'));
  const form = h('form', { class: 'form form--inline', novalidate: true }, type.wrap, number.wrap, find);
  const message = feedbackArea();
  const result = h('div', { 'data-privacy-rider': '' });

  async function show(rider) {
    const consents = await api.get(`/api/v1/riders/${rider.id}/consents`);
    const line = t('admin.privacyRiderLine', {
      name: `${rider.firstName} ${rider.lastName}`,
      document: `${rider.documentType} ${rider.documentNumber}`,
      status: rider.status,
    });
    replace(
      result,
      h('p', {}, line),
      rider.anonymisedAt
        ? h('p', {}, t('admin.privacyAnonymised', { at: formatDateTime(rider.anonymisedAt) }))
        : [
            consentControls(rider, consents.current, message),
            anonymiseForm(rider, message, () =>
              show({
                ...rider,
                anonymisedAt: new Date().toISOString(),
                firstName: 'Anonimizado',
                lastName: '',
                documentNumber: '—',
              }),
            ),
          ],
    );
  }

  sendOnSubmit(form, find, {
    message,
    request: async () => {
      if (!number.input.value.trim()) refuse(t('common.requiredField'), number.input);
      const found = await api.get(
        `/api/v1/riders${query({ documentType: type.input.value, documentNumber: number.input.value.trim() })}`,
      );
      if (!found.length) refuse(t('admin.privacyNotFound'), number.input);
      await show(found[0]);
    },
  });
  return panel(
    'pv-rider',
    t('admin.privacyRiderTitle'),
    h('p', {}, t('admin.privacyRiderIntro')),
    form,
    message.el,
    result,
  );
}

function approvalsPanel() {
  const list = h('ul', { class: 'list', 'data-approvals': '' });
  const message = feedbackArea();
  async function load() {
    const exports = await api.get('/api/v1/exports?limit=200');
    const waiting = exports.filter((e) => e.state === 'unapproved');
    if (!waiting.length) return replace(list, h('li', {}, t('admin.approvalsEmpty')));
    replace(
      list,
      waiting.map((e) => {
        const button = h(
          'button',
          { type: 'button', class: 'btn btn--primary', 'data-approve': e.id },
          t('admin.approve'),
        );
        sendOnClick(button, {
          message,
          request: () => api.post(`/api/v1/exports/${e.id}/approve`, {}),
          success: () => t('admin.approved'),
          after: load,
        });
        const text = t('admin.approvalsLine', {
          from: e.from,
          to: e.to,
          recipient: e.recipient,
          agreement: e.agreementRef,
        });
        return h('li', {}, h('span', {}, text), ' ', button);
      }),
    );
  }
  void load().catch(() => undefined);
  return panel('pv-approvals', t('admin.approvalsTitle'), message.el, list);
}

function auditPanel() {
  const rider = field({ label: t('admin.auditRider'), name: 'riderId', attrs: { maxlength: '36' } });
  const actor = field({ label: t('admin.auditActor'), name: 'actorId', attrs: { maxlength: '36' } });
  const button = h('button', { type: 'submit', class: 'btn' }, t('admin.auditSearch'));
  const form = h('form', { class: 'form form--inline', novalidate: true }, rider.wrap, actor.wrap, button);
  const message = feedbackArea();
  const table = h('div', { 'data-audit': '' });
  sendOnSubmit(form, button, {
    message,
    request: async () => {
      const rows = await api.get(
        `/api/v1/audit/personal-data${query({ riderId: rider.input.value.trim(), actorId: actor.input.value.trim() })}`,
      );
      if (!rows.length) return replace(table, h('p', {}, t('admin.auditEmpty')));
      const head = ['auditColWhen', 'auditColActor', 'auditColRider', 'auditColRoute'].map((k) =>
        h('th', { scope: 'col' }, t(`admin.${k}`)),
      );
      const body = rows.map((r) =>
        h(
          'tr',
          {},
          h('td', {}, formatDateTime(r.readAt)),
          h('td', {}, `${r.actorRole} ${r.actorId.slice(0, 8)}`),
          h('td', {}, r.riderId ? r.riderId.slice(0, 8) : '—'),
          h('td', {}, r.route),
        ),
      );
      replace(table, h('table', { class: 'table' }, h('thead', {}, h('tr', {}, head)), h('tbody', {}, body)));
    },
  });
  return panel('pv-audit', t('admin.auditTitle'), h('p', {}, t('admin.auditIntro')), form, message.el, table);
}

export async function renderPrivacy(body) {
  const info = await loadServiceInfo();
  body.append(riderPanel(info), approvalsPanel(), auditPanel());
}
