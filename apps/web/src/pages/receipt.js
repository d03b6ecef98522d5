// The rider's receipt (public, no account): `/recibo/<token>` or `#/recibo/<token>`, opened from
// the QR code shown at check-out. Bike code, the due time counting down live, the renewal rule and
// the nearest stations with free spaces, live. The server answers no personal data for it, and
// stops answering when the loan ends (the page then says so).
import { t } from '../i18n/index.js';
import { api, ApiError, errorMessage } from '../lib/api.js';
import { h, panel, replace } from '../lib/dom.js';
import { formatTime } from '../lib/format.js';
import { connectAvailability, StationStore } from '../lib/live.js';

const NEAREST = 5;

/** "1 h 05 min 09 s" / "05 min 09 s" until `dueAt`, or null once it has passed. */
export function countdown(dueAt, now = Date.now()) {
  const left = Math.floor((new Date(dueAt).getTime() - now) / 1000);
  if (left < 0) return null;
  const hh = Math.floor(left / 3600);
  const mm = String(Math.floor((left % 3600) / 60)).padStart(2, '0');
  const ss = String(left % 60).padStart(2, '0');
  return hh > 0 ? `${hh} h ${mm} min ${ss} s` : `${mm} min ${ss} s`;
}

/** Distance in metres between two points (haversine). */
function metres(a, b) {
  const rad = (d) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const x = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(x));
}

/** The loan's due time and the time left, ticking every second on the server's clock. */
function dueBlock() {
  const bike = h('strong', { class: 'code', 'data-receipt-bike': '' });
  const due = h('p', { 'data-receipt-due': '' });
  const left = h('p', { class: 'receipt__countdown', 'data-countdown': '' });
  const rule = h('p', { class: 'hint', 'data-receipt-rule': '' });
  let receipt = null;
  let offset = 0;
  const tick = () => {
    if (!receipt) return;
    const text = countdown(receipt.dueAt, Date.now() + offset);
    left.textContent = text ? t('receipt.timeLeft', { left: text }) : t('receipt.overdue');
    left.dataset.overdue = String(!text);
  };
  const timer = setInterval(tick, 1000);
  return {
    el: h('div', { class: 'receipt__due' }, h('p', {}, t('receipt.bike'), ' ', bike), due, left, rule),
    /** A (re)read receipt: a renewal moves the due time. */
    show(next) {
      receipt = next;
      // The phone's clock may be wrong: count on the server's.
      offset = next.serverTime ? new Date(next.serverTime).getTime() - Date.now() : 0;
      bike.textContent = next.bikeCode;
      due.textContent = t('receipt.dueAt', { time: formatTime(next.dueAt) });
      rule.textContent = next.renewalRule ?? t('receipt.renewalRule', { minutes: next.renewalRuleMinutes ?? 60 });
      tick();
    },
    stop: () => clearInterval(timer),
  };
}

/** The nearest open stations with free spaces (from where the bike left), live. */
function nearestBlock(origin) {
  const store = new StationStore();
  const list = h('ol', { class: 'receipt__stations', 'data-receipt-stations': '' });
  const status = h('p', { class: 'live-status' });
  const render = () => {
    const stations = store.list
      .filter((s) => s.isOpen !== false && Number(s.spacesAvailable) > 0 && s.lat != null)
      // Nearest first; the station the bike left from first among equals.
      .sort((a, b) => metres(origin, a) - metres(origin, b) || (b.id === origin.id) - (a.id === origin.id))
      .slice(0, NEAREST);
    if (stations.length === 0) {
      replace(list, h('li', { class: 'empty' }, t('receipt.noSpaces')));
      return;
    }
    replace(
      list,
      stations.map((s) =>
        h(
          'li',
          { 'data-station-id': s.id },
          h('strong', {}, s.name),
          ' · ',
          h('span', { 'data-field': 'spaces' }, String(s.spacesAvailable)),
          ` ${t('receipt.freeSpaces')} · `,
          t('receipt.distance', { km: (metres(origin, s) / 1000).toFixed(1).replace('.', ',') }),
        ),
      ),
    );
  };
  store.subscribe(render);
  const live = connectAvailability(store, {
    onStatus: (state) => {
      status.dataset.state = state;
      status.textContent = t(`live.${state}`);
    },
  });
  return {
    el: h(
      'section',
      { 'aria-labelledby': 'receipt-nearest' },
      h('h2', { id: 'receipt-nearest' }, t('receipt.nearestTitle')),
      status,
      list,
    ),
    stop: () => live.close(),
  };
}

/** Re-reads the receipt every minute: a renewal moves the due time, a return ends the page. */
const REREAD_MS = 60_000;

export async function renderReceipt(view, { path }) {
  const token = decodeURIComponent(path.split('/')[2] ?? '');
  view.append(h('h1', {}, t('receipt.title')), h('p', { class: 'lead' }, t('receipt.intro')));
  const read = () => api.get(`/api/v1/receipts/${encodeURIComponent(token)}`, { auth: false });
  const gone = (error) => {
    const ended = error instanceof ApiError && error.status === 404;
    return h(
      'p',
      { class: 'message message--info', role: 'status', 'data-receipt-gone': '' },
      ended ? t('receipt.gone') : errorMessage(error),
    );
  };
  let receipt;
  try {
    receipt = await read();
  } catch (error) {
    view.append(gone(error));
    return undefined;
  }
  const due = dueBlock();
  due.show(receipt);
  const nearest = nearestBlock(receipt.station);
  const loan = panel(
    'receipt-loan',
    t('receipt.loanTitle'),
    due.el,
    h('p', {}, t('receipt.from', { station: receipt.station?.name ?? '' })),
  );
  view.append(loan, nearest.el);
  const timer = setInterval(async () => {
    try {
      due.show(await read());
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) return; // offline: try again later
      clearInterval(timer);
      due.stop();
      nearest.stop();
      replace(loan, gone(error));
    }
  }, REREAD_MS);
  return () => {
    clearInterval(timer);
    due.stop();
    nearest.stop();
  };
}
