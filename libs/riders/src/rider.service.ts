import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { type Actor, ageOn, canActAtStation, Clock, DomainError, type StaffRole } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { isUniqueViolation, StationEntity } from '@metrobici/stations';
import { type ConsentPurpose, CONSENT_PURPOSES } from './privacy.entities';
import { logPersonalDataReads, normalisePurposes, recordConsents } from './rider-privacy';
import { decideByAge, isDocumentType, normaliseDocumentNumber, validateDocument } from './rider-rules';
import { type DocumentType, type Gender, GENDERS, RiderEntity, type RiderStatus } from './rider.entity';

export interface RegisterRiderInput {
  documentType: DocumentType;
  documentNumber: string;
  firstName: string;
  lastName: string;
  /** Local date `YYYY-MM-DD`. */
  birthDate: string;
  gender: Gender;
  phone: string;
  email?: string | null;
  /** `service` is implied; `research` and `reminders` only when ticked (nothing optional by default). */
  consent: { accepted: boolean; termsVersion: string; purposes?: string[] };
  /** A minor's guardian, an adult other than the rider, who authorises too (Ley 1581, minors' data). */
  guardian?: { name: string; documentType: DocumentType; documentNumber: string; birthDate?: string } | null;
}

/** All a public caller learns about a registration. */
export interface RegistrationResult {
  id: string;
  status: RiderStatus;
}

export interface OpenLoanSummary {
  id: string;
  bikeId: string;
  fromStationId: string;
  startedAt: string;
  dueAt: string;
}

/** A rider as staff see it: personal data included, so never for public or export use. */
export interface RiderStaffView {
  id: string;
  documentType: DocumentType;
  documentNumber: string;
  firstName: string;
  lastName: string;
  birthDate: string | null;
  gender: Gender;
  phone: string;
  email: string | null;
  status: RiderStatus;
  overdueStrikes: number;
  /** Helmets lent to the rider and not returned (shown to the operator at the next loan). */
  helmetsMissing: number;
  guardian: {
    name: string;
    documentType: DocumentType | null;
    documentNumber: string | null;
    birthDate: string | null;
  } | null;
  consent: { acceptedAt: string; termsVersion: string; purposes: string[] };
  /** When the identifiers were removed for good (then names and document are placeholders). */
  anonymisedAt: string | null;
  verifiedAt: string | null;
  verifiedBy: string | null;
  verifiedAtStationId: string | null;
  suspendedAt: string | null;
  suspensionReason: string | null;
  createdAt: string;
  openLoan: OpenLoanSummary | null;
}

export interface ListRidersInput {
  documentType?: DocumentType;
  documentNumber?: string;
  status?: RiderStatus;
  limit?: number;
}

export const DEFAULT_RIDER_LIST_LIMIT = 50;
export const MAX_RIDER_LIST_LIMIT = 200;

const STAFF_ROLES: readonly StaffRole[] = ['operator', 'admin'];
const ADMIN_ONLY: readonly StaffRole[] = ['admin'];

interface FieldProblem {
  field: string;
  problems: string[];
}

