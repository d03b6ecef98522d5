import { tripSql } from '@metrobici/loans';
import { appendToOutbox, outboxMessage } from '@metrobici/outbox';
import type { DataSource } from 'typeorm';
import { aggregateTripFacts } from './trip-facts';

/** A station whose counters disagree with the bikes table (the bikes table is the truth). */
export interface CounterDrift {
  stationId: string;
  stationCode: string;
  bikesDocked: number;
  expectedBikesDocked: number;
  bikesAvailable: number;
  expectedBikesAvailable: number;
}

export interface ReconciliationResult {
  checkedAt: string;
  stationsChecked: number;
  counterDrift: CounterDrift[];
  /** Closed trips (ended before the grace period) that had no fact, and how many of them were derived now. */
  missingTripFacts: number;
  repairedTripFacts: number;
  milliseconds: number;
}

export interface ReconcileOptions {
  co2GramsPerKm: number;
  /**
   * Trips that ended less than this long ago are left to the worker's `trip.aggregate` jobs, so a
   * normal backlog is neither reported as missing nor raced. Default 5 minutes.
   */
  graceSeconds?: number;
  /** Write one `station.counters_drifted` outbox row per drifting station (the admins' alert). Default true. */
  alert?: boolean;
  /** Most facts repaired in one run (the rest wait for the next run). Default 50,000. */
  maxRepairs?: number;
}

const REPAIR_BATCH = 1000;

/**
 * Compares each station's counters with the bikes table, and trip facts with closed trips.
 * Missing facts are derived through the same idempotent function the worker uses (a fact written
 * by a job in the meantime is a no-op); counter drift is only reported, never "fixed" here: it
 * means a bug or a manual edit, which a person should look at, and the alert carries the numbers.
 * Each comparison is one statement, so it sees one consistent snapshot: counters and bikes move
 * in the same transaction, and a move in progress is either wholly in it or not at all.
 */
export async function reconcile(ds: DataSource, options: ReconcileOptions): Promise<ReconciliationResult> {
  const began = Date.now();
  const checkedAt = new Date().toISOString();
  const [{ n: stationsChecked }]: Array<{ n: number }> = await ds.query('SELECT count(*)::int AS n FROM stations');
  const counterDrift: CounterDrift[] = await ds.query(
    `SELECT s.id AS "stationId", s.code AS "stationCode",
            s.bikes_docked AS "bikesDocked", coalesce(b.docked, 0)::int AS "expectedBikesDocked",
            s.bikes_available AS "bikesAvailable", coalesce(b.available, 0)::int AS "expectedBikesAvailable"
       FROM stations s
       LEFT JOIN (SELECT station_id, count(*) AS docked, count(*) FILTER (WHERE state = 'available') AS available
                    FROM bikes WHERE station_id IS NOT NULL GROUP BY station_id) b ON b.station_id = s.id
      WHERE s.bikes_docked <> coalesce(b.docked, 0) OR s.bikes_available <> coalesce(b.available, 0)
      ORDER BY s.code`,
  );

  const grace = options.graceSeconds ?? 300;
  const maxRepairs = options.maxRepairs ?? 50_000;
  const missing: Array<{ id: string }> = await ds.query(
    `SELECT l.id FROM loans l
      WHERE ${tripSql('l')}
        AND l.ended_at < now() - make_interval(secs => $1)
        AND NOT EXISTS (SELECT 1 FROM trip_facts f WHERE f.loan_id = l.id)
      ORDER BY l.ended_at
      LIMIT $2`,
    [grace, maxRepairs],
  );
  let repairedTripFacts = 0;
  for (let i = 0; i < missing.length; i += REPAIR_BATCH) {
    const ids = missing.slice(i, i + REPAIR_BATCH).map((r) => r.id);
    const outcomes = await aggregateTripFacts(ds, ids, options.co2GramsPerKm);
    for (const outcome of outcomes.values()) if (outcome === 'inserted') repairedTripFacts++;
  }

  if (counterDrift.length > 0 && (options.alert ?? true)) {
    await ds.transaction((manager) =>
      appendToOutbox(
        manager,
        counterDrift.map((d) =>
          outboxMessage('station.counters_drifted', d.stationId, { ...d, detectedAt: checkedAt }),
        ),
      ),
    );
  }
  return {
    checkedAt,
    stationsChecked,
    counterDrift,
    missingTripFacts: missing.length,
    repairedTripFacts,
    milliseconds: Date.now() - began,
  };
}
