import type { DataSource } from 'typeorm';
import { bogotaDate, startOfBogotaDay } from '@metrobici/common';
import type { AppConfig } from '@metrobici/config';
import { nextLocalDate } from '@metrobici/exports';
import { deleteSyntheticLoans, insertSyntheticLoans } from '@metrobici/loans';
import { type Gender, insertSyntheticRiders, type SyntheticRider } from '@metrobici/riders';
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
 * planned in memory per day and written 5,000 at a time by `insertSyntheticLoans` (libs/loans); the
 * generated riders by `insertSyntheticRiders` (libs/riders).
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
  await ds.transaction((manager) =>
    insertSyntheticRiders(manager, syntheticRiders(syntheticCount, seed, options.now), {
      acceptedAt: options.now,
      termsVersion: config.riders.termsVersion,
    }),
  );
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
    summary.deletedBefore = await deleteSyntheticLoans(
      manager,
      startOfBogotaDay(from),
      startOfBogotaDay(nextLocalDate(to)),
    );
    let buffer: PlannedTrip[] = [];
    for (let day = from; day <= to; day = nextLocalDate(day)) {
      const trips = planDay(day, stations, popularity, bikeIds, riderIds, plan, rng(daySeed(day, seed)));
      summary.trips += trips.length;
      summary.journeys += new Set(trips.map((t) => t.journeyId)).size;
      summary.renewals += trips.filter((t) => t.endReason === 'renewed').length;
      summary.overdue += trips.filter((t) => t.overdue).length;
      buffer.push(...trips);
      while (buffer.length >= BATCH) {
        await insertSyntheticLoans(manager, buffer.splice(0, BATCH), staff.id);
      }
    }
    if (buffer.length > 0) await insertSyntheticLoans(manager, buffer, staff.id);
    buffer = [];
  });
  return { summary, trips: summary.trips };
}

/** Generated riders `PA SYNTH000001…` (passport-type ids no real person has); same seed, same riders. */
function syntheticRiders(count: number, seed: number, now: Date): SyntheticRider[] {
  const random = rng(seed ^ 0x5eed);
  const genders: Gender[] = ['female', 'male', 'other', 'undisclosed'];
  const genderCum = [0.42, 0.94, 0.96, 1];
  const riders: SyntheticRider[] = [];
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(6, '0');
    // Ages 16..70, skewed young (students and commuters).
    const age = 16 + Math.floor(54 * random() ** 1.8);
    const year = Number(bogotaDate(now).slice(0, 4)) - age - 1;
    const birthDate = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
    const g = random();
    riders.push({
      documentNumber: `${DOC_PREFIX}${n}`,
      lastName: `Sintético ${n}`,
      birthDate,
      gender: genders[genderCum.findIndex((c) => g < c)],
    });
  }
  return riders;
}
