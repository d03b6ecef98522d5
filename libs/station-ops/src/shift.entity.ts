import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { StationEntity } from '@metrobici/stations';

/**
 * An operator's shift at a station: bikes and helmets counted at the start and at the end, beside
 * what the system expected then. A difference is an alert, never a silent correction.
 */
@Entity('station_shifts')
@Index('UQ_station_shifts_open', ['stationId', 'operatorId'], { unique: true, where: '"closed_at" IS NULL' })
@Index('IDX_station_shifts_station_opened', ['stationId', 'openedAt'])
@Check('CHK_station_shifts_counts', `"open_bikes_counted" >= 0 AND "open_helmets_counted" >= 0`)
export class StationShiftEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'station_id', type: 'uuid' })
  stationId: string;

  @ManyToOne(() => StationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'station_id', foreignKeyConstraintName: 'FK_station_shifts_station' })
  station?: StationEntity;

  /** The staff member who opened it. */
  @Column({ name: 'operator_id', type: 'uuid' })
  operatorId: string;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt: Date;

  @Column({ name: 'open_bikes_counted', type: 'integer' })
  openBikesCounted: number;

  @Column({ name: 'open_helmets_counted', type: 'integer' })
  openHelmetsCounted: number;

  /** Bikes in the rack (available or awaiting repair) per the system when the shift opened. */
  @Column({ name: 'open_bikes_expected', type: 'integer' })
  openBikesExpected: number;

  @Column({ name: 'open_helmets_expected', type: 'integer' })
  openHelmetsExpected: number;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'closed_by', type: 'uuid', nullable: true })
  closedBy: string | null;

  @Column({ name: 'close_bikes_counted', type: 'integer', nullable: true })
  closeBikesCounted: number | null;

  @Column({ name: 'close_helmets_counted', type: 'integer', nullable: true })
  closeHelmetsCounted: number | null;

  @Column({ name: 'close_bikes_expected', type: 'integer', nullable: true })
  closeBikesExpected: number | null;

  @Column({ name: 'close_helmets_expected', type: 'integer', nullable: true })
  closeHelmetsExpected: number | null;

  @Column({ type: 'text', nullable: true })
  note: string | null;
}
