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
/** Admins only (alerts such as an injury that go to the administration at once). */
export const ROOM_ADMINS = 'admins';

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

export type AlertKind =
  | 'loan_overdue'
  | 'station_empty'
  | 'station_full'
  | 'bike_damaged'
  | 'bike_missing'
  | 'counters_drifted'
  /** An outbox event the relay could not publish after OUTBOX_MAX_ATTEMPTS tries (set aside). */
  | 'outbox_dead_letter'
  /** A shift's count of bikes or helmets differs from the system's (the differences in `data`). */
  | 'shift_count_mismatch'
  /** An incident with an injured person: to the admins at once. */
  | 'incident_injury';

/** Who an alert is for: the station's operators (and admins, roaming operators), or admins only. */
export type AlertAudience = 'station' | 'admins';

export interface OperationsAlert {
  /** The stored alert's id (GET /api/v1/alerts, POST /api/v1/alerts/:id/ack); a client drops a duplicate delivery. */
  id: string;
  kind: AlertKind;
  stationId: string | null;
  audience: AlertAudience;
  message: string;
  /** When the condition started (e.g. when the station became empty); with `at`, how long it has lasted. */
  since: string;
  /** When the alert was raised. */
  at: string;
  data: Record<string, unknown>;
  /** When the condition ended by itself (station no longer empty, overdue loan returned); null while it lasts. */
  resolvedAt: string | null;
  acknowledgedAt: string | null;
  /** Staff id of whoever acknowledged it. */
  acknowledgedBy: string | null;
}

export interface AlertResolvedEvent {
  id: string;
  kind: AlertKind;
  stationId: string | null;
  resolvedAt: string;
}

export interface AlertAcknowledgedEvent {
  id: string;
  stationId: string | null;
  acknowledgedAt: string;
  acknowledgedBy: string;
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
  'alert:resolved': (payload: AlertResolvedEvent) => void;
  'alert:acknowledged': (payload: AlertAcknowledgedEvent) => void;
  'export:progress': (payload: ExportProgressEvent) => void;
}
