import type { DataSource, EntityManager } from 'typeorm';
import { bogotaDate, startOfBogotaDay } from '@metrobici/common';
import type { AppConfig } from '@metrobici/config';
import { nextLocalDate } from '../export-session';
import {
  DEFAULT_PLAN,
  daySeed,
  planDay,
  type PlannedTrip,
  type PlanStation,
  rng,
  stationWeights,
} from './demo-trip-plan';

export interface DemoTripsOptions {
  days: number;
  /** "Now": the last generated day is the local day before it. */
  now: Date;
  tripsPerWeekday?: number;
  /** Generated riders (marked synthetic) added to the seeded ones. */
  syntheticRiders?: number;
  seed?: number;
}

export interface DemoTripsSummary {
  from: string;
  to: string;
  days: number;
  trips: number;
  journeys: number;
  renewals: number;
  overdue: number;
  deletedBefore: number;
  riders: { seeded: number; synthetic: number };
  /** Outbox rows written so the worker aggregates the trips (when no rebuild ran). */
  enqueued: number;
}

export class DemoDataMissingError extends Error {}

const BATCH = 5000;
const DOC_PREFIX = 'SYNTH';

/**
 * Writes N days of synthetic trips (loans with `synthetic = true`) ending yesterday, local time.
 * Idempotent per day: synthetic trips already in those days are deleted and regenerated (same seed,
 * same shape). Needs the seeded stations, bikes and staff (`npm run db:seed`). Set-based: rows are
 * planned in memory per day and inserted 5,000 at a time with one `unnest` INSERT each.
 */
