import type { Queryable } from './trip-facts';

/**
 * Read-side SQL over `trip_facts`, `station_samples` and the operational tables. Every figure is a
 * GROUP BY over rows keyed by trip segment (or sample), so it is exact and does not depend on the
 * order in which the worker derived the facts. Dates are Bogotá local dates (`YYYY-MM-DD`).
 */
export interface FactFilter {
  from: string;
  to: string;
  stationId?: string;
  /** Count synthetic demo trips and riders too (otherwise real data only). */
  includeSynthetic?: boolean;
  /** `[start of from, start of the day after to)`, for tables keyed by instants. */
  start: Date;
  end: Date;
}

class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }

  /** The filter's dates and station (null when it has none), added in that order. */
  dates(f: FactFilter): { from: string; to: string; station: string | null } {
    return { from: this.add(f.from), to: this.add(f.to), station: f.stationId ? this.add(f.stationId) : null };
  }

  /** The filter's instants and station (null when it has none), added in that order. */
  instants(f: FactFilter): { start: string; end: string; station: string | null } {
    return { start: this.add(f.start), end: this.add(f.end), station: f.stationId ? this.add(f.stationId) : null };
  }
}

/** `AND NOT <alias>.synthetic` unless the filter asks for the synthetic demo data too. */
function realOnly(f: FactFilter, alias: string): string {
  return f.includeSynthetic ? '' : `AND NOT ${alias}.synthetic`;
}

/** Synthetic trips of the range (whether counted or not). */
export async function syntheticTrips(db: Queryable, f: FactFilter): Promise<number> {
  const [row]: Array<{ n: number }> = await db.query(
    'SELECT count(*)::integer AS n FROM trip_facts WHERE synthetic AND local_date BETWEEN $1::date AND $2::date',
    [f.from, f.to],
  );
  return row.n;
}

/** A trip (or move) "touches" a station when it starts or ends there. */
function touches(alias: string, station: string): string {
  return `(${alias}.from_station_id = ${station} OR ${alias}.to_station_id = ${station})`;
}

function factWhere(f: FactFilter, p: Params, alias = 'f'): string {
  const { from, to, station } = p.dates(f);
  const parts = [`${alias}.local_date BETWEEN ${from}::date AND ${to}::date`];
  if (station) parts.push(touches(alias, station));
  if (!f.includeSynthetic) parts.push(`NOT ${alias}.synthetic`);
  return parts.join(' AND ');
}

export interface TripTotalsRow {
  trips: number;
  journeys: number;
  riders: number;
  duration_sum: string;
  median: number | null;
  helmet: number;
  overdue: number;
  metrolinea: number;
  renewed: number;
  female: number;
  distance_m: string;
  co2_g: string;
}

const TOTALS = `
  count(f.loan_id)::integer AS trips,
  count(DISTINCT f.journey_id)::integer AS journeys,
  count(DISTINCT f.rider_id)::integer AS riders,
  coalesce(sum(f.duration_s), 0)::bigint AS duration_sum,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY f.duration_s) AS median,
  count(*) FILTER (WHERE f.helmet)::integer AS helmet,
  count(*) FILTER (WHERE f.overdue)::integer AS overdue,
  count(*) FILTER (WHERE f.touches_metrolinea)::integer AS metrolinea,
  count(*) FILTER (WHERE f.end_reason = 'renewed')::integer AS renewed,
  count(*) FILTER (WHERE f.gender = 'female')::integer AS female,
  coalesce(sum(f.distance_m), 0)::bigint AS distance_m,
  coalesce(sum(f.co2_g), 0)::bigint AS co2_g`;

export async function tripTotals(db: Queryable, f: FactFilter): Promise<TripTotalsRow> {
  const p = new Params();
  const [row]: TripTotalsRow[] = await db.query(
    `SELECT ${TOTALS} FROM trip_facts f WHERE ${factWhere(f, p)}`,
    p.values,
  );
  return row;
}

