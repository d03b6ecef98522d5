import { DomainError, isValidLocalDate, startOfBogotaDay } from '@metrobici/common';

/** An inclusive range of Bogotá local dates, `YYYY-MM-DD`. */
export interface DateRange {
  from: string;
  to: string;
  /** Number of local days, both ends included. */
  days: number;
}

export const MAX_RANGE_DAYS = 400;
export const DEFAULT_RANGE_DAYS = 30;

/**
 * Validates `from`/`to` (inclusive local dates). A missing `to` is today, a missing `from` the 30
 * days ending at `to`. Throws VALIDATION_FAILED naming the field for impossible dates, `from`
 * after `to`, or more than `maxDays` days.
 */
export function parseDateRange(
  input: { from?: string; to?: string },
  today: string,
  maxDays: number = MAX_RANGE_DAYS,
): DateRange {
  const problems: Array<{ field: string; problems: string[] }> = [];
  for (const field of ['from', 'to'] as const) {
    const v = input[field];
    if (v !== undefined && !isValidLocalDate(v))
      problems.push({ field, problems: [`${field} must be a real local date YYYY-MM-DD`] });
  }
  if (problems.length > 0) throw invalid(problems);
  const to = input.to ?? today;
  const from = input.from ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  if (from > to) throw invalid([{ field: 'from', problems: ['from must not be after to'] }]);
  const days = daysBetween(from, to) + 1;
  if (days > maxDays)
    throw invalid([{ field: 'to', problems: [`the range may cover at most ${maxDays} days (it covers ${days})`] }]);
  return { from, to, days };
}

function invalid(fields: Array<{ field: string; problems: string[] }>): DomainError {
  return new DomainError('VALIDATION_FAILED', 'La solicitud tiene datos inválidos.', { fields });
}

export function addDays(localDate: string, n: number): string {
  const [y, m, d] = localDate.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function eachDate(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Instants bounding the range: `[start of from, start of the day after to)`. */
export function rangeInstants(range: Pick<DateRange, 'from' | 'to'>): { start: Date; end: Date } {
  return { start: startOfBogotaDay(range.from), end: startOfBogotaDay(addDays(range.to, 1)) };
}

const PROBE_MINUTES = 5;

/**
 * Whether the system could lend bikes at some moment of a local day: the pilot runs and the
 * opening hours (holidays included) open. Probed every 5 minutes, which resolves any real
 * opening-hours rule; Sundays and holidays of the default rule are not operating days.
 */
export function isOperatingDay(localDate: string, isRenting: (at: Date) => boolean): boolean {
  const start = startOfBogotaDay(localDate).getTime();
  for (let m = 0; m < 24 * 60; m += PROBE_MINUTES) {
    if (isRenting(new Date(start + m * 60_000))) return true;
  }
  return false;
}
