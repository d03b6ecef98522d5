// Tiny DOM helpers: elements are built with text nodes only (never innerHTML), so names typed by
// staff or riders cannot inject markup.

/**
 * h('button', { class: 'btn', onclick: fn, disabled: true }, 'Texto', child)
 * Props: `class`, `text`, `dataset`, `on<event>` listeners, booleans as attributes, the rest as
 * attributes (`aria-*`, `for`, ...). `value`/`checked`/`selected` are set as properties.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked' || key === 'selected') el[key] = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** `aria-live` message area: `set(text, kind)` where kind is 'info' | 'success' | 'error'. */
export function messageArea({ assertive = false, id } = {}) {
  const el = h('div', {
    class: 'message',
    id,
    role: assertive ? 'alert' : 'status',
    'aria-live': assertive ? 'assertive' : 'polite',
  });
  return {
    el,
    set(text, kind = 'info') {
      el.className = `message message--${kind}`;
      el.textContent = text ?? '';
      el.hidden = !text;
    },
    clear() {
      el.textContent = '';
      el.className = 'message';
      el.hidden = true;
    },
  };
}

let fieldCounter = 0;

/** A labelled form control: `{ wrap, input }`. The hint and error are tied with aria-describedby. */
export function field({ label, name, type = 'text', hint, required, control, attrs = {}, options, value }) {
  const id = attrs.id ?? `f-${name.replace(/\W/g, '-')}-${++fieldCounter}`;
  let input;
  if (control) input = control;
  else if (type === 'select') {
    input = h(
      'select',
      { id, name, required, ...attrs },
      (options ?? []).map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
    );
  } else if (type === 'textarea') input = h('textarea', { id, name, required, ...attrs }, value ?? '');
  else input = h('input', { id, name, type, required, value, ...attrs });
  input.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const errorEl = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  input.setAttribute('aria-describedby', [hintEl ? hintEl.id : '', errorEl.id].filter(Boolean).join(' '));
  const wrap = h(
    'div',
    { class: `field field--${type}` },
    h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    hintEl,
    input,
    errorEl,
  );
  return {
    wrap,
    input,
    setError(text) {
      errorEl.textContent = text ?? '';
      errorEl.hidden = !text;
      if (text) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
}

/** A horizontally scrollable, keyboard-reachable wrapper for a wide table. */
export function tableWrap(label, table, { tall = false } = {}) {
  return h(
    'div',
    { class: `table-wrap${tall ? ' table-wrap--tall' : ''}`, role: 'region', 'aria-label': label, tabindex: '0' },
    table,
  );
}

/** A page section with its heading: `panel('loans-title', t('operator.openLoansTitle'), ...children)`. */
export function panel(id, title, ...children) {
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** A table with one header row of column titles and the given body rows. */
export function dataTable(columns, rows, props = {}) {
  return h(
    'table',
    { class: 'table', ...props },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h('tbody', {}, rows),
  );
}

/**
 * Runs `work` with `button` disabled and marked busy, ignoring any click while it runs: a double
 * click or an impatient second tap never starts a second request.
 */
export async function whileBusy(button, work) {
  if (button.dataset.busy === 'true') return undefined;
  button.dataset.busy = 'true';
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    delete button.dataset.busy;
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** Loads a classic script once (vendor UMD builds; the CSP allows same-origin scripts only). */
const scripts = new Map();
export function loadScript(src) {
  if (!scripts.has(src)) {
    scripts.set(
      src,
      new Promise((resolve, reject) => {
        const el = document.createElement('script');
        el.src = src;
        el.onload = () => resolve();
        el.onerror = () => {
          scripts.delete(src);
          reject(new Error(`No se pudo cargar ${src}`));
        };
        document.head.append(el);
      }),
    );
  }
  return scripts.get(src);
}
