import { StationEntity } from '@metrobici/stations';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/**
 * A station's bikes and free spaces at one minute of its opening hours, taken by the worker's
 * `station.sample` job. One row per station and minute (`sampled_at` is truncated to the minute),
 * so a repeated or retried sample changes nothing. Each sample stands for `interval_seconds`.
 */
@Entity('station_samples')
@Index('IDX_station_samples_sampled_at', ['sampledAt'])
export class StationSampleEntity {
  @PrimaryColumn({ name: 'station_id', type: 'uuid', primaryKeyConstraintName: 'PK_station_samples' })
  stationId: string;

  @ManyToOne(() => StationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'station_id', foreignKeyConstraintName: 'FK_station_samples_station' })
  station?: StationEntity;

  @PrimaryColumn({ name: 'sampled_at', type: 'timestamptz', primaryKeyConstraintName: 'PK_station_samples' })
  sampledAt: Date;

  @Column({ name: 'bikes_available', type: 'integer' })
  bikesAvailable: number;

  @Column({ name: 'spaces_available', type: 'integer' })
  spacesAvailable: number;

  @Column({ name: 'interval_seconds', type: 'integer' })
  intervalSeconds: number;
}
