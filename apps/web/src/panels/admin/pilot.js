// Closing the pilot (an end date, confirmed) and reopening it (with a reason).
import { t } from '../../i18n/index.js';
import { api, ApiError, errorMessage } from '../../lib/api.js';
import { field, h, panel, replace } from '../../lib/dom.js';
import { bogotaToday, formatDateTime } from '../../lib/format.js';
import { feedbackArea, refuse, sendOnSubmit } from '../../lib/request.js';

/** The server has no pilot endpoints yet. */
const unavailable = (error) => error instanceof ApiError && error.missingRoute;
const describe = (error) => (unavailable(error) ? t('admin.pilotNotAvailable') : errorMessage(error));

function statusLines(pilot) {
  const closed = pilot.status === 'closed';
  const state = closed
    ? t('admin.pilotClosedState')
    : pilot.running === false
      ? t('admin.pilotNotRunningYet')
      : t('admin.pilotRunning');
  return [
    h('p', {}, h('span', { class: `badge badge--${closed ? 'closed' : 'open'}` }, t('admin.pilotStatus', { state }))),
    closed && pilot.endDate
      ? h('p', {}, `${t('admin.pilotEndDate')}: ${pilot.endDate} · ${formatDateTime(pilot.closedAt)}`)
      : null,
    Array.isArray(pilot.openLoans) && pilot.openLoans.length
      ? h('p', {}, t('admin.pilotOpenLoans', { n: pilot.openLoans.length }))
      : null,
  ];
}

function closeForm(message, reload) {
  const endDate = field({
    label: t('admin.pilotEndDate'),
    name: 'endDate',
    type: 'date',
    value: bogotaToday(),
    attrs: { max: bogotaToday() },
  });
  const confirm = h('input', { type: 'checkbox', id: 'pilot-confirm' });
  const button = h('button', { type: 'submit', class: 'btn btn--danger' }, t('admin.pilotClose'));
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    endDate.wrap,
    h('div', { class: 'check' }, confirm, h('label', { for: 'pilot-confirm' }, t('admin.pilotConfirm'))),
    h('div', { class: 'actions' }, button),
  );
  sendOnSubmit(form, button, {
    message,
    request: () => {
      if (!confirm.checked) refuse(t('admin.pilotNeedConfirm'), confirm);
      return api.post('/api/v1/pilot/close', { endDate: endDate.input.value, confirm: true });
    },
    success: () => t('admin.pilotClosed'),
    describe,
    after: reload,
  });
  return form;
}

function reopenForm(message, reload) {
  const reason = field({
    label: t('admin.pilotReopenReason'),
    name: 'reason',
    attrs: { maxlength: '500', minlength: '3' },
  });
  const button = h('button', { type: 'submit', class: 'btn' }, t('admin.pilotReopen'));
  const form = h('form', { class: 'form', novalidate: true }, reason.wrap, h('div', { class: 'actions' }, button));
  sendOnSubmit(form, button, {
    message,
    request: () => {
      const text = reason.input.value.trim();
      if (text.length < 3) {
        reason.setError(t('common.requiredField'));
        reason.input.focus();
        refuse('');
      }
      return api.post('/api/v1/pilot/reopen', { reason: text });
    },
    success: () => t('admin.pilotReopened'),
    describe,
    after: async () => {
      form.reset();
      await reload();
    },
  });
  return form;
}

export function renderPilot(body) {
  const status = h('div', { class: 'pilot-status', 'data-pilot-status': '' });
  const message = feedbackArea();
  const close = closeForm(message, () => load());
  const reopen = reopenForm(message, () => load());

  async function load() {
    try {
      const pilot = await api.get('/api/v1/pilot');
      replace(status, statusLines(pilot));
      close.hidden = pilot.status === 'closed';
      reopen.hidden = pilot.status !== 'closed';
    } catch (error) {
      if (unavailable(error)) {
        message.set(t('admin.pilotNotAvailable'), 'info');
        close.hidden = true;
        reopen.hidden = true;
      } else message.set(errorMessage(error), 'error');
    }
  }

  body.append(
    panel('pl-title', t('admin.pilotTitle'), h('p', {}, t('admin.pilotIntro')), status, message.el, close, reopen),
  );
  void load();
}