export async function tripsBy(
  db: Queryable,
  f: FactFilter,
  column: 'gender' | 'age_band',
): Promise<Array<{ key: string; trips: number }>> {
  const p = new Params();
  return db.query(
    `SELECT f.${column} AS key, count(*)::integer AS trips FROM trip_facts f WHERE ${factWhere(f, p)} GROUP BY 1 ORDER BY 1`,
    p.values,
  );
}

export async function dailyTotals(db: Queryable, f: FactFilter): Promise<Array<TripTotalsRow & { date: string }>> {
  const p = new Params();
  const { from, to, station } = p.dates(f);
  return db.query(
    `SELECT d.day::date::text AS date, ${TOTALS}
       FROM generate_series(${from}::date, ${to}::date, interval '1 day') AS d(day)
       LEFT JOIN trip_facts f ON f.local_date = d.day::date ${station ? `AND ${touches('f', station)}` : ''}
                             ${realOnly(f, 'f')}
      GROUP BY d.day ORDER BY d.day`,
    p.values,
  );
}

/** Departures count at the start's local hour and station, arrivals at the end's. */
export async function hourlyFlows(
  db: Queryable,
  f: FactFilter,
): Promise<Array<{ date: string; hour: number; station_id: string; departures: number; arrivals: number }>> {
  const p = new Params();
  const { from, to, station } = p.dates(f);
  return db.query(
    `WITH dep AS (
       SELECT local_date AS date, start_hour AS hour, from_station_id AS station_id, count(*)::integer AS n
         FROM trip_facts f WHERE local_date BETWEEN ${from}::date AND ${to}::date ${station ? `AND from_station_id = ${station}` : ''} ${realOnly(f, 'f')}
        GROUP BY 1, 2, 3
     ), arr AS (
       SELECT end_local_date AS date, end_hour AS hour, to_station_id AS station_id, count(*)::integer AS n
         FROM trip_facts f WHERE end_local_date BETWEEN ${from}::date AND ${to}::date ${station ? `AND to_station_id = ${station}` : ''} ${realOnly(f, 'f')}
        GROUP BY 1, 2, 3
     )
     SELECT coalesce(dep.date, arr.date)::text AS date, coalesce(dep.hour, arr.hour)::integer AS hour,
            coalesce(dep.station_id, arr.station_id) AS station_id,
            coalesce(dep.n, 0) AS departures, coalesce(arr.n, 0) AS arrivals
       FROM dep FULL JOIN arr ON arr.date = dep.date AND arr.hour = dep.hour AND arr.station_id = dep.station_id
      ORDER BY 1, 2, 3`,
    p.values,
  );
}

export interface StationFlowRow {
  station_id: string;
  code: string;
  name: string;
  near_metrolinea: boolean;
  departures: number;
  arrivals: number;
}

export async function stationFlows(db: Queryable, f: FactFilter): Promise<StationFlowRow[]> {
  const p = new Params();
  const { from, to, station } = p.dates(f);
  return db.query(
    `WITH dep AS (
       SELECT from_station_id AS station_id, count(*)::integer AS n FROM trip_facts f
        WHERE local_date BETWEEN ${from}::date AND ${to}::date ${realOnly(f, 'f')} GROUP BY 1
     ), arr AS (
       SELECT to_station_id AS station_id, count(*)::integer AS n FROM trip_facts f
        WHERE end_local_date BETWEEN ${from}::date AND ${to}::date ${realOnly(f, 'f')} GROUP BY 1
     )
     SELECT s.id AS station_id, s.code, s.name, s.near_metrolinea,
            coalesce(dep.n, 0) AS departures, coalesce(arr.n, 0) AS arrivals
       FROM stations s
       LEFT JOIN dep ON dep.station_id = s.id
       LEFT JOIN arr ON arr.station_id = s.id
      WHERE (s.kind = 'station' OR dep.n IS NOT NULL OR arr.n IS NOT NULL) ${station ? `AND s.id = ${station}` : ''}
      ORDER BY s.code`,
    p.values,
  );
}

