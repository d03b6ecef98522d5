// Alerts for staff (overdue loans, empty or full stations, damaged or missing bikes, count
// differences, injuries), newest first. The server stores them: on every (re)connection of the
// live feed the open ones are read again (`GET /api/v1/alerts?state=open`), so a tablet that was
// closed or offline sees what it missed; the socket pushes new ones meanwhile. Each open alert can
// be acknowledged ("Reconocer"); one about this station refreshes the lists.
import { has, t } from '../../i18n/index.js';
import { api, errorMessage, query } from '../../lib/api.js';
import { h, panel } from '../../lib/dom.js';
import { formatAgo, formatTime } from '../../lib/format.js';
import { feedbackArea, sendOnClick } from '../../lib/request.js';

const MAX_ALERTS = 50;
const STATUS_TEXT = { online: 'operator.alertsOnline', offline: 'operator.alertsOffline' };

/** When the alert was raised. */
const raisedAt = (alert) => alert.at ?? alert.since ?? null;
/** open | acknowledged | resolved, from the stored alert's timestamps. */
const stateOf = (alert) => (alert.resolvedAt ? 'resolved' : alert.acknowledgedAt ? 'acknowledged' : 'open');
/** The kind's Spanish name (the newer kinds are named in the `alerts` block). */
const kindName = (kind) =>
  t(has(`operator.alertKinds.${kind}`) ? `operator.alertKinds.${kind}` : `alerts.kinds.${kind}`);

export function alertsPanel(ctx) {
  const status = h('p', { class: 'live-status' }, t('operator.alertsConnecting'));
  const message = feedbackArea({ alertsMessage: '' });
  const list = h(
    'ol',
    { class: 'alerts', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'data-alerts': '' },
    h('li', { class: 'empty' }, t('operator.alertsEmpty')),
  );
  /** id → its list item (an alert read again after a reconnection is not shown twice). */
  const shown = new Map();
  /** False when the API has no stored alerts (only live messages, which cannot be acknowledged). */
  let stored = true;

  function ackButton(alert, item) {
    const button = h(
      'button',
      {
        type: 'button',
        class: 'btn btn--small',
        'data-ack': '',
        'aria-label': t('alerts.ackFor', { kind: kindName(alert.kind) }),
      },
      t('alerts.ack'),
    );
    sendOnClick(button, {
      message,
      request: () => api.post(`/api/v1/alerts/${alert.id}/ack`, {}),
      after: () => mark(item, 'acknowledged'),
    });
    return button;
  }

  /** An alert someone acknowledged, or whose condition ended: it stays listed, without its button. */
  function mark(item, state) {
    if (!item || item.dataset.state !== 'open') return;
    item.dataset.state = state;
    item.classList.add(`alert--${state}`);
    const note = h('p', { class: 'muted', 'data-alert-note': state }, t(`alerts.${state}`));
    const button = item.querySelector('[data-ack]');
    if (button) button.replaceWith(note);
    else item.append(note);
  }

  function itemFor(alert) {
    const at = raisedAt(alert);
    const since =
      alert.since && at && new Date(at) - new Date(alert.since) > 60_000
        ? ` · ${t('operator.alertSince', { duration: formatAgo(alert.since).replace(/^hace /, '') })}`
        : '';
    const item = h(
      'li',
      {
        class: `alert alert--${alert.kind}`,
        'data-alert-kind': alert.kind,
        'data-alert-id': alert.id,
        'data-state': 'open',
      },
      h(
        'p',
        { class: 'alert__head' },
        h('strong', {}, kindName(alert.kind)),
        ' · ',
        alert.stationId ? ctx.stationName(alert.stationId) : '',
        ' · ',
        h('time', { datetime: at }, formatTime(at)),
      ),
      h('p', {}, alert.message, since),
    );
    // Only a stored alert can be acknowledged (an API without stored alerts only pushes messages).
    if (stored) item.append(ackButton(alert, item));
    if (stateOf(alert) !== 'open') mark(item, stateOf(alert));
    return item;
  }

  function add(alert) {
    if (!alert?.id) return;
    const id = String(alert.id);
    const existing = shown.get(id);
    if (existing) {
      if (stateOf(alert) !== 'open') mark(existing, stateOf(alert));
      return;
    }
    list.querySelector('.empty')?.remove();
    const item = itemFor(alert);
    shown.set(id, item);
    // Newest first, by when it was raised (a reconnection brings older ones after newer pushes).
    const time = new Date(raisedAt(alert) ?? 0).getTime();
    const after = [...list.children].find((li) => new Date(li.querySelector('time')?.dateTime ?? 0).getTime() < time);
    list.insertBefore(item, after ?? null);
    while (list.children.length > MAX_ALERTS) {
      const last = list.lastElementChild;
      shown.delete(last.dataset.alertId);
      last.remove();
    }
    if (alert.stationId === ctx.stationId) ctx.scheduleRefresh();
  }

  /** The open alerts the server kept (all of the staff member's stations). */
  async function load() {
    try {
      const open = await api.get(`/api/v1/alerts${query({ state: 'open' })}`);
      // Oldest first, so each lands above the one before it.
      for (const alert of [...open].reverse()) add(alert);
    } catch (error) {
      // An API without stored alerts still pushes them live; anything else is said.
      if (error?.missingRoute) stored = false;
      else message.set(errorMessage(error), 'error');
    }
  }

  function setStatus(state) {
    status.dataset.state = state;
    status.textContent = t(STATUS_TEXT[state] ?? 'operator.alertsConnecting');
    if (state === 'online') void load();
  }

  const el = panel('alerts-title', t('operator.alertsTitle'), status, message.el, list);
  el.classList.add('panel--alerts');
  return {
    el,
    add,
    setStatus,
    load,
    resolved: (event) => mark(shown.get(String(event?.id)), 'resolved'),
    acknowledged: (event) => mark(shown.get(String(event?.id)), 'acknowledged'),
  };
}
