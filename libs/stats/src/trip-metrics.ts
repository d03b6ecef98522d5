/**
 * Pure derivations of one trip segment. The SQL that writes `trip_facts` is generated from the
 * same constants (`ageBandSql`), so the bands, the Earth radius and the rounding live in one place.
 */

/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_M = 6_371_008.8;

export const AGE_BANDS = [
  { band: '16-17', min: 16, max: 17 },
  { band: '18-24', min: 18, max: 24 },
  { band: '25-34', min: 25, max: 34 },
  { band: '35-44', min: 35, max: 44 },
  { band: '45-54', min: 45, max: 54 },
  { band: '55-64', min: 55, max: 64 },
  { band: '65+', min: 65, max: null },
] as const;
export type AgeBand = (typeof AGE_BANDS)[number]['band'] | 'unknown';
export const AGE_BAND_NAMES: readonly AgeBand[] = [...AGE_BANDS.map((b) => b.band), 'unknown'];

/** Band of an age in whole years; below the minimum riding age, or not known: `unknown`. */
export function ageBand(age: number | null | undefined): AgeBand {
  if (age === null || age === undefined || !Number.isFinite(age)) return 'unknown';
  for (const b of AGE_BANDS) if (age >= b.min && (b.max === null || age <= b.max)) return b.band;
  return 'unknown';
}

/** The same mapping as `ageBand`, as a SQL `CASE` over an integer expression. */
export function ageBandSql(ageExpr: string): string {
  const whens = AGE_BANDS.map((b) =>
    b.max === null
      ? `WHEN ${ageExpr} >= ${b.min} THEN '${b.band}'`
      : `WHEN ${ageExpr} BETWEEN ${b.min} AND ${b.max} THEN '${b.band}'`,
  );
  return `CASE ${whens.join(' ')} ELSE 'unknown' END`;
}

export interface LatLon {
  lat: number;
  lon: number;
}

/** Great-circle (straight line) distance in metres, haversine formula. */
export function haversineMeters(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The same formula in SQL (double precision), rounded to whole metres as stored. */
export function haversineSql(lat1: string, lon1: string, lat2: string, lon2: string): string {
  return `round(2 * ${EARTH_RADIUS_M} * asin(least(1, sqrt(
      power(sin(radians(${lat2} - ${lat1}) / 2), 2)
      + cos(radians(${lat1})) * cos(radians(${lat2})) * power(sin(radians(${lon2} - ${lon1}) / 2), 2)))))::integer`;
}

/** CO2 avoided by riding `distanceM` metres instead of the replaced trip, whole grams. */
export function co2Grams(distanceM: number, gramsPerKm: number): number {
  return Math.round((distanceM * gramsPerKm) / 1000);
}

/** `a / b` rounded to 4 decimals; null when `b` is 0 (a share of nothing is not 0). */
export function ratio(a: number, b: number, digits = 4): number | null {
  if (!b) return null;
  return roundTo(a / b, digits);
}

export function roundTo(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
