import type { MdsEventType, MdsVehicleState } from './mds-mapping';

/** MDS 2.0 objects as Metrobici fills them (see standards/mds-openapi/models). */

export interface MdsGps {
  lat: number;
  lng: number;
}

export interface MdsVehicle {
  device_id: string;
  provider_id: string;
  vehicle_id: string;
  vehicle_type: 'bicycle';
  propulsion_types: Array<'human'>;
}

export interface MdsEvent {
  device_id: string;
  provider_id: string;
  event_id: string;
  vehicle_state: MdsVehicleState;
  event_types: MdsEventType[];
  /** Milliseconds since the epoch. */
  timestamp: number;
  location?: MdsGps;
  trip_ids?: string[];
}

export interface MdsTelemetry {
  device_id: string;
  provider_id: string;
  telemetry_id: string;
  timestamp: number;
  trip_ids: string[] | null;
  journey_id: string | null;
  stop_id?: string;
  location: MdsGps;
}

export interface MdsVehicleStatus {
  device_id: string;
  provider_id: string;
  last_event: MdsEvent;
  last_telemetry: MdsTelemetry;
}

export interface MdsTrip {
  provider_id: string;
  device_id: string;
  trip_id: string;
  /** Links the segments of one loan renewed every hour (the journey). */
  journey_id: string;
  trip_type: ['rider'];
  start_time: number;
  end_time: number;
  start_location: MdsGps;
  end_location: MdsGps;
  /** Seconds. */
  duration: number;
  /** Metres, straight line between the two stations. */
  distance: number;
  standard_cost: number;
  actual_cost: number;
  currency: string;
  parking_category: 'rack';
}

export type MdsVehicleTypeCounts = Record<'bicycle', number>;

export interface MdsStop {
  stop_id: string;
  name: string;
  short_name: string;
  address?: string;
  provider_id: string;
  location: MdsGps;
  status: { is_installed: boolean; is_renting: boolean; is_returning: boolean };
  capacity: MdsVehicleTypeCounts;
  num_vehicles_available: MdsVehicleTypeCounts;
  num_vehicles_disabled: MdsVehicleTypeCounts;
  num_places_available: MdsVehicleTypeCounts;
  devices: string[];
  last_updated: number;
}
