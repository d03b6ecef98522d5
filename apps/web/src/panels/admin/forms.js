// What the admin panels share: create forms and row buttons on the one request helper, the
// server's per-field problems next to their fields, and the station list.
import { api, fieldProblems } from '../../lib/api.js';
import { send, sendOnClick } from '../../lib/request.js';

/** Shows server-side field problems next to the fields (by name) and focuses the first one. */
export function showFieldProblems(error, fields) {
  let first = null;
  for (const p of fieldProblems(error)) {
    const f = fields[p.field];
    if (f) {
      f.setError((p.problems ?? []).join(' '));
      first ??= f.input;
    }
  }
  first?.focus();
}

export function clearFieldErrors(fields) {
  for (const f of Object.values(fields)) f.setError(null);
}

/** A row button that sends `request()`; then shows `done()` and reloads the list, or shows the error. */
export function onClickRequest(button, { message, request, done, reload }) {
  sendOnClick(button, { message, request, success: done, after: reload });
}

/**
 * A form that creates one thing: posts `payload()` to `url`, then shows `done(created)`, resets the
 * form and reloads the list; on failure shows the error and the server's problems by field.
 */
export function onCreateSubmit(form, { button, fields, message, url, payload, done, reload }) {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void send(button, {
      message,
      request: () => {
        clearFieldErrors(fields);
        return api.post(url, payload());
      },
      success: done,
      after: async () => {
        form.reset();
        await reload();
      },
      onError: (error) => showFieldProblems(error, fields),
    });
  });
}

/** Stations first, then depots, each by name. */
export async function loadAllStations() {
  return (await api.get('/api/v1/stations/all')).sort((a, b) =>
    a.kind === b.kind ? a.name.localeCompare(b.name, 'es') : a.kind === 'station' ? -1 : 1,
  );
}
