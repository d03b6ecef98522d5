import { tripSql } from '@metrobici/loans';
import { AGE_BANDS, SETTING, ageBandSql, bogotaIsoSql, haversineSql, riderKeySql, SUPPRESSION_K } from './trip-fields';

/**
 * SQL of every file the exports write, straight from the raw tables (loans, stations, bikes,
 * donors, riders, and trip_facts for the age band of anonymised riders). Parameters come from the
 * transaction's settings (`withExportSession`), because `COPY (query) TO STDOUT` takes no bind
 * parameters. A trip is what `@metrobici/loans` `tripSql` says (renewals are separate segments
 * sharing a journey), counted on the local day it started. Synthetic demo trips are left out
 * unless the session says otherwise (never in research packages).
 */

const FROM_TS = `current_setting('${SETTING.from}')::timestamptz`;
const TO_TS = `current_setting('${SETTING.to}')::timestamptz`;
const FROM_DATE = `current_setting('${SETTING.fromDate}')::date`;
const TO_DATE = `current_setting('${SETTING.toDate}')::date`;
const CO2_G_PER_KM = `current_setting('${SETTING.co2}')::numeric`;
const WITH_SYNTHETIC = `current_setting('${SETTING.synthetic}') = 'true'`;

const IN_RANGE = `${tripSql('l')} AND l.started_at >= ${FROM_TS} AND l.started_at < ${TO_TS}
   AND (${WITH_SYNTHETIC} OR NOT l.synthetic)`;
const bool = (expr: string) => `CASE WHEN ${expr} THEN 'true' ELSE 'false' END`;
const localDate = (expr: string) => `to_char(${expr}, 'YYYY-MM-DD')`;
/** Times leave to the minute only (seconds would help single a trip out). */
const minuteIso = (expr: string) => bogotaIsoSql(`date_trunc('minute', ${expr})`);
/** A per-file pseudonym of an internal id (HMAC with the session's random salt): links rows in one file only. */
const keyed = (expr: string) => riderKeySql(expr);

/** Marker of a suppressed cell: a count (or a figure over a group) of fewer than k trips. */
export const SUPPRESSED = `<${SUPPRESSION_K}`;
/** A count cell: the count when ≥ k, the marker otherwise (0 too: every cell under k is marked). */
const count = (expr: string) => `CASE WHEN (${expr}) >= ${SUPPRESSION_K} THEN (${expr})::text ELSE '${SUPPRESSED}' END`;
/** A figure over a group of `trips` trips: published only when the group has ≥ k trips. */
const over = (trips: string, expr: string) =>
  `CASE WHEN (${trips}) >= ${SUPPRESSION_K} THEN (${expr})::text ELSE '${SUPPRESSED}' END`;

const STATION_COLUMNS = (prefix: 'start' | 'end', s: string) =>
  `${s}.id AS ${prefix}_station_id, ${s}.name AS ${prefix}_station_name, ${s}.lat AS ${prefix}_lat, ${s}.lon AS ${prefix}_lng`;

/** Where and when, first in both trip layouts (the common public trip-history columns). */
const TRIP_PLACE_AND_TIME_COLUMNS = [
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
] as const;

/**
 * Columns of the planners' trips.csv (`GET /exports/trips.csv`): the common public trip-history
 * layout and the Metrobici trip columns, with no rider attribute at all; `ride_id` is random per
 * download and `journey_id` a per-download pseudonym, so no row leads back to a loan.
 */
export const TRIP_COLUMNS = [
  ...TRIP_PLACE_AND_TIME_COLUMNS,
  'bike_id',
  'donor',
  'journey_id',
  'helmet',
  'distance_m',
  'synthetic',
] as const;

