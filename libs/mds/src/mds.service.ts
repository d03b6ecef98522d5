import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BOGOTA_TIME_ZONE, Clock, DomainError } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { ServiceHours } from '@metrobici/stations';
import { tripSql } from '@metrobici/loans';
import {
  type BikeLogType,
  type BikeStateName,
  badParam,
  derivedUuid,
  eventType,
  isUuid,
  MDS_PAGE_SIZE,
  MDS_PROVIDER_ID,
  MDS_RECENT_WINDOW_MS,
  MDS_REMOVED_PERSIST_MS,
  MDS_VEHICLE_TYPE,
  type MdsVehicleState,
  type PlaceKind,
  redact,
  vehicleState,
} from './mds-mapping';
import type { MdsEvent, MdsStop, MdsTrip, MdsVehicle, MdsVehicleStatus } from './mds.types';

const HOUR_MS = 3_600_000;

/** The answer to an hourly endpoint: the data, or why there is none (the spec's 202 and 404). */
export type HourlyResult<T> = { kind: 'ok'; items: T[] } | { kind: 'processing' } | { kind: 'not_found'; why: string };

export interface Page<T> {
  items: T[];
  /** Opaque cursor of the next page; null on the last one. */
  next: string | null;
}

interface EventRow {
  id: string;
  bike_id: string;
  type: BikeLogType;
  to_state: BikeStateName;
  occurred_at: Date;
  loan_id: string | null;
  journey_id: string | null;
  prev_loan_id: string | null;
  place_kind: PlaceKind;
  lat: number | null;
  lon: number | null;
}

/**
 * MDS 2.0 Provider API for the supervising agencies, read from the operational tables: bikes and
 * the append-only bike log (`bike_events`), loans and their trip facts (`trip_facts`, one row per
 * trip segment — not reverted, not a missing bike), and stations (never depots as stops).
 * Synthetic demo trips never appear. Times are UTC instants; hours are UTC hours (the spec's).
 */
