import { decideByAge, isDocumentType, normaliseDocumentNumber, validateDocument } from './rider-rules';

const RULES = { minAge: 16, adultAge: 18 };
// 2019-10-03 12:00 in Bogotá (17:00 UTC).
const NOW = new Date('2019-10-03T17:00:00Z');

describe('normaliseDocumentNumber', () => {
  it.each([
    ['1.098.765.432', '1098765432'],
    [' 1098-765 432 ', '1098765432'],
    ['ab123456', 'AB123456'],
    ['v-12.345.678', 'V12345678'],
    ['\t12\u00a034 56\n', '123456'],
  ])('%j becomes %j', (raw, expected) => {
    expect(normaliseDocumentNumber(raw)).toBe(expected);
  });
});

describe('validateDocument', () => {
  it.each([
    ['CC', '12345'],
    ['CC', '12345678901'],
    ['TI', '1005123456'],
    ['CE', '1234'],
    ['PA', 'AB1234567'],
    ['PEP', '123456789012345'],
    ['PPT', '5123456'],
  ] as const)('accepts %s %s', (type, number) => {
    expect(validateDocument(type, number)).toBeNull();
  });

  it.each([
    ['CC', '1234'],
    ['CC', '123456789012'],
    ['CC', 'AB12345'],
    ['TI', '12A45'],
    ['CE', '123'],
    ['PA', 'A'.repeat(21)],
    ['PEP', '12#456'],
    ['PPT', ''],
  ] as const)('rejects %s %j with a Spanish message naming the type', (type, number) => {
    expect(validateDocument(type, number)).toContain(type);
  });

  it('knows the closed set of document types', () => {
    expect(['CC', 'TI', 'CE', 'PA', 'PEP', 'PPT'].every(isDocumentType)).toBe(true);
    expect(isDocumentType('DNI')).toBe(false);
    expect(isDocumentType('cc')).toBe(false);
    expect(isDocumentType(undefined)).toBe(false);
  });
});

describe('decideByAge', () => {
  it('refuses under the minimum age, up to the day before the 16th birthday', () => {
    expect(decideByAge('2003-10-04', NOW, RULES)).toEqual({ kind: 'too_young', age: 15 });
    expect(decideByAge('2010-01-01', NOW, RULES)).toEqual({ kind: 'too_young', age: 9 });
  });

  it('asks for a guardian from the 16th birthday to the day before the 18th', () => {
    expect(decideByAge('2003-10-03', NOW, RULES)).toEqual({ kind: 'needs_guardian', age: 16 });
    expect(decideByAge('2001-10-04', NOW, RULES)).toEqual({ kind: 'needs_guardian', age: 17 });
  });

  it('lets adults register alone from the 18th birthday', () => {
    expect(decideByAge('2001-10-03', NOW, RULES)).toEqual({ kind: 'adult', age: 18 });
    expect(decideByAge('1950-02-28', NOW, RULES)).toEqual({ kind: 'adult', age: 69 });
  });

  it('counts birthdays on the Bogotá calendar day, not the UTC one', () => {
    // 2019-10-04 02:00 UTC is still 3 October (21:00) in Bogotá: not yet 16.
    const lateEvening = new Date('2019-10-04T02:00:00Z');
    expect(decideByAge('2003-10-04', lateEvening, RULES)).toEqual({ kind: 'too_young', age: 15 });
  });

  it('follows the configured ages', () => {
    expect(decideByAge('2003-10-03', NOW, { minAge: 14, adultAge: 16 })).toEqual({ kind: 'adult', age: 16 });
  });

  it.each(['2019-02-29', '2019-13-01', '03/10/2001', '', '2019-10-03', '2020-01-01', '1890-01-01'])(
    'rejects %j as a birth date',
    (birthDate) => {
      expect(decideByAge(birthDate, NOW, RULES).kind).toBe('invalid_date');
    },
  );
});