/** One row per trip, ordered by start. Streams through an index scan on loans.started_at. */
export const TRIPS_SQL = `
SELECT gen_random_uuid() AS ride_id,
       ${minuteIso('l.started_at')} AS started_at,
       ${minuteIso('l.ended_at')} AS ended_at,
       ${STATION_COLUMNS('start', 'fs')},
       ${STATION_COLUMNS('end', 'ts')},
       round(extract(epoch FROM l.ended_at - l.started_at))::integer AS duration_s,
       b.code AS bike_id,
       d.code AS donor,
       ${keyed('l.journey_id')} AS journey_id,
       ${bool('l.helmet')} AS helmet,
       CASE WHEN ts.id IS NULL THEN NULL ELSE ${haversineSql('fs.lat', 'fs.lon', 'ts.lat', 'ts.lon')} END AS distance_m,
       ${bool('l.synthetic')} AS synthetic
  FROM loans l
  JOIN stations fs ON fs.id = l.from_station_id
  LEFT JOIN stations ts ON ts.id = l.to_station_id
  JOIN bikes b ON b.id = l.bike_id
  JOIN donors d ON d.id = b.donor_id
 WHERE ${IN_RANGE}
 ORDER BY l.started_at, l.id`;

export const TRIPS_COUNT_SQL = `SELECT count(*)::integer AS n FROM loans l WHERE ${IN_RANGE}`;

/**
 * Columns of the research package's trips.csv: no loan id (random `ride_id`), no bike code (with
 * the minute it would single out the loan in the operations system), a rider key and journey id
 * keyed per package, age as a band.
 */
export const RESEARCH_TRIP_COLUMNS = [
  ...TRIP_PLACE_AND_TIME_COLUMNS,
  'donor',
  'journey_id',
  'rider_key',
  'gender',
  'age_band',
  'helmet',
  'distance_m',
] as const;

const AGE_AT_START = `extract(year FROM age((l.started_at AT TIME ZONE 'America/Bogota')::date, r.birth_date))::integer`;
/** The trip's age band: its trip fact's (kept after an anonymisation), else from the birth date. */
const AGE_BAND = `coalesce(tf.age_band, ${ageBandSql(AGE_AT_START)})`;

/**
 * `research` consent held when the trip started (the latest consent row before it) and still holds
 * now (a withdrawal removes the rider from every later package). Anonymised riders are never in.
 */
const RESEARCH_CONSENT = `
  r.anonymised_at IS NULL AND NOT r.synthetic
  AND coalesce((SELECT c.purposes ? 'research' FROM rider_consents c
                 WHERE c.rider_id = r.id AND c.recorded_at <= l.started_at
                 ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1), false)
  AND coalesce((SELECT c.purposes ? 'research' FROM rider_consents c
                 WHERE c.rider_id = r.id ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1), false)`;

const RESEARCH_WHERE = `${tripSql('l')} AND l.started_at >= ${FROM_TS} AND l.started_at < ${TO_TS}
   AND NOT l.synthetic AND ${RESEARCH_CONSENT}`;

/** Trip rows of consenting riders, ordered by start (random ids: the order is the only link to time). */
export const RESEARCH_TRIPS_SQL = `
SELECT gen_random_uuid() AS ride_id,
       ${minuteIso('l.started_at')} AS started_at,
       ${minuteIso('l.ended_at')} AS ended_at,
       ${STATION_COLUMNS('start', 'fs')},
       ${STATION_COLUMNS('end', 'ts')},
       round(extract(epoch FROM l.ended_at - l.started_at))::integer AS duration_s,
       d.code AS donor,
       ${keyed('l.journey_id')} AS journey_id,
       ${riderKeySql('l.rider_id')} AS rider_key,
       r.gender,
       ${AGE_BAND} AS age_band,
       ${bool('l.helmet')} AS helmet,
       CASE WHEN ts.id IS NULL THEN NULL ELSE ${haversineSql('fs.lat', 'fs.lon', 'ts.lat', 'ts.lon')} END AS distance_m
  FROM loans l
  JOIN stations fs ON fs.id = l.from_station_id
  LEFT JOIN stations ts ON ts.id = l.to_station_id
  JOIN bikes b ON b.id = l.bike_id
  JOIN donors d ON d.id = b.donor_id
  JOIN riders r ON r.id = l.rider_id
  LEFT JOIN trip_facts tf ON tf.loan_id = l.id
 WHERE ${RESEARCH_WHERE}
 ORDER BY l.started_at, l.id`;

export const RESEARCH_TRIPS_COUNT_SQL = `SELECT count(*)::integer AS n FROM loans l JOIN riders r ON r.id = l.rider_id WHERE ${RESEARCH_WHERE}`;