export interface SampleStatsRow {
  station_id: string;
  samples: number;
  sampled_s: string;
  empty_s: string;
  full_s: string;
  longest_empty_s: string;
  longest_full_s: string;
}

/**
 * Empty and full time from the samples (each stands for its `interval_seconds`). A spell is a run
 * of consecutive empty (or full) samples no more than two intervals apart, so the night between two
 * opening days, or a worker outage, ends it.
 */
export async function sampleStats(db: Queryable, f: FactFilter): Promise<SampleStatsRow[]> {
  const p = new Params();
  const { start, end, station } = p.instants(f);
  return db.query(
    `WITH s AS (
       SELECT station_id, sampled_at, interval_seconds,
              bikes_available = 0 AS is_empty, spaces_available = 0 AS is_full,
              lag(bikes_available = 0) OVER w AS prev_empty, lag(spaces_available = 0) OVER w AS prev_full,
              coalesce(sampled_at - lag(sampled_at) OVER w <= make_interval(secs => 2 * lag(interval_seconds) OVER w), false) AS contiguous
         FROM station_samples
        WHERE sampled_at >= ${start} AND sampled_at < ${end} ${station ? `AND station_id = ${station}` : ''}
       WINDOW w AS (PARTITION BY station_id ORDER BY sampled_at)
     ), g AS (
       SELECT *,
              sum(CASE WHEN is_empty AND prev_empty AND contiguous THEN 0 ELSE 1 END) OVER (PARTITION BY station_id ORDER BY sampled_at) AS empty_spell,
              sum(CASE WHEN is_full AND prev_full AND contiguous THEN 0 ELSE 1 END) OVER (PARTITION BY station_id ORDER BY sampled_at) AS full_spell
         FROM s
     ), spells AS (
       SELECT station_id, 'empty' AS kind, sum(interval_seconds) AS secs FROM g WHERE is_empty GROUP BY station_id, empty_spell
       UNION ALL
       SELECT station_id, 'full', sum(interval_seconds) FROM g WHERE is_full GROUP BY station_id, full_spell
     ), longest AS (
       SELECT station_id, max(secs) FILTER (WHERE kind = 'empty') AS empty_s, max(secs) FILTER (WHERE kind = 'full') AS full_s
         FROM spells GROUP BY station_id
     )
     SELECT g.station_id, count(*)::integer AS samples, sum(g.interval_seconds)::bigint AS sampled_s,
            coalesce(sum(g.interval_seconds) FILTER (WHERE g.is_empty), 0)::bigint AS empty_s,
            coalesce(sum(g.interval_seconds) FILTER (WHERE g.is_full), 0)::bigint AS full_s,
            coalesce(max(l.empty_s), 0)::bigint AS longest_empty_s,
            coalesce(max(l.full_s), 0)::bigint AS longest_full_s
       FROM g LEFT JOIN longest l ON l.station_id = g.station_id
      GROUP BY g.station_id`,
    p.values,
  );
}

export async function odPairs(
  db: Queryable,
  f: FactFilter,
): Promise<Array<{ from_station_id: string; to_station_id: string; trips: number }>> {
  const p = new Params();
  return db.query(
    `SELECT f.from_station_id, f.to_station_id, count(*)::integer AS trips
       FROM trip_facts f WHERE ${factWhere(f, p)}
      GROUP BY 1, 2 ORDER BY trips DESC, 1, 2`,
    p.values,
  );
}

export interface DonorRow {
  donor_id: string;
  code: string;
  name: string;
  bikes: number;
  bikes_in_service: number;
  bikes_used: number;
  trips: number;
  duration_s: string;
  distance_m: string;
  co2_g: string;
}

