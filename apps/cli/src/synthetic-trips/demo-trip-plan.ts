import { randomUUID } from 'node:crypto';
import { bogotaParts, type OpeningHours, startOfBogotaDay } from '@metrobici/common';
import { haversineMeters } from '@metrobici/exports';

/**
 * Pure planning of synthetic trips (no database): which station, bike, rider and times. Realistic
 * enough for demos and benchmarks: morning and evening peaks, uneven station popularity with
 * distance decay, a few renewals (hourly rule) and overdue loans, bikes and riders never on two
 * trips at once. Deterministic for a given seed.
 */

/** Relative departures per local hour (0..23): peaks at 07:00 and 17:00. */
export const HOURLY_PROFILE: readonly number[] = [
  0, 0, 0, 0, 0, 1, 6, 12, 9, 5, 4, 5, 7, 6, 4, 4, 6, 11, 9, 4, 1, 0, 0, 0,
];

export interface PlanStation {
  id: string;
  lat: number;
  lon: number;
  nearMetrolinea: boolean;
}

export interface PlanOptions {
  /** Target departures on a weekday; closed hours and days reject their share. */
  tripsPerWeekday: number;
  /** Share of journeys renewed at a station at least once. */
  renewalShare: number;
  /** Share of journeys returned late. */
  overdueShare: number;
  maxMinutes: number;
  openingHours: OpeningHours;
}

export const DEFAULT_PLAN: Omit<PlanOptions, 'openingHours' | 'maxMinutes'> = {
  tripsPerWeekday: 600,
  renewalShare: 0.06,
  overdueShare: 0.03,
};

export interface PlannedTrip {
  journeyId: string;
  bikeId: string;
  riderId: string;
  fromStationId: string;
  toStationId: string;
  startedAt: Date;
  endedAt: Date;
  dueAt: Date;
  endReason: 'returned' | 'renewed';
  overdue: boolean;
  helmet: boolean;
}

/** Small fast seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable seed for a local day, so regenerating a day gives the same trips. */
export function daySeed(day: string, seed: number): number {
  let h = 2166136261 ^ seed;
  for (const c of day) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

/** Picks an index by weights (cumulative array). */
function pick(cumulative: number[], random: () => number): number {
  const x = random() * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function cumulate(weights: number[]): number[] {
  let sum = 0;
  return weights.map((w) => (sum += w));
}

/** Zipf-like popularity (rank^-0.8) over a seeded shuffle; Metrolínea stations a bit busier. */
export function stationWeights(stations: PlanStation[], random: () => number): number[] {
  const order = stations.map((_, i) => i).sort(() => random() - 0.5);
  const weights = new Array<number>(stations.length).fill(0);
  order.forEach(
    (index, rank) => (weights[index] = (1 / (rank + 1) ** 0.8) * (stations[index].nearMetrolinea ? 1.5 : 1)),
  );
  return weights;
}

function lognormal(random: () => number, median: number, sigma: number): number {
  const u = Math.max(1e-9, random());
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(sigma * z);
}

/**
 * The trips of one local day. `popularity` is per station (see `stationWeights`); bikes and riders
 * are picked at random among those free at the start (a few tries, else the trip is dropped).
 */
export function planDay(
  day: string,
  stations: PlanStation[],
  popularity: number[],
  bikeIds: string[],
  riderIds: string[],
  options: PlanOptions,
  random: () => number,
): PlannedTrip[] {
  if (stations.length === 0 || bikeIds.length === 0 || riderIds.length === 0) return [];
  const dayStart = startOfBogotaDay(day).getTime();
  const weekday = bogotaParts(new Date(dayStart)).weekday;
  const target = Math.round(
    options.tripsPerWeekday * (weekday === 6 ? 0.8 : weekday === 0 ? 0.6 : 1) * (0.85 + random() * 0.3),
  );
  const hourCum = cumulate([...HOURLY_PROFILE]);
  const originCum = cumulate(popularity);
  // Riders: a few ride a lot (Zipf over a seeded order).
  const riderCum = cumulate(riderIds.map((_, i) => 1 / (((i * 7919) % riderIds.length) + 1) ** 0.6));
  const destinations = stations.map((from) =>
    cumulate(
      stations.map(
        (to, j) => (to.id === from.id ? 0.04 : 1) * popularity[j] * Math.exp(-haversineMeters(from, to) / 2500),
      ),
    ),
  );
  const bikeFree = new Array<number>(bikeIds.length).fill(0);
  const riderFree = new Array<number>(riderIds.length).fill(0);

  const starts: number[] = [];
  for (let i = 0; i < target; i++) {
    const hour = pick(hourCum, random);
    const at = dayStart + hour * 3600_000 + Math.floor(random() * 3600_000);
    if (options.openingHours.isOpen(new Date(at))) starts.push(at);
  }
  starts.sort((a, b) => a - b);

  const trips: PlannedTrip[] = [];
  const maxMs = options.maxMinutes * 60_000;
  for (const start of starts) {
    let bike = -1;
    for (let t = 0; t < 8 && bike < 0; t++) {
      const b = Math.floor(random() * bikeIds.length);
      if (bikeFree[b] <= start) bike = b;
    }
    let rider = -1;
    for (let t = 0; t < 8 && rider < 0; t++) {
      const r = pick(riderCum, random);
      if (riderFree[r] <= start) rider = r;
    }
    if (bike < 0 || rider < 0) continue;

    const journeyId = randomUUID();
    const helmet = random() < 0.35;
    const segments = random() < options.renewalShare ? 2 + (random() < 0.3 ? 1 : 0) : 1;
    const late = random() < options.overdueShare;
    let from = pick(originCum, random);
    let at = start;
    for (let s = 0; s < segments; s++) {
      let last = s === segments - 1;
      const to = pick(destinations[from], random);
      const meters = haversineMeters(stations[from], stations[to]);
      let ms = (35 + random() * 23) * 60_000; // renewed before the hour is up
      // No renewal once the station has closed: the rider returns the bike instead.
      if (!last && !options.openingHours.isOpen(new Date(at + ms))) last = true;
      if (last && late) ms = maxMs + (5 + random() * 40) * 60_000;
      else if (last) {
        // Ride at ~11 km/h along streets (1.35 × straight line) plus errands; round trips are outings.
        const ride = from === to ? (10 + random() * 30) * 60_000 : ((meters * 1.35) / (11 / 3.6)) * 1000;
        ms = Math.min(maxMs - 60_000, ride + lognormal(random, 3, 0.9) * 60_000);
      }
      const ended = at + Math.max(60_000, Math.round(ms));
      trips.push({
        journeyId,
        bikeId: bikeIds[bike],
        riderId: riderIds[rider],
        fromStationId: stations[from].id,
        toStationId: stations[to].id,
        startedAt: new Date(at),
        endedAt: new Date(ended),
        dueAt: new Date(at + maxMs),
        endReason: last ? 'returned' : 'renewed',
        overdue: ended > at + maxMs,
        helmet,
      });
      at = ended;
      from = to;
      if (last) break;
    }
    bikeFree[bike] = at + 5 * 60_000;
    riderFree[rider] = at + 10 * 60_000;
  }
  return trips;
}
