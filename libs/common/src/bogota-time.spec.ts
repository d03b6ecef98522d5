import { ageOn, bogotaDate, bogotaParts, isValidLocalDate, startOfBogotaDay, toBogotaIso } from './bogota-time';

describe('bogotaParts', () => {
  it('shifts UTC back five hours, carrying the weekday with the date', () => {
    // Fri 2019-10-04 02:30Z is Thu 2019-10-03 21:30 in Bogotá.
    expect(bogotaParts(new Date('2019-10-04T02:30:00Z'))).toEqual({
      year: 2019,
      month: 10,
      day: 3,
      weekday: 4,
      hour: 21,
      minutesOfDay: 21 * 60 + 30,
    });
  });
});

describe('bogotaDate', () => {
  it.each([
    ['2019-10-04T04:59:59.999Z', '2019-10-03'], // 23:59:59.999 local, already the 4th in UTC
    ['2019-10-04T05:00:00.000Z', '2019-10-04'], // local midnight
    ['2019-10-04T00:00:00.000Z', '2019-10-03'], // UTC midnight is 19:00 the day before
    ['2019-10-04T23:59:59.999Z', '2019-10-04'],
    ['2020-01-01T04:59:00Z', '2019-12-31'], // across a year end
    ['2020-03-01T03:00:00Z', '2020-02-29'], // across a leap day
    ['2019-03-01T03:00:00Z', '2019-02-28'],
  ])('%s is %s in Bogotá', (iso, local) => {
    expect(bogotaDate(new Date(iso))).toBe(local);
  });
});

describe('startOfBogotaDay', () => {
  it('is 05:00 UTC of the same calendar date', () => {
    expect(startOfBogotaDay('2019-10-03').toISOString()).toBe('2019-10-03T05:00:00.000Z');
    expect(startOfBogotaDay('2020-01-01').toISOString()).toBe('2020-01-01T05:00:00.000Z');
  });

  it('round-trips with bogotaDate at both edges of the day', () => {
    const start = startOfBogotaDay('2019-12-31');
    expect(bogotaDate(start)).toBe('2019-12-31');
    expect(bogotaDate(new Date(start.getTime() - 1))).toBe('2019-12-30');
    expect(bogotaDate(new Date(start.getTime() + 86_400_000 - 1))).toBe('2019-12-31');
    expect(bogotaDate(new Date(start.getTime() + 86_400_000))).toBe('2020-01-01');
  });
});

describe('toBogotaIso', () => {
  it.each([
    ['2019-10-03T11:00:00.000Z', '2019-10-03T06:00:00-05:00'],
    ['2019-10-04T02:30:15.123Z', '2019-10-03T21:30:15-05:00'], // the local date, milliseconds dropped
    ['2020-01-01T04:59:59.000Z', '2019-12-31T23:59:59-05:00'],
    ['2019-10-03T05:00:00.000Z', '2019-10-03T00:00:00-05:00'],
  ])('%s → %s', (iso, expected) => {
    expect(toBogotaIso(new Date(iso))).toBe(expected);
  });

  it('denotes the same instant', () => {
    const instant = new Date('2019-10-04T02:30:15.000Z');
    expect(new Date(toBogotaIso(instant)).getTime()).toBe(instant.getTime());
  });
});

describe('ageOn', () => {
  const BIRTH = '2003-10-03';

  it('adds the year on the birthday itself, not the day before', () => {
    expect(ageOn(BIRTH, new Date('2019-10-02T17:00:00Z'))).toBe(15); // day before, noon
    expect(ageOn(BIRTH, new Date('2019-10-03T17:00:00Z'))).toBe(16); // birthday, noon
    expect(ageOn(BIRTH, new Date('2019-10-04T17:00:00Z'))).toBe(16);
  });

  it('uses the Bogotá day, not the UTC day', () => {
    // 2019-10-03T03:00Z is still 2 October (22:00) in Bogotá.
    expect(ageOn(BIRTH, new Date('2019-10-03T03:00:00Z'))).toBe(15);
    expect(ageOn(BIRTH, new Date('2019-10-03T04:59:59Z'))).toBe(15);
    expect(ageOn(BIRTH, new Date('2019-10-03T05:00:00Z'))).toBe(16);
  });

  it('compares months before days', () => {
    expect(ageOn(BIRTH, new Date('2019-09-30T17:00:00Z'))).toBe(15); // earlier month, later day
    expect(ageOn(BIRTH, new Date('2019-11-01T17:00:00Z'))).toBe(16); // later month, earlier day
    expect(ageOn(BIRTH, new Date('2020-01-01T17:00:00Z'))).toBe(16);
  });

  it('counts a 29 February birthday from 1 March in common years', () => {
    expect(ageOn('2004-02-29', new Date('2022-02-28T17:00:00Z'))).toBe(17);
    expect(ageOn('2004-02-29', new Date('2022-03-01T17:00:00Z'))).toBe(18);
    expect(ageOn('2004-02-29', new Date('2024-02-29T17:00:00Z'))).toBe(20);
  });

  it('is 0 on the day of birth', () => {
    expect(ageOn('2019-10-03', new Date('2019-10-03T17:00:00Z'))).toBe(0);
  });
});

describe('isValidLocalDate', () => {
  it.each(['2019-10-03', '2020-02-29', '2000-02-29', '2019-12-31', '2019-01-01', '2019-04-30'])(
    'accepts %s',
    (value) => {
      expect(isValidLocalDate(value)).toBe(true);
    },
  );

  it.each([
    ['2019-02-29', 'not a leap year'],
    ['1900-02-29', 'century, not a leap year'],
    ['2019-02-30', 'no 30 February'],
    ['2019-04-31', 'April has 30 days'],
    ['2019-13-01', 'no month 13'],
    ['2019-00-10', 'no month 0'],
    ['2019-10-00', 'no day 0'],
    ['2019-10-32', 'no day 32'],
    ['2019-1-01', 'one-digit month'],
    ['03/10/2019', 'not ISO'],
    ['2019-10-03T00:00', 'a date-time'],
    [' 2019-10-03', 'leading blank'],
    ['', 'empty'],
  ])('rejects %p (%s)', (value) => {
    expect(isValidLocalDate(value)).toBe(false);
  });
});
