// The signed-in staff member, kept in sessionStorage: it lives as long as the tab, and closing the
// tab on a shared station tablet signs the operator out. When the API gives a refresh token (a
// session for the shift), the short-lived access token is renewed silently (lib/api.js): a minute
// before it expires, and once after any 401.
const TOKEN = 'metrobici.token';
const ACTOR = 'metrobici.actor';
const REFRESH = 'metrobici.refresh';
const EXPIRES = 'metrobici.expiresAt';
const listeners = new Set();

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN);
  },
  /** `{ id, email, role, stationIds }` as GET /api/v1/auth/me answers, or null. */
  get actor() {
    try {
      return JSON.parse(sessionStorage.getItem(ACTOR) ?? 'null');
    } catch {
      return null;
    }
  },
  /** The refresh token of the session, or null (an API without sessions). */
  get refreshToken() {
    return sessionStorage.getItem(REFRESH);
  },
  /** When the access token expires (ms since epoch), or null when unknown. */
  get expiresAt() {
    const at = Number(sessionStorage.getItem(EXPIRES));
    return Number.isFinite(at) && at > 0 ? at : null;
  },
  get signedIn() {
    return Boolean(this.token && this.actor);
  },
  hasRole(...roles) {
    const actor = this.actor;
    return Boolean(actor && roles.includes(actor.role));
  },
  /** `tokens`: the login answer `{ accessToken, refreshToken?, expiresIn? }` (or the access token alone). */
  start(tokens, actor) {
    storeTokens(typeof tokens === 'string' ? { accessToken: tokens } : tokens);
    sessionStorage.setItem(ACTOR, JSON.stringify(actor));
    notify('start');
  },
  /** A refreshed pair: same person, new tokens (no page change). */
  renew(tokens) {
    storeTokens(tokens);
    notify('renewed');
  },
  /** reason: 'logout' | 'expired' */
  end(reason = 'logout') {
    const had = this.signedIn;
    for (const key of [TOKEN, ACTOR, REFRESH, EXPIRES]) sessionStorage.removeItem(key);
    if (had) notify(reason);
  },
  onChange(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
};

function storeTokens({ accessToken, refreshToken, expiresIn }) {
  sessionStorage.setItem(TOKEN, accessToken);
  if (refreshToken) sessionStorage.setItem(REFRESH, refreshToken);
  else sessionStorage.removeItem(REFRESH);
  if (Number(expiresIn) > 0) sessionStorage.setItem(EXPIRES, String(Date.now() + Number(expiresIn) * 1000));
  else sessionStorage.removeItem(EXPIRES);
}

function notify(reason) {
  for (const fn of listeners) fn(reason);
}

/** Where each role starts after signing in. */
export function homeFor(role) {
  if (role === 'operator') return '#/estacion';
  if (role === 'planner') return '#/planeacion';
  if (role === 'admin') return '#/admin';
  return '#/';
}
