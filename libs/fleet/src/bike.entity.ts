import { StationEntity } from '@metrobici/stations';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { DonorEntity } from './donor.entity';

export const BIKE_STATES = ['available', 'on_loan', 'maintenance', 'in_transit', 'missing', 'retired'] as const;
export type BikeState = (typeof BIKE_STATES)[number];

/**
 * A bike has a place (`station_id`, a station or a depot) exactly when it stands in a rack:
 * available, or awaiting repair. The CHECK makes any other combination impossible.
 */
@Entity('bikes')
@Check('CHK_bikes_state', `"state" IN ('available', 'on_loan', 'maintenance', 'in_transit', 'missing', 'retired')`)
@Check('CHK_bikes_place', `("state" IN ('available', 'maintenance')) = ("station_id" IS NOT NULL)`)
@Index('IDX_bikes_station_state', ['stationId', 'state'])
export class BikeEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('UQ_bikes_code', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ name: 'donor_id', type: 'uuid' })
  donorId: string;

  @ManyToOne(() => DonorEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'donor_id', foreignKeyConstraintName: 'FK_bikes_donor' })
  donor?: DonorEntity;

  @Column({ type: 'varchar', length: 16 })
  state: BikeState;

  @Column({ name: 'station_id', type: 'uuid', nullable: true })
  stationId: string | null;

  @ManyToOne(() => StationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'station_id', foreignKeyConstraintName: 'FK_bikes_station' })
  station?: StationEntity;

  /** Last damage note or missing report, shown to staff. */
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ name: 'police_report', type: 'varchar', length: 64, nullable: true })
  policeReport: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
