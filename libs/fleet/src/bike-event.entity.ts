import { BikeEntity } from './bike.entity';
import { JoinColumn, ManyToOne, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { type BikeState } from './bike.entity';

export type BikeEventType =
  | 'registered'
  | 'checked_out'
  | 'returned'
  | 'renewed'
  | 'checkout_reverted'
  | 'force_returned'
  | 'damage_reported'
  | 'repaired'
  | 'rebalance_picked_up'
  | 'rebalance_dropped'
  | 'reported_missing'
  | 'found'
  | 'retired';

/**
 * Append-only log of every change of a bike's place or state, with who, when and why. A database
 * trigger (see the migrations) refuses UPDATE and DELETE on this table.
 */
@Entity('bike_events')
@Index('IDX_bike_events_bike', ['bikeId', 'occurredAt'])
export class BikeEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'bike_id', type: 'uuid' })
  bikeId: string;

  @ManyToOne(() => BikeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'bike_id', foreignKeyConstraintName: 'FK_bike_events_bike' })
  bike?: BikeEntity;

  @Column({ type: 'varchar', length: 32 })
  type: BikeEventType;

  @Column({ name: 'from_state', type: 'varchar', length: 16, nullable: true })
  fromState: BikeState | null;

  @Column({ name: 'to_state', type: 'varchar', length: 16 })
  toState: BikeState;

  @Column({ name: 'from_station_id', type: 'uuid', nullable: true })
  fromStationId: string | null;

  @Column({ name: 'to_station_id', type: 'uuid', nullable: true })
  toStationId: string | null;

  @Column({ name: 'loan_id', type: 'uuid', nullable: true })
  loanId: string | null;

  /** Staff member who made the change; null for system actions (seed, import, worker). */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;
}