@Injectable()
export class MdsService {
  private readonly secret: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hours: ServiceHours,
    private readonly clock: Clock,
  ) {
    this.secret = config.exports.riderKeySecret;
  }

  private id(kind: string, id: string): string {
    return derivedUuid(this.secret, kind, id);
  }

  // ---- vehicles ---------------------------------------------------------------------------------

  async vehicles(cursor: string | null): Promise<Page<MdsVehicle>> {
    const after = decodeCursor(cursor, 'uuid');
    const rows: Array<{ id: string; code: string }> = await this.dataSource.query(
      `SELECT id, code FROM bikes WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
      [after, MDS_PAGE_SIZE + 1],
    );
    return page(
      rows,
      (r) => r.id,
      (r) => this.vehicle(r),
    );
  }

  async vehicleById(deviceId: string): Promise<MdsVehicle> {
    const rows: Array<{ id: string; code: string }> = await this.dataSource.query(
      `SELECT id, code FROM bikes WHERE id = $1`,
      [this.deviceId(deviceId)],
    );
    if (rows.length === 0) throw bikeNotFound(deviceId);
    return this.vehicle(rows[0]);
  }

  private vehicle(row: { id: string; code: string }): MdsVehicle {
    return {
      device_id: row.id,
      provider_id: MDS_PROVIDER_ID,
      vehicle_id: row.code,
      vehicle_type: MDS_VEHICLE_TYPE,
      propulsion_types: ['human'],
    };
  }

  /** Current status of every bike; removed bikes drop out 90 minutes after their last event (spec). */
  async vehicleStatuses(cursor: string | null): Promise<Page<MdsVehicleStatus>> {
    const after = decodeCursor(cursor, 'uuid');
    const now = this.clock.now();
    const rows = await this.statusRows(`($1::uuid IS NULL OR b.id > $1::uuid)`, [after], MDS_PAGE_SIZE + 1);
    const more = rows.length > MDS_PAGE_SIZE;
    const pageRows = rows.slice(0, MDS_PAGE_SIZE);
    const items = pageRows
      .map((r) => this.status(r))
      .filter((s): s is MdsVehicleStatus => s !== null)
      .filter(
        (s) =>
          s.last_event.vehicle_state !== 'removed' || now.getTime() - s.last_event.timestamp <= MDS_REMOVED_PERSIST_MS,
      );
    return { items, next: more ? encodeCursor(pageRows[pageRows.length - 1].id) : null };
  }

  async vehicleStatus(deviceId: string): Promise<MdsVehicleStatus> {
    const rows = await this.statusRows('b.id = $1', [this.deviceId(deviceId)], 1);
    const status = rows.length > 0 ? this.status(rows[0]) : null;
    if (!status) throw bikeNotFound(deviceId);
    return status;
  }

  private statusRows(where: string, params: unknown[], limit: number): Promise<StatusRow[]> {
    // The last known place: the rack it stands in, else the last station in its log, else the
    // station of its last loan (a bike reported missing on a loan).
    return this.dataSource.query(
      `SELECT b.id, b.state, b.updated_at,
              e.id AS event_id, e.type AS event_type, e.to_state AS event_to_state, e.occurred_at, e.loan_id,
              el.journey_id AS event_journey_id,
              ol.id AS open_loan_id, ol.journey_id AS open_journey_id,
              p.id AS place_id, p.kind AS place_kind, p.lat, p.lon
         FROM bikes b
         LEFT JOIN LATERAL (SELECT * FROM bike_events x WHERE x.bike_id = b.id
                             ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1) e ON true
         LEFT JOIN loans el ON el.id = e.loan_id
         LEFT JOIN loans ol ON ol.bike_id = b.id AND ol.state = 'open'
         LEFT JOIN LATERAL (
           SELECT coalesce(
             b.station_id,
             (SELECT coalesce(x.to_station_id, x.from_station_id) FROM bike_events x
               WHERE x.bike_id = b.id AND coalesce(x.to_station_id, x.from_station_id) IS NOT NULL
               ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1),
             (SELECT coalesce(l.to_station_id, l.from_station_id) FROM loans l WHERE l.bike_id = b.id
               ORDER BY l.started_at DESC LIMIT 1)) AS station_id) place ON true
         LEFT JOIN stations p ON p.id = place.station_id
        WHERE ${where}
        ORDER BY b.id
        LIMIT ${limit}`,
      params,
    );
  }

  /** A bike's status; null when nothing tells where it is (no rack, no log, no loan). */
  private status(r: StatusRow): MdsVehicleStatus | null {
    if (r.lat === null || r.lon === null) return null;
    const state = vehicleState(r.state, r.place_kind);
    const location = { lat: r.lat, lng: r.lon };
    let lastEvent: MdsEvent | undefined;
    if (r.event_id && r.event_type && r.occurred_at) {
      const mapped = this.mapEvent({
        id: r.event_id,
        bike_id: r.id,
        type: r.event_type,
        to_state: r.event_to_state!,
        occurred_at: r.occurred_at,
        loan_id: r.loan_id,
        journey_id: r.event_journey_id,
        prev_loan_id: null,
        place_kind: r.place_kind,
        lat: r.lat,
        lon: r.lon,
      });
      const last = mapped[mapped.length - 1];
      if (last.vehicle_state === state) lastEvent = last;
    }
    // A bike whose log does not explain its state (created before the log, or by an import).
    lastEvent ??= {
      device_id: r.id,
      provider_id: MDS_PROVIDER_ID,
      event_id: this.id('state', `${r.id}:${r.updated_at.getTime()}`),
      vehicle_state: state,
      event_types: ['unspecified'],
      timestamp: millis(r.updated_at),
      location,
      ...(state === 'on_trip' && r.open_loan_id ? { trip_ids: [this.id('trip', r.open_loan_id)] } : {}),
    };
    const onTrip = state === 'on_trip' && r.open_loan_id !== null;
    return {
      device_id: r.id,
      provider_id: MDS_PROVIDER_ID,
      last_event: lastEvent,
      last_telemetry: {
        device_id: r.id,
        provider_id: MDS_PROVIDER_ID,
        telemetry_id: this.id('telemetry', lastEvent.event_id),
        timestamp: lastEvent.timestamp,
        trip_ids: onTrip ? [this.id('trip', r.open_loan_id!)] : null,
        journey_id: onTrip && r.open_journey_id ? this.id('journey', r.open_journey_id) : null,
        // No GPS on the bikes: the last station is the best position known.
        location,
        ...(r.place_kind === 'station' && (state === 'available' || state === 'non_operational')
          ? { stop_id: r.place_id! }
          : {}),
      },
    };
  }

  private deviceId(value: string): string {
    if (!isUuid(value)) throw badParam('device_id', 'device_id debe ser un UUID.');
    return value.toLowerCase();
  }

  // ---- trips ------------------------------------------------------------------------------------

  /** Trip segments that ended in the UTC hour starting at `hour`. */
  async trips(hour: Date): Promise<HourlyResult<MdsTrip>> {
    const closed = this.hourClosed(hour);
    if (closed) return closed;
    const end = new Date(hour.getTime() + HOUR_MS);
    // A segment the worker has not yet turned into a trip fact: the hour is not processed yet.
    const [pending]: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::integer AS n FROM loans l
        WHERE ${tripSql('l')} AND NOT l.synthetic
          AND l.ended_at >= $1 AND l.ended_at < $2
          AND NOT EXISTS (SELECT 1 FROM trip_facts f WHERE f.loan_id = l.id)`,
      [hour, end],
    );
    if (pending.n > 0) return { kind: 'processing' };
    const rows: Array<{
      loan_id: string;
      journey_id: string;
      bike_id: string;
      started_at: Date;
      ended_at: Date;
      duration_s: number;
      distance_m: number;
      fs_lat: number;
      fs_lon: number;
      ts_lat: number;
      ts_lon: number;
    }> = await this.dataSource.query(
      `SELECT f.loan_id, f.journey_id, f.bike_id, f.started_at, f.ended_at, f.duration_s, f.distance_m,
              fs.lat AS fs_lat, fs.lon AS fs_lon, ts.lat AS ts_lat, ts.lon AS ts_lon
         FROM trip_facts f
         JOIN stations fs ON fs.id = f.from_station_id
         JOIN stations ts ON ts.id = f.to_station_id
        WHERE f.ended_at >= $1 AND f.ended_at < $2 AND NOT f.synthetic
        ORDER BY f.ended_at, f.loan_id`,
      [hour, end],
    );
    return {
      kind: 'ok',
      items: rows.map((r) => ({
        provider_id: MDS_PROVIDER_ID,
        device_id: r.bike_id,
        trip_id: this.id('trip', r.loan_id),
        journey_id: this.id('journey', r.journey_id),
        trip_type: ['rider'],
        start_time: millis(r.started_at),
        end_time: millis(r.ended_at),
        start_location: { lat: r.fs_lat, lng: r.fs_lon },
        end_location: { lat: r.ts_lat, lng: r.ts_lon },
        duration: r.duration_s,
        distance: r.distance_m,
        // Loans are free (brief): the standard and the actual cost are nothing, in pesos.
        standard_cost: 0,
        actual_cost: 0,
        currency: 'COP',
        parking_category: 'rack',
      })),
    };
  }

  // ---- events -----------------------------------------------------------------------------------

  async historicalEvents(hour: Date): Promise<HourlyResult<MdsEvent>> {
    const closed = this.hourClosed(hour);
    if (closed) return closed;
    // The bike log is written in the same transaction as each change: an hour past is complete.
    const rows = await this.eventRows(hour, new Date(hour.getTime() + HOUR_MS), null, null);
    return { kind: 'ok', items: rows.flatMap((r) => this.mapEvent(r)) };
  }

  async recentEvents(start: Date, end: Date, cursor: string | null): Promise<Page<MdsEvent>> {
    const oldest = this.clock.now().getTime() - MDS_RECENT_WINDOW_MS;
    if (start.getTime() < oldest) {
      throw badParam('start_time', 'start_time no puede ser anterior a dos semanas atrás; use /events/historical.');
    }
    if (end.getTime() < oldest) throw badParam('end_time', 'end_time no puede ser anterior a dos semanas atrás.');
    if (end.getTime() < start.getTime()) throw badParam('end_time', 'end_time debe ser posterior a start_time.');
    const after = decodeCursor(cursor, 'event');
    const rows = await this.eventRows(start, end, after, MDS_PAGE_SIZE + 1);
    const more = rows.length > MDS_PAGE_SIZE;
    const pageRows = rows.slice(0, MDS_PAGE_SIZE);
    const last = pageRows[pageRows.length - 1];
    return {
      items: pageRows.flatMap((r) => this.mapEvent(r)),
      next: more ? encodeCursor(`${last.occurred_at.getTime()}:${last.id}`) : null,
    };
  }

  private eventRows(start: Date, end: Date, after: string | null, limit: number | null): Promise<EventRow[]> {
    const [afterMs, afterId] = after ? after.split(':') : [null, null];
    // Where the event happened: its station, else the bike's last station before it. A renewal
    // closes the previous segment (same journey, ended at that instant) and opens the logged one.
    return this.dataSource.query(
      `SELECT e.id, e.bike_id, e.type, e.to_state, e.occurred_at, e.loan_id, l.journey_id,
              prev.id AS prev_loan_id, p.kind AS place_kind, p.lat, p.lon
         FROM bike_events e
         LEFT JOIN loans l ON l.id = e.loan_id
         LEFT JOIN loans prev ON e.type = 'renewed' AND prev.journey_id = l.journey_id AND prev.bike_id = e.bike_id
                             AND prev.end_reason = 'renewed' AND prev.ended_at = e.occurred_at
         LEFT JOIN LATERAL (
           SELECT coalesce(e.to_station_id, e.from_station_id,
             (SELECT coalesce(x.to_station_id, x.from_station_id) FROM bike_events x
               WHERE x.bike_id = e.bike_id AND x.id < e.id AND coalesce(x.to_station_id, x.from_station_id) IS NOT NULL
               ORDER BY x.id DESC LIMIT 1),
             l.from_station_id) AS station_id) place ON true
         LEFT JOIN stations p ON p.id = place.station_id
        WHERE e.occurred_at >= $1 AND e.occurred_at < $2 AND NOT coalesce(l.synthetic, false)
          AND ($3::timestamptz IS NULL OR (e.occurred_at, e.id) > ($3::timestamptz, $4::bigint))
        ORDER BY e.occurred_at, e.id
        ${limit ? `LIMIT ${limit}` : ''}`,
      [start, end, afterMs ? new Date(Number(afterMs)) : null, afterId],
    );
  }

  /** One log row as MDS events: a renewal is the end of one trip and the start of the next. */
  private mapEvent(r: EventRow): MdsEvent[] {
    const base = { device_id: r.bike_id, provider_id: MDS_PROVIDER_ID, timestamp: millis(r.occurred_at) };
    const location = r.lat !== null && r.lon !== null ? { location: { lat: r.lat, lng: r.lon } } : {};
    if (r.type === 'renewed' && r.prev_loan_id && r.loan_id) {
      return [
        {
          ...base,
          event_id: this.id('event', `${r.id}:end`),
          vehicle_state: 'available',
          event_types: ['trip_end'],
          trip_ids: [this.id('trip', r.prev_loan_id)],
          ...location,
        },
        {
          ...base,
          event_id: this.id('event', r.id),
          vehicle_state: 'on_trip',
          event_types: ['trip_start'],
          trip_ids: [this.id('trip', r.loan_id)],
          ...location,
        },
      ];
    }
    const state: MdsVehicleState = vehicleState(r.to_state, r.place_kind);
    const type = eventType(r.type, state);
    const tripEvent = type === 'trip_start' || type === 'trip_end' || type === 'trip_cancel';
    return [
      {
        ...base,
        event_id: this.id('event', r.id),
        vehicle_state: state,
        event_types: [type],
        ...(r.loan_id && (tripEvent || state === 'on_trip') ? { trip_ids: [this.id('trip', r.loan_id)] } : {}),
        ...location,
      },
    ];
  }

  // ---- stops ------------------------------------------------------------------------------------

  async stops(): Promise<MdsStop[]> {
    return this.stopRows(null);
  }

  async stop(stopId: string): Promise<MdsStop> {
    if (!isUuid(stopId)) throw badParam('stop_id', 'stop_id debe ser un UUID.');
    const [stop] = await this.stopRows(stopId.toLowerCase());
    if (!stop) throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stopId });
    return stop;
  }

  private async stopRows(id: string | null): Promise<MdsStop[]> {
    const rows: Array<{
      id: string;
      code: string;
      name: string;
      address: string;
      lat: number;
      lon: number;
      capacity: number;
      active: boolean;
      kind: 'station';
      bikes_docked: number;
      bikes_available: number;
      availability_updated_at: Date;
      updated_at: Date;
      devices: string[];
    }> = await this.dataSource.query(
      `SELECT s.id, s.code, s.name, s.address, s.lat, s.lon, s.capacity, s.active, s.kind, s.bikes_docked,
              s.bikes_available, s.availability_updated_at, s.updated_at,
              coalesce((SELECT array_agg(b.id ORDER BY b.id) FROM bikes b WHERE b.station_id = s.id), '{}') AS devices
         FROM stations s
        WHERE s.kind = 'station' AND ($1::uuid IS NULL OR s.id = $1::uuid)
        ORDER BY s.code`,
      [id],
    );
    await this.hours.refresh();
    const now = this.clock.now();
    return rows.map((s) => ({
      stop_id: s.id,
      name: s.name,
      short_name: s.code,
      ...(s.address.trim() ? { address: s.address } : {}),
      provider_id: MDS_PROVIDER_ID,
      location: { lat: s.lat, lng: s.lon },
      // The same rules as GBFS station_status.
      status: { is_installed: true, is_renting: this.hours.isRenting(s, now), is_returning: s.active },
      capacity: { [MDS_VEHICLE_TYPE]: s.capacity },
      num_vehicles_available: { [MDS_VEHICLE_TYPE]: s.bikes_available },
      num_vehicles_disabled: { [MDS_VEHICLE_TYPE]: s.bikes_docked - s.bikes_available },
      num_places_available: { [MDS_VEHICLE_TYPE]: s.capacity - s.bikes_docked },
      devices: s.devices,
      last_updated: millis(latest(s.availability_updated_at, s.updated_at, now)),
    }));
  }

  // ---- reports ----------------------------------------------------------------------------------

  /**
   * The monthly report (Bogotá months, trips counted by their start, as the spec says: the agency's
   * local time): all riders, the whole operating area (no /geography: `null`), bicycles; counts
   * under k = 10 published as -1. Null when the month is not over yet or before the pilot.
   */
  async monthlyReport(year: number, month: number): Promise<string | null> {
    const first = `${year}-${String(month).padStart(2, '0')}-01`;
    const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
    const [bounds]: Array<{ start: Date; end: Date }> = await this.dataSource.query(
      `SELECT ($1::timestamp AT TIME ZONE '${BOGOTA_TIME_ZONE}') AS start, ($2::timestamp AT TIME ZONE '${BOGOTA_TIME_ZONE}') AS end`,
      [first, next],
    );
    if (bounds.end > this.clock.now()) return null;
    const pilotStart = this.config.pilot.start;
    if (pilotStart && bounds.end <= pilotStart) return null;
    const [counts]: Array<{ trips: number; riders: number }> = await this.dataSource.query(
      `SELECT count(*)::integer AS trips, count(DISTINCT rider_id)::integer AS riders
         FROM trip_facts WHERE local_date >= $1::date AND local_date < $2::date AND NOT synthetic`,
      [first, next],
    );
    const header =
      'provider_id,start_date,duration,special_group_type,geography_id,vehicle_type,trip_count,rider_count';
    // Loans are free for everyone and the fleet has no adaptive vehicles: `all_riders` is the only
    // special group the pilot has.
    const row = [
      MDS_PROVIDER_ID,
      first,
      'P1M',
      'all_riders',
      'null',
      MDS_VEHICLE_TYPE,
      redact(counts.trips),
      redact(counts.riders),
    ].join(',');
    return `${header}\n${row}\n`;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** 404 reasons of the spec for an hourly endpoint: not yet over, or before the pilot. */
  private hourClosed(hour: Date): { kind: 'not_found'; why: string } | null {
    if (hour.getTime() + HOUR_MS > this.clock.now().getTime()) {
      return { kind: 'not_found', why: 'La hora pedida aún no ha terminado.' };
    }
    const start = this.config.pilot.start;
    if (start && hour.getTime() + HOUR_MS <= start.getTime()) {
      return { kind: 'not_found', why: 'El piloto no operaba en la hora pedida.' };
    }
    return null;
  }
}

