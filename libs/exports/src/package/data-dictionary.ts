import { AGE_BAND_NAMES, DAILY_COLUMNS, HOURLY_COLUMNS, OD_COLUMNS, TRIP_COLUMNS } from '../export-queries';
import { EARTH_RADIUS_M, RIDER_KEY_LENGTH, SUPPRESSION_K } from '../trip-fields';

export interface DictionaryInput {
  from: string;
  to: string;
  generatedAt: string;
  co2GramsPerKm: number;
  kind: string;
}

type Described<C extends readonly string[]> = Record<C[number], string>;

const TRIP_DOC: Described<typeof TRIP_COLUMNS> = {
  ride_id: 'Identifier of the trip segment (UUID).',
  started_at: 'Check-out time, ISO 8601 with the Bogotá offset (-05:00).',
  ended_at: 'Return (or renewal) time, ISO 8601 with the Bogotá offset (-05:00).',
  start_station_id: 'Station of check-out; the same id as in the API and in GBFS `station_id`.',
  start_station_name: 'Name of the start station.',
  start_lat: 'Latitude of the start station, WGS 84 decimal degrees.',
  start_lng: 'Longitude of the start station, WGS 84 decimal degrees.',
  end_station_id: 'Station of return or renewal (same ids as the API); empty if the bike never came back.',
  end_station_name: 'Name of the end station.',
  end_lat: 'Latitude of the end station, WGS 84 decimal degrees.',
  end_lng: 'Longitude of the end station, WGS 84 decimal degrees.',
  duration_s: 'ended_at − started_at, whole seconds.',
  bike_id: 'Bike code as painted on the frame (e.g. BAV-001).',
  donor: "Code of the bike's donor (bavaria, mintransporte, uis, …).",
  journey_id:
    'Trip segments of one journey share it: the hourly rule closes a trip at a station and opens the next one (renewal).',
  rider_key: `Keyed pseudonym of the rider: HMAC-SHA256 of the rider id with a secret kept by the city, first ${RIDER_KEY_LENGTH} hex characters. Stable across packages while the key is unchanged; not reversible without the key.`,
  gender: 'As declared by the rider: female, male, other, undisclosed.',
  age_band: `Age at the start of the trip, in bands: ${AGE_BAND_NAMES.join(', ')}.`,
  helmet: 'true when a helmet was lent with the bike.',
  distance_m:
    'Straight-line (great-circle) distance between start and end stations, metres; 0 for a round trip; not the route ridden.',
  synthetic: 'true for generated demo trips (never real data).',
};

const DAILY_DOC: Described<typeof DAILY_COLUMNS> = {
  date: 'Local day (America/Bogota), YYYY-MM-DD; every day of the range has a row.',
  trips: 'Trips started that day (renewal segments count as trips).',
  journeys: 'Distinct journeys (a journey is one or more renewed segments).',
  riders: 'Distinct riders.',
  bikes_used: 'Distinct bikes used.',
  trips_per_bike_used: 'trips ÷ bikes_used (empty with no trips).',
  average_duration_s: 'Mean trip duration, seconds.',
  median_duration_s: 'Median trip duration, seconds (interpolated).',
  helmet_trips: 'Trips with a helmet.',
  overdue_trips: 'Trips that ended after their due time (hourly rule).',
  trips_by_women: 'Trips by riders who declared gender female.',
  distance_km: 'Sum of distance_m ÷ 1000 (straight line between stations).',
  co2_avoided_kg: 'distance_km × the CO2 factor below ÷ 1000.',
};

const HOURLY_DOC: Described<typeof HOURLY_COLUMNS> = {
  date: 'Local day, YYYY-MM-DD.',
  hour: 'Local hour 0–23 (06 means 06:00–06:59 Bogotá time).',
  station_id: 'Station (same ids as the API).',
  station_code: 'Short station code.',
  station_name: 'Station name.',
  departures: 'Trips of the range that started here in that hour.',
  arrivals: 'Trips of the range that ended here in that hour.',
  net_flow: 'arrivals − departures (positive: the station filled up).',
};

