import { OpeningHours, bogotaParts } from '@metrobici/common';
import { HOURLY_PROFILE, planDay, type PlanStation, rng, stationWeights, daySeed } from './demo-trip-plan';

const STATIONS: PlanStation[] = [
  { id: 's1', lat: 7.118, lon: -73.11, nearMetrolinea: false },
  { id: 's2', lat: 7.1395, lon: -73.1205, nearMetrolinea: false },
  { id: 's3', lat: 7.077, lon: -73.111, nearMetrolinea: true },
  { id: 's4', lat: 7.1125, lon: -73.108, nearMetrolinea: false },
];
const BIKES = Array.from({ length: 80 }, (_, i) => `b${i}`);
const RIDERS = Array.from({ length: 200 }, (_, i) => `r${i}`);
const HOURS = OpeningHours.parse('Mo-Fr 06:00-19:00; Sa 06:00-13:00; Su off; PH off');
const OPTIONS = { tripsPerWeekday: 400, renewalShare: 0.06, overdueShare: 0.03, maxMinutes: 60, openingHours: HOURS };

function plan(day: string, seed = 7) {
  return planDay(day, STATIONS, stationWeights(STATIONS, rng(seed)), BIKES, RIDERS, OPTIONS, rng(daySeed(day, seed)));
}

describe('planDay', () => {
  // Wednesday 6 November 2019 (not a holiday), Saturday 9, Sunday 10.
  const trips = plan('2019-11-06');

  it('has morning and evening peaks and stays inside opening hours', () => {
    expect(HOURLY_PROFILE.indexOf(Math.max(...HOURLY_PROFILE))).toBe(7);
    const perHour = new Array(24).fill(0);
    for (const t of trips) perHour[bogotaParts(t.startedAt).hour]++;
    expect(perHour[7]).toBeGreaterThan(perHour[10] * 2);
    expect(perHour[17]).toBeGreaterThan(perHour[15] * 1.5);
    for (const t of trips) expect(HOURS.isOpen(t.startedAt)).toBe(true);
    expect(trips.length).toBeGreaterThan(300);
  });

  it('never puts a bike or a rider on two trips at once', () => {
    for (const key of ['bikeId', 'riderId'] as const) {
      const byKey = new Map<string, Array<{ s: number; e: number }>>();
      for (const t of trips)
        byKey.set(t[key], [...(byKey.get(t[key]) ?? []), { s: t.startedAt.getTime(), e: t.endedAt.getTime() }]);
      for (const spans of byKey.values()) {
        spans.sort((a, b) => a.s - b.s);
        for (let i = 1; i < spans.length; i++) expect(spans[i].s).toBeGreaterThanOrEqual(spans[i - 1].e);
      }
    }
  });

  it('chains renewals in one journey at a station and flags late returns', () => {
    const journeys = new Map<string, typeof trips>();
    for (const t of trips) journeys.set(t.journeyId, [...(journeys.get(t.journeyId) ?? []), t]);
    const renewed = [...journeys.values()].filter((segments) => segments.length > 1);
    expect(renewed.length).toBeGreaterThan(0);
    for (const segments of renewed) {
      for (let i = 1; i < segments.length; i++) {
        expect(segments[i - 1].endReason).toBe('renewed');
        expect(segments[i].fromStationId).toBe(segments[i - 1].toStationId);
        expect(segments[i].startedAt.getTime()).toBe(segments[i - 1].endedAt.getTime());
        expect(segments[i].bikeId).toBe(segments[i - 1].bikeId);
      }
      expect(segments.at(-1)!.endReason).toBe('returned');
    }
    for (const t of trips) expect(t.overdue).toBe(t.endedAt > t.dueAt);
    expect(trips.some((t) => t.overdue)).toBe(true);
  });

  it('makes some stations much busier than others', () => {
    const counts = STATIONS.map((s) => trips.filter((t) => t.fromStationId === s.id).length).sort((a, b) => b - a);
    expect(counts[0]).toBeGreaterThan(counts[3] * 1.5);
  });

  it('follows the opening hours of Saturday and Sunday', () => {
    const saturday = plan('2019-11-09');
    expect(saturday.length).toBeGreaterThan(0);
    // Check-outs and renewals only while stations are open (13:00 on Saturdays).
    for (const t of saturday) expect(HOURS.isOpen(t.startedAt)).toBe(true);
    for (const t of saturday) expect(bogotaParts(t.startedAt).hour).toBeLessThan(13);
    expect(plan('2019-11-10')).toEqual([]);
  });

  it('gives the same shape for the same day and seed', () => {
    const again = plan('2019-11-06');
    expect(again.map((t) => [t.bikeId, t.riderId, t.startedAt.getTime(), t.endedAt.getTime()])).toEqual(
      trips.map((t) => [t.bikeId, t.riderId, t.startedAt.getTime(), t.endedAt.getTime()]),
    );
  });
});
