import { BikeEntity } from '@metrobici/fleet';
import { RiderEntity } from '@metrobici/riders';
import { StationEntity } from '@metrobici/stations';
import { JoinColumn, ManyToOne, Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type LoanState = 'open' | 'closed' | 'reverted';
export type LoanEndReason = 'returned' | 'renewed' | 'forced' | 'reverted' | 'bike_missing';

/**
 * One trip segment. A renewal (hourly rule) closes the segment at a station and opens the next
 * one with the same `journeyId`. The partial unique indexes are what makes "a bike on two open
 * loans" and "a rider with two bikes" impossible, whatever the application does.
 */
@Entity('loans')
@Index('UQ_loans_open_bike', ['bikeId'], { unique: true, where: `"state" = 'open'` })
@Index('UQ_loans_open_rider', ['riderId'], { unique: true, where: `"state" = 'open'` })
@Index('IDX_loans_journey', ['journeyId'])
@Index('IDX_loans_started_at', ['startedAt'])
@Index('IDX_loans_open_due', ['dueAt'], { where: `"state" = 'open'` })
@Check('CHK_loans_state', `"state" IN ('open', 'closed', 'reverted')`)
@Check('CHK_loans_closed_has_end', `("state" = 'open') = ("ended_at" IS NULL)`)
export class LoanEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'journey_id', type: 'uuid' })
  journeyId: string;

  @Column({ name: 'bike_id', type: 'uuid' })
  bikeId: string;

  @ManyToOne(() => BikeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'bike_id', foreignKeyConstraintName: 'FK_loans_bike' })
  bike?: BikeEntity;

  @Column({ name: 'rider_id', type: 'uuid' })
  riderId: string;

  @ManyToOne(() => RiderEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'rider_id', foreignKeyConstraintName: 'FK_loans_rider' })
  rider?: RiderEntity;

  @Column({ name: 'from_station_id', type: 'uuid' })
  fromStationId: string;

  @ManyToOne(() => StationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'from_station_id', foreignKeyConstraintName: 'FK_loans_from_station' })
  fromStation?: StationEntity;

  @Column({ name: 'to_station_id', type: 'uuid', nullable: true })
  toStationId: string | null;

  @ManyToOne(() => StationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'to_station_id', foreignKeyConstraintName: 'FK_loans_to_station' })
  toStation?: StationEntity;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ type: 'varchar', length: 12 })
  state: LoanState;

  @Column({ name: 'end_reason', type: 'varchar', length: 16, nullable: true })
  endReason: LoanEndReason | null;

  @Column({ type: 'boolean', default: false })
  helmet: boolean;

  /** A helmet was lent and did not come back with the bike (not put back in stock; one strike). */
  @Column({ name: 'helmet_missing', type: 'boolean', default: false })
  helmetMissing: boolean;

  /** Ended after `dueAt`, or flagged by the worker while still open. */
  @Column({ type: 'boolean', default: false })
  overdue: boolean;

  @Column({ name: 'checked_out_by', type: 'uuid' })
  checkedOutBy: string;

  @Column({ name: 'closed_by', type: 'uuid', nullable: true })
  closedBy: string | null;

  @Column({ name: 'correction_reason', type: 'text', nullable: true })
  correctionReason: string | null;

  @Column({ type: 'boolean', default: false })
  synthetic: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
