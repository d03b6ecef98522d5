/**
 * The socket.io contract, in one place for the API gateways (which deliver) and the worker's
 * outbox relay (which emits through Redis to every API instance).
 */
import type { StationView } from '@metrobici/stations';

export const AVAILABILITY_NAMESPACE = '/availability';
export const OPERATIONS_NAMESPACE = '/operations';

/** Rooms in the staff namespace. */
export const ROOM_ALL_STATIONS = 'stations:all';
export const stationRoom = (stationId: string) => `station:${stationId}`;
export const ROOM_PLANNERS = 'planners';

/** A station as `GET /api/v1/stations` shows it, with its sequence and last change. */
export type StationSnapshotItem = Omit<StationView, 'active' | 'nearMetrolinea'>;

export interface StationUpdatedEvent {
  stationId: string;
  bikesAvailable: number;
  spacesAvailable: number;
  helmetsAvailable: number;
  isOpen: boolean;
  /** Per-station, strictly increasing: a client ignores anything not newer than what it has. */
  sequence: number;
  updatedAt: string;
}

export type AlertKind = 'loan_overdue' | 'station_empty' | 'station_full' | 'bike_damaged' | 'bike_missing';

export interface OperationsAlert {
  /** Stable id (the outbox row), so a client can drop a duplicate delivery. */
  id: string;
  kind: AlertKind;
  stationId: string | null;
  message: string;
  /** When the condition started; with `at`, tells how long it has lasted. */
  since: string;
  at: string;
  data: Record<string, unknown>;
}

export interface ExportProgressEvent {
  id: string;
  state: 'queued' | 'active' | 'completed' | 'failed';
  progress: number;
}

/** Server → client events, by namespace. */
export interface AvailabilityServerEvents {
  'stations:snapshot': (payload: { stations: StationSnapshotItem[] }) => void;
  'station:updated': (payload: StationUpdatedEvent) => void;
}

export interface OperationsServerEvents {
  alert: (payload: OperationsAlert) => void;
  'export:progress': (payload: ExportProgressEvent) => void;
}
