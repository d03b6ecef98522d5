import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { RiderEntity } from './rider.entity';

/** What a rider may authorise (Ley 1581, per purpose). `service` is required to borrow. */
export const CONSENT_PURPOSES = ['service', 'research', 'reminders'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
/** Purposes a rider may withdraw at any time; withdrawing `service` means asking for deletion. */
export const OPTIONAL_PURPOSES: readonly ConsentPurpose[] = ['research', 'reminders'];

/**
 * Append-only proof of consent (a database trigger refuses UPDATE and DELETE): each row is the
 * whole set of purposes authorised from `recorded_at` on, by the rider or, for a minor, by the
 * guardian as well. The current consent is the latest row.
 */
@Entity('rider_consents')
@Index('IDX_rider_consents_rider', ['riderId', 'recordedAt'])
@Check('CHK_rider_consents_granted_by', `"granted_by" IN ('rider', 'guardian')`)
@Check('CHK_rider_consents_source', `"source" IN ('registration', 'staff', 'migration', 'seed')`)
export class RiderConsentEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_rider_consents' })
  id: string;

  @Column({ name: 'rider_id', type: 'uuid' })
  riderId: string;

  @ManyToOne(() => RiderEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'rider_id', foreignKeyConstraintName: 'FK_rider_consents_rider' })
  rider?: RiderEntity;

  @Column({ type: 'jsonb' })
  purposes: ConsentPurpose[];

  @Column({ name: 'terms_version', type: 'varchar', length: 32 })
  termsVersion: string;

  @Column({ name: 'granted_by', type: 'varchar', length: 12 })
  grantedBy: 'rider' | 'guardian';

  @Column({ type: 'varchar', length: 16 })
  source: 'registration' | 'staff' | 'migration' | 'seed';

  /** Staff member who recorded a change asked for by the rider; null at self-registration. */
  @Column({ name: 'recorded_by', type: 'uuid', nullable: true })
  recordedBy: string | null;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;
}

/**
 * Who looked at whose personal data (append-only, trigger): one row per rider per staff read, and
 * rows without a rider for reads of pseudonymised trip data (research packages).
 */
@Entity('personal_data_reads')
@Index('IDX_personal_data_reads_rider', ['riderId', 'readAt'])
@Index('IDX_personal_data_reads_actor', ['actorId', 'readAt'])
@Index('IDX_personal_data_reads_read_at', ['readAt'])
export class PersonalDataReadEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_personal_data_reads' })
  id: string;

  @Column({ name: 'actor_id', type: 'uuid' })
  actorId: string;

  @Column({ name: 'actor_role', type: 'varchar', length: 12 })
  actorRole: string;

  @Column({ name: 'rider_id', type: 'uuid', nullable: true })
  riderId: string | null;

  /** The route (method and path template) that showed the data, e.g. `GET /api/v1/riders/:id`. */
  @Column({ type: 'varchar', length: 120 })
  route: string;

  /** Ids and references only (e.g. the export id, recipient and agreement of a research package). */
  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;

  @Column({ name: 'read_at', type: 'timestamptz', default: () => 'now()' })
  readAt: Date;
}

/**
 * Rectifications and the anonymisation of a rider: who, when, why and which fields — never the
 * old values (they would keep the identifiers the change removes). Append-only (trigger); only the
 * anonymisation of the same rider may blank the free-text reasons.
 */
@Entity('rider_profile_changes')
@Index('IDX_rider_profile_changes_rider', ['riderId', 'changedAt'])
@Check('CHK_rider_profile_changes_kind', `"kind" IN ('rectify', 'anonymise')`)
export class RiderProfileChangeEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_rider_profile_changes' })
  id: string;

  @Column({ name: 'rider_id', type: 'uuid' })
  riderId: string;

  @ManyToOne(() => RiderEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'rider_id', foreignKeyConstraintName: 'FK_rider_profile_changes_rider' })
  rider?: RiderEntity;

  /** Staff member, or null for the automatic retention job. */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'varchar', length: 12 })
  kind: 'rectify' | 'anonymise';

  @Column({ type: 'jsonb' })
  fields: string[];

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt: Date;
}