interface StatusRow {
  id: string;
  state: BikeStateName;
  updated_at: Date;
  event_id: string | null;
  event_type: BikeLogType | null;
  event_to_state: BikeStateName | null;
  occurred_at: Date | null;
  loan_id: string | null;
  event_journey_id: string | null;
  open_loan_id: string | null;
  open_journey_id: string | null;
  place_id: string | null;
  place_kind: PlaceKind;
  lat: number | null;
  lon: number | null;
}

function millis(at: Date): number {
  return at.getTime();
}

/** The latest of the times that is not after `now` (database times are wall-clock times). */
function latest(a: Date, b: Date, now: Date): Date {
  const max = a > b ? a : b;
  return max > now ? now : max;
}

function bikeNotFound(deviceId: string): DomainError {
  return new DomainError('BIKE_NOT_FOUND', 'La bicicleta no existe.', { deviceId });
}

function page<R, T>(rows: R[], key: (r: R) => string, map: (r: R) => T): Page<T> {
  const more = rows.length > MDS_PAGE_SIZE;
  const pageRows = rows.slice(0, MDS_PAGE_SIZE);
  return {
    items: pageRows.map(map),
    next: more ? encodeCursor(key(pageRows[pageRows.length - 1])) : null,
  };
}

function encodeCursor(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | null, kind: 'uuid' | 'event'): string | null {
  if (cursor === null) return null;
  const value = Buffer.from(cursor, 'base64url').toString('utf8');
  const ok = kind === 'uuid' ? isUuid(value) : /^\d{1,15}:\d{1,19}$/.test(value);
  if (!ok) throw badParam('cursor', 'El cursor de página no es válido.');
  return value;
}
