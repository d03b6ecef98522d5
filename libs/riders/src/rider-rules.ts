import { ageOn, bogotaDate, isValidLocalDate } from '@metrobici/common';
import { DOCUMENT_TYPES, type DocumentType } from './rider.entity';

/** Oldest plausible rider; anything older is a typing mistake in the birth year. */
export const MAX_PLAUSIBLE_AGE = 120;

export function isDocumentType(value: unknown): value is DocumentType {
  return typeof value === 'string' && (DOCUMENT_TYPES as readonly string[]).includes(value);
}

/**
 * One person is one rider however the number was typed: `1.098.765.432`, `1098-765 432` and
 * ` 1098765432 ` are the same cédula, `ab123456` the same passport as `AB123456`.
 */
export function normaliseDocumentNumber(raw: string): string {
  return raw
    .trim()
    .toUpperCase()
    .replace(/[\s.-]/g, '');
}

const DOCUMENT_PATTERNS: Record<DocumentType, { pattern: RegExp; rule: string }> = {
  CC: { pattern: /^\d{5,11}$/, rule: 'de 5 a 11 dígitos' },
  TI: { pattern: /^\d{5,11}$/, rule: 'de 5 a 11 dígitos' },
  CE: { pattern: /^[A-Z0-9]{4,20}$/, rule: 'de 4 a 20 letras o dígitos' },
  PA: { pattern: /^[A-Z0-9]{4,20}$/, rule: 'de 4 a 20 letras o dígitos' },
  PEP: { pattern: /^[A-Z0-9]{4,20}$/, rule: 'de 4 a 20 letras o dígitos' },
  PPT: { pattern: /^[A-Z0-9]{4,20}$/, rule: 'de 4 a 20 letras o dígitos' },
};

/**
 * Loose check of an already normalised number against its type: the shape only, no check digits
 * (Colombian documents have none that are public). Returns the problem in Spanish, or null.
 */
export function validateDocument(type: DocumentType, normalisedNumber: string): string | null {
  const { pattern, rule } = DOCUMENT_PATTERNS[type];
  return pattern.test(normalisedNumber) ? null : `El número de documento ${type} debe tener ${rule}.`;
}

export type AgeDecision =
  | { kind: 'invalid_date'; problem: string }
  | { kind: 'too_young'; age: number }
  | { kind: 'needs_guardian'; age: number }
  | { kind: 'adult'; age: number };

/**
 * Who may register, by age on the local (Bogotá) day of `now`: under `minAge` nobody; from
 * `minAge` to `adultAge - 1` with a guardian's authorisation; adults on their own.
 */
export function decideByAge(birthDate: string, now: Date, rules: { minAge: number; adultAge: number }): AgeDecision {
  if (!isValidLocalDate(birthDate))
    return { kind: 'invalid_date', problem: 'La fecha de nacimiento no es una fecha real (AAAA-MM-DD).' };
  // ISO dates compare correctly as strings.
  if (birthDate >= bogotaDate(now))
    return { kind: 'invalid_date', problem: 'La fecha de nacimiento debe estar en el pasado.' };
  const age = ageOn(birthDate, now);
  if (age > MAX_PLAUSIBLE_AGE) return { kind: 'invalid_date', problem: 'La fecha de nacimiento no es plausible.' };
  if (age < rules.minAge) return { kind: 'too_young', age };
  if (age < rules.adultAge) return { kind: 'needs_guardian', age };
  return { kind: 'adult', age };
}
