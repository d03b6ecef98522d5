import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Actor, bogotaDate, Clock, DomainError, isValidLocalDate } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { ServiceHours } from '@metrobici/stations';
import { eachDate, isOperatingDay, parseDateRange, rangeInstants, type DateRange } from './date-range';
import * as q from './stats.queries';
import type {
  DailyStats,
  DonorStats,
  HourlyStats,
  OdPair,
  SampleResult,
  StationStats,
  StatsQuery,
  StatsSummary,
} from './stats.types';
import {
  aggregateTripFact,
  type AggregateCounts,
  aggregateTripFactCounts,
  aggregateTripFacts,
  type AggregateOutcome,
  rebuildTripFacts,
  type RebuildResult,
} from './trip-facts';
import { AGE_BAND_NAMES, ratio, roundTo } from './trip-metrics';

const GENDERS = ['female', 'male', 'other', 'undisclosed'];
const BIKE_STATES = ['available', 'on_loan', 'maintenance', 'in_transit', 'missing', 'retired'];

/**
 * Trip statistics: derives one fact per trip segment (incrementally from the worker, or by
 * rebuilding a date range from the raw loans), samples stations, and answers the planners' KPIs.
 */
@Injectable()
export class StatsService {
  private readonly operatingDayCache = new Map<string, boolean>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hours: ServiceHours,
    private readonly clock: Clock,
  ) {}

  // ---- write side ------------------------------------------------------------------------------

  /** Idempotent: reloads the loan and its joins; a repeat, or a loan that is not a trip, changes nothing. */
  async aggregateTrip(loanId: string): Promise<{ loanId: string; outcome: AggregateOutcome }> {
    return { loanId, outcome: await aggregateTripFact(this.dataSource, loanId, this.config.stats.co2GramsPerKm) };
  }

  /** The same for many loans in one statement; loans that do not exist are missing from the map. */
  async aggregateTrips(loanIds: readonly string[]): Promise<Map<string, AggregateOutcome>> {
    return aggregateTripFacts(this.dataSource, loanIds, this.config.stats.co2GramsPerKm);
  }

  /** The same for a worker batch, answering counts and the loans that do not exist (see aggregateTripFactCounts). */
  async aggregateTripBatch(loanIds: readonly string[]): Promise<AggregateCounts> {
    return aggregateTripFactCounts(this.dataSource, loanIds, this.config.stats.co2GramsPerKm);
  }

  /** Recomputes the facts of the trips that started in `[from, to]` (local dates) in one transaction. */
  async rebuild(from: string, to: string): Promise<RebuildResult> {
    if (!isValidLocalDate(from) || !isValidLocalDate(to) || from > to) {
      throw new DomainError('VALIDATION_FAILED', 'Indique fechas locales válidas YYYY-MM-DD con from <= to.', {
        from,
        to,
      });
    }
    return rebuildTripFacts(this.dataSource, { from, to }, this.config.stats.co2GramsPerKm);
  }

  /**
   * One sample per public station at the minute of `at`, during opening hours only. Keyed by
   * station and minute, so a retried or doubled job adds nothing.
   */
  async sampleStations(at: Date = this.clock.now()): Promise<SampleResult> {
    const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
    if (!this.isRenting(minute)) return { at: minute.toISOString(), sampled: 0, skipped: 'closed' };
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO station_samples (station_id, sampled_at, bikes_available, spaces_available, interval_seconds)
       SELECT s.id, $1, s.bikes_available, s.capacity - s.bikes_docked, $2
         FROM stations s WHERE s.kind = 'station' AND s.active
       ON CONFLICT (station_id, sampled_at) DO NOTHING
       RETURNING station_id`,
      [minute, this.config.stats.stationSampleSeconds],
    );
    return { at: minute.toISOString(), sampled: rows.length };
  }

  // ---- read side -------------------------------------------------------------------------------

  async summary(_actor: Actor | null, query: StatsQuery): Promise<StatsSummary> {
    const f = await this.filter(query);
    const [totals, genders, bands, ops, fleet, inService, synthetic] = await Promise.all([
      q.tripTotals(this.dataSource, f),
      q.tripsBy(this.dataSource, f, 'gender'),
      q.tripsBy(this.dataSource, f, 'age_band'),
      q.operations(this.dataSource, f),
      q.fleetByState(this.dataSource, f.stationId),
      q.bikesInService(this.dataSource),
      q.syntheticTrips(this.dataSource, f),
    ]);
    const trips = totals.trips;
    const operatingDays = this.operatingDays(f);
    const byBand = new Map(bands.map((b) => [b.key, b.trips]));
    const fleetCounts = Object.fromEntries(BIKE_STATES.map((s) => [s, 0]));
    for (const row of fleet) fleetCounts[row.state] = row.bikes;
    const tripsByGender = Object.fromEntries(GENDERS.map((g) => [g, 0]));
    for (const row of genders) tripsByGender[row.key] = row.trips;
    return {
      ...echo(f),
      includesSynthetic: f.includeSynthetic === true,
      syntheticTrips: synthetic,
      trips,
      journeys: totals.journeys,
      renewals: totals.renewed,
      riders: totals.riders,
      averageDurationSeconds: trips ? roundTo(Number(totals.duration_sum) / trips, 1) : null,
      medianDurationSeconds: totals.median === null ? null : roundTo(Number(totals.median), 1),
      tripsPerBikePerDay: inService && operatingDays ? roundTo(trips / inService / operatingDays, 4) : null,
      tripsPerDay: ratio(trips, operatingDays, 2),
      bikesInService: inService,
      operatingDays,
      tripsPer1000Residents: ratio(trips * 1000, this.config.pilot.population, 4),
      population: this.config.pilot.population,
      womenShare: ratio(totals.female, trips),
      tripsByGender,
      ageBands: AGE_BAND_NAMES.map((band) => ({
        band,
        trips: byBand.get(band) ?? 0,
        share: ratio(byBand.get(band) ?? 0, trips),
      })),
      helmetShare: ratio(totals.helmet, trips),
      overdueTrips: totals.overdue,
      overdueRate: ratio(totals.overdue, trips),
      suspensions: ops.suspensions,
      registeredRiders: ops.registered,
      verifiedRiders: ops.verified,
      activeRiders: totals.riders,
      metrolineaTrips: totals.metrolinea,
      metrolineaShare: ratio(totals.metrolinea, trips),
      distanceKm: Number(totals.distance_m) / 1000,
      co2AvoidedKg: Number(totals.co2_g) / 1000,
      co2GramsPerKm: this.config.stats.co2GramsPerKm,
      rebalancingMoves: ops.rebalancing_moves,
      damageReports: ops.damage_reports,
      repairs: ops.repairs,
      averageRepairHours: ops.repair_s_avg === null ? null : roundTo(ops.repair_s_avg / 3600, 2),
      fleetByState: fleetCounts,
    };
  }

  /** One row per local date of the range, days without trips included. */
  async daily(_actor: Actor | null, query: StatsQuery): Promise<DailyStats[]> {
    const f = await this.filter(query);
    const [rows, inService] = await Promise.all([q.dailyTotals(this.dataSource, f), q.bikesInService(this.dataSource)]);
    return rows.map((r) => ({
      date: r.date,
      trips: r.trips,
      journeys: r.journeys,
      riders: r.riders,
      averageDurationSeconds: r.trips ? roundTo(Number(r.duration_sum) / r.trips, 1) : null,
      medianDurationSeconds: r.median === null ? null : roundTo(Number(r.median), 1),
      tripsPerBike: ratio(r.trips, inService),
      helmetShare: ratio(r.helmet, r.trips),
      overdueTrips: r.overdue,
      overdueRate: ratio(r.overdue, r.trips),
      womenShare: ratio(r.female, r.trips),
      metrolineaShare: ratio(r.metrolinea, r.trips),
      distanceKm: Number(r.distance_m) / 1000,
      co2AvoidedKg: Number(r.co2_g) / 1000,
    }));
  }

  /** Per local date, hour and station with any movement: departures (by start), arrivals (by end). */
  async hourly(_actor: Actor | null, query: StatsQuery): Promise<HourlyStats[]> {
    const f = await this.filter(query);
    const rows = await q.hourlyFlows(this.dataSource, f);
    return rows.map((r) => ({
      date: r.date,
      hour: r.hour,
      stationId: r.station_id,
      departures: r.departures,
      arrivals: r.arrivals,
      netFlow: r.arrivals - r.departures,
    }));
  }

  async stations(_actor: Actor | null, query: StatsQuery): Promise<StationStats[]> {
    const f = await this.filter(query);
    const [flows, samples] = await Promise.all([q.stationFlows(this.dataSource, f), q.sampleStats(this.dataSource, f)]);
    const byStation = new Map(samples.map((s) => [s.station_id, s]));
    return flows.map((s) => {
      const sm = byStation.get(s.station_id);
      const sampled = Number(sm?.sampled_s ?? 0);
      return {
        stationId: s.station_id,
        code: s.code,
        name: s.name,
        nearMetrolinea: s.near_metrolinea,
        departures: s.departures,
        arrivals: s.arrivals,
        netFlow: s.arrivals - s.departures,
        samples: sm?.samples ?? 0,
        sampledMinutes: minutes(sampled),
        emptyMinutes: minutes(sm?.empty_s),
        fullMinutes: minutes(sm?.full_s),
        emptyShare: ratio(Number(sm?.empty_s ?? 0), sampled),
        fullShare: ratio(Number(sm?.full_s ?? 0), sampled),
        longestEmptySpellMinutes: minutes(sm?.longest_empty_s),
        longestFullSpellMinutes: minutes(sm?.longest_full_s),
      };
    });
  }

  /** Exact origin–destination counts (no small-cell suppression: that applies to published files). */
  async od(_actor: Actor | null, query: StatsQuery): Promise<OdPair[]> {
    const f = await this.filter(query);
    const rows = await q.odPairs(this.dataSource, f);
    return rows.map((r) => ({ fromStationId: r.from_station_id, toStationId: r.to_station_id, trips: r.trips }));
  }

  async donors(_actor: Actor | null, query: StatsQuery): Promise<DonorStats[]> {
    const f = await this.filter(query);
    const rows = await q.donorUsage(this.dataSource, f);
    const days = this.operatingDays(f);
    return rows.map((r) => ({
      donorId: r.donor_id,
      code: r.code,
      name: r.name,
      bikes: r.bikes,
      bikesInService: r.bikes_in_service,
      bikesUsed: r.bikes_used,
      trips: r.trips,
      tripsPerBikePerDay: r.bikes_in_service && days ? roundTo(r.trips / r.bikes_in_service / days, 4) : null,
      durationHours: roundTo(Number(r.duration_s) / 3600, 2),
      distanceKm: Number(r.distance_m) / 1000,
      co2AvoidedKg: Number(r.co2_g) / 1000,
    }));
  }

  /**
   * Days of the range on which bikes could be lent: inside the pilot dates, not after today, and
   * with opening hours that day (Sundays and holidays closed by default).
   */
  operatingDays(range: Pick<DateRange, 'from' | 'to'>): number {
    const today = bogotaDate(this.clock.now());
    let n = 0;
    for (const date of eachDate(range.from, range.to < today ? range.to : today)) {
      let open = this.operatingDayCache.get(date);
      if (open === undefined) {
        open = isOperatingDay(date, (at) => this.isRenting(at));
        this.operatingDayCache.set(date, open);
      }
      if (open) n++;
    }
    return n;
  }

  // ---- internals -------------------------------------------------------------------------------

  private isRenting(at: Date): boolean {
    return this.hours.isPilotRunning(at) && this.config.pilot.openingHours.isOpen(at);
  }

  private async filter(query: StatsQuery): Promise<q.FactFilter & DateRange> {
    const range = parseDateRange(query, bogotaDate(this.clock.now()));
    if (query.stationId !== undefined) {
      const found: unknown[] = await this.dataSource.query('SELECT 1 FROM stations WHERE id = $1', [query.stationId]);
      if (found.length === 0)
        throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stationId: query.stationId });
    }
    return {
      ...range,
      ...rangeInstants(range),
      stationId: query.stationId,
      includeSynthetic: query.synthetic === 'include',
    };
  }
}

function echo(f: { from: string; to: string; stationId?: string }): {
  from: string;
  to: string;
  stationId: string | null;
} {
  return { from: f.from, to: f.to, stationId: f.stationId ?? null };
}

function minutes(seconds: string | number | undefined): number {
  return roundTo(Number(seconds ?? 0) / 60, 1);
}