export async function donorUsage(db: Queryable, f: FactFilter): Promise<DonorRow[]> {
  const p = new Params();
  return db.query(
    `WITH t AS (
       SELECT f.donor_id, count(*)::integer AS trips, count(DISTINCT f.bike_id)::integer AS bikes_used,
              sum(f.duration_s)::bigint AS duration_s, sum(f.distance_m)::bigint AS distance_m, sum(f.co2_g)::bigint AS co2_g
         FROM trip_facts f WHERE ${factWhere(f, p)} GROUP BY f.donor_id
     ), b AS (
       SELECT donor_id, count(*)::integer AS bikes, count(*) FILTER (WHERE state NOT IN ('retired', 'missing'))::integer AS in_service
         FROM bikes GROUP BY donor_id
     )
     SELECT d.id AS donor_id, d.code, d.name, coalesce(b.bikes, 0) AS bikes, coalesce(b.in_service, 0) AS bikes_in_service,
            coalesce(t.bikes_used, 0) AS bikes_used, coalesce(t.trips, 0) AS trips,
            coalesce(t.duration_s, 0) AS duration_s, coalesce(t.distance_m, 0) AS distance_m, coalesce(t.co2_g, 0) AS co2_g
       FROM donors d LEFT JOIN b ON b.donor_id = d.id LEFT JOIN t ON t.donor_id = d.id
      ORDER BY trips DESC, d.code`,
    p.values,
  );
}

export interface OperationsRow {
  registered: number;
  verified: number;
  suspensions: number;
  rebalancing_moves: number;
  damage_reports: number;
  repairs: number;
  repair_s_avg: number | null;
}

/**
 * Figures from the operational tables. Riders are system-wide (registered and verified by the end
 * of the range; suspended within it — `suspended_at` keeps the latest suspension only). Moves and
 * damage reports follow the station filter.
 */
export async function operations(db: Queryable, f: FactFilter): Promise<OperationsRow> {
  const p = new Params();
  const { start, end, station } = p.instants(f);
  const [row]: OperationsRow[] = await db.query(
    `SELECT
       (SELECT count(*) FROM riders r WHERE created_at < ${end} ${realOnly(f, 'r')})::integer AS registered,
       (SELECT count(*) FROM riders r WHERE verified_at < ${end} ${realOnly(f, 'r')})::integer AS verified,
       (SELECT count(*) FROM riders r WHERE suspended_at >= ${start} AND suspended_at < ${end} ${realOnly(f, 'r')})::integer AS suspensions,
       (SELECT count(*) FROM rebalancing_moves m
         WHERE m.state = 'completed' AND m.dropped_at >= ${start} AND m.dropped_at < ${end}
           ${station ? `AND ${touches('m', station)}` : ''})::integer AS rebalancing_moves,
       d.reports::integer AS damage_reports, d.repairs::integer AS repairs, d.repair_s_avg::float8 AS repair_s_avg
     FROM (
       SELECT count(*) AS reports, count(rep.occurred_at) AS repairs,
              avg(extract(epoch FROM rep.occurred_at - e.occurred_at)) AS repair_s_avg
         FROM bike_events e
         LEFT JOIN LATERAL (
           SELECT x.occurred_at FROM bike_events x
            WHERE x.bike_id = e.bike_id AND x.type = 'repaired' AND x.occurred_at >= e.occurred_at AND x.id > e.id
            ORDER BY x.occurred_at, x.id LIMIT 1
         ) rep ON true
        WHERE e.type = 'damage_reported' AND e.occurred_at >= ${start} AND e.occurred_at < ${end}
          ${station ? `AND e.to_station_id = ${station}` : ''}
     ) d`,
    p.values,
  );
  return row;
}

export async function fleetByState(
  db: Queryable,
  stationId?: string,
): Promise<Array<{ state: string; bikes: number }>> {
  return db.query(
    `SELECT state, count(*)::integer AS bikes FROM bikes ${stationId ? 'WHERE station_id = $1' : ''} GROUP BY state ORDER BY state`,
    stationId ? [stationId] : [],
  );
}

export async function bikesInService(db: Queryable): Promise<number> {
  const [row]: Array<{ n: number }> = await db.query(
    `SELECT count(*)::integer AS n FROM bikes WHERE state NOT IN ('retired', 'missing')`,
  );
  return row.n;
}
