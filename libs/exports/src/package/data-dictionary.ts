import type { PackageKind } from '../export.entity';
import {
  AGE_BAND_COLUMNS,
  AGE_BAND_NAMES,
  DAILY_COLUMNS,
  DONOR_COLUMNS,
  GENDER_COLUMNS,
  HOURLY_COLUMNS,
  OD_COLUMNS,
  RESEARCH_TRIP_COLUMNS,
  SUPPRESSED,
  TRIP_COLUMNS,
} from '../export-queries';
import { EARTH_RADIUS_M, RIDER_KEY_LENGTH, SUPPRESSION_K } from '../trip-fields';

export interface DictionaryInput {
  from: string;
  to: string;
  generatedAt: string;
  co2GramsPerKm: number;
  kind: string;
  /** What the package holds (default public). */
  packageKind?: PackageKind;
  includesSynthetic?: boolean;
}

type Described<C extends readonly string[]> = Record<C[number], string>;

const SUPPRESSED_NOTE = `\`${SUPPRESSED}\` when fewer than ${SUPPRESSION_K} (suppressed)`;

const COMMON_TRIP_DOC = {
  ride_id: 'Random identifier of the row, new in every file: it leads to no loan in the operations system.',
  started_at: 'Check-out time to the minute, ISO 8601 with the Bogotá offset (-05:00).',
  ended_at: 'Return (or renewal) time to the minute, ISO 8601 with the Bogotá offset (-05:00).',
  start_station_id: 'Station of check-out; the same id as in the API and in GBFS `station_id`.',
  start_station_name: 'Name of the start station.',
  start_lat: 'Latitude of the start station, WGS 84 decimal degrees.',
  start_lng: 'Longitude of the start station, WGS 84 decimal degrees.',
  end_station_id: 'Station of return or renewal (same ids as the API); empty if the bike never came back.',
  end_station_name: 'Name of the end station.',
  end_lat: 'Latitude of the end station, WGS 84 decimal degrees.',
  end_lng: 'Longitude of the end station, WGS 84 decimal degrees.',
  duration_s: 'Duration of the loan segment, whole seconds.',
  donor: "Code of the bike's donor (bavaria, mintransporte, uis, …).",
  journey_id:
    'Trip segments of one journey share it (the hourly rule closes a trip at a station and opens the next one): a pseudonym keyed for this file only.',
  helmet: 'true when a helmet was lent with the bike.',
  distance_m:
    'Straight-line (great-circle) distance between start and end stations, metres; 0 for a round trip; not the route ridden.',
};

const TRIP_DOC: Described<typeof TRIP_COLUMNS> = {
  ...COMMON_TRIP_DOC,
  bike_id: 'Bike code as painted on the frame (e.g. BAV-001).',
  synthetic: 'true for generated demo trips (only when asked for with synthetic=include; never real data).',
};

const RESEARCH_TRIP_DOC: Described<typeof RESEARCH_TRIP_COLUMNS> = {
  ...COMMON_TRIP_DOC,
  rider_key: `Pseudonym of the rider for this package only: HMAC-SHA256 of the rider id with a random key made for this package and never stored, first ${RIDER_KEY_LENGTH} hex characters. Two packages cannot be joined on it, and nobody (the city included) can turn it back into a rider.`,
  gender: 'As declared by the rider: female, male, other, undisclosed.',
  age_band: `Age at the start of the trip, in bands: ${AGE_BAND_NAMES.join(', ')}.`,
  helmet: COMMON_TRIP_DOC.helmet,
};

const DAILY_DOC: Described<typeof DAILY_COLUMNS> = {
  date: 'Local day (America/Bogota), YYYY-MM-DD; every day of the range has a row.',
  trips: `Trips started that day (renewal segments count as trips); ${SUPPRESSED_NOTE}.`,
  journeys: `Distinct journeys (one or more renewed segments); ${SUPPRESSED_NOTE}.`,
  riders: `Distinct riders; ${SUPPRESSED_NOTE}.`,
  bikes_used: `Distinct bikes used; ${SUPPRESSED_NOTE}.`,
  trips_per_bike_used: `trips ÷ bikes_used; \`${SUPPRESSED}\` on a day of fewer than ${SUPPRESSION_K} trips.`,
  average_duration_s: `Mean trip duration, seconds; \`${SUPPRESSED}\` on a day of fewer than ${SUPPRESSION_K} trips.`,
  median_duration_s: `Median trip duration, seconds (interpolated); \`${SUPPRESSED}\` likewise.`,
  helmet_trips: `Trips with a helmet; ${SUPPRESSED_NOTE}.`,
  overdue_trips: `Trips that ended after their due time (hourly rule); ${SUPPRESSED_NOTE}.`,
  trips_by_women: `Trips by riders who declared gender female; ${SUPPRESSED_NOTE}.`,
  distance_km: `Sum of distance_m ÷ 1000 (straight line between stations); \`${SUPPRESSED}\` likewise.`,
  co2_avoided_kg: `distance_km × the CO2 factor below ÷ 1000; \`${SUPPRESSED}\` likewise.`,
};

