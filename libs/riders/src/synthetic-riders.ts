import type { EntityManager } from 'typeorm';
import type { Gender } from './rider.entity';
import { CONSENT_PURPOSES } from './privacy.entities';

/** Document type of generated riders: a passport number no real person has (`SYNTH…`). */
export const SYNTHETIC_RIDER_DOCUMENT_TYPE = 'PA';

/** A generated rider for demos and benchmarks; never a real person. */
export interface SyntheticRider {
  documentNumber: string;
  lastName: string;
  birthDate: string;
  gender: Gender;
}

/**
 * Adds generated riders (marked `synthetic`, active and verified, with consent to every purpose —
 * they never reach a research package, which holds real trips only)
 * in the caller's transaction, in one statement; documents already there are left as they are.
 */
export async function insertSyntheticRiders(
  manager: EntityManager,
  riders: SyntheticRider[],
  consent: { acceptedAt: Date; termsVersion: string },
): Promise<void> {
  if (riders.length === 0) return;
  await manager.query(
    `INSERT INTO riders (document_type, document_number, first_name, last_name, birth_date, gender, phone, email,
                         consent_accepted_at, consent_terms_version, consent_purposes, status, verified_at, synthetic)
     SELECT $7, doc, 'Demo', last_name, birth::date, gender, '0000000000', NULL, $5, $6, $8::jsonb, 'active', $5, true
       FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[]) AS t(doc, last_name, birth, gender)
     ON CONFLICT (document_type, document_number) DO NOTHING`,
    [
      riders.map((r) => r.documentNumber),
      riders.map((r) => r.lastName),
      riders.map((r) => r.birthDate),
      riders.map((r) => r.gender),
      consent.acceptedAt,
      consent.termsVersion,
      SYNTHETIC_RIDER_DOCUMENT_TYPE,
      JSON.stringify(CONSENT_PURPOSES),
    ],
  );
}
