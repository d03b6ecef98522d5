/** The GBFS v3.0 files Metrobici publishes (a station-based system: no vehicle_status). */
export const GBFS_FEEDS = [
  'gbfs',
  'gbfs_versions',
  'system_information',
  'vehicle_types',
  'station_information',
  'station_status',
  'system_pricing_plans',
  'system_alerts',
] as const;

export type GbfsFeedName = (typeof GBFS_FEEDS)[number];

export function isGbfsFeedName(name: string): name is GbfsFeedName {
  return (GBFS_FEEDS as readonly string[]).includes(name);
}

/**
 * Seconds a consumer may cache each file. station_status is rebuilt from the database on every
 * request, so 10 s is the whole staleness budget (GBFS allows at most 5 minutes).
 */
export const GBFS_TTL: Record<GbfsFeedName, number> = {
  gbfs: 3600,
  gbfs_versions: 3600,
  system_information: 3600,
  vehicle_types: 3600,
  station_information: 300,
  station_status: 10,
  system_pricing_plans: 3600,
  system_alerts: 3600,
};

export const GBFS_VERSION = '3.0';

/** Common envelope of every GBFS v3.0 file. */
export interface GbfsFile<T> {
  /** RFC 3339, Bogotá offset, whole seconds. */
  last_updated: string;
  ttl: number;
  version: typeof GBFS_VERSION;
  data: T;
}

export interface LocalizedString {
  text: string;
  language: string;
}

export interface GbfsDiscoveryData {
  feeds: Array<{ name: GbfsFeedName; url: string }>;
}

export interface GbfsVersionsData {
  versions: Array<{ version: string; url: string }>;
}

export interface SystemInformationData {
  system_id: string;
  languages: string[];
  name: LocalizedString[];
  short_name: LocalizedString[];
  operator: LocalizedString[];
  opening_hours: string;
  url?: string;
  start_date: string;
  termination_date?: string;
  feed_contact_email: string;
  timezone: string;
  license_id: string;
  attribution_organization_name: LocalizedString[];
}

export interface VehicleTypesData {
  vehicle_types: Array<{
    vehicle_type_id: string;
    form_factor: 'bicycle';
    propulsion_type: 'human';
    name: LocalizedString[];
    wheel_count: number;
    rider_capacity: number;
    return_constraint: 'any_station';
    default_pricing_plan_id: string;
    pricing_plan_ids: string[];
  }>;
}

export interface StationInformationData {
  stations: Array<{
    station_id: string;
    name: LocalizedString[];
    short_name: LocalizedString[];
    lat: number;
    lon: number;
    address?: string;
    capacity: number;
    is_virtual_station: false;
    vehicle_docks_capacity: Array<{ vehicle_type_ids: string[]; count: number }>;
  }>;
}

export interface StationStatusData {
  stations: Array<{
    station_id: string;
    num_vehicles_available: number;
    vehicle_types_available: Array<{ vehicle_type_id: string; count: number }>;
    num_vehicles_disabled: number;
    num_docks_available: number;
    vehicle_docks_available: Array<{ vehicle_type_ids: string[]; count: number }>;
    is_installed: boolean;
    is_renting: boolean;
    is_returning: boolean;
    last_reported: string;
  }>;
}

export interface SystemPricingPlansData {
  plans: Array<{
    plan_id: string;
    name: LocalizedString[];
    currency: string;
    price: number;
    is_taxable: boolean;
    description: LocalizedString[];
  }>;
}

export interface SystemAlertsData {
  alerts: Array<{
    alert_id: string;
    type: 'system_closure' | 'station_closure';
    times?: Array<{ start: string; end?: string }>;
    station_ids?: string[];
    summary: LocalizedString[];
    description: LocalizedString[];
    last_updated: string;
  }>;
}

export interface GbfsFeedData {
  gbfs: GbfsDiscoveryData;
  gbfs_versions: GbfsVersionsData;
  system_information: SystemInformationData;
  vehicle_types: VehicleTypesData;
  station_information: StationInformationData;
  station_status: StationStatusData;
  system_pricing_plans: SystemPricingPlansData;
  system_alerts: SystemAlertsData;
}