const HOURLY_DOC: Described<typeof HOURLY_COLUMNS> = {
  date: 'Local day, YYYY-MM-DD.',
  hour: 'Local hour 0–23 (06 means 06:00–06:59 Bogotá time).',
  station_id: 'Station (same ids as the API).',
  station_code: 'Short station code.',
  station_name: 'Station name.',
  departures: `Trips of the range that started here in that hour; ${SUPPRESSED_NOTE}.`,
  arrivals: `Trips of the range that ended here in that hour; ${SUPPRESSED_NOTE}.`,
  net_flow: `arrivals − departures (positive: the station filled up); \`${SUPPRESSED}\` when either is suppressed.`,
};

const OD_DOC: Described<typeof OD_COLUMNS> = {
  from_station_id: 'Origin station (same ids as the API).',
  from_station_code: 'Origin station code.',
  from_station_name: 'Origin station name.',
  to_station_id: 'Destination station.',
  to_station_code: 'Destination station code.',
  to_station_name: 'Destination station name.',
  trips: `Trips from origin to destination in the range; ${SUPPRESSED_NOTE}.`,
  suppressed: `true when the cell had 1–${SUPPRESSION_K - 1} trips and its count and duration were replaced by \`${SUPPRESSED}\`.`,
  median_duration_s: `Median duration of those trips, seconds; \`${SUPPRESSED}\` when suppressed.`,
  distance_m: 'Straight-line distance between the two stations, metres.',
};

const DONOR_DOC: Described<typeof DONOR_COLUMNS> = {
  donor: 'Donor code (bavaria, mintransporte, uis, …).',
  donor_name: 'Donor name.',
  bikes: 'Bikes the donor gave (fleet, not people: never suppressed).',
  bikes_used: `Distinct bikes of the donor used in the range; ${SUPPRESSED_NOTE}.`,
  trips: `Trips on the donor's bikes; ${SUPPRESSED_NOTE}.`,
  distance_km: `Straight-line kilometres of those trips; \`${SUPPRESSED}\` under ${SUPPRESSION_K} trips.`,
};

const GENDER_DOC: Described<typeof GENDER_COLUMNS> = {
  gender: 'As declared by the rider: female, male, other, undisclosed (every value has a row).',
  trips: `Trips; ${SUPPRESSED_NOTE}.`,
  riders: `Distinct riders; ${SUPPRESSED_NOTE}.`,
};

const AGE_BAND_DOC: Described<typeof AGE_BAND_COLUMNS> = {
  age_band: `Age at the start of the trip: ${AGE_BAND_NAMES.join(', ')} (every band has a row).`,
  trips: `Trips; ${SUPPRESSED_NOTE}.`,
  riders: `Distinct riders; ${SUPPRESSED_NOTE}.`,
};

function table(doc: Record<string, string>): string {
  return [
    '| column | meaning |',
    '| --- | --- |',
    ...Object.entries(doc).map(([c, m]) => `| \`${c}\` | ${m.replace(/\|/g, '\\|')} |`),
  ].join('\n');
}

const WHAT: Record<PackageKind, string> = {
  public: `**public** (open data): aggregates only — no trip rows, no rider rows. Every count of trips,
riders or bikes used under ${SUPPRESSION_K} (0 included) is replaced by \`${SUPPRESSED}\`, and so is every
figure computed over fewer than ${SUPPRESSION_K} trips. Files: stations.geojson, daily.csv, hourly.csv, od.csv,
donors.csv, gender.csv, age_bands.csv, this dictionary and manifest.json.`,
  research: `**research** (for the technical advisers, under the data-sharing agreement named in
manifest.json, approved by a Metrobici administrator): trips.csv holds one row per trip of the riders
whose \`research\` consent held when the trip started and still held when the package was built
(minors: with their guardian's consent too). No synthetic trips, no loan ids, no bike codes; ride_id
random, rider_key and journey_id keyed for this package only; times to the minute; age as a band.
Files: trips.csv, stations.geojson, this dictionary and manifest.json.`,
};

