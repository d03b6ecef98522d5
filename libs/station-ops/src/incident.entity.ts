import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { StationEntity } from '@metrobici/stations';

export const INCIDENT_TYPES = ['accident', 'injury', 'theft', 'vandalism', 'other'] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

/**
 * Something that happened at or from a station: a fall, an injury, a theft, vandalism. Bike and
 * loan are kept as ids without foreign keys (the record outlives a retired bike). No rider's
 * personal data: the description is the operator's words.
 */
@Entity('incidents')
@Index('IDX_incidents_station_occurred', ['stationId', 'occurredAt'])
@Check('CHK_incidents_type', `"type" IN ('accident', 'injury', 'theft', 'vandalism', 'other')`)
export class IncidentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 12 })
  type: IncidentType;

  @Column({ name: 'station_id', type: 'uuid' })
  stationId: string;

  @ManyToOne(() => StationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'station_id', foreignKeyConstraintName: 'FK_incidents_station' })
  station?: StationEntity;

  @Column({ name: 'bike_id', type: 'uuid', nullable: true })
  bikeId: string | null;

  @Column({ name: 'loan_id', type: 'uuid', nullable: true })
  loanId: string | null;

  @Column({ type: 'text' })
  description: string;

  @Column({ name: 'reported_by', type: 'uuid' })
  reportedBy: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
