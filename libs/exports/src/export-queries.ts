import { AGE_BANDS, SETTING, ageBandSql, bogotaIsoSql, haversineSql, riderKeySql, SUPPRESSION_K } from './trip-fields';

/**
 * SQL of every file in the data package, straight from the raw tables (loans, stations, bikes,
 * donors, riders). Parameters come from the transaction's settings (`withExportSession`), because
 * `COPY (query) TO STDOUT` takes no bind parameters. A trip is a closed loan segment (reverted
 * check-outs are not trips; renewals are separate segments sharing `journey_id`), counted on the
 * local day it started.
 */

const FROM_TS = `current_setting('${SETTING.from}')::timestamptz`;
const TO_TS = `current_setting('${SETTING.to}')::timestamptz`;
const FROM_DATE = `current_setting('${SETTING.fromDate}')::date`;
const TO_DATE = `current_setting('${SETTING.toDate}')::date`;
const CO2_G_PER_KM = `current_setting('${SETTING.co2}')::numeric`;

const IN_RANGE = `l.state = 'closed' AND l.started_at >= ${FROM_TS} AND l.started_at < ${TO_TS}`;
const bool = (expr: string) => `CASE WHEN ${expr} THEN 'true' ELSE 'false' END`;
const localDate = (expr: string) => `to_char(${expr}, 'YYYY-MM-DD')`;

/** Column order of trips.csv: the common public trip-history layout, then the Metrobici columns. */
export const TRIP_COLUMNS = [
  'ride_id',
  'started_at',
  'ended_at',
  'start_station_id',
  'start_station_name',
  'start_lat',
  'start_lng',
  'end_station_id',
  'end_station_name',
  'end_lat',
  'end_lng',
  'duration_s',
  'bike_id',
  'donor',
  'journey_id',
  'rider_key',
  'gender',
  'age_band',
  'helmet',
  'distance_m',
  'synthetic',
] as const;

const AGE_AT_START = `extract(year FROM age((l.started_at AT TIME ZONE 'America/Bogota')::date, r.birth_date))::integer`;

/** One row per trip, ordered by start. Streams through an index scan on loans.started_at. */
export const TRIPS_SQL = `
SELECT l.id AS ride_id,
       ${bogotaIsoSql('l.started_at')} AS started_at,
       ${bogotaIsoSql('l.ended_at')} AS ended_at,
       fs.id AS start_station_id, fs.name AS start_station_name, fs.lat AS start_lat, fs.lon AS start_lng,
       ts.id AS end_station_id, ts.name AS end_station_name, ts.lat AS end_lat, ts.lon AS end_lng,
       round(extract(epoch FROM l.ended_at - l.started_at))::integer AS duration_s,
       b.code AS bike_id,
       d.code AS donor,
       l.journey_id,
       ${riderKeySql('l.rider_id')} AS rider_key,
       r.gender,
       ${ageBandSql(AGE_AT_START)} AS age_band,
       ${bool('l.helmet')} AS helmet,
       CASE WHEN ts.id IS NULL THEN NULL ELSE ${haversineSql('fs.lat', 'fs.lon', 'ts.lat', 'ts.lon')} END AS distance_m,
       ${bool('l.synthetic')} AS synthetic
  FROM loans l
  JOIN stations fs ON fs.id = l.from_station_id
  LEFT JOIN stations ts ON ts.id = l.to_station_id
  JOIN bikes b ON b.id = l.bike_id
  JOIN donors d ON d.id = b.donor_id
  JOIN riders r ON r.id = l.rider_id
 WHERE ${IN_RANGE}
 ORDER BY l.started_at, l.id`;

export const TRIPS_COUNT_SQL = `SELECT count(*)::integer AS n FROM loans l WHERE ${IN_RANGE}`;

/** The trips of the range with the derived fields the aggregate files need. */
const TRIP_BASE = `
  SELECT l.id, l.journey_id, l.rider_id, l.bike_id, l.from_station_id, l.to_station_id, l.helmet, l.overdue,
         l.started_at AT TIME ZONE 'America/Bogota' AS local_start,
         l.ended_at AT TIME ZONE 'America/Bogota' AS local_end,
         extract(epoch FROM l.ended_at - l.started_at)::double precision AS duration_s,
         CASE WHEN ts.id IS NULL THEN NULL ELSE ${haversineSql('fs.lat', 'fs.lon', 'ts.lat', 'ts.lon')} END AS distance_m,
         r.gender
    FROM loans l
    JOIN stations fs ON fs.id = l.from_station_id
    LEFT JOIN stations ts ON ts.id = l.to_station_id
    JOIN riders r ON r.id = l.rider_id
   WHERE ${IN_RANGE}`;

export const DAILY_COLUMNS = [
  'date',
  'trips',
  'journeys',
  'riders',
  'bikes_used',
  'trips_per_bike_used',
  'average_duration_s',
  'median_duration_s',
  'helmet_trips',
  'overdue_trips',
  'trips_by_women',
  'distance_km',
  'co2_avoided_kg',
] as const;

