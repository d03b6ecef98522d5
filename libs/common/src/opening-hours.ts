import { bogotaDate, bogotaParts } from './bogota-time';
import { isColombianHoliday } from './colombian-holidays';

/**
 * The subset of the OpenStreetMap `opening_hours` syntax the pilot needs, evaluated in Bogotá
 * local time: `24/7`, or rules separated by `;` such as `Mo-Fr 06:00-19:00; Sa 06:00-13:00;
 * Su off; PH off`. As in OSM, a later rule replaces earlier ones for the days it names, and `PH`
 * (Colombian public holidays) overrides the weekday rules.
 */
export class OpeningHours {
  private constructor(
    readonly source: string,
    private readonly alwaysOpen: boolean,
    private readonly weekdays: ReadonlyArray<ReadonlyArray<Interval> | undefined>,
    private readonly holidays: ReadonlyArray<Interval> | undefined,
  ) {}

  static parse(source: string): OpeningHours {
    const text = source.trim();
    if (text === '24/7') return new OpeningHours(text, true, [], undefined);
    if (!text) throw new Error('opening hours are empty');
    const weekdays: (Interval[] | undefined)[] = new Array(7).fill(undefined);
    let holidays: Interval[] | undefined;
    for (const rawRule of text.split(';')) {
      const rule = rawRule.trim();
      if (!rule) continue;
      const match = /^(\S+)\s+(.+)$/.exec(rule);
      if (!match) throw new Error(`cannot read rule "${rule}"`);
      const [, selector, timesText] = match;
      const intervals = parseTimes(timesText.trim(), rule);
      for (const part of selector.split(',')) {
        if (part === 'PH') {
          holidays = intervals;
          continue;
        }
        for (const day of parseDayRange(part, rule)) weekdays[day] = intervals;
      }
    }
    return new OpeningHours(text, false, weekdays, holidays);
  }

  isOpen(at: Date): boolean {
    if (this.alwaysOpen) return true;
    const local = bogotaParts(at);
    const intervals =
      this.holidays !== undefined && isColombianHoliday(bogotaDate(at))
        ? this.holidays
        : (this.weekdays[local.weekday] ?? []);
    return intervals.some((i) => local.minutesOfDay >= i.from && local.minutesOfDay < i.to);
  }

  get is24x7(): boolean {
    return this.alwaysOpen;
  }
}

interface Interval {
  from: number;
  to: number;
}

const DAY_NAMES = ['Su', 'Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa'];

function parseDayRange(part: string, rule: string): number[] {
  const [start, end] = part.split('-');
  const a = DAY_NAMES.indexOf(start);
  const b = end === undefined ? a : DAY_NAMES.indexOf(end);
  if (a < 0 || b < 0) throw new Error(`unknown day "${part}" in "${rule}"`);
  const days: number[] = [];
  // Ranges wrap over the week as in OSM (`Sa-Mo`); Monday-first order does not matter here.
  for (let d = a; ; d = (d + 1) % 7) {
    days.push(d);
    if (d === b) break;
  }
  return days;
}

function parseTimes(text: string, rule: string): Interval[] {
  if (text === 'off' || text === 'closed') return [];
  return text.split(',').map((span) => {
    const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(span.trim());
    if (!m) throw new Error(`cannot read time span "${span}" in "${rule}"`);
    const from = Number(m[1]) * 60 + Number(m[2]);
    const to = Number(m[3]) * 60 + Number(m[4]);
    if (Number(m[2]) > 59 || Number(m[4]) > 59 || from >= to || to > 24 * 60) {
      throw new Error(`time span "${span}" in "${rule}" is not a valid same-day span`);
    }
    return { from, to };
  });
}
