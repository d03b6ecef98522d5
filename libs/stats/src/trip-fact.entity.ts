import { LoanEntity } from '@metrobici/loans';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/**
 * One row per trip segment (a closed loan that ended `returned`, `renewed` or `forced`), with every
 * figure the KPIs need already derived. Keyed by the loan, written with ON CONFLICT DO NOTHING, so
 * a segment processed twice, late or out of order counts once; the daily, hourly, station, OD and
 * donor figures are GROUP BYs over these rows (exact, and the same whichever path wrote them).
 */
@Entity('trip_facts')
@Index('IDX_trip_facts_local_date', ['localDate'])
@Index('IDX_trip_facts_end_local_date', ['endLocalDate'])
export class TripFactEntity {
  @PrimaryColumn({ name: 'loan_id', type: 'uuid', primaryKeyConstraintName: 'PK_trip_facts' })
  loanId: string;

  @ManyToOne(() => LoanEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'loan_id', foreignKeyConstraintName: 'FK_trip_facts_loan' })
  loan?: LoanEntity;

  @Column({ name: 'journey_id', type: 'uuid' })
  journeyId: string;

  @Column({ name: 'rider_id', type: 'uuid' })
  riderId: string;

  @Column({ name: 'bike_id', type: 'uuid' })
  bikeId: string;

  @Column({ name: 'donor_id', type: 'uuid' })
  donorId: string;

  @Column({ name: 'from_station_id', type: 'uuid' })
  fromStationId: string;

  @Column({ name: 'to_station_id', type: 'uuid' })
  toStationId: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'ended_at', type: 'timestamptz' })
  endedAt: Date;

  /** Bogotá local date and hour (0..23) of the start: the day a trip counts for. */
  @Column({ name: 'local_date', type: 'date' })
  localDate: string;

  @Column({ name: 'start_hour', type: 'smallint' })
  startHour: number;

  /** Bogotá local date and hour of the end: when the arrival counts. */
  @Column({ name: 'end_local_date', type: 'date' })
  endLocalDate: string;

  @Column({ name: 'end_hour', type: 'smallint' })
  endHour: number;

  @Column({ name: 'duration_s', type: 'integer' })
  durationS: number;

  /** Straight line between the two stations (haversine), whole metres. */
  @Column({ name: 'distance_m', type: 'integer' })
  distanceM: number;

  /** `distance_m` × CO2_GRAMS_PER_KM at the time the fact was derived, whole grams. */
  @Column({ name: 'co2_g', type: 'integer' })
  co2G: number;

  @Column({ type: 'varchar', length: 12 })
  gender: string;

  /** Age band at the start of the trip (16-17 … 65+, unknown). */
  @Column({ name: 'age_band', type: 'varchar', length: 8 })
  ageBand: string;

  @Column({ type: 'boolean' })
  helmet: boolean;

  @Column({ type: 'boolean' })
  overdue: boolean;

  /** Started or ended at a station beside a Metrolínea stop. */
  @Column({ name: 'touches_metrolinea', type: 'boolean' })
  touchesMetrolinea: boolean;

  @Column({ name: 'end_reason', type: 'varchar', length: 16 })
  endReason: string;

  @Column({ type: 'boolean' })
  synthetic: boolean;

  @Column({ name: 'aggregated_at', type: 'timestamptz', default: () => 'now()' })
  aggregatedAt: Date;
}
