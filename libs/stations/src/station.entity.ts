import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type StationKind = 'station' | 'depot';

/**
 * A staffed rack ("cicloestación") or a non-public depot (bodega). The counters are kept in the
 * same transaction as every move of a bike, and the CHECK keeps them inside 0..capacity even when
 * many operators write at once.
 */
@Entity('stations')
@Check(
  'CHK_stations_counts',
  '"bikes_available" >= 0 AND "bikes_available" <= "bikes_docked" AND "bikes_docked" <= "capacity"',
)
@Check('CHK_stations_helmets', '"helmets_available" >= 0')
@Check('CHK_stations_kind', `"kind" IN ('station', 'depot')`)
export class StationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('UQ_stations_code', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 200, default: '' })
  address: string;

  @Column({ type: 'double precision' })
  lat: number;

  @Column({ type: 'double precision' })
  lon: number;

  @Column({ type: 'integer' })
  capacity: number;

  @Column({ type: 'varchar', length: 16, default: 'station' })
  kind: StationKind;

  /** An inactive station is closed by an admin: no check-outs, no returns, shown as not renting. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Beside a Metrolínea (BRT) stop: used for the intermodality KPI. */
  @Column({ name: 'near_metrolinea', type: 'boolean', default: false })
  nearMetrolinea: boolean;

  /** Every bike physically in the rack, whatever its state (available or awaiting repair). */
  @Column({ name: 'bikes_docked', type: 'integer', default: 0 })
  bikesDocked: number;

  @Column({ name: 'bikes_available', type: 'integer', default: 0 })
  bikesAvailable: number;

  @Column({ name: 'helmets_available', type: 'integer', default: 0 })
  helmetsAvailable: number;

  /** Incremented on every availability change; lets realtime clients drop stale or duplicate events. */
  @Column({
    name: 'sequence',
    type: 'bigint',
    default: 0,
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  sequence: number;

  @Column({ name: 'availability_updated_at', type: 'timestamptz', default: () => 'now()' })
  availabilityUpdatedAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
