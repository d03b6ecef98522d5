// The service rules as the server is configured (GET /api/v1/service-info), with the pilot's
// documented defaults when the server cannot be reached.
import { t } from '../i18n/index.js';
import { api } from './api.js';

/** The terms version of the pilot's launch; the server's answer wins when it has one. */
export const DEFAULT_TERMS_VERSION = '2019-10';

export const DEFAULT_SERVICE_INFO = {
  termsVersion: DEFAULT_TERMS_VERSION,
  minRiderAge: 16,
  adultAge: 18,
  openingHours: 'Mo-Fr 06:00-19:00; Sa 06:00-13:00; Su off; PH off',
  timeZone: 'America/Bogota',
  loanMaxMinutes: 60,
  fromServer: false,
};

let cached = null;

export function loadServiceInfo() {
  cached ??= api
    .get('/api/v1/service-info', { auth: false })
    .then((info) => ({ ...DEFAULT_SERVICE_INFO, ...info, fromServer: true }))
    .catch(() => {
      cached = null;
      return DEFAULT_SERVICE_INFO;
    });
  return cached;
}

/**
 * OpenStreetMap opening_hours (the subset the server accepts) as Spanish lines, e.g.
 * "Mo-Fr 06:00-19:00; Sa 06:00-13:00; Su off; PH off" →
 * ["Lunes a viernes: 06:00 a 19:00", "Sábados: 06:00 a 13:00", "Domingos: cerrado", "Festivos: cerrado"].
 */
export function describeOpeningHours(source) {
  const text = (source ?? '').trim();
  if (text === '24/7') return [t('howTo.alwaysOpen')];
  const plural = t('howTo.daysPlural');
  const singular = t('howTo.days');
  const lines = [];
  for (const rule of text
    .split(';')
    .map((r) => r.trim())
    .filter(Boolean)) {
    const m = /^(\S+)\s+(.+)$/.exec(rule);
    if (!m) return [text];
    const [, selector, times] = m;
    const days = selector.split(',').map((part) => {
      const [a, b] = part.split('-');
      if (!plural[a] || (b && !singular[b])) throw new Error(part);
      return b ? t('howTo.dayRange', { from: plural[a], to: singular[b] }) : plural[a];
    });
    const hours =
      times.trim() === 'off'
        ? t('howTo.closedDay')
        : times
            .split(',')
            .map((span) => {
              const [from, to] = span.trim().split('-');
              return t('howTo.timeRange', { from, to });
            })
            .join(', ');
    lines.push(`${days.join(', ')}: ${hours}`);
  }
  return lines;
}

export function openingHoursLines(source) {
  try {
    const lines = describeOpeningHours(source);
    return lines.length ? lines : t('howTo.defaultHours');
  } catch {
    return [source];
  }
}
