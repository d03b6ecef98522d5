import type { AgeBand } from './trip-metrics';

/** Query of every planner endpoint: inclusive local dates and an optional station. */
export interface StatsQuery {
  from?: string;
  to?: string;
  stationId?: string;
  /** Synthetic demo trips are left out unless a planner asks for them (`include`). */
  synthetic?: 'include' | 'exclude';
}

interface RangeEcho {
  from: string;
  to: string;
  stationId: string | null;
}

/** Shares are fractions 0..1 (4 decimals); a ratio over nothing is null, never 0. */
export interface StatsSummary extends RangeEcho {
  /** Whether synthetic demo trips (and riders) are counted in these figures. */
  includesSynthetic: boolean;
  /** Synthetic trips in the range (counted or not), so a dashboard can say they exist. */
  syntheticTrips: number;
  trips: number;
  /** Renewals link segments into journeys: trips are segments, journeys what riders made. */
  journeys: number;
  renewals: number;
  riders: number;
  averageDurationSeconds: number | null;
  medianDurationSeconds: number | null;
  /** trips ÷ bikes in service ÷ operating days. */
  tripsPerBikePerDay: number | null;
  tripsPerDay: number | null;
  bikesInService: number;
  operatingDays: number;
  tripsPer1000Residents: number | null;
  population: number;
  womenShare: number | null;
  tripsByGender: Record<string, number>;
  ageBands: Array<{ band: AgeBand; trips: number; share: number | null }>;
  helmetShare: number | null;
  overdueTrips: number;
  overdueRate: number | null;
  suspensions: number;
  registeredRiders: number;
  verifiedRiders: number;
  activeRiders: number;
  metrolineaTrips: number;
  metrolineaShare: number | null;
  distanceKm: number;
  co2AvoidedKg: number;
  co2GramsPerKm: number;
  rebalancingMoves: number;
  damageReports: number;
  repairs: number;
  averageRepairHours: number | null;
  fleetByState: Record<string, number>;
}

export interface DailyStats {
  date: string;
  trips: number;
  journeys: number;
  riders: number;
  averageDurationSeconds: number | null;
  medianDurationSeconds: number | null;
  /** trips ÷ bikes in service (today's fleet). */
  tripsPerBike: number | null;
  helmetShare: number | null;
  overdueTrips: number;
  overdueRate: number | null;
  womenShare: number | null;
  metrolineaShare: number | null;
  distanceKm: number;
  co2AvoidedKg: number;
}

export interface HourlyStats {
  date: string;
  /** Local hour 0..23. */
  hour: number;
  stationId: string;
  departures: number;
  arrivals: number;
  netFlow: number;
}

export interface StationStats {
  stationId: string;
  code: string;
  name: string;
  nearMetrolinea: boolean;
  departures: number;
  arrivals: number;
  /** arrivals − departures: positive fills up, negative empties. */
  netFlow: number;
  samples: number;
  sampledMinutes: number;
  emptyMinutes: number;
  fullMinutes: number;
  emptyShare: number | null;
  fullShare: number | null;
  longestEmptySpellMinutes: number;
  longestFullSpellMinutes: number;
}

export interface OdPair {
  fromStationId: string;
  toStationId: string;
  trips: number;
}

export interface DonorStats {
  donorId: string;
  code: string;
  name: string;
  bikes: number;
  bikesInService: number;
  bikesUsed: number;
  trips: number;
  tripsPerBikePerDay: number | null;
  durationHours: number;
  distanceKm: number;
  co2AvoidedKg: number;
}

export interface SampleResult {
  at: string;
  sampled: number;
  /** Why nothing was sampled: outside opening hours or pilot dates. */
  skipped?: 'closed';
}
