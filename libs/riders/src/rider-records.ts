import type { EntityManager } from 'typeorm';
import { type DocumentType, type Gender, RiderEntity, type RiderStatus } from './rider.entity';
import type { ConsentPurpose } from './privacy.entities';
import { normalisePurposes, recordConsents } from './rider-privacy';

/** A rider whose data was already checked elsewhere (the demo seed, a data load). */
export interface NewRiderRecord {
  documentType: DocumentType;
  documentNumber: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  gender: Gender;
  phone: string;
  email: string | null;
  guardian?: { name: string; documentType: DocumentType; documentNumber: string } | null;
  /** The Ley 1581 authorisation: when, which terms, which purposes (default `service` only). */
  consent: { acceptedAt: Date; termsVersion: string; purposes?: ConsentPurpose[] };
  status: RiderStatus;
  /** Where, when and by whom the document was seen; omitted for a pending rider. */
  verification?: { at: Date; by: string | null; stationId: string | null } | null;
}

/**
 * Inserts riders in the caller's transaction, in one statement. Documents must be new (the
 * caller checked; the unique index refuses a repeat). Public sign-ups go through
 * `RiderService.register`, which applies the registration rules first.
 */
export async function createRiders(manager: EntityManager, riders: NewRiderRecord[]): Promise<void> {
  if (riders.length === 0) return;
  const result = await manager.insert(
    RiderEntity,
    riders.map((r) => ({
      documentType: r.documentType,
      documentNumber: r.documentNumber,
      firstName: r.firstName,
      lastName: r.lastName,
      birthDate: r.birthDate,
      gender: r.gender,
      phone: r.phone,
      email: r.email,
      guardianName: r.guardian?.name ?? null,
      guardianDocumentType: r.guardian?.documentType ?? null,
      guardianDocumentNumber: r.guardian?.documentNumber ?? null,
      consentAcceptedAt: r.consent.acceptedAt,
      consentTermsVersion: r.consent.termsVersion,
      consentPurposes: normalisePurposes(r.consent.purposes ?? []),
      status: r.status,
      verifiedAt: r.verification?.at ?? null,
      verifiedBy: r.verification?.by ?? null,
      verifiedAtStationId: r.verification?.stationId ?? null,
    })),
  );
  // The proof of consent goes to the append-only history as well (the guardian's too for a minor).
  await recordConsents(
    manager,
    riders.flatMap((r, i) => {
      const riderId = String(result.identifiers[i].id);
      const base = {
        riderId,
        purposes: r.consent.purposes ?? [],
        termsVersion: r.consent.termsVersion,
        at: r.consent.acceptedAt,
      };
      return [
        { ...base, grantedBy: 'rider' as const, source: 'seed' as const, recordedBy: null },
        ...(r.guardian ? [{ ...base, grantedBy: 'guardian' as const, source: 'seed' as const, recordedBy: null }] : []),
      ];
    }),
  );
}