/** `data_dictionary.md`: what the package holds, every column of every file, units, time zone, estimates. */
export function dataDictionary(input: DictionaryInput): string {
  const packageKind = input.packageKind ?? 'public';
  return `# Metrobici data package — data dictionary

Public-bike pilot of Bucaramanga (Colombia). Package kind: ${input.kind}, ${packageKind}. Range: ${input.from} to ${input.to}
(local days, inclusive). Generated at ${input.generatedAt}.

## What this package holds

${WHAT[packageKind]}

## Conventions

- **Time zone**: America/Bogota (UTC−05:00, no daylight saving). Every date, day and hour is local
  time; timestamps are ISO 8601 with the offset (e.g. \`2019-10-03T06:15:00-05:00\`).
- **Trip**: one loan segment that was closed at a station (returned, renewed or force-returned by an
  operator). Check-outs reverted by an operator are not trips. A trip belongs to the local day and
  hour when it started.
- **Encoding**: UTF-8 CSV (RFC 4180 quoting), comma separator, header on the first line; empty
  field = no value. GeoJSON coordinates are [longitude, latitude], WGS 84.
- **Privacy**: no names, identity documents, phone numbers, e-mail addresses or birth dates, and no
  internal ids (loan ids) that staff could look up. In research packages riders appear only as
  \`rider_key\`, a pseudonym keyed for that package alone (${RIDER_KEY_LENGTH} hex characters); ages
  only as bands (${AGE_BAND_NAMES.join(', ')}).
- **Suppression (k = ${SUPPRESSION_K})**: in public files every cell counting fewer than ${SUPPRESSION_K}
  trips, riders or bikes used holds \`${SUPPRESSED}\` (marked, never 0), as the MDS monthly reports do;
  figures over such a group (durations, distances) are marked the same way.
- **Distance**: straight line (great circle, haversine formula, Earth radius ${EARTH_RADIUS_M} m)
  between the start and end stations, rounded to whole metres. It underestimates the distance
  ridden, and a round trip to the same station counts 0 m.
- **CO2 avoided**: distance × ${input.co2GramsPerKm} g CO2 per km (configuration \`CO2_GRAMS_PER_KM\`):
  an assumption about the trips replaced, to be set by the advisers, not a measurement.
- **Synthetic data**: ${input.includesSynthetic ? 'this package INCLUDES generated demo trips (asked for explicitly): not real data.' : 'generated demo trips are not included.'}

## Files

- \`stations.geojson\` — public stations (depots are never included) with departures and arrivals in
  the range (\`${SUPPRESSED}\` under ${SUPPRESSION_K}); properties: station_id, code, name, capacity,
  near_metrolinea (beside a Metrolínea BRT stop), active, departures, arrivals.
- \`daily.csv\` — one row per local day (public).
- \`hourly.csv\` — departures and arrivals per station per local hour, hours without movement omitted (public).
- \`od.csv\` — origin–destination matrix, pairs with at least one trip (public).
- \`donors.csv\`, \`gender.csv\`, \`age_bands.csv\` — trips by donor, by declared gender, by age band (public).
- \`trips.csv\` — one row per trip (research only).
- \`manifest.json\` — generatedAt, from, to, kind, packageKind, recipient, agreementRef, approvedBy,
  approvedAt, suppression and, per file, its rows (CSV data rows without the header; GeoJSON
  features; lines of this dictionary) and SHA-256 checksum.

## trips.csv (research packages)

${table(RESEARCH_TRIP_DOC)}

## daily.csv

${table(DAILY_DOC)}

## hourly.csv

${table(HOURLY_DOC)}

## od.csv

${table(OD_DOC)}

## donors.csv

${table(DONOR_DOC)}

## gender.csv

${table(GENDER_DOC)}

## age_bands.csv

${table(AGE_BAND_DOC)}

## trips.csv of \`GET /api/v1/exports/trips.csv\` (planners, not in packages)

No rider attribute at all (no key, gender or age band); synthetic only with \`synthetic=include\`.

${table(TRIP_DOC)}
`;
}
