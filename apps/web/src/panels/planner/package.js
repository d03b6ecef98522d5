// The data package for the advisers: POST /api/v1/exports, progress by polling and over the staff
// socket (whichever is first; never backwards from a final state), then the download.
import { t } from '../../i18n/index.js';
import { api, ApiError, errorMessage } from '../../lib/api.js';
import { field, h, replace } from '../../lib/dom.js';
import { connectOperations } from '../../lib/live.js';
import { feedbackArea, refuse, sendOnClick } from '../../lib/request.js';
import { session } from '../../lib/session.js';

const EXPORT_KEY = 'metrobici.exportId';
const POLL_MS = 1000;
const isFinal = (view) => view?.state === 'completed' || view?.state === 'failed';
const describe = (error) =>
  error instanceof ApiError && error.missingRoute ? t('planner.exportNotAvailable') : errorMessage(error);

function progressParts() {
  const bar = h('progress', {
    max: '100',
    value: '0',
    'aria-labelledby': 'export-progress-label',
    'data-export-progress': '',
  });
  const label = h('p', { id: 'export-progress-label', class: 'progress-label' }, t('planner.exportProgress'));
  const text = h('p', { class: 'progress-text', role: 'status', 'aria-live': 'polite', 'data-export-state': '' });
  const box = h('div', { class: 'progress-box', hidden: true }, label, bar, text);
  return {
    box,
    show(state, pct) {
      box.hidden = false;
      const value = state === 'completed' ? 100 : Math.max(0, Math.min(100, Number(pct) || 0));
      bar.value = value;
      bar.setAttribute('aria-valuetext', `${value} %`);
      text.textContent = `${t(`planner.exportStates.${state}`)} · ${value} %`;
      box.dataset.state = state;
    },
  };
}

/** Fetches the ZIP and hands it to the browser as a download; the file's name. */
async function download(view) {
  const res = await api.get(view.downloadUrl ?? `/api/v1/exports/${view.id}/download`, {
    raw: true,
    headers: { Accept: 'application/zip' },
  });
  const blob = await res.blob();
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const fileName =
    /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `metrobici-datos-${view.from ?? ''}_${view.to ?? ''}.zip`;
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return fileName;
}

/** Public or research; research needs a recipient and an agreement (an admin approves it later). */
function kindFields() {
  const kind = field({
    label: t('planner.exportKind'),
    name: 'packageKind',
    type: 'select',
    options: [
      ['public', t('planner.exportKindPublic')],
      ['research', t('planner.exportKindResearch')],
    ],
    value: 'public',
    attrs: { 'data-export-kind': '' },
  });
  const recipient = field({ label: t('planner.exportRecipient'), name: 'recipient', attrs: { maxlength: '200' } });
  const agreement = field({ label: t('planner.exportAgreement'), name: 'agreementRef', attrs: { maxlength: '120' } });
  const research = h('div', { hidden: true, 'data-export-research': '' }, recipient.wrap, agreement.wrap);
  kind.input.addEventListener('change', () => {
    research.hidden = kind.input.value !== 'research';
  });
  return {
    el: h('div', { class: 'form' }, kind.wrap, research),
    body(withSynthetic) {
      if (kind.input.value !== 'research') return withSynthetic ? { synthetic: 'include' } : {};
      const r = recipient.input.value.trim();
      const a = agreement.input.value.trim();
      if (!r || !a) refuse(t('planner.exportNeedsAgreement'), r ? agreement.input : recipient.input);
      return { kind: 'research', recipient: r, agreementRef: a };
    },
  };
}

/** `range()`: the dates chosen in the filters; `valid()`: whether they are in order. */
export function packagePanel({ dates, valid, withSynthetic }) {
  const kind = kindFields();
  const start = h(
    'button',
    { type: 'button', class: 'btn btn--primary', 'data-export-start': '' },
    t('planner.exportStart'),
  );
  const progress = progressParts();
  const message = feedbackArea();
  const downloadBox = h('div', { class: 'download-box' });
  let exportId = null;
  let pollTimer = null;
  let lastExport = null;
  let disposed = false;

  const stopPolling = () => {
    clearTimeout(pollTimer);
    pollTimer = null;
  };
  const finish = () => {
    stopPolling();
    sessionStorage.removeItem(EXPORT_KEY);
  };

  function offerDownload(view) {
    const button = h(
      'button',
      { type: 'button', class: 'btn btn--primary', 'data-export-download': '' },
      t('planner.exportDownload'),
    );
    sendOnClick(button, {
      message,
      request: () => download(view),
      success: (file) => t('planner.exportDownloaded', { file }),
    });
    replace(downloadBox, button);
    button.focus();
  }

  function apply(view) {
    if (!view || view.id !== exportId) return;
    // Socket and polling race; never move backwards from a final state.
    if (isFinal(lastExport)) return;
    lastExport = view;
    progress.show(view.state, view.progress);
    if (view.state === 'completed') {
      finish();
      message.set(t('planner.exportDone'), 'success');
      offerDownload(view);
    } else if (view.state === 'failed') {
      finish();
      message.set(view.error ? `${t('planner.exportFailed')} (${view.error})` : t('planner.exportFailed'), 'error');
    }
  }

  async function poll() {
    if (!exportId || disposed) return;
    try {
      apply(await api.get(`/api/v1/exports/${exportId}`));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        finish();
        message.set(describe(error), 'error');
        return;
      }
      // A network blip: keep polling.
    }
    if (!disposed && !isFinal(lastExport)) pollTimer = setTimeout(() => void poll(), POLL_MS);
  }

  function follow(id) {
    exportId = id;
    lastExport = null;
    sessionStorage.setItem(EXPORT_KEY, id);
    replace(downloadBox);
    progress.show('queued', 0);
    stopPolling();
    void poll();
  }

  sendOnClick(start, {
    message,
    request: () => {
      if (!valid()) refuse(t('planner.rangeInvalid'));
      return api.post('/api/v1/exports', { ...dates(), ...kind.body(withSynthetic?.() === true) });
    },
    success: (created) => ({
      text: created.state === 'unapproved' ? t('planner.exportAwaitingApproval') : t('planner.exportStarted'),
      kind: 'info',
    }),
    describe,
    after: (created) => follow(created.id),
  });

  const operations = session.hasRole('planner', 'admin')
    ? connectOperations({ onExportProgress: (e) => apply(e && { ...lastExport, ...e, id: e.id ?? e.exportId }) })
    : null;
  const pending = sessionStorage.getItem(EXPORT_KEY);
  if (pending) follow(pending);

  const el = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'export-title', 'data-export': '' },
    h('h2', { id: 'export-title' }, t('planner.exportTitle')),
    h('p', {}, t('planner.exportIntro')),
    kind.el,
    h('div', { class: 'actions' }, start),
    progress.box,
    message.el,
    downloadBox,
  );
  return {
    el,
    dispose() {
      disposed = true;
      stopPolling();
      operations?.close();
    },
  };
}
