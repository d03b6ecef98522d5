import { BOGOTA_TIME_ZONE, DomainError } from '@metrobici/common';
import { tripSql } from '@metrobici/loans';
import type { DataSource, EntityManager } from 'typeorm';
import { rangeInstants, type DateRange } from './date-range';
import { ageBandSql, haversineSql } from './trip-metrics';

export type Queryable = Pick<DataSource | EntityManager, 'query'>;

const LOCAL = (col: string) => `(${col} AT TIME ZONE '${BOGOTA_TIME_ZONE}')`;

/**
 * The one derivation of trip facts from raw loans, shared by the incremental path and the rebuild
 * so both produce identical rows. `$1` is the CO2 factor (grams per km); `where` adds conditions on
 * `l` (loans) with parameters from `$2`.
 */
function insertFactsSql(where: string, orderBy = ''): string {
  return `
    INSERT INTO trip_facts (
      loan_id, journey_id, rider_id, bike_id, donor_id, from_station_id, to_station_id, started_at, ended_at,
      local_date, start_hour, end_local_date, end_hour, duration_s, distance_m, co2_g,
      gender, age_band, helmet, overdue, touches_metrolinea, end_reason, synthetic)
    SELECT l.id, l.journey_id, l.rider_id, l.bike_id, b.donor_id, l.from_station_id, l.to_station_id, l.started_at, l.ended_at,
           ${LOCAL('l.started_at')}::date, extract(hour FROM ${LOCAL('l.started_at')})::smallint,
           ${LOCAL('l.ended_at')}::date, extract(hour FROM ${LOCAL('l.ended_at')})::smallint,
           round(extract(epoch FROM (l.ended_at - l.started_at)))::integer,
           dist.m, round(dist.m * $1::numeric / 1000)::integer,
           r.gender,
           ${ageBandSql(`date_part('year', age(${LOCAL('l.started_at')}::date, r.birth_date))::integer`)},
           l.helmet, l.overdue, (fs.near_metrolinea OR ts.near_metrolinea), l.end_reason, l.synthetic
      FROM loans l
      JOIN bikes b ON b.id = l.bike_id
      JOIN riders r ON r.id = l.rider_id
      JOIN stations fs ON fs.id = l.from_station_id
      JOIN stations ts ON ts.id = l.to_station_id
      CROSS JOIN LATERAL (SELECT ${haversineSql('fs.lat', 'fs.lon', 'ts.lat', 'ts.lon')} AS m) dist
     WHERE ${tripSql('l')}
       AND ${where}
     ${orderBy}
    ON CONFLICT (loan_id) DO NOTHING`;
}

export type AggregateOutcome = 'inserted' | 'duplicate' | 'not_a_trip';

/**
 * Derives the fact of one loan: one statement, so a crash leaves nothing half-done, and ON
 * CONFLICT makes a repeat a no-op. No lock against a concurrent rebuild is needed: a fact row it
 * deleted or inserted but has not committed makes this INSERT wait and then do nothing, and a
 * row this INSERT committed first is either deleted and re-derived by the rebuild or left as is.
 */
export async function aggregateTripFact(
  db: Queryable,
  loanId: string,
  co2GramsPerKm: number,
): Promise<AggregateOutcome> {
  const inserted: unknown[] = await db.query(`${insertFactsSql('l.id = $2')} RETURNING loan_id`, [
    co2GramsPerKm,
    loanId,
  ]);
  if (inserted.length > 0) return 'inserted';
  const rows: Array<{ fact: boolean }> = await db.query(
    'SELECT EXISTS (SELECT 1 FROM trip_facts WHERE loan_id = l.id) AS fact FROM loans l WHERE l.id = $1',
    [loanId],
  );
  if (rows.length === 0) throw new DomainError('LOAN_NOT_FOUND', 'El préstamo no existe.', { loanId });
  return rows[0].fact ? 'duplicate' : 'not_a_trip';
}

/**
 * The same for many loans in one statement (the worker batches the jobs that arrive together):
 * one commit instead of one per trip. Loans that do not exist are absent from the result.
 */
export async function aggregateTripFacts(
  db: Queryable,
  loanIds: readonly string[],
  co2GramsPerKm: number,
): Promise<Map<string, AggregateOutcome>> {
  const outcomes = new Map<string, AggregateOutcome>();
  if (loanIds.length === 0) return outcomes;
  const unique = [...new Set(loanIds)];
  // In key order, so two batches that share a loan (a duplicate delivery) wait instead of deadlocking.
  const inserted: Array<{ loan_id: string }> = await db.query(
    `${insertFactsSql('l.id = ANY($2::uuid[])', 'ORDER BY l.id')} RETURNING loan_id`,
    [co2GramsPerKm, unique],
  );
  for (const row of inserted) outcomes.set(row.loan_id, 'inserted');
  const rest = unique.filter((id) => !outcomes.has(id));
  if (rest.length > 0) {
    const rows: Array<{ id: string; fact: boolean }> = await db.query(
      'SELECT l.id, EXISTS (SELECT 1 FROM trip_facts WHERE loan_id = l.id) AS fact FROM loans l WHERE l.id = ANY($1::uuid[])',
      [rest],
    );
    for (const row of rows) outcomes.set(row.id, row.fact ? 'duplicate' : 'not_a_trip');
  }
  return outcomes;
}