/** The trips of the range with the derived fields the aggregate files need. */
const TRIP_BASE = `
  SELECT l.id, l.journey_id, l.rider_id, l.bike_id, b.donor_id, l.from_station_id, l.to_station_id, l.helmet, l.overdue,
         l.started_at AT TIME ZONE 'America/Bogota' AS local_start,
         l.ended_at AT TIME ZONE 'America/Bogota' AS local_end,
         extract(epoch FROM l.ended_at - l.started_at)::double precision AS duration_s,
         CASE WHEN ts.id IS NULL THEN NULL ELSE ${haversineSql('fs.lat', 'fs.lon', 'ts.lat', 'ts.lon')} END AS distance_m,
         r.gender, ${AGE_BAND} AS age_band
    FROM loans l
    JOIN stations fs ON fs.id = l.from_station_id
    LEFT JOIN stations ts ON ts.id = l.to_station_id
    JOIN bikes b ON b.id = l.bike_id
    JOIN riders r ON r.id = l.rider_id
    LEFT JOIN trip_facts tf ON tf.loan_id = l.id
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
    FROM t GROUP BY 1),
p AS (
  SELECT days.day, coalesce(d.trips, 0) AS n, d.trips, d.journeys, d.riders, d.bikes_used, d.avg_duration,
         d.median_duration, d.helmet_trips, d.overdue_trips, d.trips_by_women, d.distance_m
    FROM days LEFT JOIN per_day d ON d.day = days.day)
SELECT ${localDate('p.day')} AS date,
       ${count('p.n')} AS trips,
       ${count('coalesce(p.journeys, 0)')} AS journeys,
       ${count('coalesce(p.riders, 0)')} AS riders,
       ${count('coalesce(p.bikes_used, 0)')} AS bikes_used,
       ${over('p.n', 'round(p.trips::numeric / p.bikes_used, 2)')} AS trips_per_bike_used,
       ${over('p.n', 'round(p.avg_duration::numeric)::integer')} AS average_duration_s,
       ${over('p.n', 'round(p.median_duration::numeric)::integer')} AS median_duration_s,
       ${count('coalesce(p.helmet_trips, 0)')} AS helmet_trips,
       ${count('coalesce(p.overdue_trips, 0)')} AS overdue_trips,
       ${count('coalesce(p.trips_by_women, 0)')} AS trips_by_women,
       ${over('p.n', 'round(p.distance_m::numeric / 1000, 3)')} AS distance_km,
       ${over('p.n', `round(p.distance_m::numeric * ${CO2_G_PER_KM} / 1000000, 3)`)} AS co2_avoided_kg
  FROM p
 ORDER BY p.day`;

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
  SELECT t.local_end, t.to_station_id, 0, 1 FROM t WHERE t.to_station_id IS NOT NULL),
h AS (
  SELECT ${localDate('m.at')} AS date, extract(hour FROM m.at)::integer AS hour, m.station_id,
         sum(m.departures)::integer AS departures, sum(m.arrivals)::integer AS arrivals
    FROM moves m GROUP BY 1, 2, 3)
SELECT h.date, h.hour, s.id AS station_id, s.code AS station_code, s.name AS station_name,
       ${count('h.departures')} AS departures, ${count('h.arrivals')} AS arrivals,
       ${over('least(h.departures, h.arrivals)', 'h.arrivals - h.departures')} AS net_flow
  FROM h JOIN stations s ON s.id = h.station_id
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

/** Origin–destination pairs with at least one trip; counts under k are suppressed (marked). */
export const OD_SQL = `
WITH t AS (${TRIP_BASE}),
od AS (
  SELECT t.from_station_id, t.to_station_id, count(*) AS trips,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY t.duration_s) AS median_duration
    FROM t WHERE t.to_station_id IS NOT NULL GROUP BY 1, 2)
SELECT fs.id AS from_station_id, fs.code AS from_station_code, fs.name AS from_station_name,
       ts.id AS to_station_id, ts.code AS to_station_code, ts.name AS to_station_name,
       ${count('od.trips')} AS trips,
       ${bool(`od.trips < ${SUPPRESSION_K}`)} AS suppressed,
       ${over('od.trips', 'round(od.median_duration::numeric)::integer')} AS median_duration_s,
       ${haversineSql('fs.lat', 'fs.lon', 'ts.lat', 'ts.lon')} AS distance_m
  FROM od
  JOIN stations fs ON fs.id = od.from_station_id
  JOIN stations ts ON ts.id = od.to_station_id
 ORDER BY fs.code, ts.code`;

