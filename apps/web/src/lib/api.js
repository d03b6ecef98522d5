// The API client: same origin, JSON, the staff token, and one error type whose message is always
// Spanish — the app's text for the error code when it has one, else the server's own `message`.
import { has, t } from '../i18n/index.js';
import { session } from './session.js';

export class ApiError extends Error {
  constructor({ status, code, message, details, errorId }) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.errorId = errorId;
    /** The server's own text, e.g. "La bicicleta BAV-001 no está en esta estación." */
    this.serverMessage = message;
  }

  /** 404 because the route itself does not exist (a feature the server does not have yet). */
  get missingRoute() {
    return this.status === 404 && this.code === 'ROUTE_NOT_FOUND';
  }
}

/**
 * @param {string} method
 * @param {string} path  e.g. "/api/v1/loans"
 * @param {{ body?: unknown, headers?: Record<string,string>, auth?: boolean, raw?: boolean, signal?: AbortSignal }} options
 *   raw: return the Response itself (downloads).
 */
export async function request(method, path, options = {}) {
  try {
    return await send(method, path, options);
  } catch (error) {
    // The access token expired during the shift: renew it once with the refresh token, then
    // repeat the request once with the new one (same body, same Idempotency-Key).
    if (!(error instanceof ApiError) || error.status !== 401 || !error.sentToken || !session.refreshToken) throw error;
    if (!(await refreshSession(error.sentToken))) throw error;
    return send(method, path, { ...options, retried: true });
  }
}

async function send(method, path, { body, headers = {}, auth = true, raw = false, signal, retried = false } = {}) {
  const token = auth ? session.token : null;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: {
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: 'no-store',
    });
  } catch (e) {
    if (e?.name === 'AbortError') throw e;
    throw new ApiError({ status: 0, code: 'NETWORK_ERROR', message: t('errors.NETWORK_ERROR') });
  }
  if (res.ok) {
    if (raw) return res;
    if (res.status === 204) return null;
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  }
  let payload;
  try {
    payload = await res.json();
  } catch {
    payload = {};
  }
  const error = new ApiError({
    status: res.status,
    code: payload.code ?? `HTTP_${res.status}`,
    message: payload.message ?? '',
    details: payload.details,
    errorId: payload.errorId,
  });
  // An expired or revoked token: end the session everywhere (the app shows the login again) —
  // unless a refresh token can still renew it (`request` tries that once).
  if (res.status === 401 && token && error.code === 'UNAUTHENTICATED') {
    if (session.refreshToken && !retried) error.sentToken = token;
    else session.end('expired');
  }
  throw error;
}

let refreshing = null;

/**
 * Renews the access token with the refresh token; one request at a time, shared by every caller
 * (the API rotates the pair and treats a reused refresh token as theft). `staleToken`: the token
 * that was refused — when another caller already replaced it, there is nothing to do. Resolves
 * true when a fresh token is in place; a refused refresh ends the session.
 */
export function refreshSession(staleToken = session.token) {
  if (staleToken !== session.token && session.token) return Promise.resolve(true);
  refreshing ??= (async () => {
    const refreshToken = session.refreshToken;
    if (!refreshToken) return false;
    try {
      const tokens = await send('POST', '/api/v1/auth/refresh', { body: { refreshToken }, auth: false });
      session.renew(tokens);
      return true;
    } catch (error) {
      // No network: keep the session, the next request tries again. A refusal: sign in again.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) session.end('expired');
      return false;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

let refreshTimer = null;

/** Renews the token shortly before it expires, so live sockets reconnect with a valid one. */
export function keepSessionFresh() {
  clearTimeout(refreshTimer);
  const expiresAt = session.expiresAt;
  if (!session.refreshToken || !expiresAt) return;
  const left = expiresAt - Date.now();
  refreshTimer = setTimeout(
    async () => {
      // Offline: try again in a while (the 401 path also renews it when the network is back).
      if (!(await refreshSession()) && session.refreshToken) refreshTimer = setTimeout(keepSessionFresh, 30_000);
    },
    Math.max(2_000, left - Math.min(60_000, left / 4)),
  );
}

/** Ends the session here, then on the server too (best effort: the tablet may be offline). */
export async function logout() {
  clearTimeout(refreshTimer);
  const { token, refreshToken } = session;
  session.end('logout');
  if (!token) return;
  try {
    await send('POST', '/api/v1/auth/logout', {
      body: refreshToken ? { refreshToken } : {},
      headers: { Authorization: `Bearer ${token}` },
      auth: false,
    });
  } catch {
    // The server could not be told (offline, or an API without sessions); the tokens are gone here.
  }
}

export const api = {
  get: (path, options) => request('GET', path, options),
  post: (path, body, options) => request('POST', path, { ...options, body }),
  patch: (path, body, options) => request('PATCH', path, { ...options, body }),
};

/** A query string from an object, skipping empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * What to tell the person: the app's wording for a known code (filled with the error's details,
 * e.g. the minimum age), else the server's own Spanish `message`.
 */
export function errorMessage(error) {
  if (!(error instanceof ApiError)) return error?.message || t('errors.unknown', { status: '?' });
  const key = `errors.${error.code}`;
  if (has(key)) return t(key, { ...(error.details ?? {}), errorId: error.errorId ?? '—' });
  return error.serverMessage || t('errors.unknown', { status: error.status });
}

/** Per-field problems of a VALIDATION_FAILED answer: `[{ field, problems: [...] }]`. */
export function fieldProblems(error) {
  return error instanceof ApiError && Array.isArray(error.details?.fields) ? error.details.fields : [];
}
