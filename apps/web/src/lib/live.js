// Live data over socket.io (client served from node_modules by the API, see index.html's CSP).
//   /availability (public): `stations:snapshot` on every (re)connection, then `station:updated`
//     carrying a per-station `sequence`; anything not newer than what we hold is ignored, so a
//     duplicate or late delivery can never move a count backwards.
//   /operations (staff, token in the handshake): `alert` and `export:progress`.
import { io } from '/vendor/socket.io/socket.io.esm.min.js';
import { api } from './api.js';
import { session } from './session.js';

/** Stations by id, each with its latest counts and `sequence`. */
export class StationStore {
  constructor() {
    this.byId = new Map();
    this.listeners = new Set();
  }

  get list() {
    return [...this.byId.values()];
  }

  get(id) {
    return this.byId.get(id);
  }

  /**
   * A full list (HTTP or snapshot): it says which stations exist; for each, keep whichever of ours
   * and theirs is newer (a snapshot read just before an update we already applied is older).
   */
  applyList(stations) {
    const ids = new Set();
    for (const s of stations) {
      ids.add(s.id);
      const current = this.byId.get(s.id);
      if (!current || Number(s.sequence) >= Number(current.sequence))
        this.byId.set(s.id, { ...current, ...s, sequence: Number(s.sequence) });
    }
    for (const id of [...this.byId.keys()]) if (!ids.has(id)) this.byId.delete(id);
    this.emit({ type: 'list' });
  }

  /** One `station:updated`: applied only when newer. Returns 'applied' | 'stale' | 'unknown'. */
  applyUpdate(event) {
    const current = this.byId.get(event.stationId);
    if (!current) return 'unknown';
    if (!(Number(event.sequence) > Number(current.sequence))) return 'stale';
    const { stationId: _id, ...counts } = event;
    const next = { ...current, ...counts, sequence: Number(event.sequence) };
    this.byId.set(event.stationId, next);
    this.emit({ type: 'update', station: next });
    return 'applied';
  }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(change) {
    for (const fn of this.listeners) fn(change);
  }
}

const FALLBACK_POLL_MS = 30_000;

/**
 * Keeps `store` live: HTTP list first (fast and works without WebSockets), then the socket. While
 * the socket is down, the list is polled so the page never silently goes stale.
 * @param {(status: 'connecting'|'online'|'offline') => void} onStatus
 */
export function connectAvailability(store, { onStatus = () => {} } = {}) {
  let closed = false;
  let pollTimer = null;
  const load = async () => {
    try {
      store.applyList(await api.get('/api/v1/stations', { auth: false }));
      return null;
    } catch (error) {
      // The socket's snapshot (or the next poll) may still bring the list.
      return error;
    }
  };
  const startPolling = () => {
    if (pollTimer || closed) return;
    pollTimer = setInterval(load, FALLBACK_POLL_MS);
  };
  const stopPolling = () => {
    clearInterval(pollTimer);
    pollTimer = null;
  };

  onStatus('connecting');
  const initial = load();
  // Websocket from the start, no long-polling: with several API processes behind one port a
  // polling session would need sticky routing (API_PROCESSES); the HTTP polling above is the fallback.
  const socket = io('/availability', { transports: ['websocket'] });
  let connectedBefore = false;
  socket.on('connect', () => {
    stopPolling();
    onStatus('online');
    // The server sends a snapshot on every connection; asking again after a reconnection is cheap
    // and covers a snapshot lost while the transport was switching.
    if (connectedBefore) socket.emit('stations:refresh');
    connectedBefore = true;
  });
  socket.on('disconnect', () => {
    onStatus('offline');
    startPolling();
  });
  socket.on('connect_error', () => {
    onStatus('offline');
    startPolling();
  });
  socket.on('stations:snapshot', (payload) => store.applyList(payload?.stations ?? []));
  socket.on('station:updated', (event) => {
    if (store.applyUpdate(event) === 'unknown') socket.emit('stations:refresh');
  });

  return {
    /** Resolves with null, or the error of the first HTTP load. */
    ready: initial,
    close() {
      closed = true;
      stopPolling();
      socket.disconnect();
    },
  };
}

/**
 * The staff namespace. The token is read at every (re)connection, so a new sign-in or a silently
 * refreshed token is picked up. The server disconnects the socket when the access token expires:
 * the client then asks the API who it is (a 401 there renews the token with the refresh token, or
 * ends the session) and connects again.
 * @param {{ onAlert?: Function, onAlertResolved?: Function, onAlertAcknowledged?: Function,
 *   onExportProgress?: Function, onStatus?: Function }} handlers
 */
export function connectOperations({
  onAlert = () => {},
  onAlertResolved = () => {},
  onAlertAcknowledged = () => {},
  onExportProgress = () => {},
  onStatus = () => {},
} = {}) {
  let closed = false;
  const retryLater = () => setTimeout(() => !closed && !socket.connected && socket.connect(), 5000);
  const reconnectWithFreshToken = () =>
    api.get('/api/v1/auth/me').then(
      () => !closed && !socket.connected && socket.connect(),
      () => {},
    );
  onStatus('connecting');
  const socket = io('/operations', { auth: (cb) => cb({ token: session.token ?? '' }) });
  socket.on('connect', () => onStatus('online'));
  socket.on('disconnect', (reason) => {
    onStatus('offline');
    // Only a disconnection by the server stops socket.io's own reconnection.
    if (reason === 'io server disconnect' && session.signedIn) void reconnectWithFreshToken();
  });
  socket.on('connect_error', (err) => {
    onStatus('offline');
    if (err?.message === 'UNAUTHENTICATED') {
      // Ask the API who we are: a 401 there renews the token (or ends the session and shows the
      // login page); otherwise the refusal was a race with a new sign-in, and we try again.
      api.get('/api/v1/auth/me').then(retryLater, () => {});
      return;
    }
    if (!socket.active) retryLater();
  });
  socket.on('alert:resolved', onAlertResolved);
  socket.on('alert:acknowledged', onAlertAcknowledged);
  socket.on('alert', onAlert);
  socket.on('export:progress', onExportProgress);
  return {
    close() {
      closed = true;
      socket.disconnect();
    },
  };
}
