import type { OpeningHours } from '@metrobici/common';
import { GBFS_TTL } from './gbfs.types';
import type {
  GbfsFile,
  LocalizedString,
  StationInformationData,
  StationStatusData,
  SystemAlertsData,
  SystemInformationData,
  SystemPricingPlansData,
  VehicleTypesData,
} from './gbfs.types';

/**
 * GBFS v2.3 beside v3.0, for journey planners that still read 2.x. Every 2.3 file except
 * system_hours is a pure translation of its 3.0 counterpart, so both versions always say the same
 * thing: 3.0's localized strings become the single `es` string, RFC 3339 times become POSIX
 * seconds, `num_vehicles_*` become `num_bikes_*`, and 3.0-only fields are dropped.
 */
export const GBFS_V2_VERSION = '2.3';

/** The v2.3 files published under /gbfs/v2.3/ (system_hours exists in 2.x only). */
export const GBFS_V2_FEEDS = [
  'gbfs',
  'gbfs_versions',
  'system_information',
  'vehicle_types',
  'station_information',
  'station_status',
  'system_pricing_plans',
  'system_hours',
  'system_alerts',
] as const;

export type GbfsV2FeedName = (typeof GBFS_V2_FEEDS)[number];

/** Seconds a consumer may cache each v2.3 file: as in 3.0; system_hours is configuration. */
export const GBFS_V2_TTL: Record<GbfsV2FeedName, number> = { ...GBFS_TTL, system_hours: 3600 };

export function isGbfsV2FeedName(name: string): name is GbfsV2FeedName {
  return (GBFS_V2_FEEDS as readonly string[]).includes(name);
}

/** Common envelope of every GBFS v2.3 file: `last_updated` in POSIX seconds. */
export interface GbfsV2File<T> {
  last_updated: number;
  ttl: number;
  version: typeof GBFS_V2_VERSION;
  data: T;
}

export interface GbfsV2DiscoveryData {
  [language: string]: { feeds: Array<{ name: GbfsV2FeedName; url: string }> };
}

export interface GbfsV2SystemInformationData {
  system_id: string;
  language: string;
  name: string;
  short_name: string;
  operator: string;
  url?: string;
  start_date: string;
  feed_contact_email: string;
  timezone: string;
  license_url: string;
}

export interface GbfsV2VehicleTypesData {
  vehicle_types: Array<{
    vehicle_type_id: string;
    form_factor: 'bicycle';
    propulsion_type: 'human';
    name: string;
    wheel_count: number;
    rider_capacity: number;
    return_constraint: 'any_station';
    default_pricing_plan_id: string;
    pricing_plan_ids: string[];
  }>;
}

export interface GbfsV2StationInformationData {
  stations: Array<{
    station_id: string;
    name: string;
    short_name: string;
    lat: number;
    lon: number;
    address?: string;
    capacity: number;
    is_virtual_station: false;
    vehicle_type_capacity: Record<string, number>;
  }>;
}

export interface GbfsV2StationStatusData {
  stations: Array<{
    station_id: string;
    num_bikes_available: number;
    vehicle_types_available: Array<{ vehicle_type_id: string; count: number }>;
    num_bikes_disabled: number;
    num_docks_available: number;
    vehicle_docks_available: Array<{ vehicle_type_ids: string[]; count: number }>;
    is_installed: boolean;
    is_renting: boolean;
    is_returning: boolean;
    last_reported: number;
  }>;
}

export interface GbfsV2SystemPricingPlansData {
  plans: Array<{
    plan_id: string;
    name: string;
    currency: string;
    price: number;
    is_taxable: boolean;
    description: string;
  }>;
}

export type GbfsV2Day = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';

export interface GbfsV2SystemHoursData {
  rental_hours: Array<{
    user_types: Array<'member' | 'nonmember'>;
    days: GbfsV2Day[];
    start_time: string;
    end_time: string;
  }>;
}

export interface GbfsV2SystemAlertsData {
  alerts: Array<{
    alert_id: string;
    type: 'system_closure' | 'station_closure';
    times?: Array<{ start: number; end?: number }>;
    station_ids?: string[];
    summary: string;
    description: string;
    last_updated: number;
  }>;
}

export interface GbfsV2FeedData {
  gbfs: GbfsV2DiscoveryData;
  gbfs_versions: { versions: Array<{ version: string; url: string }> };
  system_information: GbfsV2SystemInformationData;
  vehicle_types: GbfsV2VehicleTypesData;
  station_information: GbfsV2StationInformationData;
  station_status: GbfsV2StationStatusData;
  system_pricing_plans: GbfsV2SystemPricingPlansData;
  system_hours: GbfsV2SystemHoursData;
  system_alerts: GbfsV2SystemAlertsData;
}

/** Licence URLs of the SPDX ids the 3.0 feed publishes (2.3 has `license_url` only). */
const LICENSE_URLS: Record<string, string> = {
  'CC-BY-4.0': 'https://creativecommons.org/licenses/by/4.0/',
  'CC0-1.0': 'https://creativecommons.org/publicdomain/zero/1.0/',
};

/** RFC 3339 → POSIX seconds. */
export function posixSeconds(rfc3339: string): number {
  return Math.floor(new Date(rfc3339).getTime() / 1000);
}

/** The text in the feed's language (the feed has one: `es`). */
function text(strings: LocalizedString[], language: string): string {
  return (strings.find((s) => s.language === language) ?? strings[0]).text;
}

/** A 3.0 file's envelope in 2.3 form. */
export function v2Envelope<T>(file: GbfsFile<unknown>, data: T): GbfsV2File<T> {
  return { last_updated: posixSeconds(file.last_updated), ttl: file.ttl, version: GBFS_V2_VERSION, data };
}

