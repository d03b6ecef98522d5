/**
 * The derived fields of a trip as the data package computes them, in SQL, straight from the raw
 * tables. Bands, Earth radius and rounding are the same as the planners' statistics
 * (`@metrobici/stats` trip metrics), so the package and the dashboards agree.
 */
import { createHmac } from 'node:crypto';

/** Hex characters kept of the HMAC-SHA256 (64 bits: no collision among a city's riders). */
export const RIDER_KEY_LENGTH = 16;

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

/** Suppression threshold of published aggregate cells (k = 10, as the MDS monthly reports). */
export const SUPPRESSION_K = 10;

/** Session settings the export SQL reads with `current_setting` (COPY takes no bind parameters). */
export const SETTING = {
  riderKey: 'metrobici.rider_key',
  from: 'metrobici.export_from',
  to: 'metrobici.export_to',
  fromDate: 'metrobici.export_from_date',
  toDate: 'metrobici.export_to_date',
  co2: 'metrobici.co2_g_per_km',
} as const;

/** The rider pseudonym: HMAC-SHA256(secret, rider id) in hex, first 16 characters. */
export function riderKey(secret: string, riderId: string): string {
  return createHmac('sha256', secret).update(riderId).digest('hex').slice(0, RIDER_KEY_LENGTH);
}

/** `riderKey` in SQL (pgcrypto `hmac`), with the secret from the transaction's settings. */
export function riderKeySql(riderIdExpr: string): string {
  return `substr(encode(hmac(${riderIdExpr}::text, current_setting('${SETTING.riderKey}'), 'sha256'), 'hex'), 1, ${RIDER_KEY_LENGTH})`;
}

export function ageBand(age: number | null | undefined): string {
  if (age === null || age === undefined || !Number.isFinite(age)) return 'unknown';
  for (const b of AGE_BANDS) if (age >= b.min && (b.max === null || age <= b.max)) return b.band;
  return 'unknown';
}

export function ageBandSql(ageExpr: string): string {
  const whens = AGE_BANDS.map((b) => (b.max === null ? `WHEN ${ageExpr} >= ${b.min} THEN '${b.band}'` : `WHEN ${ageExpr} BETWEEN ${b.min} AND ${b.max} THEN '${b.band}'`));
  return `CASE ${whens.join(' ')} ELSE 'unknown' END`;
}

/** Great-circle (straight line) distance in metres, haversine formula. */
export function haversineMeters(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The same formula in SQL, rounded to whole metres. */
export function haversineSql(lat1: string, lon1: string, lat2: string, lon2: string): string {
  return `round(2 * ${EARTH_RADIUS_M} * asin(least(1, sqrt(
      power(sin(radians(${lat2} - ${lat1}) / 2), 2)
      + cos(radians(${lat1})) * cos(radians(${lat2})) * power(sin(radians(${lon2} - ${lon1}) / 2), 2)))))::integer`;
}

/** An instant as ISO 8601 in Bogotá time with its offset, e.g. `2019-10-03T06:00:00-05:00`. */
export function bogotaIsoSql(expr: string): string {
  return `to_char(${expr} AT TIME ZONE 'America/Bogota', 'YYYY-MM-DD"T"HH24:MI:SS') || '-05:00'`;
}