@Injectable()
export class RiderService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Public self-registration. The rider starts `pending` until an operator sees the document.
   * Duplicates are caught by the unique index, so two simultaneous sign-ups cannot both win. A
   * document already registered gets the very same answer as a new one (201, a receipt id, status
   * `pending`) and changes nothing: the public must not learn who is registered (the receipt id of
   * a repeat names no rider). The operator sees the truth when looking the document up to verify.
   */
  async register(input: RegisterRiderInput): Promise<RegistrationResult> {
    const now = this.clock.now();
    const rules = this.config.riders;
    const problems: FieldProblem[] = [];
    const problem = (field: string, message: string) => problems.push({ field, problems: [message] });

    const documentNumber = this.checkDocument(
      input.documentType,
      input.documentNumber,
      'documentType',
      'documentNumber',
      problem,
    );
    const firstName = input.firstName?.trim() ?? '';
    const lastName = input.lastName?.trim() ?? '';
    if (!firstName) problem('firstName', 'El nombre es obligatorio.');
    if (!lastName) problem('lastName', 'El apellido es obligatorio.');
    if (!(GENDERS as readonly string[]).includes(input.gender))
      problem('gender', `El género debe ser uno de: ${GENDERS.join(', ')}.`);
    const phone = input.phone?.trim() ?? '';
    if (!/^[0-9+ ]{7,20}$/.test(phone)) problem('phone', 'El teléfono debe tener de 7 a 20 dígitos, espacios o "+".');
    const email = input.email?.trim().toLowerCase() || null;
    if (input.consent?.termsVersion !== rules.termsVersion) {
      problem(
        'consent.termsVersion',
        `Los términos aceptados deben ser la versión vigente (${rules.termsVersion}); recargue el formulario.`,
      );
    }
    const decision = decideByAge(input.birthDate, now, rules);
    if (decision.kind === 'invalid_date') problem('birthDate', decision.problem);
    if (problems.length > 0) {
      throw new DomainError('VALIDATION_FAILED', 'La solicitud tiene datos inválidos.', { fields: problems });
    }

    if (decision.kind === 'too_young') {
      throw new DomainError('RIDER_TOO_YOUNG', `La edad mínima para registrarse es ${rules.minAge} años.`, {
        minAge: rules.minAge,
      });
    }
    let guardian: { name: string; documentType: DocumentType; documentNumber: string; birthDate: string } | null = null;
    if (decision.kind === 'needs_guardian') {
      if (!input.guardian) {
        throw new DomainError(
          'GUARDIAN_REQUIRED',
          `Los menores de ${rules.adultAge} años necesitan la autorización de un acudiente (nombre y documento).`,
          { adultAge: rules.adultAge },
        );
      }
      const name = input.guardian.name?.trim() ?? '';
      if (!name) problem('guardian.name', 'El nombre del acudiente es obligatorio.');
      const number = this.checkDocument(
        input.guardian.documentType,
        input.guardian.documentNumber,
        'guardian.documentType',
        'guardian.documentNumber',
        problem,
      );
      if (problems.length > 0) {
        throw new DomainError('VALIDATION_FAILED', 'La solicitud tiene datos inválidos.', { fields: problems });
      }
      const guardianBirth = input.guardian.birthDate ?? '';
      const guardianAge = decideByAge(guardianBirth, now, rules);
      if (guardianAge.kind === 'invalid_date') problem('guardian.birthDate', guardianAge.problem);
      if (problems.length > 0) {
        throw new DomainError('VALIDATION_FAILED', 'La solicitud tiene datos inválidos.', { fields: problems });
      }
      // The guardian must be an adult and someone other than the rider.
      if (ageOn(guardianBirth, now) < rules.adultAge) {
        throw new DomainError('GUARDIAN_NOT_ADULT', `El acudiente debe ser mayor de ${rules.adultAge} años.`, {
          adultAge: rules.adultAge,
        });
      }
      if (input.guardian.documentType === input.documentType && number === documentNumber) {
        throw new DomainError('GUARDIAN_NOT_ADULT', 'El acudiente debe ser una persona distinta del usuario.', {
          field: 'guardian.documentNumber',
        });
      }
      guardian = { name, documentType: input.guardian.documentType, documentNumber: number, birthDate: guardianBirth };
    }
    // Adults' guardian data, if sent, is not needed and so not kept (Ley 1581: only what the purpose needs).

    if (input.consent.accepted !== true) {
      throw new DomainError(
        'CONSENT_REQUIRED',
        'Debe aceptar el tratamiento de datos personales (Ley 1581 de 2012) para registrarse.',
      );
    }

    const unknownPurposes = (input.consent.purposes ?? []).filter(
      (p) => !(CONSENT_PURPOSES as readonly string[]).includes(p),
    );
    if (unknownPurposes.length > 0) {
      throw new DomainError('VALIDATION_FAILED', 'La solicitud tiene datos inválidos.', {
        fields: [{ field: 'consent.purposes', problems: [`Finalidades válidas: ${CONSENT_PURPOSES.join(', ')}.`] }],
      });
    }
    const purposes: ConsentPurpose[] = normalisePurposes(input.consent.purposes ?? []);

    try {
      const saved = await this.dataSource.transaction(async (manager) => {
        const repo = manager.getRepository(RiderEntity);
        const row = await repo.save(
          repo.create({
            documentType: input.documentType,
            documentNumber,
            firstName,
            lastName,
            birthDate: input.birthDate,
            gender: input.gender,
            phone,
            email,
            guardianName: guardian?.name ?? null,
            guardianDocumentType: guardian?.documentType ?? null,
            guardianDocumentNumber: guardian?.documentNumber ?? null,
            guardianBirthDate: guardian?.birthDate ?? null,
            consentAcceptedAt: now,
            consentTermsVersion: input.consent.termsVersion,
            consentPurposes: purposes,
            status: 'pending',
          }),
        );
        // The proof of consent, per purpose; a minor's guardian authorises the same purposes.
        const base = { riderId: row.id, purposes, termsVersion: input.consent.termsVersion, at: now };
        await recordConsents(manager, [
          { ...base, grantedBy: 'rider', source: 'registration', recordedBy: null },
          ...(guardian
            ? [{ ...base, grantedBy: 'guardian' as const, source: 'registration' as const, recordedBy: null }]
            : []),
        ]);
        return row;
      });
      return { id: saved.id, status: saved.status };
    } catch (error) {
      if (isUniqueViolation(error, 'UQ_riders_document')) return { id: randomUUID(), status: 'pending' };
      throw error;
    }
  }

  /** An operator has seen the identity document at a station: `pending` becomes `active`. */
  async verify(actor: Actor, riderId: string, input: { stationId: string }): Promise<RiderStaffView> {
    assertRole(actor, STAFF_ROLES);
    if (!canActAtStation(actor, input.stationId)) {
      throw new DomainError('STATION_NOT_ALLOWED', 'No puede actuar en esa estación.', { stationId: input.stationId });
    }
    return this.dataSource.transaction(async (manager) => {
      const stationExists = await manager.getRepository(StationEntity).exists({ where: { id: input.stationId } });
      if (!stationExists)
        throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stationId: input.stationId });
      const rider = await this.findOrFail(manager, riderId, true);
      if (rider.status === 'active') throw new DomainError('RIDER_ALREADY_VERIFIED', 'El usuario ya está verificado.');
      if (rider.status === 'suspended')
        throw new DomainError('RIDER_SUSPENDED', 'El usuario está suspendido; un administrador debe reactivarlo.');
      await manager.update(
        RiderEntity,
        { id: rider.id },
        { status: 'active', verifiedAt: this.clock.now(), verifiedBy: actor.id, verifiedAtStationId: input.stationId },
      );
      return this.toStaffView(manager, await this.findOrFail(manager, rider.id));
    });
  }

  /** The rider holding that document (number in any formatting), or RIDER_NOT_FOUND. */
  async findByDocument(actor: Actor, documentType: DocumentType, documentNumber: string): Promise<RiderStaffView> {
    assertRole(actor, STAFF_ROLES);
    const rider = isDocumentType(documentType)
      ? await this.dataSource
          .getRepository(RiderEntity)
          .findOne({ where: { documentType, documentNumber: normaliseDocumentNumber(documentNumber) } })
      : null;
    if (!rider) throw new DomainError('RIDER_NOT_FOUND', 'No hay un usuario registrado con ese documento.');
    await logPersonalDataReads(this.dataSource.manager, actor, 'GET /api/v1/riders?documentType&documentNumber', [
      rider.id,
    ]);
    return this.toStaffView(this.dataSource.manager, rider);
  }

  /**
   * Admins list riders by any filter. Operators only find one rider by exact document (type and
   * number) to serve them: paging through the city's riders is not part of their work.
   */
  async list(actor: Actor, input: ListRidersInput = {}): Promise<RiderStaffView[]> {
    assertRole(actor, STAFF_ROLES);
    if (actor.role !== 'admin' && (!input.documentType || input.documentNumber === undefined || input.status)) {
      throw new DomainError(
        'FORBIDDEN',
        'Los operadores buscan a un usuario por tipo y número de documento; el listado es solo para administradores.',
        { required: ['documentType', 'documentNumber'] },
      );
    }
    const where: FindOptionsWhere<RiderEntity> = {};
    if (input.documentType) where.documentType = input.documentType;
    if (input.documentNumber !== undefined) where.documentNumber = normaliseDocumentNumber(input.documentNumber);
    if (input.status) where.status = input.status;
    const limit = Math.min(Math.max(Math.trunc(input.limit ?? DEFAULT_RIDER_LIST_LIMIT), 1), MAX_RIDER_LIST_LIMIT);
    const riders = await this.dataSource
      .getRepository(RiderEntity)
      .find({ where, order: { createdAt: 'DESC', id: 'ASC' }, take: limit });
    const loans = await openLoans(
      this.dataSource.manager,
      riders.map((r) => r.id),
    );
    await logPersonalDataReads(
      this.dataSource.manager,
      actor,
      input.documentType && input.documentNumber !== undefined
        ? 'GET /api/v1/riders?documentType&documentNumber'
        : 'GET /api/v1/riders',
      riders.map((r) => r.id),
    );
    return riders.map((r) => toStaffView(r, loans.get(r.id) ?? null));
  }

  /**
   * One rider by id. An operator tied to stations sees a rider still waiting for verification
   * (to serve them), or one verified at, or with a loan from or to, one of their stations.
   */
  async get(actor: Actor, id: string): Promise<RiderStaffView> {
    assertRole(actor, STAFF_ROLES);
    const rider = await this.findOrFail(this.dataSource.manager, id);
    if (actor.role !== 'admin' && actor.stationIds !== null && !(await this.servedAt(rider, actor.stationIds))) {
      throw new DomainError('RIDER_NOT_FOUND', 'El usuario no existe.', { riderId: id });
    }
    await logPersonalDataReads(this.dataSource.manager, actor, 'GET /api/v1/riders/:id', [rider.id]);
    return this.toStaffView(this.dataSource.manager, rider);
  }

  async servedAt(rider: RiderEntity, stationIds: string[]): Promise<boolean> {
    if (rider.status === 'pending' && !rider.verifiedAt) return true;
    if (rider.verifiedAtStationId && stationIds.includes(rider.verifiedAtStationId)) return true;
    const [row] = await this.dataSource.query<Array<{ served: boolean }>>(
      `SELECT EXISTS (SELECT 1 FROM loans WHERE rider_id = $1
                         AND (from_station_id = ANY($2::uuid[]) OR to_station_id = ANY($2::uuid[]))) AS served`,
      [rider.id, stationIds],
    );
    return row.served;
  }

  /** Admin action; an open loan stays open (the bike still has to come back). Repeating it only updates the reason. */
  async suspend(actor: Actor, id: string, reason: string): Promise<RiderStaffView> {
    assertRole(actor, ADMIN_ONLY);
    const text = reason?.trim() ?? '';
    if (!text) {
      throw new DomainError('VALIDATION_FAILED', 'La solicitud tiene datos inválidos.', {
        fields: [{ field: 'reason', problems: ['El motivo es obligatorio.'] }],
      });
    }
    return this.dataSource.transaction(async (manager) => {
      const rider = await this.findOrFail(manager, id, true);
      await manager.update(
        RiderEntity,
        { id },
        {
          status: 'suspended',
          suspendedAt: rider.status === 'suspended' && rider.suspendedAt ? rider.suspendedAt : this.clock.now(),
          suspensionReason: text,
        },
      );
      return this.toStaffView(manager, await this.findOrFail(manager, id));
    });
  }

  /**
   * Admin action: lifts a suspension and forgives the overdue strikes. A rider never verified goes
   * back to `pending`, so the document check still happens. On a rider who is not suspended it
   * only resets the strikes.
   */
  async reactivate(actor: Actor, id: string): Promise<RiderStaffView> {
    assertRole(actor, ADMIN_ONLY);
    return this.dataSource.transaction(async (manager) => {
      const rider = await this.findOrFail(manager, id, true);
      const status: RiderStatus =
        rider.status === 'suspended' ? (rider.verifiedAt ? 'active' : 'pending') : rider.status;
      await manager.update(
        RiderEntity,
        { id },
        { status, suspendedAt: null, suspensionReason: null, overdueStrikes: 0 },
      );
      return this.toStaffView(manager, await this.findOrFail(manager, id));
    });
  }

  async findOrFail(manager: EntityManager, id: string, lock = false): Promise<RiderEntity> {
    const rider = await manager.getRepository(RiderEntity).findOne({
      where: { id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!rider) throw new DomainError('RIDER_NOT_FOUND', 'El usuario no existe.', { riderId: id });
    return rider;
  }

  private async toStaffView(manager: EntityManager, rider: RiderEntity): Promise<RiderStaffView> {
    const loans = await openLoans(manager, [rider.id]);
    return toStaffView(rider, loans.get(rider.id) ?? null);
  }

  /** Validates type and number, records problems, and returns the normalised number. */
  private checkDocument(
    type: unknown,
    raw: unknown,
    typeField: string,
    numberField: string,
    problem: (field: string, message: string) => void,
  ): string {
    const number = typeof raw === 'string' ? normaliseDocumentNumber(raw) : '';
    if (!isDocumentType(type)) {
      problem(typeField, 'El tipo de documento debe ser CC, TI, CE, PA, PEP o PPT.');
      return number;
    }
    const why = validateDocument(type, number);
    if (why) problem(numberField, why);
    return number;
  }
}

export function assertRole(actor: Actor, roles: readonly StaffRole[]): void {
  if (!roles.includes(actor.role)) throw new DomainError('FORBIDDEN', 'No tiene permiso para esta acción.');
}

/**
 * Open loans by rider, read with SQL on the `loans` table: the loans lib depends on this one, so
 * importing its entity here would make a cycle.
 */
export async function openLoans(manager: EntityManager, riderIds: string[]): Promise<Map<string, OpenLoanSummary>> {
  const out = new Map<string, OpenLoanSummary>();
  if (riderIds.length === 0) return out;
  const rows: Array<{
    id: string;
    rider_id: string;
    bike_id: string;
    from_station_id: string;
    started_at: Date;
    due_at: Date;
  }> = await manager.query(
    `SELECT id, rider_id, bike_id, from_station_id, started_at, due_at FROM loans WHERE state = 'open' AND rider_id = ANY($1::uuid[])`,
    [riderIds],
  );
  for (const row of rows) {
    out.set(row.rider_id, {
      id: row.id,
      bikeId: row.bike_id,
      fromStationId: row.from_station_id,
      startedAt: new Date(row.started_at).toISOString(),
      dueAt: new Date(row.due_at).toISOString(),
    });
  }
  return out;
}

export function toStaffView(r: RiderEntity, openLoan: OpenLoanSummary | null): RiderStaffView {
  return {
    id: r.id,
    documentType: r.documentType,
    documentNumber: r.documentNumber,
    firstName: r.firstName,
    lastName: r.lastName,
    birthDate: r.birthDate,
    gender: r.gender,
    phone: r.phone,
    email: r.email,
    status: r.status,
    overdueStrikes: r.overdueStrikes,
    helmetsMissing: r.helmetsMissing,
    guardian: r.guardianName
      ? {
          name: r.guardianName,
          documentType: r.guardianDocumentType,
          documentNumber: r.guardianDocumentNumber,
          birthDate: r.guardianBirthDate,
        }
      : null,
    consent: {
      acceptedAt: r.consentAcceptedAt.toISOString(),
      termsVersion: r.consentTermsVersion,
      purposes: r.consentPurposes,
    },
    verifiedAt: r.verifiedAt ? r.verifiedAt.toISOString() : null,
    verifiedBy: r.verifiedBy,
    verifiedAtStationId: r.verifiedAtStationId,
    suspendedAt: r.suspendedAt ? r.suspendedAt.toISOString() : null,
    suspensionReason: r.suspensionReason,
    createdAt: r.createdAt.toISOString(),
    anonymisedAt: r.anonymisedAt ? r.anonymisedAt.toISOString() : null,
    openLoan,
  };
}
