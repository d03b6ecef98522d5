import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Actor, Clock, DomainError, isValidLocalDate, type StaffRole } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import {
  CONSENT_PURPOSES,
  type ConsentPurpose,
  PersonalDataReadEntity,
  RiderConsentEntity,
  RiderProfileChangeEntity,
} from './privacy.entities';
import { logPersonalDataReads, normalisePurposes, recordConsents } from './rider-privacy';
import { GENDERS, RiderEntity, type Gender } from './rider.entity';
import { isDocumentType, normaliseDocumentNumber, validateDocument } from './rider-rules';
import { assertRole, openLoans, RiderService, type RiderStaffView, toStaffView } from './rider.service';

export interface ConsentView {
  id: string;
  purposes: ConsentPurpose[];
  termsVersion: string;
  grantedBy: 'rider' | 'guardian';
  source: string;
  recordedBy: string | null;
  recordedAt: string;
}

export interface ProfileChangeView {
  id: string;
  kind: 'rectify' | 'anonymise';
  fields: string[];
  reason: string;
  actorId: string | null;
  changedAt: string;
}

/** Everything held about a rider, as a document a person can be handed (Ley 1581, art. 8: know). */
export interface PersonalDataView {
  generatedAt: string;
  rider: Omit<RiderStaffView, 'openLoan'>;
  consents: ConsentView[];
  profileChanges: ProfileChangeView[];
  loans: Array<{
    id: string;
    journeyId: string;
    bikeCode: string;
    fromStation: string;
    toStation: string | null;
    startedAt: string;
    dueAt: string;
    endedAt: string | null;
    state: string;
    endReason: string | null;
    helmet: boolean;
    overdue: boolean;
  }>;
  strikes: { overdueStrikes: number };
  suspension: { suspendedAt: string | null; reason: string | null; status: string };
  personalDataReads: number;
}

/** Profile fields staff may correct on the rider's request (the document only with the document in hand). */
export interface RectifyInput {
  firstName?: string;
  lastName?: string;
  phone?: string;
  email?: string | null;
  gender?: Gender;
  birthDate?: string;
  documentType?: RiderEntity['documentType'];
  documentNumber?: string;
  reason: string;
}

export interface AuditQuery {
  riderId?: string;
  actorId?: string;
  /** Instants (ISO 8601) or local dates; `to` exclusive for instants. */
  from?: Date;
  to?: Date;
  limit?: number;
}

export interface AuditEntryView {
  id: string;
  actorId: string;
  actorRole: string;
  riderId: string | null;
  route: string;
  details: Record<string, unknown> | null;
  readAt: string;
}

const STAFF: readonly StaffRole[] = ['operator', 'admin'];

/**
 * The rights of Ley 1581 that staff exercise on a rider's request: know (a copy of everything
 * held), rectify (logged with who and why), consent per purpose (append-only history), and the
 * admins' audit of who looked at whose data. Operators act on riders they may serve (the same
 * object-level rule as `GET /riders/:id`); deletion (anonymisation) is `@metrobici/privacy`.
 */
