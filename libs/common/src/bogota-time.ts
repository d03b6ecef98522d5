/**
 * America/Bogota is UTC-5 all year (no daylight saving since 1993), so local time is a fixed
 * shift; no time-zone database is needed and none can disagree.
 */
export const BOGOTA_TIME_ZONE = 'America/Bogota';
export const BOGOTA_OFFSET_MINUTES = -5 * 60;
const OFFSET_MS = BOGOTA_OFFSET_MINUTES * 60_000;

export interface LocalParts {
  year: number;
  month: number; // 1..12
  day: number;
  weekday: number; // 0 = Sunday .. 6 = Saturday
  minutesOfDay: number;
  hour: number;
}

export function bogotaParts(instant: Date): LocalParts {
  const shifted = new Date(instant.getTime() + OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    weekday: shifted.getUTCDay(),
    hour: shifted.getUTCHours(),
    minutesOfDay: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(),
  };
}

/** `YYYY-MM-DD` of the local calendar day that contains `instant`. */
export function bogotaDate(instant: Date): string {
  const p = bogotaParts(instant);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** The instant at which local day `YYYY-MM-DD` starts (00:00 in Bogotá). */
export function startOfBogotaDay(localDate: string): Date {
  const [y, m, d] = localDate.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) - OFFSET_MS);
}

/** RFC 3339 with the Bogotá offset, e.g. `2019-10-03T06:00:00-05:00`. */
export function toBogotaIso(instant: Date): string {
  const shifted = new Date(instant.getTime() + OFFSET_MS);
  return shifted.toISOString().replace(/\.\d{3}Z$/, '-05:00');
}

/** Whole years between a birth date (`YYYY-MM-DD`) and the local day of `at`. */
export function ageOn(birthDate: string, at: Date): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const p = bogotaParts(at);
  let age = p.year - by;
  if (p.month < bm || (p.month === bm && p.day < bd)) age -= 1;
  return age;
}

export function isValidLocalDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