const OD_DOC: Described<typeof OD_COLUMNS> = {
  from_station_id: 'Origin station (same ids as the API).',
  from_station_code: 'Origin station code.',
  from_station_name: 'Origin station name.',
  to_station_id: 'Destination station.',
  to_station_code: 'Destination station code.',
  to_station_name: 'Destination station name.',
  trips: `Trips from origin to destination in the range; EMPTY when fewer than ${SUPPRESSION_K} (suppressed).`,
  suppressed: `true when the cell had 1–${SUPPRESSION_K - 1} trips and its count and duration were removed.`,
  median_duration_s: 'Median duration of those trips, seconds; empty when suppressed.',
  distance_m: 'Straight-line distance between the two stations, metres.',
};

function table(doc: Record<string, string>): string {
  return [
    '| column | meaning |',
    '| --- | --- |',
    ...Object.entries(doc).map(([c, m]) => `| \`${c}\` | ${m.replace(/\|/g, '\\|')} |`),
  ].join('\n');
}

/** `data_dictionary.md`: every column of every file, units, time zone, and how estimates are made. */
export function dataDictionary(input: DictionaryInput): string {
  return `# Metrobici data package — data dictionary

Public-bike pilot of Bucaramanga (Colombia). Package kind: ${input.kind}. Range: ${input.from} to ${input.to}
(local days, inclusive). Generated at ${input.generatedAt}.

## Conventions

- **Time zone**: America/Bogota (UTC−05:00, no daylight saving). Every date, day and hour is local
  time; timestamps are ISO 8601 with the offset (e.g. \`2019-10-03T06:15:00-05:00\`).
- **Trip**: one loan segment that was closed at a station (returned, renewed or force-returned by an
  operator). Check-outs reverted by an operator are not trips. A trip belongs to the local day and
  hour when it started.
- **Encoding**: UTF-8 CSV (RFC 4180 quoting), comma separator, header on the first line; empty
  field = no value. GeoJSON coordinates are [longitude, latitude], WGS 84.
- **Privacy**: no names, identity documents, phone numbers, e-mail addresses or birth dates. Riders
  appear only as \`rider_key\`, a keyed pseudonym (HMAC-SHA256 with a secret kept by the city,
  ${RIDER_KEY_LENGTH} hex characters); ages only as bands (${AGE_BAND_NAMES.join(', ')}).
- **Suppression (k = ${SUPPRESSION_K})**: in \`od.csv\`, origin–destination cells with fewer than
  ${SUPPRESSION_K} trips have their count and duration left empty (\`suppressed = true\`), as the MDS
  monthly reports do. \`trips.csv\` is trip-level, pseudonymised data for the technical advisers
  under the data-sharing agreement; publish \`od.csv\`, \`daily.csv\` and \`hourly.csv\` rather than
  \`trips.csv\` where small counts matter.
- **Distance**: straight line (great circle, haversine formula, Earth radius ${EARTH_RADIUS_M} m)
  between the start and end stations, rounded to whole metres. It underestimates the distance
  ridden, and a round trip to the same station counts 0 m.
- **CO2 avoided**: distance × ${input.co2GramsPerKm} g CO2 per km (configuration \`CO2_GRAMS_PER_KM\`):
  an assumption about the trips replaced, to be set by the advisers, not a measurement.
- **Synthetic data**: rows marked \`synthetic = true\` were generated for demonstrations.

## Files

- \`trips.csv\` — one row per trip.
- \`stations.geojson\` — public stations (depots are never included) with departures and arrivals in
  the range; properties: station_id, code, name, capacity, near_metrolinea (beside a Metrolínea BRT
  stop), active, departures, arrivals.
- \`daily.csv\` — one row per local day.
- \`hourly.csv\` — departures and arrivals per station per local hour (hours without movement omitted).
- \`od.csv\` — origin–destination matrix (pairs with at least one trip).
- \`manifest.json\` — generatedAt, from, to and, per file, its rows (CSV data rows without the
  header; GeoJSON features; lines of this dictionary) and SHA-256 checksum.

## trips.csv

${table(TRIP_DOC)}

## daily.csv

${table(DAILY_DOC)}

## hourly.csv

${table(HOURLY_DOC)}

## od.csv

${table(OD_DOC)}
`;
}
