// Staff sessions (admins): who is signed in on which device, since when, until when; an admin can
// revoke a session (a lost tablet, a shift that ended badly): its refresh token stops working and
// the device is asked to sign in again at its next request.
import { t } from '../../i18n/index.js';
import { api, errorMessage, query } from '../../lib/api.js';
import { dataTable, h, panel, replace, tableWrap } from '../../lib/dom.js';
import { formatDateTime } from '../../lib/format.js';
import { feedbackArea, sendOnClick } from '../../lib/request.js';

const SESSIONS_PATH = '/api/v1/staff/sessions';

export function renderSessions(body) {
  const message = feedbackArea({ sessionsMessage: '' });
  const box = h('div', { 'data-sessions': '' });

  function row(s) {
    const revoke = h(
      'button',
      {
        type: 'button',
        class: 'btn btn--small',
        'data-revoke-session': s.id,
        'aria-label': t('sessions.revokeFor', { email: s.email }),
      },
      t('sessions.revoke'),
    );
    sendOnClick(revoke, {
      message,
      request: () => api.post(`${SESSIONS_PATH}/${s.id}/revoke`, {}),
      success: () => t('sessions.revoked', { email: s.email }),
      after: load,
    });
    return h(
      'tr',
      { 'data-session-id': s.id, 'data-state': s.state },
      h('th', { scope: 'row' }, s.email),
      h('td', {}, formatDateTime(s.createdAt)),
      h('td', {}, formatDateTime(s.lastUsedAt)),
      h('td', {}, formatDateTime(s.expiresAt)),
      h('td', {}, t(`sessions.states.${s.state}`)),
      h('td', { class: 'muted' }, s.userAgent ?? '—'),
      h('td', { class: 'cell-actions' }, s.state === 'active' ? revoke : null),
    );
  }

  async function load() {
    try {
      // Every active session (the API lists one account's history with `staffId`).
      const sessions = await api.get(`${SESSIONS_PATH}${query({ limit: 500 })}`);
      if (sessions.length === 0) {
        replace(box, h('p', { class: 'empty' }, t('sessions.empty')));
        return;
      }
      const columns = ['email', 'started', 'lastUsed', 'expires', 'state', 'device'].map((k) => t(`sessions.col.${k}`));
      replace(
        box,
        tableWrap(t('sessions.title'), dataTable([...columns, t('common.actions')], sessions.map(row)), { tall: true }),
      );
    } catch (error) {
      message.set(errorMessage(error), 'error');
    }
  }

  body.append(
    panel('sessions-title', t('sessions.title'), h('p', { class: 'hint' }, t('sessions.intro')), message.el, box),
  );
  void load();
  return undefined;
}
