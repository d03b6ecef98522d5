// The operator's actions that could not reach the server (tablet offline, network error): kept in
// IndexedDB — so a reload, a crash or a closed tab loses none — each with the Idempotency-Key of
// its attempt, created once and reused on every resend, so the server never makes two loans of
// one action whatever was lost on the way. Sent again when the network is back (`online` event)
// and every RETRY_MS. A refusal (a 4xx with a code: the bike was lent at another station in the
// meantime) is kept, marked, for the operator to retry or discard — never dropped silently.
import { openDB } from '/vendor/idb/index.js';
import { ApiError, api, errorMessage, query, request } from './api.js';
import { session } from './session.js';

const DB_NAME = 'metrobici';
const STORE = 'pending-actions';
/** Periodic retry while something waits (besides the browser's `online` event). */
export const RETRY_MS = 20_000;
/** Gateway answers of a flaky mobile network: the request may not have reached the API. */
const GATEWAY = new Set([502, 503, 504]);
/** Answers that say "not now" rather than "no": the action stays pending. */
const NOT_NOW = new Set(['NETWORK_ERROR', 'IDEMPOTENCY_IN_PROGRESS', 'RATE_LIMITED', 'UNAUTHENTICATED']);

let dbPromise = null;
const db = () =>
  (dbPromise ??= openDB(DB_NAME, 1, {
    upgrade(database) {
      database.createObjectStore(STORE, { keyPath: 'key' });
    },
  }));

const listeners = new Set();
function notify(event) {
  for (const fn of listeners) {
    try {
      fn(event);
    } catch (error) {
      console.error(error);
    }
  }
}

/** No answer at all, or a gateway's: the outcome is unknown and the action may be sent again. */
export function isNetworkFailure(error) {
  return error instanceof ApiError && (error.status === 0 || GATEWAY.has(error.status));
}

/** The tablet knows it has no network: do not even try. */
export const offlineNow = () => navigator.onLine === false;

/**
 * An action as stored: `{ key, kind: 'checkOut' | 'return' | 'renew', body, loanId?, bikeCode,
 * stationId, summary, actorId, createdAt, state: 'pending' | 'refused', error?, tries }`.
 */
function entryOf(kind, key, { body, loanId, bikeCode, stationId, summary }) {
  return {
    key,
    kind,
    body,
    loanId: loanId ?? null,
    bikeCode,
    stationId,
    summary: summary ?? '',
    actorId: session.actor?.id ?? null,
    createdAt: new Date().toISOString(),
    state: 'pending',
    error: null,
    tries: 0,
  };
}

/**
 * Sends one action. A renewal by bike code finds its loan first and, when the action is stored,
 * keeps its id there.
 */
async function perform(entry, { stored = true } = {}) {
  const headers = { 'Idempotency-Key': entry.key };
  if (entry.kind === 'checkOut') return api.post('/api/v1/loans', entry.body, { headers });
  if (entry.kind === 'return') return api.post('/api/v1/returns', entry.body, { headers });
  if (entry.kind === 'renew') {
    if (!entry.loanId) {
      const open = await api.get(`/api/v1/loans${query({ state: 'open', bikeCode: entry.bikeCode })}`);
      const loan = open.find((l) => l.bikeCode === entry.bikeCode);
      if (!loan) throw new ApiError({ status: 404, code: 'RENEW_LOAN_NOT_FOUND', message: '' });
      // Once known, the loan stays the same for every resend: a lost answer must not renew the
      // journey's next trip a second time.
      entry.loanId = loan.id;
      if (stored) await pendingActions.put(entry);
    }
    return request('POST', `/api/v1/loans/${entry.loanId}/renew`, { body: entry.body, headers });
  }
  throw new Error(`unknown pending action ${entry.kind}`);
}

export const pendingActions = {
  async all() {
    const rows = await (await db()).getAll(STORE);
    return rows.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  },
  async get(key) {
    return (await db()).get(STORE, key);
  },
  async put(entry) {
    await (await db()).put(STORE, entry);
    notify({ type: 'changed' });
    return entry;
  },
  async remove(key) {
    const database = await db();
    if (!(await database.get(STORE, key))) return;
    await database.delete(STORE, key);
    notify({ type: 'changed' });
  },
  /** `fn({ type: 'changed' | 'sent' | 'refused', entry?, value?, error? })`; returns the unsubscribe. */
  subscribe(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },

  /**
   * Sends `entry` now, or keeps it for later when there is no network. Resolves with
   * `{ value }` (the API's answer) or `{ queued: entry }`; a refusal is thrown as the ApiError.
   * `kind`/`key`/details: see `entryOf`. The same key already queued (a second press of confirm)
   * is the same action: it is replaced, not added twice.
   */
  async sendOrQueue(kind, key, details) {
    const existing = await pendingActions.get(key);
    const entry = existing ?? entryOf(kind, key, details);
    if (offlineNow()) return { queued: await pendingActions.put({ ...entry, state: 'pending', error: null }) };
    try {
      const value = await perform(entry, { stored: Boolean(existing) });
      await pendingActions.remove(key);
      return { value };
    } catch (error) {
      if (isNetworkFailure(error)) {
        return {
          queued: await pendingActions.put({ ...entry, state: 'pending', error: null, tries: entry.tries + 1 }),
        };
      }
      await pendingActions.remove(key);
      throw error;
    }
  },

  /** Sends one stored action again (the queue panel's "Reintentar"/"Enviar ahora"), same key. */
  async resend(key) {
    const entry = await pendingActions.get(key);
    if (!entry) return { gone: true };
    return sendStored(entry);
  },
};

async function sendStored(entry) {
  entry.tries += 1;
  try {
    const value = await perform(entry);
    await (await db()).delete(STORE, entry.key);
    notify({ type: 'sent', entry, value });
    notify({ type: 'changed' });
    return { value };
  } catch (error) {
    if (isNetworkFailure(error) || NOT_NOW.has(error?.code) || error?.status >= 500) {
      await pendingActions.put({ ...entry, state: 'pending' });
      return { failed: error };
    }
    const refused = { ...entry, state: 'refused', error: { code: error?.code ?? null, message: errorMessage(error) } };
    await pendingActions.put(refused);
    notify({ type: 'refused', entry: refused, error });
    return { refused: error };
  }
}

let flushing = null;

/**
 * Sends every pending action of the signed-in staff member, oldest first, and stops at the first
 * network failure (the network is still down). `force`: also the ones tried a moment ago.
 */
export function flushPending({ force = false } = {}) {
  flushing ??= sendAll(force).finally(() => {
    flushing = null;
  });
  return flushing;
}

async function sendAll(force) {
  const actorId = session.actor?.id;
  if (!actorId || offlineNow()) return;
  for (const entry of await pendingActions.all()) {
    if (entry.state !== 'pending' || entry.actorId !== actorId) continue;
    // A fresh one may still be retried by the operator by hand; it waits for the next round.
    if (!force && Date.now() - new Date(entry.createdAt).getTime() < RETRY_MS) continue;
    const outcome = await sendStored(entry);
    if (outcome.failed && isNetworkFailure(outcome.failed)) return;
  }
}

/** Sends the queue when the network comes back and every RETRY_MS; returns the stop function. */
export function startPendingSync() {
  const online = () => void flushPending({ force: true });
  window.addEventListener('online', online);
  const timer = setInterval(() => void flushPending(), RETRY_MS);
  void flushPending({ force: true });
  return () => {
    window.removeEventListener('online', online);
    clearInterval(timer);
  };
}
