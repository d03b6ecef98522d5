import type { DataSource } from 'typeorm';
import { addDays } from '@metrobici/stats';
import { startOfBogotaDay } from '@metrobici/common';

/**
 * Deterministic synthetic trip history written straight to the database (no API): stations, donors,
 * bikes, riders, and per day journeys of one to three segments (renewals share the journey id),
 * some overdue or force-returned, plus loans that are not trips (reverted checkouts, a bike gone
 * missing, open loans). Each closed loan gets its `loan.closed` outbox row in the same transaction,
 * as `LoanService` would write it, so the worker sees the generated month through the real path.
 */

export interface GenStation {
  id: string;
  code: string;
  lat: number;
  lon: number;
  nearMetrolinea: boolean;
}
export interface GenBike {
  id: string;
  donorId: string;
  state: 'available' | 'maintenance' | 'retired' | 'missing';
  stationId: string | null;
}
export interface GenRider {
  id: string;
  gender: 'female' | 'male' | 'other' | 'undisclosed';
  birthDate: string;
  createdAt: Date;
  verifiedAt: Date | null;
}
export interface GenLoan {
  id: string;
  journeyId: string;
  bikeId: string;
  riderId: string;
  fromStationId: string;
  toStationId: string | null;
  startedAt: Date;
  dueAt: Date;
  endedAt: Date | null;
  state: 'open' | 'closed' | 'reverted';
  endReason: 'returned' | 'renewed' | 'forced' | 'reverted' | 'bike_missing' | null;
  helmet: boolean;
  overdue: boolean;
}

export interface TripWorldOptions {
  /** First local date with trips. */
  from: string;
  days: number;
  /** Average journeys per opening day (Sundays get a fifth). */
  journeysPerDay: number;
  seed: number;
  stations?: number;
  bikes?: number;
  riders?: number;
  /** Write `loan.closed` outbox rows (default true), in a shuffled order (default true). */
  outbox?: boolean;
  shuffleOutbox?: boolean;
  /** Share of closed loans whose `loan.closed` row is written twice (at-least-once delivery). */
  duplicateOutboxShare?: number;
  /** Loans that are not trips, a trip across midnight and one from the day before (default true). */
  edgeCases?: boolean;
  /** Prefix of station and bike codes, so two worlds can share a database. */
  codePrefix?: string;
  /** Mark riders and loans `synthetic` (default true); false stands in for real operations. */
  synthetic?: boolean;
}

export interface TripWorld {
  stations: GenStation[];
  donors: Array<{ id: string; code: string }>;
  bikes: GenBike[];
  riders: GenRider[];
  loans: GenLoan[];
  outboxRows: number;
  /** Closed loans that are trip segments. */
  trips: number;
}

export const LOAN_MAX_MS = 60 * 60_000;
const CHECKED_OUT_BY = '00000000-0000-4000-8000-000000000001';

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rand {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  float(): number {
    return this.next();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Index by weight. */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.next() * 16).toString(16));
    hex[12] = '4';
    hex[16] = '89ab'[Math.floor(this.next() * 4)];
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

