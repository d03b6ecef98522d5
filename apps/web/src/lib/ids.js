/**
 * A v4 UUID. `crypto.randomUUID` exists only in secure contexts (https, localhost); a station
 * tablet on plain http over the LAN still has `crypto.getRandomValues`.
 */
export function newId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The Idempotency-Key of one operator attempt. The same request retried (second click, timeout,
 * flaky network) reuses the key, so the server answers the first result again instead of creating
 * a second loan; a different request (another bike or rider) or a success starts a new attempt.
 */
export class Attempt {
  #key = null;
  #fingerprint = null;

  keyFor(payload) {
    const fingerprint = JSON.stringify(payload);
    if (!this.#key || fingerprint !== this.#fingerprint) {
      this.#key = newId();
      this.#fingerprint = fingerprint;
    }
    return this.#key;
  }

  /** The key of the attempt in progress, or null (a queued action is matched by it). */
  get key() {
    return this.#key;
  }

  /** The attempt is over: the next request gets a fresh key. */
  done() {
    this.#key = null;
    this.#fingerprint = null;
  }
}