export async function generateDemoTrips(
  ds: DataSource,
  config: AppConfig,
  options: DemoTripsOptions,
): Promise<{ summary: DemoTripsSummary; trips: number }> {
  const days = Math.max(1, Math.floor(options.days));
  const to = bogotaDate(new Date(startOfBogotaDay(bogotaDate(options.now)).getTime() - 1));
  let from = to;
  for (let i = 1; i < days; i++) from = bogotaDate(new Date(startOfBogotaDay(from).getTime() - 1));
  const seed = options.seed ?? 20191003;

  const stations: PlanStation[] = (
    await ds.query<Array<{ id: string; lat: number; lon: number; near_metrolinea: boolean }>>(
      `SELECT id, lat, lon, near_metrolinea FROM stations WHERE kind = 'station' ORDER BY code`,
    )
  ).map((s) => ({ id: s.id, lat: Number(s.lat), lon: Number(s.lon), nearMetrolinea: s.near_metrolinea }));
  const bikeIds = (
    await ds.query<Array<{ id: string }>>(`SELECT id FROM bikes WHERE state <> 'retired' ORDER BY code`)
  ).map((b) => b.id);
  const [staff] = await ds.query<Array<{ id: string }>>(
    `SELECT id FROM staff_users ORDER BY (role = 'admin') DESC, created_at LIMIT 1`,
  );
  if (stations.length < 2 || bikeIds.length === 0 || !staff) {
    throw new DemoDataMissingError(
      `demo:trips needs the seeded stations, bikes and staff (found ${stations.length} stations, ${bikeIds.length} bikes, ${staff ? 'staff' : 'no staff'}): run \`npm run db:migrate && npm run db:seed\` first.`,
    );
  }

  const syntheticCount = Math.max(0, options.syntheticRiders ?? 300);
  await ensureSyntheticRiders(ds, config, syntheticCount, seed, options.now);
  const riders = await ds.query<Array<{ id: string; synthetic: boolean }>>(
    `SELECT id, synthetic FROM riders WHERE status = 'active' AND (NOT synthetic OR document_number LIKE '${DOC_PREFIX}%') ORDER BY synthetic, document_number`,
  );
  const riderIds = riders.map((r) => r.id);
  if (riderIds.length === 0)
    throw new DemoDataMissingError('demo:trips found no active rider: run `npm run db:seed` first.');

  const popularity = stationWeights(stations, rng(seed));
  const plan = {
    ...DEFAULT_PLAN,
    tripsPerWeekday: options.tripsPerWeekday ?? DEFAULT_PLAN.tripsPerWeekday,
    maxMinutes: config.loans.maxMinutes,
    openingHours: config.pilot.openingHours,
  };
  const summary: DemoTripsSummary = {
    from,
    to,
    days,
    trips: 0,
    journeys: 0,
    renewals: 0,
    overdue: 0,
    deletedBefore: 0,
    riders: { seeded: riders.filter((r) => !r.synthetic).length, synthetic: riders.filter((r) => r.synthetic).length },
    enqueued: 0,
  };

  await ds.transaction(async (manager) => {
    // One generator at a time; the range is replaced as a whole.
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('metrobici.demo_trips'))`);
    const deleted = await manager.query(
      `DELETE FROM loans WHERE synthetic AND started_at >= $1 AND started_at < $2 RETURNING 1`,
      [startOfBogotaDay(from), startOfBogotaDay(nextLocalDate(to))],
    );
    summary.deletedBefore = Array.isArray(deleted[0]) ? deleted[0].length : deleted.length;
    let buffer: PlannedTrip[] = [];
    for (let day = from; day <= to; day = nextLocalDate(day)) {
      const trips = planDay(day, stations, popularity, bikeIds, riderIds, plan, rng(daySeed(day, seed)));
      summary.trips += trips.length;
      summary.journeys += new Set(trips.map((t) => t.journeyId)).size;
      summary.renewals += trips.filter((t) => t.endReason === 'renewed').length;
      summary.overdue += trips.filter((t) => t.overdue).length;
      buffer.push(...trips);
      while (buffer.length >= BATCH) {
        await insertTrips(manager, buffer.splice(0, BATCH), staff.id);
      }
    }
    if (buffer.length > 0) await insertTrips(manager, buffer, staff.id);
    buffer = [];
  });
  return { summary, trips: summary.trips };
}

async function insertTrips(manager: EntityManager, trips: PlannedTrip[], staffId: string): Promise<void> {
  await manager.query(
    `INSERT INTO loans (journey_id, bike_id, rider_id, from_station_id, to_station_id, started_at, due_at, ended_at, state, end_reason,
                        helmet, overdue, checked_out_by, closed_by, synthetic)
     SELECT journey_id, bike_id, rider_id, from_station_id, to_station_id, started_at, due_at, ended_at, 'closed', end_reason,
            helmet, overdue, $12, $12, true
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[],
                   $9::varchar[], $10::boolean[], $11::boolean[])
         AS t(journey_id, bike_id, rider_id, from_station_id, to_station_id, started_at, due_at, ended_at, end_reason, helmet, overdue)`,
    [
      trips.map((t) => t.journeyId),
      trips.map((t) => t.bikeId),
      trips.map((t) => t.riderId),
      trips.map((t) => t.fromStationId),
      trips.map((t) => t.toStationId),
      trips.map((t) => t.startedAt.toISOString()),
      trips.map((t) => t.dueAt.toISOString()),
      trips.map((t) => t.endedAt.toISOString()),
      trips.map((t) => t.endReason),
      trips.map((t) => t.helmet),
      trips.map((t) => t.overdue),
      staffId,
    ],
  );
}

/** Generated riders `PA SYNTH000001…` (passport-type ids no real person has), marked synthetic. */
async function ensureSyntheticRiders(
  ds: DataSource,
  config: AppConfig,
  count: number,
  seed: number,
  now: Date,
): Promise<void> {
  if (count === 0) return;
  const random = rng(seed ^ 0x5eed);
  const genders = ['female', 'male', 'other', 'undisclosed'];
  const genderCum = [0.42, 0.94, 0.96, 1];
  const docs: string[] = [];
  const births: string[] = [];
  const gender: string[] = [];
  const last: string[] = [];
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(6, '0');
    docs.push(`${DOC_PREFIX}${n}`);
    last.push(`Sintético ${n}`);
    // Ages 16..70, skewed young (students and commuters).
    const age = 16 + Math.floor(54 * random() ** 1.8);
    const year = Number(bogotaDate(now).slice(0, 4)) - age - 1;
    births.push(
      `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`,
    );
    const g = random();
    gender.push(genders[genderCum.findIndex((c) => g < c)]);
  }
  await ds.query(
    `INSERT INTO riders (document_type, document_number, first_name, last_name, birth_date, gender, phone, email,
                         consent_accepted_at, consent_terms_version, consent_purposes, status, verified_at, synthetic)
     SELECT 'PA', doc, 'Demo', last_name, birth::date, gender, '0000000000', NULL, $5, $6,
            '["service","statistics","anonymised_sharing_with_advisers"]'::jsonb, 'active', $5, true
       FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[]) AS t(doc, last_name, birth, gender)
     ON CONFLICT (document_type, document_number) DO NOTHING`,
    [docs, last, births, gender, now, config.riders.termsVersion],
  );
}