export async function generateTripWorld(ds: DataSource, options: TripWorldOptions): Promise<TripWorld> {
  const rnd = new Rand(options.seed);
  const prefix = options.codePrefix ?? `G${options.seed}`;
  const nStations = options.stations ?? 12;
  const nBikes = options.bikes ?? 60;
  const nRiders = options.riders ?? 150;

  const stations: GenStation[] = Array.from({ length: nStations }, (_, i) => ({
    id: rnd.uuid(),
    code: `${prefix}-S${String(i + 1).padStart(2, '0')}`,
    lat: Math.round((7.05 + rnd.float() * 0.11) * 1e5) / 1e5,
    lon: Math.round((-73.14 + rnd.float() * 0.06) * 1e5) / 1e5,
    nearMetrolinea: i % 4 === 1,
  }));
  const popularity = stations.map((_, i) => 1 + ((i * 7) % 5)); // uneven
  const donors = ['bavaria', 'mintransporte', 'uis'].map((d) => ({
    id: rnd.uuid(),
    code: `${prefix.toLowerCase()}-${d}`,
  }));
  const bikes: GenBike[] = Array.from({ length: nBikes }, (_, i) => {
    const state: GenBike['state'] =
      i % 23 === 5 ? 'retired' : i % 29 === 7 ? 'missing' : i % 17 === 3 ? 'maintenance' : 'available';
    return {
      id: rnd.uuid(),
      donorId: donors[rnd.weighted([100, 120, 40])].id,
      state,
      stationId: state === 'available' || state === 'maintenance' ? stations[i % nStations].id : null,
    };
  });
  const genders = ['female', 'male', 'other', 'undisclosed'] as const;
  const firstDay = startOfBogotaDay(options.from);
  const riders: GenRider[] = Array.from({ length: nRiders }, (_, i) => {
    const year = i % 10 === 0 ? 2002 + (i % 2) : rnd.int(1948, 2000); // some minors (16-17) and older riders
    const createdAt = new Date(
      firstDay.getTime() + rnd.int(-40, options.days) * 86_400_000 + rnd.int(0, 86_399) * 1000,
    );
    return {
      id: rnd.uuid(),
      gender: genders[rnd.weighted([40, 50, 3, 7])],
      birthDate: `${year}-${String(rnd.int(1, 12)).padStart(2, '0')}-${String(rnd.int(1, 28)).padStart(2, '0')}`,
      createdAt,
      verifiedAt: i % 19 === 0 ? null : new Date(createdAt.getTime() + rnd.int(1, 72) * 3_600_000),
    };
  });
  // Only riders verified by the time can ride; keep a pool per day.
  const riderPool = riders.filter((r) => r.verifiedAt !== null);
  const movable = bikes.filter((b) => b.state !== 'retired');

  const loans: GenLoan[] = [];
  const closedLoan = (l: Omit<GenLoan, 'dueAt' | 'overdue' | 'state'> & { state?: GenLoan['state'] }): GenLoan => {
    const dueAt = new Date(l.startedAt.getTime() + LOAN_MAX_MS);
    return { ...l, state: l.state ?? 'closed', dueAt, overdue: l.endedAt !== null && l.endedAt > dueAt };
  };
  const station = () => stations[rnd.weighted(popularity)].id;

  for (let d = 0; d < options.days; d++) {
    const date = addDays(options.from, d);
    const dayStart = startOfBogotaDay(date).getTime();
    const sunday = new Date(dayStart + 12 * 3_600_000).getUTCDay() === 0;
    const journeys = Math.max(1, Math.round(options.journeysPerDay * (sunday ? 0.2 : 0.6 + rnd.float() * 0.8)));
    for (let j = 0; j < journeys; j++) {
      const journeyId = rnd.uuid();
      const rider = rnd.pick(riderPool);
      const bike = rnd.pick(movable);
      // Morning and evening peaks between 06:00 and 18:30.
      const hour = rnd.chance(0.35)
        ? 6.5 + rnd.float() * 2
        : rnd.chance(0.4)
          ? 16 + rnd.float() * 2.5
          : 6 + rnd.float() * 12.5;
      let start = new Date(dayStart + Math.floor(hour * 3_600_000) + rnd.int(0, 59) * 1000);
      let from = station();
      const helmet = rnd.chance(0.45);
      if (rnd.chance(0.03)) {
        // A check-out reverted a minute later: not a trip.
        loans.push(
          closedLoan({
            id: rnd.uuid(),
            journeyId,
            bikeId: bike.id,
            riderId: rider.id,
            fromStationId: from,
            toStationId: from,
            startedAt: start,
            endedAt: new Date(start.getTime() + 60_000),
            state: 'reverted',
            endReason: 'reverted',
            helmet,
          }),
        );
        continue;
      }
      const segments = 1 + rnd.weighted([85, 12, 3]);
      for (let s = 0; s < segments; s++) {
        const last = s === segments - 1;
        const minutes = rnd.chance(0.06) ? rnd.int(61, 150) : last ? rnd.int(3, 55) : rnd.int(50, 59);
        const end = new Date(start.getTime() + minutes * 60_000 + rnd.int(0, 59) * 1000);
        const to = station();
        const endReason = !last ? 'renewed' : rnd.chance(0.03) ? 'forced' : 'returned';
        loans.push(
          closedLoan({
            id: rnd.uuid(),
            journeyId,
            bikeId: bike.id,
            riderId: rider.id,
            fromStationId: from,
            toStationId: to,
            startedAt: start,
            endedAt: end,
            endReason,
            helmet,
          }),
        );
        start = end;
        from = to;
      }
    }
  }

  if (options.edgeCases ?? true) {
    const lastDay = startOfBogotaDay(addDays(options.from, options.days - 1)).getTime();
    const [a, b, c, e] = riderPool;
    const bike = movable[0];
    // From the day before the range, arriving after midnight on its first day (overdue).
    const before = new Date(firstDay.getTime() - 40 * 60_000);
    loans.push(
      closedLoan({
        id: rnd.uuid(),
        journeyId: rnd.uuid(),
        bikeId: bike.id,
        riderId: a.id,
        fromStationId: stations[0].id,
        toStationId: stations[1].id,
        startedAt: before,
        endedAt: new Date(firstDay.getTime() + 25 * 60_000),
        endReason: 'returned',
        helmet: false,
      }),
    );
    // Late evening trip returned after midnight: starts one local day, arrives the next.
    const evening = new Date(lastDay - 86_400_000 + 18 * 3_600_000 + 50 * 60_000);
    loans.push(
      closedLoan({
        id: rnd.uuid(),
        journeyId: rnd.uuid(),
        bikeId: bike.id,
        riderId: b.id,
        fromStationId: stations[2].id,
        toStationId: stations[3].id,
        startedAt: evening,
        endedAt: new Date(evening.getTime() + 6 * 3_600_000),
        endReason: 'returned',
        helmet: true,
      }),
    );
    // A bike that went missing during its loan: closed, but not a trip.
    const noon = new Date(lastDay + 12 * 3_600_000);
    loans.push(
      closedLoan({
        id: rnd.uuid(),
        journeyId: rnd.uuid(),
        bikeId: movable[1].id,
        riderId: c.id,
        fromStationId: stations[4].id,
        toStationId: null,
        startedAt: noon,
        endedAt: new Date(noon.getTime() + 3 * 3_600_000),
        endReason: 'bike_missing',
        helmet: false,
      }),
    );
    // Still open at the end: not trips yet.
    for (const [i, r] of [a, e].entries()) {
      const started = new Date(lastDay + (17 + i) * 3_600_000);
      loans.push({
        id: rnd.uuid(),
        journeyId: rnd.uuid(),
        bikeId: movable[2 + i].id,
        riderId: r.id,
        fromStationId: stations[5].id,
        toStationId: null,
        startedAt: started,
        dueAt: new Date(started.getTime() + LOAN_MAX_MS),
        endedAt: null,
        state: 'open',
        endReason: null,
        helmet: false,
        overdue: false,
      });
    }
  }

  const outbox: Array<{ loan: GenLoan }> = [];
  if (options.outbox ?? true) {
    for (const loan of loans) {
      if (loan.state === 'open') continue;
      outbox.push({ loan });
      if (loan.state === 'closed' && rnd.chance(options.duplicateOutboxShare ?? 0)) outbox.push({ loan });
    }
    if (options.shuffleOutbox ?? true) rnd.shuffle(outbox);
  }

  await ds.transaction(async (m) => {
    for (const [i, s] of stations.entries()) {
      const here = bikes.filter((b) => b.stationId === s.id);
      await m.query(
        `INSERT INTO stations (id, code, name, address, lat, lon, capacity, kind, near_metrolinea, bikes_docked, bikes_available, helmets_available)
         VALUES ($1, $2, $3, 'Generated', $4, $5, $9, 'station', $6, $7, $8, 5)`,
        [
          s.id,
          s.code,
          `Generated station ${i + 1}`,
          s.lat,
          s.lon,
          s.nearMetrolinea,
          here.length,
          here.filter((b) => b.state === 'available').length,
          Math.max(20, here.length + 5),
        ],
      );
    }
    for (const d of donors) await m.query(`INSERT INTO donors (id, code, name) VALUES ($1, $2, $2)`, [d.id, d.code]);
    await m.query(
      `INSERT INTO bikes (id, code, donor_id, state, station_id)
       SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::uuid[], $4::varchar[], $5::uuid[])`,
      [
        bikes.map((b) => b.id),
        bikes.map((_, i) => `${prefix}-B${String(i + 1).padStart(4, '0')}`),
        bikes.map((b) => b.donorId),
        bikes.map((b) => b.state),
        bikes.map((b) => b.stationId),
      ],
    );
    await m.query(
      `INSERT INTO riders (id, document_type, document_number, first_name, last_name, birth_date, gender, phone, consent_accepted_at,
                           consent_terms_version, consent_purposes, status, verified_at, synthetic, created_at)
       SELECT id, 'CC', doc, 'Generado', 'Sintético', birth, gender, '3000000000', created, '2019-10', '["service","statistics"]'::jsonb,
              CASE WHEN verified IS NULL THEN 'pending' ELSE 'active' END, verified, $7::boolean, created
         FROM unnest($1::uuid[], $2::varchar[], $3::date[], $4::varchar[], $5::timestamptz[], $6::timestamptz[]) AS r(id, doc, birth, gender, created, verified)`,
      [
        riders.map((r) => r.id),
        riders.map((_, i) => `${options.seed}${String(i).padStart(7, '0')}`),
        riders.map((r) => r.birthDate),
        riders.map((r) => r.gender),
        riders.map((r) => r.createdAt),
        riders.map((r) => r.verifiedAt),
        options.synthetic ?? true,
      ],
    );
    for (let i = 0; i < loans.length; i += 5000) {
      const chunk = loans.slice(i, i + 5000);
      const col = <K extends keyof GenLoan>(k: K) => chunk.map((l) => l[k]);
      await m.query(
        `INSERT INTO loans (id, journey_id, bike_id, rider_id, from_station_id, to_station_id, started_at, due_at, ended_at, state, end_reason,
                            helmet, overdue, checked_out_by, closed_by, synthetic)
         SELECT id, journey, bike, rider, fs, ts, st, due, en, state, reason, helmet, overdue, $14::uuid, CASE WHEN state = 'open' THEN NULL ELSE $14::uuid END, $15::boolean
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[],
                       $10::varchar[], $11::varchar[], $12::boolean[], $13::boolean[])
                AS l(id, journey, bike, rider, fs, ts, st, due, en, state, reason, helmet, overdue)`,
        [
          col('id'),
          col('journeyId'),
          col('bikeId'),
          col('riderId'),
          col('fromStationId'),
          col('toStationId'),
          col('startedAt'),
          col('dueAt'),
          col('endedAt'),
          col('state'),
          col('endReason'),
          col('helmet'),
          col('overdue'),
          CHECKED_OUT_BY,
          options.synthetic ?? true,
        ],
      );
    }
    for (let i = 0; i < outbox.length; i += 5000) {
      const chunk = outbox.slice(i, i + 5000).map(({ loan }) => loan);
      await m.query(
        `INSERT INTO outbox_events (type, aggregate_id, payload)
         SELECT 'loan.closed', id, jsonb_build_object('loanId', id, 'journeyId', journey, 'endReason', reason, 'toStationId', ts,
                                                     'endedAt', to_char(en AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
           FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::uuid[], $5::timestamptz[]) WITH ORDINALITY AS o(id, journey, reason, ts, en, n)
          ORDER BY n`,
        [
          chunk.map((l) => l.id),
          chunk.map((l) => l.journeyId),
          chunk.map((l) => l.endReason),
          chunk.map((l) => l.toStationId),
          chunk.map((l) => l.endedAt),
        ],
      );
    }
  });

  const trips = loans.filter(
    (l) =>
      l.state === 'closed' && (l.endReason === 'returned' || l.endReason === 'renewed' || l.endReason === 'forced'),
  ).length;
  return { stations, donors, bikes, riders, loans, outboxRows: outbox.length, trips };
}
