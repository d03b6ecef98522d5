// Numbers, durations and times for people in Bucaramanga: es-CO formats, America/Bogota clock.
import { locale, t } from '../i18n/index.js';

export const TIME_ZONE = 'America/Bogota';

const timeFmt = new Intl.DateTimeFormat(locale, {
  timeZone: TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const dateTimeFmt = new Intl.DateTimeFormat(locale, {
  timeZone: TIME_ZONE,
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const isoDateFmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const intFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const decFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
const pctFmt = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });

export const formatInt = (n) => (Number.isFinite(Number(n)) ? intFmt.format(Number(n)) : '—');
export const formatDecimal = (n) => (Number.isFinite(Number(n)) ? decFmt.format(Number(n)) : '—');
/** A share given as a fraction (0..1) or, when above 1, as a percentage already. */
export const formatShare = (n) => {
  const v = Number(n);
  if (!Number.isFinite(v)) return '—';
  return pctFmt.format(v > 1 ? v / 100 : v);
};
export const formatTime = (iso) => (iso ? timeFmt.format(new Date(iso)) : '—');
export const formatDateTime = (iso) => (iso ? dateTimeFmt.format(new Date(iso)) : '—');

/** Seconds as "12 min 5 s", "1 h 3 min". */
export function formatDuration(seconds) {
  const s = Number(seconds);
  if (!Number.isFinite(s)) return '—';
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return sec && m < 10 ? `${m} min ${sec} s` : `${m} min`;
  return `${sec} s`;
}

/** "hace 12 s", "hace 5 min"... never negative when the clocks disagree a little. */
export function formatAgo(iso, now = Date.now()) {
  const seconds = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 1000));
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 2) return t('time.justNow');
  if (seconds < 60) return t('time.secondsAgo', { n: seconds });
  if (seconds < 3600) return t('time.minutesAgo', { n: Math.floor(seconds / 60) });
  if (seconds < 86400) return t('time.hoursAgo', { n: Math.floor(seconds / 3600) });
  return t('time.daysAgo', { n: Math.floor(seconds / 86400) });
}

/** Today's local date in Bogotá, `YYYY-MM-DD`. */
export const bogotaToday = (now = new Date()) => isoDateFmt.format(now);

/** `YYYY-MM-DD` plus `days` (calendar arithmetic, no time zone involved). */
export function addDays(isoDate, days) {
  const d = new Date(`${isoDate}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole years between a `YYYY-MM-DD` birth date and today in Bogotá. */
export function ageOn(birthDate, today = bogotaToday()) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate ?? '')) return null;
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}
