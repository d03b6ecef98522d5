// The service rules as the server is configured (GET /api/v1/service-info): terms version, ages,
// opening hours, loan length, the document types riders register with. The web app keeps no copy
// of them: a page that needs them waits for this answer (one request, shared by every page). The one
// exception is a tablet without network: it starts from the last answer it received (kept in
// localStorage), so the station screen opens offline and can queue its work.
import { t } from '../i18n/index.js';
import { api } from './api.js';

let cached = null;
const LAST_KNOWN = 'metrobici.service-info';

/** The rules; rejects with the API error (and asks again next time) when the server cannot answer. */
export function loadServiceInfo() {
  cached ??= api
    .get('/api/v1/service-info', { auth: false })
    .then((info) => {
      localStorage.setItem(LAST_KNOWN, JSON.stringify(info));
      return info;
    })
    .catch((error) => {
      cached = null;
      const last = error?.code === 'NETWORK_ERROR' ? localStorage.getItem(LAST_KNOWN) : null;
      if (last) return JSON.parse(last);
      throw error;
    });
  return cached;
}

/**
 * `[code, label]` pairs for a document-type select, in the server's order (the first is the
 * default). `style` 'long' reads "Cédula de ciudadanía (CC)"; 'short' puts the code first for
 * narrow selects, so a cut label still reads.
 */
export function documentTypeOptions(info, style = 'long') {
  return info.documentTypes.map(({ code, name }) => [code, t(`documentTypeLabel.${style}`, { code, name })]);
}

/** The document codes as Spanish prose: "CC, TI, CE, PA, PEP o PPT". */
export function documentCodesText(info) {
  const codes = info.documentTypes.map((d) => d.code);
  return new Intl.ListFormat('es', { type: 'disjunction' }).format(codes);
}

/**
 * OpenStreetMap opening_hours (the subset the server accepts) as Spanish lines, e.g.
 * "Mo-Fr 06:00-19:00; Sa 06:00-13:00; Su off; PH off" →
 * ["Lunes a viernes: 06:00 a 19:00", "Sábados: 06:00 a 13:00", "Domingos: cerrado", "Festivos: cerrado"].
 */
export function describeOpeningHours(source) {
  const text = (source ?? '').trim();
  if (text === '24/7') return [t('howTo.alwaysOpen')];
  const lines = [];
  for (const rule of text
    .split(';')
    .map((r) => r.trim())
    .filter(Boolean)) {
    const m = /^(\S+)\s+(.+)$/.exec(rule);
    if (!m) return [text];
    lines.push(`${describeDays(m[1]).join(', ')}: ${describeTimes(m[2])}`);
  }
  return lines;
}

function describeDays(selector) {
  const plural = t('howTo.daysPlural');
  const singular = t('howTo.days');
  return selector.split(',').map((part) => {
    const [a, b] = part.split('-');
    if (!plural[a] || (b && !singular[b])) throw new Error(part);
    return b ? t('howTo.dayRange', { from: plural[a], to: singular[b] }) : plural[a];
  });
}

function describeTimes(times) {
  if (times.trim() === 'off') return t('howTo.closedDay');
  return times
    .split(',')
    .map((span) => {
      const [from, to] = span.trim().split('-');
      return t('howTo.timeRange', { from, to });
    })
    .join(', ');
}

/** Like `describeOpeningHours`, but a rule it cannot read is shown as the server wrote it. */
export function openingHoursLines(source) {
  try {
    return describeOpeningHours(source);
  } catch {
    return [source];
  }
}
