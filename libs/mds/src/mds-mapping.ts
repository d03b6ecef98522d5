import type { BikeEventType } from '@metrobici/fleet';
import { createHmac } from 'node:crypto';
import { DomainError } from '@metrobici/common';

/**
 * Pure parts of the MDS 2.0 Provider API (Open Mobility Foundation): versions, the mapping of the
 * bike lifecycle and the bike log onto MDS vehicle states and event types (micromobility mode),
 * stable derived ids, and the query parameters. Field names and enums follow
 * standards/mds-openapi (models/, reference/provider.yaml).
 */

/** Body `version` (the schema wants x.y.z) and the media type's `version` parameter (major.minor). */
export const MDS_VERSION = '2.0.0';
export const MDS_MEDIA_VERSION = '2.0';
export const MDS_JSON_MEDIA_TYPE = `application/vnd.mds+json;version=${MDS_MEDIA_VERSION}`;
export const MDS_CSV_MEDIA_TYPE = `text/vnd.mds+csv;version=${MDS_MEDIA_VERSION}`;

/**
 * Metrobici's provider_id. MDS expects the UUID the OMF assigns in its providers list; the pilot is
 * not registered there, so this is a fixed UUID of our own, to be replaced if the city registers it.
 */
export const MDS_PROVIDER_ID = '6f1c2f5e-2d44-4b8e-9c1a-5b0d7e3a9c21';

export const MDS_VEHICLE_TYPE = 'bicycle';

/** Realtime endpoints: milliseconds before the data may have changed (the spec allows ≤ 300000). */
export const MDS_TTL_MS = { vehicles: 60_000, status: 10_000, stops: 10_000 } as const;

/** Recent events reach back two weeks (the spec's window). */
export const MDS_RECENT_WINDOW_MS = 14 * 24 * 3_600_000;

/** `removed` and `elsewhere` vehicles leave /vehicles/status 90 minutes after their last event (spec). */
export const MDS_REMOVED_PERSIST_MS = 90 * 60_000;

export const MDS_PAGE_SIZE = 500;

export type MdsVehicleState = 'removed' | 'available' | 'non_operational' | 'on_trip' | 'missing';

export type MdsEventType =
  | 'provider_drop_off'
  | 'trip_start'
  | 'trip_end'
  | 'trip_cancel'
  | 'maintenance'
  | 'maintenance_pick_up'
  | 'rebalance_pick_up'
  | 'not_located'
  | 'located'
  | 'decommissioned'
  | 'unspecified';

/** Event types the micromobility mode allows for each state (models/modes/micromobility/event.yaml). */
const ALLOWED: Record<MdsVehicleState, readonly MdsEventType[]> = {
  removed: ['decommissioned', 'located', 'maintenance_pick_up', 'rebalance_pick_up', 'unspecified'],
  available: ['located', 'maintenance', 'provider_drop_off', 'trip_cancel', 'trip_end', 'unspecified'],
  non_operational: ['located', 'maintenance', 'unspecified'],
  on_trip: ['located', 'trip_start', 'unspecified'],
  missing: ['not_located', 'unspecified'],
};

export type BikeStateName = 'available' | 'on_loan' | 'maintenance' | 'in_transit' | 'missing' | 'retired';
export type PlaceKind = 'station' | 'depot' | null;

/**
 * A bike's state as an MDS vehicle state. A bike in a depot (storage, workshop) is off the street:
 * `removed`, like one in a rebalancing van (`in_transit`: picked up, not yet dropped) or retired.
 */
export function vehicleState(state: BikeStateName, place: PlaceKind): MdsVehicleState {
  switch (state) {
    case 'available':
      return place === 'depot' ? 'removed' : 'available';
    case 'maintenance':
      return place === 'depot' ? 'removed' : 'non_operational';
    case 'on_loan':
      return 'on_trip';
    case 'in_transit':
      return 'removed';
    case 'missing':
      return 'missing';
    case 'retired':
      return 'removed';
  }
}

/** The bike log's event types, as fleet writes them. */
export type BikeLogType = BikeEventType;

/** The event type that says why the bike entered `state`, or `unspecified` when the mode has none. */
export function eventType(log: BikeLogType, state: MdsVehicleState): MdsEventType {
  const wanted: MdsEventType = (() => {
    switch (log) {
      case 'registered':
        return 'provider_drop_off';
      case 'checked_out':
        return 'trip_start';
      case 'returned':
      case 'force_returned':
        return 'trip_end';
      case 'renewed':
        return 'trip_start';
      case 'checkout_reverted':
        return 'trip_cancel';
      case 'damage_reported':
        return state === 'removed' ? 'maintenance_pick_up' : 'maintenance';
      case 'repaired':
        return 'maintenance';
      case 'rebalance_picked_up':
        return 'rebalance_pick_up';
      case 'rebalance_dropped':
        return state === 'removed' ? 'rebalance_pick_up' : 'provider_drop_off';
      case 'reported_missing':
        return 'not_located';
      case 'found':
        return 'located';
      case 'retired':
        return 'decommissioned';
    }
  })();
  return ALLOWED[state].includes(wanted) ? wanted : 'unspecified';
}

/**
 * A stable UUID for an internal id, keyed with the city's secret: MDS ids (trips, journeys,
 * events) never reveal a loan id that staff could look up, and stay the same on every request.
 * RFC 9562 version 8 (custom) layout.
 */
export function derivedUuid(secret: string, kind: string, id: string): string {
  const bytes = createHmac('sha256', secret).update(`mds:${kind}:${id}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UTC hour `YYYY-MM-DDTHH` (the spec's iso-dayhour) as its start instant. */
export function parseUtcHour(name: string, value: unknown): Date {
  if (value === undefined || value === '') throw missingParam(name);
  const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/.exec(value) : null;
  if (!m) throw badParam(name, `${name} debe ser una hora UTC con el formato YYYY-MM-DDTHH.`);
  const [y, mo, d, h] = m.slice(1).map(Number);
  const at = new Date(Date.UTC(y, mo - 1, d, h));
  if (y < 1970 || h > 23 || at.getUTCMonth() !== mo - 1 || at.getUTCDate() !== d) {
    throw badParam(name, `${name} no es una hora UTC válida.`);
  }
  return at;
}

/** A timestamp parameter: integer milliseconds since the epoch. */
export function parseTimestamp(name: string, value: unknown): Date {
  if (value === undefined || value === '') throw missingParam(name);
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) {
    throw badParam(name, `${name} debe ser un instante en milisegundos desde 1970 (entero).`);
  }
  return new Date(Number(value));
}

/** `YYYY-MM.csv` → the month, or null when the name is not a report file name. */
export function parseReportName(filename: string): { year: number; month: number } | null {
  const m = /^(\d{4})-(\d{2})\.csv$/.exec(filename);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  return year >= 1970 && month >= 1 && month <= 12 ? { year, month } : null;
}

/** k-anonymity of MDS reports: counts under k (including 0) are published as -1. */
export const MDS_REPORT_K = 10;
export function redact(count: number): number {
  return count < MDS_REPORT_K ? -1 : count;
}

/** A whole-UUID check (path parameters). */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** Parameter problems carry the MDS error kind, so the controller answers with the spec's shape. */
export function missingParam(name: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `Falta el parámetro ${name}.`, { mds: 'missing_param', parameter: name });
}

export function badParam(name: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message, { mds: 'bad_param', parameter: name });
}
