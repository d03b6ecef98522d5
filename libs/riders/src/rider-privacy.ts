import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { type Actor, DomainError } from '@metrobici/common';
import { RiderEntity } from './rider.entity';
import {
  CONSENT_PURPOSES,
  type ConsentPurpose,
  PersonalDataReadEntity,
  RiderConsentEntity,
  RiderProfileChangeEntity,
} from './privacy.entities';

/** What replaces the names of an anonymised rider (the row stays: loans and statistics point at it). */
export const ANONYMISED_NAME = 'Anonimizado';
/** What replaces free-text notes that may have named the rider. */
export const REDACTED_TEXT = '[eliminado al anonimizar]';
/**
 * Prefix of the document placeholder: a normalised document number never contains a dash, so no
 * typed document can ever match it (and the document rules refuse it).
 */
export const ANONYMISED_DOCUMENT_PREFIX = 'ANON-';

/** Transaction-local setting that lets the anonymisation blank the reasons in `rider_profile_changes`. */
export const ANONYMISING_SETTING = 'metrobici.anonymising_rider';

/** Purposes in canonical order, `service` always first; unknown names are dropped. */
export function normalisePurposes(purposes: readonly string[]): ConsentPurpose[] {
  const set = new Set(['service', ...purposes]);
  return CONSENT_PURPOSES.filter((p) => set.has(p));
}

export interface ConsentRecord {
  riderId: string;
  purposes: readonly string[];
  termsVersion: string;
  grantedBy: 'rider' | 'guardian';
  source: RiderConsentEntity['source'];
  recordedBy: string | null;
  at: Date;
}

/**
 * Appends consent rows in the caller's transaction and keeps `riders.consent_purposes` (the current
 * purposes) in step with the latest one.
 */
export async function recordConsents(manager: EntityManager, records: ConsentRecord[]): Promise<void> {
  if (records.length === 0) return;
  await manager.insert(
    RiderConsentEntity,
    records.map((r) => ({
      riderId: r.riderId,
      purposes: normalisePurposes(r.purposes),
      termsVersion: r.termsVersion,
      grantedBy: r.grantedBy,
      source: r.source,
      recordedBy: r.recordedBy,
      recordedAt: r.at,
    })),
  );
  const latest = new Map(records.map((r) => [r.riderId, normalisePurposes(r.purposes)]));
  for (const [riderId, purposes] of latest) {
    await manager.update(RiderEntity, { id: riderId }, { consentPurposes: purposes });
  }
}

/**
 * Logs that `actor` was shown the personal data of these riders through `route` (append-only).
 * Runs outside any business transaction: the log is written even when nothing else is.
 */
export async function logPersonalDataReads(
  manager: EntityManager,
  actor: Pick<Actor, 'id' | 'role'>,
  route: string,
  riderIds: ReadonlyArray<string | null>,
  details: Record<string, unknown> | null = null,
): Promise<void> {
  if (riderIds.length === 0) return;
  await manager.insert(
    PersonalDataReadEntity,
    riderIds.map((riderId) => ({
      actorId: actor.id,
      actorRole: actor.role,
      riderId,
      route,
      details: details as object,
    })),
  );
}

/** The direct identifiers an anonymisation removes (what the change log names). */
export const ANONYMISED_FIELDS = [
  'firstName',
  'lastName',
  'documentNumber',
  'phone',
  'email',
  'birthDate',
  'guardian',
  'suspensionReason',
  'profileChangeReasons',
] as const;

/**
 * Removes every direct identifier of one rider for good, in the caller's transaction: names,
 * document (a random placeholder that can never match a real one), phone, e-mail, birth date,
 * guardian, and the free-text reasons that may have named them. Gender, status and dates stay:
 * the statistics need them and they identify nobody. The caller must first make sure every trip
 * of the rider has its trip fact (the age band of each trip lives there once the birth date is
 * gone). Refused while the rider holds a bike.
 */
export async function anonymiseRiderRecord(
  manager: EntityManager,
  riderId: string,
  input: { actorId: string | null; reason: string; at: Date },
): Promise<void> {
  const rider = await manager
    .getRepository(RiderEntity)
    .findOne({ where: { id: riderId }, lock: { mode: 'pessimistic_write' } });
  if (!rider) throw new DomainError('RIDER_NOT_FOUND', 'El usuario no existe.', { riderId });
  if (rider.anonymisedAt)
    throw new DomainError('RIDER_ANONYMISED', 'El usuario ya fue anonimizado.', {
      anonymisedAt: rider.anonymisedAt.toISOString(),
    });
  const [open] = await manager.query<Array<{ id: string }>>(
    `SELECT id FROM loans WHERE rider_id = $1 AND state = 'open' LIMIT 1`,
    [riderId],
  );
  if (open)
    throw new DomainError(
      'RIDER_HOLDS_BIKE',
      'El usuario tiene una bicicleta prestada; se puede anonimizar cuando la devuelva.',
      { loanId: open.id },
    );
  await manager.update(
    RiderEntity,
    { id: riderId },
    {
      documentNumber: `${ANONYMISED_DOCUMENT_PREFIX}${randomBytes(12).toString('hex').toUpperCase()}`,
      firstName: ANONYMISED_NAME,
      lastName: ANONYMISED_NAME,
      phone: '',
      email: null,
      birthDate: null,
      guardianName: null,
      guardianDocumentType: null,
      guardianDocumentNumber: null,
      guardianBirthDate: null,
      suspensionReason: rider.suspensionReason === null ? null : REDACTED_TEXT,
      anonymisedAt: input.at,
    },
  );
  // The change log is append-only; the trigger lets only this rider's anonymisation blank its reasons.
  await manager.query('SELECT set_config($1, $2, true)', [ANONYMISING_SETTING, riderId]);
  await manager.query(`UPDATE rider_profile_changes SET reason = $2 WHERE rider_id = $1 AND reason <> $2`, [
    riderId,
    REDACTED_TEXT,
  ]);
  await manager.query('SELECT set_config($1, $2, true)', [ANONYMISING_SETTING, '']);
  await manager.insert(RiderProfileChangeEntity, {
    riderId,
    actorId: input.actorId,
    kind: 'anonymise',
    fields: [...ANONYMISED_FIELDS],
    reason: input.reason,
    changedAt: input.at,
  });
}

/**
 * Riders the retention rule has reached (not anonymised yet, real people), at most `limit`; riders
 * with an open loan are left for a later run.
 */
export async function ridersDueForAnonymisation(manager: EntityManager, limit: number): Promise<string[]> {
  const rows = await manager.query<Array<{ id: string }>>(
    `SELECT r.id FROM riders r
      WHERE r.anonymised_at IS NULL AND NOT r.synthetic
        AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.rider_id = r.id AND l.state = 'open')
      ORDER BY r.created_at, r.id LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id);
}
