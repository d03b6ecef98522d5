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
export async function request(method, path, { body, headers = {}, auth = true, raw = false, signal } = {}) {
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
  let payload = {};
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
  // An expired or revoked token: end the session everywhere (the app shows the login again).
  if (res.status === 401 && token && error.code === 'UNAUTHENTICATED') session.end('expired');
  throw error;
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
