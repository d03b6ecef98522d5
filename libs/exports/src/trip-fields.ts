/**
 * The derived fields of a trip as the data package computes them, in SQL, straight from the raw
 * tables. Bands, distance and rounding come from the planners' statistics (`@metrobici/stats`),
 * so the package and the dashboards cannot disagree.
 */
import { createHmac } from 'node:crypto';

export { AGE_BANDS, EARTH_RADIUS_M, ageBand, ageBandSql, haversineMeters, haversineSql } from '@metrobici/stats';

/** Hex characters kept of the HMAC-SHA256 (64 bits: no collision among a city's riders). */
export const RIDER_KEY_LENGTH = 16;

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
  synthetic: 'metrobici.export_synthetic',
} as const;

/**
 * The rider pseudonym: HMAC-SHA256(key, rider id) in hex, first 16 characters. Research packages
 * use a random key per package (never stored), so two packages cannot be joined on it.
 */
export function riderKey(secret: string, riderId: string): string {
  return createHmac('sha256', secret).update(riderId).digest('hex').slice(0, RIDER_KEY_LENGTH);
}

/** `riderKey` in SQL (pgcrypto `hmac`), with the key from the transaction's settings (any id). */
export function riderKeySql(riderIdExpr: string): string {
  return `substr(encode(hmac(${riderIdExpr}::text, current_setting('${SETTING.riderKey}'), 'sha256'), 'hex'), 1, ${RIDER_KEY_LENGTH})`;
}

/** An instant as ISO 8601 in Bogotá time with its offset, e.g. `2019-10-03T06:00:00-05:00`. */
export function bogotaIsoSql(expr: string): string {
  return `to_char(${expr} AT TIME ZONE 'America/Bogota', 'YYYY-MM-DD"T"HH24:MI:SS') || '-05:00'`;
}
