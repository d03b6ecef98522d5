import { DomainError, OpeningHours } from '@metrobici/common';
import { addDays, daysBetween, eachDate, isOperatingDay, parseDateRange, rangeInstants } from './date-range';

function validationFields(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('VALIDATION_FAILED');
    return (e as DomainError).details?.fields;
  }
  throw new Error('expected a validation error');
}

describe('parseDateRange', () => {
  it('accepts an inclusive range and counts its days', () => {
    expect(parseDateRange({ from: '2019-10-03', to: '2019-10-31' }, '2019-12-01')).toEqual({
      from: '2019-10-03',
      to: '2019-10-31',
      days: 29,
    });
    expect(parseDateRange({ from: '2019-10-03', to: '2019-10-03' }, '2019-12-01').days).toBe(1);
  });

  it('defaults to the 30 days ending today', () => {
    expect(parseDateRange({}, '2019-11-15')).toEqual({ from: '2019-10-17', to: '2019-11-15', days: 30 });
    expect(parseDateRange({ to: '2019-10-31' }, '2019-11-15').from).toBe('2019-10-02');
  });

  it('refuses impossible dates, from after to, and ranges over 400 days', () => {
    expect(validationFields(() => parseDateRange({ from: '2019-02-30', to: '2019-03-01' }, '2019-12-01'))).toEqual([
      { field: 'from', problems: [expect.any(String)] },
    ]);
    expect(validationFields(() => parseDateRange({ from: '2019-10-01', to: '2019-13-01' }, '2019-12-01'))).toEqual([
      { field: 'to', problems: [expect.any(String)] },
    ]);
    expect(validationFields(() => parseDateRange({ from: '2019-10-02', to: '2019-10-01' }, '2019-12-01'))).toEqual([
      { field: 'from', problems: ['from must not be after to'] },
    ]);
    expect(parseDateRange({ from: '2019-01-01', to: addDays('2019-01-01', 399) }, '2021-01-01').days).toBe(400);
    expect(
      validationFields(() => parseDateRange({ from: '2019-01-01', to: addDays('2019-01-01', 400) }, '2021-01-01')),
    ).toEqual([{ field: 'to', problems: [expect.stringContaining('400')] }]);
  });
});

describe('calendar helpers', () => {
  it('adds days across months and leap years', () => {
    expect(addDays('2019-12-31', 1)).toBe('2020-01-01');
    expect(addDays('2020-02-28', 1)).toBe('2020-02-29');
    expect(addDays('2019-10-01', -1)).toBe('2019-09-30');
    expect(daysBetween('2019-10-01', '2019-12-31')).toBe(91);
    expect(eachDate('2019-10-30', '2019-11-02')).toEqual(['2019-10-30', '2019-10-31', '2019-11-01', '2019-11-02']);
  });

  it('bounds a range by Bogotá midnights', () => {
    expect(rangeInstants({ from: '2019-10-03', to: '2019-10-04' })).toEqual({
      start: new Date('2019-10-03T05:00:00Z'),
      end: new Date('2019-10-05T05:00:00Z'),
    });
  });
});

describe('isOperatingDay', () => {
  const pilot = OpeningHours.parse('Mo-Fr 06:00-19:00; Sa 06:00-13:00; Su off; PH off');
  const open = (at: Date) => pilot.isOpen(at);

  it('counts weekdays and Saturdays, not Sundays nor Colombian holidays', () => {
    expect(isOperatingDay('2019-10-03', open)).toBe(true); // Thursday, opening day
    expect(isOperatingDay('2019-10-05', open)).toBe(true); // Saturday
    expect(isOperatingDay('2019-10-06', open)).toBe(false); // Sunday
    expect(isOperatingDay('2019-10-14', open)).toBe(false); // Día de la Raza (moved Monday)
  });

  it('finds short openings and respects other limits such as pilot dates', () => {
    const short = OpeningHours.parse('Mo-Su 12:10-12:15');
    expect(isOperatingDay('2019-10-06', (at) => short.isOpen(at))).toBe(true);
    const end = new Date('2019-10-04T05:00:00Z');
    expect(isOperatingDay('2019-10-04', (at) => at < end && open(at))).toBe(false);
  });
});
