// The signed-in staff member, kept in sessionStorage: it lives as long as the tab, and closing the
// tab on a shared station tablet signs the operator out.
const TOKEN = 'metrobici.token';
const ACTOR = 'metrobici.actor';
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
  get signedIn() {
    return Boolean(this.token && this.actor);
  },
  hasRole(...roles) {
    const actor = this.actor;
    return Boolean(actor && roles.includes(actor.role));
  },
  start(token, actor) {
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.setItem(ACTOR, JSON.stringify(actor));
    notify('start');
  },
  /** reason: 'logout' | 'expired' */
  end(reason = 'logout') {
    const had = this.signedIn;
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(ACTOR);
    if (had) notify(reason);
  },
  onChange(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
};

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