@Injectable()
export class RiderPrivacyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly riders: RiderService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async consents(actor: Actor, riderId: string): Promise<{ current: ConsentPurpose[]; history: ConsentView[] }> {
    const rider = await this.visibleRider(actor, riderId);
    const history = await this.consentHistory(this.dataSource.manager, rider.id);
    return { current: normalisePurposes(rider.consentPurposes), history };
  }

  /** Records the rider's new choice of purposes (`service` stays: withdrawing it is asking for deletion). */
  async changeConsents(
    actor: Actor,
    riderId: string,
    input: { purposes: string[] },
  ): Promise<{ current: ConsentPurpose[]; history: ConsentView[] }> {
    const unknown = input.purposes.filter((p) => !(CONSENT_PURPOSES as readonly string[]).includes(p));
    if (unknown.length > 0) throw invalid('purposes', `Finalidades válidas: ${CONSENT_PURPOSES.join(', ')}.`);
    await this.visibleRider(actor, riderId);
    return this.dataSource.transaction(async (manager) => {
      const rider = await this.riders.findOrFail(manager, riderId, true);
      if (rider.anonymisedAt) throw anonymised();
      await recordConsents(manager, [
        {
          riderId,
          purposes: input.purposes,
          termsVersion: this.config.riders.termsVersion,
          grantedBy: 'rider',
          source: 'staff',
          recordedBy: actor.id,
          at: this.clock.now(),
        },
      ]);
      return { current: normalisePurposes(input.purposes), history: await this.consentHistory(manager, riderId) };
    });
  }

  async personalData(actor: Actor, riderId: string): Promise<PersonalDataView> {
    const rider = await this.visibleRider(actor, riderId);
    const manager = this.dataSource.manager;
    await logPersonalDataReads(manager, actor, 'GET /api/v1/riders/:id/personal-data', [rider.id]);
    const loans: Array<Record<string, any>> = await manager.query(
      `SELECT l.id, l.journey_id, b.code AS bike_code, fs.name AS from_station, ts.name AS to_station, l.started_at,
              l.due_at, l.ended_at, l.state, l.end_reason, l.helmet, l.overdue
         FROM loans l JOIN bikes b ON b.id = l.bike_id JOIN stations fs ON fs.id = l.from_station_id
         LEFT JOIN stations ts ON ts.id = l.to_station_id
        WHERE l.rider_id = $1 ORDER BY l.started_at DESC`,
      [rider.id],
    );
    const [{ n: reads }] = await manager.query<Array<{ n: number }>>(
      'SELECT count(*)::integer AS n FROM personal_data_reads WHERE rider_id = $1',
      [rider.id],
    );
    const { openLoan: _open, ...profile } = toStaffView(rider, null);
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
    return {
      generatedAt: this.clock.now().toISOString(),
      rider: profile,
      consents: await this.consentHistory(manager, rider.id),
      profileChanges: await this.profileChanges(manager, rider.id),
      loans: loans.map((l) => ({
        id: l.id,
        journeyId: l.journey_id,
        bikeCode: l.bike_code,
        fromStation: l.from_station,
        toStation: l.to_station,
        startedAt: iso(l.started_at)!,
        dueAt: iso(l.due_at)!,
        endedAt: iso(l.ended_at),
        state: l.state,
        endReason: l.end_reason,
        helmet: l.helmet,
        overdue: l.overdue,
      })),
      strikes: { overdueStrikes: rider.overdueStrikes },
      suspension: { suspendedAt: iso(rider.suspendedAt), reason: rider.suspensionReason, status: rider.status },
      personalDataReads: reads,
    };
  }

  /** Corrects profile fields on the rider's request; the log keeps who, why and which fields, not old values. */
  async rectify(actor: Actor, riderId: string, input: RectifyInput): Promise<RiderStaffView> {
    const reason = input.reason?.trim() ?? '';
    if (reason.length < 3) throw invalid('reason', 'El motivo es obligatorio.');
    const changes = this.checkRectification(input);
    const fields = Object.keys(changes);
    if (fields.length === 0) throw invalid('fields', 'Indique al menos un dato a corregir.');
    await this.visibleRider(actor, riderId);
    const saved = await this.dataSource.transaction(async (manager) => {
      const rider = await this.riders.findOrFail(manager, riderId, true);
      if (rider.anonymisedAt) throw anonymised();
      await manager.update(RiderEntity, { id: riderId }, changes);
      await manager.insert(RiderProfileChangeEntity, {
        riderId,
        actorId: actor.id,
        kind: 'rectify',
        fields,
        reason,
        changedAt: this.clock.now(),
      });
      return this.riders.findOrFail(manager, riderId);
    });
    const loans = await openLoans(this.dataSource.manager, [riderId]);
    return toStaffView(saved, loans.get(riderId) ?? null);
  }

  /** Admins: who read whose personal data, newest first. */
  async audit(actor: Actor, query: AuditQuery): Promise<AuditEntryView[]> {
    assertRole(actor, ['admin']);
    const qb = this.dataSource.getRepository(PersonalDataReadEntity).createQueryBuilder('r');
    if (query.riderId) qb.andWhere('r.rider_id = :riderId', { riderId: query.riderId });
    if (query.actorId) qb.andWhere('r.actor_id = :actorId', { actorId: query.actorId });
    if (query.from) qb.andWhere('r.read_at >= :from', { from: query.from });
    if (query.to) qb.andWhere('r.read_at < :to', { to: query.to });
    const rows = await qb
      .orderBy('r.read_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .take(Math.min(Math.max(query.limit ?? 200, 1), 1000))
      .getMany();
    return rows.map((r) => ({
      id: r.id,
      actorId: r.actorId,
      actorRole: r.actorRole,
      riderId: r.riderId,
      route: r.route,
      details: r.details,
      readAt: new Date(r.readAt).toISOString(),
    }));
  }

  /** The rider if `actor` may serve them (admins: any); otherwise RIDER_NOT_FOUND. */
  private async visibleRider(actor: Actor, riderId: string): Promise<RiderEntity> {
    assertRole(actor, STAFF);
    const rider = await this.riders.findOrFail(this.dataSource.manager, riderId);
    if (actor.role !== 'admin' && actor.stationIds !== null && !(await this.riders.servedAt(rider, actor.stationIds)))
      throw new DomainError('RIDER_NOT_FOUND', 'El usuario no existe.', { riderId });
    return rider;
  }

  private checkRectification(input: RectifyInput): Partial<RiderEntity> {
    const out: Partial<RiderEntity> = {};
    const text = (field: 'firstName' | 'lastName', value: string | undefined) => {
      if (value === undefined) return;
      const t = value.trim();
      if (!t || t.length > 80) throw invalid(field, 'Debe tener de 1 a 80 caracteres.');
      out[field] = t;
    };
    text('firstName', input.firstName);
    text('lastName', input.lastName);
    if (input.phone !== undefined) {
      const phone = input.phone.trim();
      if (!/^[0-9+ ]{7,20}$/.test(phone)) throw invalid('phone', 'El teléfono debe tener de 7 a 20 dígitos.');
      out.phone = phone;
    }
    if (input.email !== undefined) out.email = input.email?.trim().toLowerCase() || null;
    if (input.gender !== undefined) {
      if (!(GENDERS as readonly string[]).includes(input.gender))
        throw invalid('gender', `Uno de: ${GENDERS.join(', ')}.`);
      out.gender = input.gender;
    }
    if (input.birthDate !== undefined) {
      if (!isValidLocalDate(input.birthDate)) throw invalid('birthDate', 'Fecha real AAAA-MM-DD.');
      out.birthDate = input.birthDate;
    }
    if (input.documentType !== undefined || input.documentNumber !== undefined) {
      if (!isDocumentType(input.documentType) || input.documentNumber === undefined)
        throw invalid('documentNumber', 'Indique tipo y número de documento juntos.');
      const number = normaliseDocumentNumber(input.documentNumber);
      const why = validateDocument(input.documentType, number);
      if (why) throw invalid('documentNumber', why);
      out.documentType = input.documentType;
      out.documentNumber = number;
    }
    return out;
  }

  private async consentHistory(manager: EntityManager, riderId: string): Promise<ConsentView[]> {
    const rows = await manager
      .getRepository(RiderConsentEntity)
      .find({ where: { riderId }, order: { recordedAt: 'DESC', id: 'DESC' } });
    return rows.map((c) => ({
      id: c.id,
      purposes: c.purposes,
      termsVersion: c.termsVersion,
      grantedBy: c.grantedBy,
      source: c.source,
      recordedBy: c.recordedBy,
      recordedAt: new Date(c.recordedAt).toISOString(),
    }));
  }

  private async profileChanges(manager: EntityManager, riderId: string): Promise<ProfileChangeView[]> {
    const rows = await manager
      .getRepository(RiderProfileChangeEntity)
      .find({ where: { riderId }, order: { changedAt: 'DESC', id: 'DESC' } });
    return rows.map((c) => ({
      id: c.id,
      kind: c.kind,
      fields: c.fields,
      reason: c.reason,
      actorId: c.actorId,
      changedAt: new Date(c.changedAt).toISOString(),
    }));
  }
}

function invalid(field: string, problem: string): DomainError {
  return new DomainError('VALIDATION_FAILED', 'La solicitud tiene datos inválidos.', {
    fields: [{ field, problems: [problem] }],
  });
}

function anonymised(): DomainError {
  return new DomainError('RIDER_ANONYMISED', 'El usuario fue anonimizado; sus datos ya no existen.');
}
