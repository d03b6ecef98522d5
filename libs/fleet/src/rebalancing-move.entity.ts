import { StationEntity } from '@metrobici/stations';
import { BikeEntity } from './bike.entity';
import { JoinColumn, ManyToOne, Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A logistics move of one bike between stations or a depot; never a trip. */
@Entity('rebalancing_moves')
@Check('CHK_rebalancing_state', `"state" IN ('in_transit', 'completed', 'cancelled')`)
@Index('UQ_rebalancing_bike_in_transit', ['bikeId'], { unique: true, where: `"state" = 'in_transit'` })
export class RebalancingMoveEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'bike_id', type: 'uuid' })
  bikeId: string;

  @ManyToOne(() => BikeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'bike_id', foreignKeyConstraintName: 'FK_rebalancing_bike' })
  bike?: BikeEntity;

  @Column({ name: 'from_station_id', type: 'uuid' })
  fromStationId: string;

  @ManyToOne(() => StationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'from_station_id', foreignKeyConstraintName: 'FK_rebalancing_from' })
  fromStation?: StationEntity;

  @Column({ name: 'to_station_id', type: 'uuid', nullable: true })
  toStationId: string | null;

  @ManyToOne(() => StationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'to_station_id', foreignKeyConstraintName: 'FK_rebalancing_to' })
  toStation?: StationEntity;

  /** The bike was awaiting repair when picked up, so it arrives in maintenance, not available. */
  @Column({ name: 'needs_repair', type: 'boolean', default: false })
  needsRepair: boolean;

  @Column({ type: 'varchar', length: 16 })
  state: 'in_transit' | 'completed' | 'cancelled';

  @Column({ name: 'picked_up_at', type: 'timestamptz' })
  pickedUpAt: Date;

  @Column({ name: 'picked_up_by', type: 'uuid' })
  pickedUpBy: string;

  @Column({ name: 'dropped_at', type: 'timestamptz', nullable: true })
  droppedAt: Date | null;

  @Column({ name: 'dropped_by', type: 'uuid', nullable: true })
  droppedBy: string | null;
}
