// The one way a panel sends what a person asked for: the button is disabled and marked busy while
// the request runs (a double click never starts a second one), then the panel's message area says
// what happened in Spanish — the success text, or the message for the error's `code`
// (`errorMessage`) — and the button is enabled again. Panels only say what to send and what to say.
import { errorMessage } from './api.js';
import { messageArea, whileBusy } from './dom.js';

/** A problem found before asking the server (an empty field): shown like a refusal, then `input` focused. */
export class LocalProblem extends Error {
  constructor(message, input) {
    super(message);
    this.name = 'LocalProblem';
    this.input = input;
  }
}

/** Stops a request before it leaves: `refuse(t('operator.needBike'), bikeCode.input)`. */
export function refuse(message, input) {
  throw new LocalProblem(message, input);
}

/** An assertive message area, empty and hidden until something is said. */
export function feedbackArea(dataset) {
  const area = messageArea({ assertive: true });
  area.clear();
  if (dataset) Object.assign(area.el.dataset, dataset);
  return area;
}

/** A field's own error line as a feedback target (its errors show under the field). */
export function fieldFeedback(field) {
  return { set: (text, kind) => field.setError(kind === 'error' ? text : null), clear: () => field.setError(null) };
}

/**
 * @template T
 * @param {HTMLButtonElement} button
 * @param {{
 *   request: () => Promise<T>,        may call `refuse(...)` first
 *   message?: { set(text: string, kind: string): void, clear(): void },
 *   errorsTo?: { set(text: string, kind: string): void, clear(): void },   where refusals go (default: message)
 *   success?: (value: T) => string | { text: string, kind: string } | undefined,
 *   describe?: (error: unknown) => string,   Spanish text for an error (default: errorMessage)
 *   after?: (value: T) => unknown,    runs after the success message (reset, focus, reload)
 *   onError?: (error: unknown) => unknown,   runs after the error message (select a field, ...)
 * }} options
 * @returns {Promise<{ ok: true, value: T } | { ok: false, error: unknown } | undefined>}
 *   undefined when the button was already busy.
 */
export function send(
  button,
  { request, message, errorsTo = message, success, describe = errorMessage, after, onError },
) {
  return whileBusy(button, async () => {
    message?.clear();
    if (errorsTo !== message) errorsTo?.clear();
    let value;
    try {
      value = await request();
    } catch (error) {
      errorsTo?.set(error instanceof LocalProblem ? error.message : describe(error), 'error');
      if (error instanceof LocalProblem) error.input?.focus();
      await onError?.(error);
      return { ok: false, error };
    }
    const said = success?.(value);
    if (said)
      message?.set(typeof said === 'string' ? said : said.text, typeof said === 'string' ? 'success' : said.kind);
    await after?.(value);
    return { ok: true, value };
  });
}

/** `send` on every click of `button`. */
export function sendOnClick(button, options) {
  button.addEventListener('click', () => void send(button, options));
}

/** `send` on every submit of `form` (Enter in a field, or its submit `button`). */
export function sendOnSubmit(form, button, options) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send(button, options);
  });
}