export const DONOR_COLUMNS = ['donor', 'donor_name', 'bikes', 'bikes_used', 'trips', 'distance_km'] as const;

/** Usage by donor: bikes donated (fleet, not people), bikes used and trips (suppressed under k). */
export const DONORS_SQL = `
WITH t AS (${TRIP_BASE}),
u AS (SELECT t.donor_id, count(*) AS trips, count(DISTINCT t.bike_id) AS bikes_used, coalesce(sum(t.distance_m), 0) AS distance_m
        FROM t GROUP BY 1),
f AS (SELECT donor_id, count(*) AS bikes FROM bikes GROUP BY 1)
SELECT d.code AS donor, d.name AS donor_name, coalesce(f.bikes, 0) AS bikes,
       ${count('coalesce(u.bikes_used, 0)')} AS bikes_used, ${count('coalesce(u.trips, 0)')} AS trips,
       ${over('coalesce(u.trips, 0)', 'round(u.distance_m::numeric / 1000, 3)')} AS distance_km
  FROM donors d LEFT JOIN u ON u.donor_id = d.id LEFT JOIN f ON f.donor_id = d.id
 ORDER BY d.code`;

export const GENDER_COLUMNS = ['gender', 'trips', 'riders'] as const;

/** Trips and riders by declared gender (every gender listed; cells under k marked). */
export const GENDER_SQL = `
WITH t AS (${TRIP_BASE}),
g AS (SELECT t.gender, count(*) AS trips, count(DISTINCT t.rider_id) AS riders FROM t GROUP BY 1)
SELECT v.gender, ${count('coalesce(g.trips, 0)')} AS trips, ${count('coalesce(g.riders, 0)')} AS riders
  FROM (VALUES ('female'), ('male'), ('other'), ('undisclosed')) AS v(gender)
  LEFT JOIN g ON g.gender = v.gender
 ORDER BY v.gender`;

export const AGE_BAND_COLUMNS = ['age_band', 'trips', 'riders'] as const;

export const AGE_BAND_NAMES = [...AGE_BANDS.map((b) => b.band), 'unknown'];

/** Trips and riders by age band at the start of the trip (every band listed; cells under k marked). */
export const AGE_BANDS_SQL = `
WITH t AS (${TRIP_BASE}),
a AS (SELECT t.age_band, count(*) AS trips, count(DISTINCT t.rider_id) AS riders FROM t GROUP BY 1)
SELECT v.age_band, ${count('coalesce(a.trips, 0)')} AS trips, ${count('coalesce(a.riders, 0)')} AS riders
  FROM unnest(ARRAY[${AGE_BAND_NAMES.map((b) => `'${b}'`).join(', ')}]) WITH ORDINALITY AS v(age_band, n)
  LEFT JOIN a ON a.age_band = v.age_band
 ORDER BY v.n`;

/**
 * Public stations (never depots) as one GeoJSON FeatureCollection, with departures and arrivals of
 * the range (under k: the marker string instead of a number).
 */
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
           'departures', CASE WHEN coalesce(dep.n, 0) >= ${SUPPRESSION_K} THEN to_json(dep.n) ELSE to_json('${SUPPRESSED}'::text) END,
           'arrivals', CASE WHEN coalesce(arr.n, 0) >= ${SUPPRESSION_K} THEN to_json(arr.n) ELSE to_json('${SUPPRESSED}'::text) END))
         ORDER BY s.code), '[]'::json))::text AS doc
  FROM stations s
  LEFT JOIN dep ON dep.id = s.id
  LEFT JOIN arr ON arr.id = s.id
 WHERE s.kind = 'station'`;

/** The cells of each public file that count trips, riders or bikes used (all ≥ k or marked). */
export const COUNT_COLUMNS: Record<string, readonly string[]> = {
  'daily.csv': ['trips', 'journeys', 'riders', 'bikes_used', 'helmet_trips', 'overdue_trips', 'trips_by_women'],
  'hourly.csv': ['departures', 'arrivals'],
  'od.csv': ['trips'],
  'donors.csv': ['bikes_used', 'trips'],
  'gender.csv': ['trips', 'riders'],
  'age_bands.csv': ['trips', 'riders'],
  'stations.geojson': ['departures', 'arrivals'],
};