/** What one batch did: counts per outcome, and the loans that do not exist. */
export interface AggregateCounts extends Record<AggregateOutcome, number> {
  missing: string[];
}

/**
 * The same as `aggregateTripFacts` for the worker's batches, answering counts instead of one row
 * per loan: in the usual case (every loan a new trip) that is one statement returning one row, so
 * the worker holds nothing per trip while the statement runs. Only when some loan was not
 * inserted does a second query tell repeats, loans that are not trips and missing loans apart.
 */
export async function aggregateTripFactCounts(
  db: Queryable,
  loanIds: readonly string[],
  co2GramsPerKm: number,
): Promise<AggregateCounts> {
  const counts: AggregateCounts = { inserted: 0, duplicate: 0, not_a_trip: 0, missing: [] };
  const unique = [...new Set(loanIds)];
  if (unique.length === 0) return counts;
  // In key order, so two batches that share a loan (a duplicate delivery) wait instead of deadlocking.
  const [inserted]: Array<{ n: number }> = await db.query(
    `WITH i AS (${insertFactsSql('l.id = ANY($2::uuid[])', 'ORDER BY l.id')} RETURNING 1) SELECT count(*)::integer AS n FROM i`,
    [co2GramsPerKm, unique],
  );
  counts.inserted = inserted.n;
  if (inserted.n === unique.length) return counts;
  const [rest]: Array<{ facts: number; not_trips: number; missing: string[] }> = await db.query(
    `SELECT count(*) FILTER (WHERE l.id IS NOT NULL AND f.loan_id IS NOT NULL)::integer AS facts,
            count(*) FILTER (WHERE l.id IS NOT NULL AND f.loan_id IS NULL)::integer AS not_trips,
            coalesce(array_agg(u.id::text) FILTER (WHERE l.id IS NULL), '{}') AS missing
       FROM unnest($1::uuid[]) AS u(id)
       LEFT JOIN loans l ON l.id = u.id
       LEFT JOIN trip_facts f ON f.loan_id = u.id`,
    [unique],
  );
  counts.duplicate = rest.facts - inserted.n;
  counts.not_a_trip = rest.not_trips;
  counts.missing = rest.missing;
  return counts;
}

export interface RebuildResult {
  from: string;
  to: string;
  deleted: number;
  inserted: number;
  milliseconds: number;
}

/**
 * Recomputes the facts of every trip that started in the local-date range, from the raw loans and
 * the current reference data (stations, riders, bikes, CO2 factor), in one transaction of two
 * set-based statements. Facts outside the range are untouched.
 */
export async function rebuildTripFacts(
  ds: DataSource,
  range: Pick<DateRange, 'from' | 'to'>,
  co2GramsPerKm: number,
): Promise<RebuildResult> {
  const began = Date.now();
  const { start, end } = rangeInstants(range);
  return ds.transaction(async (manager) => {
    // An anonymised rider has no birth date left: their trips keep the age band their facts had.
    await manager.query(
      `CREATE TEMP TABLE kept_age_bands ON COMMIT DROP AS
         SELECT f.loan_id, f.age_band FROM trip_facts f JOIN riders r ON r.id = f.rider_id
          WHERE r.birth_date IS NULL AND f.local_date BETWEEN $1::date AND $2::date`,
      [range.from, range.to],
    );
    const [deleted]: Array<{ n: number }> = await manager.query(
      'WITH d AS (DELETE FROM trip_facts WHERE local_date BETWEEN $1::date AND $2::date RETURNING 1) SELECT count(*)::integer AS n FROM d',
      [range.from, range.to],
    );
    const [inserted]: Array<{ n: number }> = await manager.query(
      `WITH i AS (${insertFactsSql('l.started_at >= $2 AND l.started_at < $3')} RETURNING 1) SELECT count(*)::integer AS n FROM i`,
      [co2GramsPerKm, start, end],
    );
    await manager.query(
      'UPDATE trip_facts f SET age_band = k.age_band FROM kept_age_bands k WHERE f.loan_id = k.loan_id',
    );
    return {
      from: range.from,
      to: range.to,
      deleted: deleted.n,
      inserted: inserted.n,
      milliseconds: Date.now() - began,
    };
  });
}