/** One row per local day of the range, days without trips included. */
export const DAILY_SQL = `
WITH t AS (${TRIP_BASE}),
days AS (SELECT d::date AS day FROM generate_series(${FROM_DATE}, ${TO_DATE}, interval '1 day') AS d),
per_day AS (
  SELECT t.local_start::date AS day, count(*) AS trips, count(DISTINCT t.journey_id) AS journeys,
         count(DISTINCT t.rider_id) AS riders, count(DISTINCT t.bike_id) AS bikes_used,
         avg(t.duration_s) AS avg_duration, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.duration_s) AS median_duration,
         count(*) FILTER (WHERE t.helmet) AS helmet_trips, count(*) FILTER (WHERE t.overdue) AS overdue_trips,
         count(*) FILTER (WHERE t.gender = 'female') AS trips_by_women,
         coalesce(sum(t.distance_m), 0) AS distance_m
    FROM t GROUP BY 1)
SELECT ${localDate('days.day')} AS date,
       coalesce(p.trips, 0) AS trips,
       coalesce(p.journeys, 0) AS journeys,
       coalesce(p.riders, 0) AS riders,
       coalesce(p.bikes_used, 0) AS bikes_used,
       CASE WHEN p.bikes_used > 0 THEN round(p.trips::numeric / p.bikes_used, 2) END AS trips_per_bike_used,
       round(p.avg_duration::numeric)::integer AS average_duration_s,
       round(p.median_duration::numeric)::integer AS median_duration_s,
       coalesce(p.helmet_trips, 0) AS helmet_trips,
       coalesce(p.overdue_trips, 0) AS overdue_trips,
       coalesce(p.trips_by_women, 0) AS trips_by_women,
       round(coalesce(p.distance_m, 0)::numeric / 1000, 3) AS distance_km,
       round(coalesce(p.distance_m, 0)::numeric * ${CO2_G_PER_KM} / 1000000, 3) AS co2_avoided_kg
  FROM days LEFT JOIN per_day p ON p.day = days.day
 ORDER BY days.day`;

export const HOURLY_COLUMNS = [
  'date',
  'hour',
  'station_id',
  'station_code',
  'station_name',
  'departures',
  'arrivals',
  'net_flow',
] as const;

/** Departures and arrivals per station per local hour (only hours with a movement). */
export const HOURLY_SQL = `
WITH t AS (${TRIP_BASE}),
moves AS (
  SELECT t.local_start AS at, t.from_station_id AS station_id, 1 AS departures, 0 AS arrivals FROM t
  UNION ALL
  SELECT t.local_end, t.to_station_id, 0, 1 FROM t WHERE t.to_station_id IS NOT NULL)
SELECT ${localDate('m.at')} AS date, extract(hour FROM m.at)::integer AS hour,
       s.id AS station_id, s.code AS station_code, s.name AS station_name,
       sum(m.departures)::integer AS departures, sum(m.arrivals)::integer AS arrivals,
       (sum(m.arrivals) - sum(m.departures))::integer AS net_flow
  FROM moves m JOIN stations s ON s.id = m.station_id
 GROUP BY 1, 2, s.id, s.code, s.name
 ORDER BY 1, 2, s.code`;

export const OD_COLUMNS = [
  'from_station_id',
  'from_station_code',
  'from_station_name',
  'to_station_id',
  'to_station_code',
  'to_station_name',
  'trips',
  'suppressed',
  'median_duration_s',
  'distance_m',
] as const;

/** Origin–destination pairs with at least one trip; counts under k are suppressed (left empty). */
export const OD_SQL = `
WITH t AS (${TRIP_BASE}),
od AS (
  SELECT t.from_station_id, t.to_station_id, count(*) AS trips,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY t.duration_s) AS median_duration
    FROM t WHERE t.to_station_id IS NOT NULL GROUP BY 1, 2)
SELECT fs.id AS from_station_id, fs.code AS from_station_code, fs.name AS from_station_name,
       ts.id AS to_station_id, ts.code AS to_station_code, ts.name AS to_station_name,
       CASE WHEN od.trips >= ${SUPPRESSION_K} THEN od.trips END AS trips,
       ${bool(`od.trips < ${SUPPRESSION_K}`)} AS suppressed,
       CASE WHEN od.trips >= ${SUPPRESSION_K} THEN round(od.median_duration::numeric)::integer END AS median_duration_s,
       ${haversineSql('fs.lat', 'fs.lon', 'ts.lat', 'ts.lon')} AS distance_m
  FROM od
  JOIN stations fs ON fs.id = od.from_station_id
  JOIN stations ts ON ts.id = od.to_station_id
 ORDER BY fs.code, ts.code`;

/** Public stations (never depots) as one GeoJSON FeatureCollection, with departures and arrivals. */
export const STATIONS_GEOJSON_SQL = `
WITH t AS (${TRIP_BASE}),
dep AS (SELECT from_station_id AS id, count(*) AS n FROM t GROUP BY 1),
arr AS (SELECT to_station_id AS id, count(*) AS n FROM t WHERE to_station_id IS NOT NULL GROUP BY 1)
SELECT count(*)::integer AS features,
       json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
         'type', 'Feature',
         'id', s.id,
         'geometry', json_build_object('type', 'Point', 'coordinates', json_build_array(s.lon, s.lat)),
         'properties', json_build_object(
           'station_id', s.id, 'code', s.code, 'name', s.name, 'capacity', s.capacity,
           'near_metrolinea', s.near_metrolinea, 'active', s.active,
           'departures', coalesce(dep.n, 0), 'arrivals', coalesce(arr.n, 0))) ORDER BY s.code), '[]'::json))::text AS doc
  FROM stations s
  LEFT JOIN dep ON dep.id = s.id
  LEFT JOIN arr ON arr.id = s.id
 WHERE s.kind = 'station'`;

export const AGE_BAND_NAMES = [...AGE_BANDS.map((b) => b.band), 'unknown'];
