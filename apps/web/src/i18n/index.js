// Text lookup. The app speaks Spanish; another language is a file with the same keys as es.js,
// picked here (the page's <html lang> follows it).
import es from './es.js';

const catalogs = { es };
const language = 'es';
const catalog = catalogs[language];

export const locale = 'es-CO';

/** The text at `key` ("planner.kpi.trips"), with {placeholders} filled in. Arrays come back as they are. */
export function t(key, params = {}) {
  const value = key.split('.').reduce((node, part) => (node == null ? undefined : node[part]), catalog);
  if (value === undefined) {
    console.warn(`[i18n] missing text: ${key}`);
    return key;
  }
  return typeof value === 'string' ? fill(value, params) : value;
}

/** `text` with its {placeholders} filled in (for the items of a list text). */
export function fill(text, params = {}) {
  return text.replace(/\{(\w+)\}/g, (m, name) => (params[name] === undefined ? m : String(params[name])));
}

/** True when the catalog has a text for `key`. */
export function has(key) {
  return key.split('.').reduce((node, part) => (node == null ? undefined : node[part]), catalog) !== undefined;
}

document.documentElement.lang = language;
