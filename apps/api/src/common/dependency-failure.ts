/**
 * Recognises errors that mean "a dependency is unreachable or overloaded right now" rather than "this
 * request is wrong" or "the code is wrong": the API answers those with 503 SERVICE_UNAVAILABLE and
 * `Retry-After`, so a station tablet retries instead of showing an internal error.
 */
export type DependencyFailure = 'database' | 'database_busy' | 'redis';

// SQLSTATE: class 08 connection exceptions, the server shutting down or starting up (57P01..57P03),
// too many connections (53300), statement_timeout (57014) and lock_timeout (55P03). A lock or
// statement timeout is contention that clears by itself, so it is a 503 too, not a 409: the
// request was not refused by a rule and the same request may succeed a moment later.
const DATABASE_DOWN_SQLSTATES = /^(08...|57P0[1-4]|53300)$/;
const DATABASE_BUSY_SQLSTATES = new Set(['57014', '55P03']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// node-postgres reports these without a code.
const PG_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /query read timeout/i,
];
// ioredis: offline, or retries per request used up.
const REDIS_NAMES = new Set(['MaxRetriesPerRequestError']);
const REDIS_MESSAGES = [/connection is closed/i, /stream isn't writeable/i, /reached the max retries per request/i];

/** What failed, or null for an ordinary error. Follows `driverError` (TypeORM) and `cause` a few levels. */
export function dependencyFailure(error: unknown): DependencyFailure | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const e = current as { code?: unknown; message?: unknown; name?: unknown; driverError?: unknown; cause?: unknown };
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    const name = typeof e.name === 'string' ? e.name : '';
    if (DATABASE_BUSY_SQLSTATES.has(code)) return 'database_busy';
    if (DATABASE_DOWN_SQLSTATES.test(code)) return 'database';
    if (REDIS_NAMES.has(name) || REDIS_MESSAGES.some((re) => re.test(message))) return 'redis';
    if (PG_MESSAGES.some((re) => re.test(message))) return 'database';
    if (NETWORK_CODES.has(code)) return 'database';
    current = e.driverError ?? e.cause;
  }
  return null;
}

export const RETRY_AFTER_SECONDS = 5;

export const DEPENDENCY_FAILURE_MESSAGES: Record<DependencyFailure, string> = {
  database: 'El servicio no está disponible por un momento (base de datos). Intente de nuevo en unos segundos.',
  database_busy: 'El servicio está ocupado en este momento. Intente de nuevo en unos segundos.',
  redis: 'El servicio no está disponible por un momento. Intente de nuevo en unos segundos.',
};