export function toV2SystemInformation(file: GbfsFile<SystemInformationData>): GbfsV2File<GbfsV2SystemInformationData> {
  const d = file.data;
  const language = d.languages[0];
  // termination_date is 3.0 only: a 2.3 reader learns of the end from system_alerts and is_renting.
  return v2Envelope(file, {
    system_id: d.system_id,
    language,
    name: text(d.name, language),
    short_name: text(d.short_name, language),
    operator: text(d.operator, language),
    ...(d.url ? { url: d.url } : {}),
    start_date: d.start_date,
    feed_contact_email: d.feed_contact_email,
    timezone: d.timezone,
    license_url: LICENSE_URLS[d.license_id] ?? LICENSE_URLS['CC-BY-4.0'],
  });
}

export function toV2VehicleTypes(
  file: GbfsFile<VehicleTypesData>,
  language: string,
): GbfsV2File<GbfsV2VehicleTypesData> {
  return v2Envelope(file, {
    vehicle_types: file.data.vehicle_types.map((t) => ({ ...t, name: text(t.name, language) })),
  });
}

export function toV2StationInformation(
  file: GbfsFile<StationInformationData>,
  language: string,
): GbfsV2File<GbfsV2StationInformationData> {
  return v2Envelope(file, {
    stations: file.data.stations.map((s) => ({
      station_id: s.station_id,
      name: text(s.name, language),
      short_name: text(s.short_name, language),
      lat: s.lat,
      lon: s.lon,
      ...(s.address !== undefined ? { address: s.address } : {}),
      capacity: s.capacity,
      is_virtual_station: s.is_virtual_station,
      vehicle_type_capacity: Object.fromEntries(
        s.vehicle_docks_capacity.flatMap((d) => d.vehicle_type_ids.map((id) => [id, d.count] as const)),
      ),
    })),
  });
}

export function toV2StationStatus(file: GbfsFile<StationStatusData>): GbfsV2File<GbfsV2StationStatusData> {
  return v2Envelope(file, {
    stations: file.data.stations.map((s) => ({
      station_id: s.station_id,
      num_bikes_available: s.num_vehicles_available,
      vehicle_types_available: s.vehicle_types_available,
      num_bikes_disabled: s.num_vehicles_disabled,
      num_docks_available: s.num_docks_available,
      vehicle_docks_available: s.vehicle_docks_available,
      is_installed: s.is_installed,
      is_renting: s.is_renting,
      is_returning: s.is_returning,
      last_reported: posixSeconds(s.last_reported),
    })),
  });
}

export function toV2PricingPlans(
  file: GbfsFile<SystemPricingPlansData>,
  language: string,
): GbfsV2File<GbfsV2SystemPricingPlansData> {
  return v2Envelope(file, {
    plans: file.data.plans.map((p) => ({
      plan_id: p.plan_id,
      name: text(p.name, language),
      currency: p.currency,
      price: p.price,
      is_taxable: p.is_taxable,
      description: text(p.description, language),
    })),
  });
}

export function toV2Alerts(file: GbfsFile<SystemAlertsData>, language: string): GbfsV2File<GbfsV2SystemAlertsData> {
  return v2Envelope(file, {
    alerts: file.data.alerts.map((a) => ({
      alert_id: a.alert_id,
      type: a.type,
      ...(a.times
        ? {
            times: a.times.map((t) => ({
              start: posixSeconds(t.start),
              ...(t.end ? { end: posixSeconds(t.end) } : {}),
            })),
          }
        : {}),
      ...(a.station_ids ? { station_ids: a.station_ids } : {}),
      summary: text(a.summary, language),
      description: text(a.description, language),
      last_updated: posixSeconds(a.last_updated),
    })),
  });
}

const V2_DAYS: GbfsV2Day[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
// A week without Colombian public holidays (Sunday 6 to Saturday 12 October 2019): the weekly
// pattern of the opening hours, read through OpeningHours itself so the two cannot disagree.
const REFERENCE_SUNDAY_UTC = Date.UTC(2019, 9, 6, 5, 0, 0); // 00:00 in Bogotá (UTC−5)

/**
 * system_hours from the OSM opening hours: one entry per time span, days with the same spans
 * grouped. Holidays (`PH off`) cannot be said in 2.3 system_hours; is_renting says it on the day.
 * A span that runs to midnight ends at 23:59:59, the latest time the 2.3 schema allows.
 */
export function rentalHours(hours: OpeningHours): GbfsV2SystemHoursData['rental_hours'] {
  const spansByDay: string[][] = V2_DAYS.map((_, day) => {
    const spans: string[] = [];
    let openFrom: number | null = null;
    for (let minute = 0; minute <= 24 * 60; minute++) {
      const open = minute < 24 * 60 && hours.isOpen(new Date(REFERENCE_SUNDAY_UTC + (day * 24 * 60 + minute) * 60_000));
      if (open && openFrom === null) openFrom = minute;
      if (!open && openFrom !== null) {
        spans.push(`${clock(openFrom)}-${minute === 24 * 60 ? '23:59:59' : clock(minute)}`);
        openFrom = null;
      }
    }
    return spans;
  });
  const groups = new Map<string, GbfsV2Day[]>();
  spansByDay.forEach((spans, day) => {
    for (const span of spans) groups.set(span, [...(groups.get(span) ?? []), V2_DAYS[day]]);
  });
  return [...groups.entries()].map(([span, days]) => {
    const [start_time, end_time] = span.split('-');
    // Only registered, verified riders borrow bikes: GBFS "members".
    return { user_types: ['member'], days, start_time, end_time };
  });
}

function clock(minuteOfDay: number): string {
  const h = Math.floor(minuteOfDay / 60);
  const m = minuteOfDay % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;
}
