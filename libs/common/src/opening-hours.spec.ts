import { OpeningHours } from './opening-hours';

// Instants are given in UTC on purpose: Bogotá is UTC-5, so 06:00 local is 11:00Z.
// Week used: Mon 2019-10-07 .. Sun 2019-10-13 (no holidays); Mon 2019-10-14 is Día de la Raza.
const at = (iso: string) => new Date(iso);
const PILOT = 'Mo-Fr 06:00-19:00; Sa 06:00-13:00; Su off; PH off';

describe('OpeningHours', () => {
  describe('24/7', () => {
    const hours = OpeningHours.parse('24/7');

    it('is always open, holidays and Sunday nights included', () => {
      expect(hours.is24x7).toBe(true);
      expect(hours.isOpen(at('2019-10-13T08:30:00Z'))).toBe(true); // Sun 03:30 Bogotá
      expect(hours.isOpen(at('2019-10-14T15:00:00Z'))).toBe(true); // holiday Monday
      expect(hours.isOpen(at('2019-12-25T04:59:59Z'))).toBe(true);
    });

    it('tolerates surrounding blanks and keeps the source', () => {
      const padded = OpeningHours.parse('  24/7 ');
      expect(padded.is24x7).toBe(true);
      expect(padded.source).toBe('24/7');
    });
  });

  describe(`the pilot default "${PILOT}"`, () => {
    const hours = OpeningHours.parse(PILOT);

    it('is not 24/7', () => {
      expect(hours.is24x7).toBe(false);
      expect(hours.source).toBe(PILOT);
    });

    it.each([
      ['Mon 05:59 Bogotá', '2019-10-07T10:59:00Z', false],
      ['Mon 06:00 Bogotá', '2019-10-07T11:00:00Z', true],
      ['Wed 12:00 Bogotá', '2019-10-09T17:00:00Z', true],
      ['Fri 18:59 Bogotá', '2019-10-11T23:59:00Z', true],
      ['Fri 18:59:59 Bogotá', '2019-10-11T23:59:59Z', true],
      ['Fri 19:00 Bogotá (already Saturday in UTC)', '2019-10-12T00:00:00Z', false],
      ['Tue 19:00 Bogotá', '2019-10-09T00:00:00Z', false],
      ['Sat 05:59 Bogotá', '2019-10-12T10:59:00Z', false],
      ['Sat 06:00 Bogotá', '2019-10-12T11:00:00Z', true],
      ['Sat 12:59 Bogotá', '2019-10-12T17:59:00Z', true],
      ['Sat 13:00 Bogotá', '2019-10-12T18:00:00Z', false],
      ['Sun 06:00 Bogotá', '2019-10-13T11:00:00Z', false],
      ['Sun 12:00 Bogotá', '2019-10-13T17:00:00Z', false],
    ])('%s (%s) → open %s', (_label, iso, open) => {
      expect(hours.isOpen(at(iso))).toBe(open);
    });

    it('evaluates in Bogotá time, not UTC: 05:00Z on a Monday is still Sunday night locally', () => {
      // Mon 2019-10-07 05:00Z is Sun 00:00 Bogotá; Mon 2019-10-07 11:00Z is Mon 06:00 Bogotá.
      const mondayOnly = OpeningHours.parse('Mo 00:00-24:00');
      expect(mondayOnly.isOpen(at('2019-10-07T04:59:00Z'))).toBe(false); // Sun 23:59 local
      expect(mondayOnly.isOpen(at('2019-10-07T05:00:00Z'))).toBe(true); // Mon 00:00 local
      expect(mondayOnly.isOpen(at('2019-10-08T04:59:00Z'))).toBe(true); // Mon 23:59 local (Tue in UTC)
      expect(mondayOnly.isOpen(at('2019-10-08T05:00:00Z'))).toBe(false); // Tue 00:00 local
    });

    it('is closed on Colombian public holidays that fall on weekdays', () => {
      // Wed 2019-08-07 Batalla de Boyacá, 10:00 Bogotá.
      expect(hours.isOpen(at('2019-08-07T15:00:00Z'))).toBe(false);
      // Mon 2019-10-14 Día de la Raza (12 Oct moved to Monday), 10:00 Bogotá.
      expect(hours.isOpen(at('2019-10-14T15:00:00Z'))).toBe(false);
      // The working days either side are open at the same hour.
      expect(hours.isOpen(at('2019-08-08T15:00:00Z'))).toBe(true);
      expect(hours.isOpen(at('2019-10-15T15:00:00Z'))).toBe(true);
      // 12 Oct itself (a Saturday in 2019) is not the holiday, so the Saturday rule applies.
      expect(hours.isOpen(at('2019-10-12T15:00:00Z'))).toBe(true);
    });

    it('decides the holiday by the Bogotá calendar day', () => {
      const allDayButHolidays = OpeningHours.parse('Mo-Su 00:00-24:00; PH off');
      expect(allDayButHolidays.isOpen(at('2019-08-07T04:59:00Z'))).toBe(true); // Aug 6 23:59 local
      expect(allDayButHolidays.isOpen(at('2019-08-07T05:00:00Z'))).toBe(false); // Aug 7 00:00 local
      expect(allDayButHolidays.isOpen(at('2019-08-08T04:59:00Z'))).toBe(false); // Aug 7 23:59 local
      expect(allDayButHolidays.isOpen(at('2019-08-08T05:00:00Z'))).toBe(true); // Aug 8 00:00 local
    });
  });

  describe('holidays', () => {
    it('use their own hours when PH has a span', () => {
      const hours = OpeningHours.parse('Mo-Fr 06:00-19:00; PH 08:00-12:00');
      expect(hours.isOpen(at('2019-08-07T12:30:00Z'))).toBe(false); // holiday 07:30
      expect(hours.isOpen(at('2019-08-07T13:00:00Z'))).toBe(true); // holiday 08:00
      expect(hours.isOpen(at('2019-08-07T17:00:00Z'))).toBe(false); // holiday 12:00
      expect(hours.isOpen(at('2019-08-08T12:30:00Z'))).toBe(true); // ordinary Thursday 07:30
    });

    it('follow the weekday rules when no PH rule is given', () => {
      const hours = OpeningHours.parse('Mo-Fr 06:00-19:00');
      expect(hours.isOpen(at('2019-08-07T15:00:00Z'))).toBe(true);
    });
  });

  describe('rule order', () => {
    it('lets a later rule replace an earlier one for the days it names', () => {
      const hours = OpeningHours.parse('Mo-Fr 06:00-19:00; We 10:00-12:00');
      expect(hours.isOpen(at('2019-10-09T12:00:00Z'))).toBe(false); // Wed 07:00
      expect(hours.isOpen(at('2019-10-09T15:00:00Z'))).toBe(true); // Wed 10:00
      expect(hours.isOpen(at('2019-10-09T17:00:00Z'))).toBe(false); // Wed 12:00
      expect(hours.isOpen(at('2019-10-10T12:00:00Z'))).toBe(true); // Thu 07:00 keeps Mo-Fr
    });

    it('lets a later "off" close a day an earlier range opened', () => {
      const hours = OpeningHours.parse('Mo-Su 08:00-18:00; Su off');
      expect(hours.isOpen(at('2019-10-12T15:00:00Z'))).toBe(true); // Sat 10:00
      expect(hours.isOpen(at('2019-10-13T15:00:00Z'))).toBe(false); // Sun 10:00
    });

    it('does not let an earlier rule override a later one', () => {
      const hours = OpeningHours.parse('We off; Mo-Fr 06:00-19:00');
      expect(hours.isOpen(at('2019-10-09T15:00:00Z'))).toBe(true); // Wed 10:00
    });
  });

  it('supports several spans on one day', () => {
    const hours = OpeningHours.parse('Mo 06:00-10:00,14:00-18:00');
    expect(hours.isOpen(at('2019-10-07T11:00:00Z'))).toBe(true); // 06:00
    expect(hours.isOpen(at('2019-10-07T14:59:00Z'))).toBe(true); // 09:59
    expect(hours.isOpen(at('2019-10-07T15:00:00Z'))).toBe(false); // 10:00
    expect(hours.isOpen(at('2019-10-07T18:59:00Z'))).toBe(false); // 13:59
    expect(hours.isOpen(at('2019-10-07T19:00:00Z'))).toBe(true); // 14:00
    expect(hours.isOpen(at('2019-10-07T22:59:00Z'))).toBe(true); // 17:59
    expect(hours.isOpen(at('2019-10-07T23:00:00Z'))).toBe(false); // 18:00
    expect(hours.isOpen(at('2019-10-08T15:00:00Z'))).toBe(false); // Tuesday: no rule
  });

  it('supports day lists', () => {
    const hours = OpeningHours.parse('Mo,We,Fr 08:00-12:00');
    const tenAm = [
      '2019-10-07',
      '2019-10-08',
      '2019-10-09',
      '2019-10-10',
      '2019-10-11',
      '2019-10-12',
      '2019-10-13',
    ].map((d) => hours.isOpen(at(`${d}T15:00:00Z`)));
    expect(tenAm).toEqual([true, false, true, false, true, false, false]);
  });

  it('wraps day ranges over the end of the week (Sa-Mo)', () => {
    const hours = OpeningHours.parse('Sa-Mo 08:00-12:00');
    // Mon 07 .. Sun 13 October 2019 at 10:00 Bogotá.
    const tenAm = [
      '2019-10-07',
      '2019-10-08',
      '2019-10-09',
      '2019-10-10',
      '2019-10-11',
      '2019-10-12',
      '2019-10-13',
    ].map((d) => hours.isOpen(at(`${d}T15:00:00Z`)));
    expect(tenAm).toEqual([true, false, false, false, false, true, true]);
  });

  it('accepts 24:00 as the end of the day', () => {
    const hours = OpeningHours.parse('Mo-Su 00:00-24:00');
    expect(hours.isOpen(at('2019-10-08T04:59:59Z'))).toBe(true); // Mon 23:59:59
    expect(hours.isOpen(at('2019-10-07T05:00:00Z'))).toBe(true); // Mon 00:00
  });

  describe('parse errors', () => {
    it.each([
      ['empty text', '', /empty/],
      ['blank text', '   ', /empty/],
      ['garbage', 'garbage', /cannot read rule "garbage"/],
      ['a sentence', 'open every day', /cannot read time span "every day"/],
      ['a sentence with a time', 'open 06:00-19:00', /unknown day "open"/],
      ['a day without times', 'Mo-Fr', /cannot read rule "Mo-Fr"/],
      ['single-digit hours', 'Mo-Fr 6:00-19:00', /cannot read time span "6:00-19:00"/],
      ['an hour past 24', 'Mo 25:00-26:00', /not a valid same-day span/],
      ['an end past 24:00', 'Mo 06:00-25:00', /not a valid same-day span/],
      ['minutes past 59', 'Mo 06:60-10:00', /not a valid same-day span/],
      ['an end before the start', 'Mo 10:00-09:00', /not a valid same-day span/],
      ['an empty span', 'Mo 10:00-10:00', /not a valid same-day span/],
      ['a span over midnight', 'Fr 22:00-02:00', /not a valid same-day span/],
      ['an unknown day', 'Xx 06:00-10:00', /unknown day "Xx"/],
      ['a lower-case day', 'mo 06:00-10:00', /unknown day "mo"/],
      ['an unknown day at the end of a range', 'Mo-Fx 06:00-10:00', /unknown day "Mo-Fx"/],
      ['Spanish day names', 'Lu-Vi 06:00-19:00', /unknown day "Lu-Vi"/],
      ['a bad rule after good ones', 'Mo-Fr 06:00-19:00; Sa 06:00-31:00', /"Sa 06:00-31:00"/],
      ['an unknown time keyword', 'Su shut', /cannot read time span "shut"/],
    ])('rejects %s (%p)', (_label, source, message) => {
      expect(() => OpeningHours.parse(source)).toThrow(message);
    });

    it('accepts "closed" as a synonym of "off"', () => {
      const hours = OpeningHours.parse('Mo-Su 06:00-19:00; Su closed');
      expect(hours.isOpen(at('2019-10-13T15:00:00Z'))).toBe(false);
      expect(hours.isOpen(at('2019-10-12T15:00:00Z'))).toBe(true);
    });
  });
});
