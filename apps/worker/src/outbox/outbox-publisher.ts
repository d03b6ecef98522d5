import { Inject, Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { Emitter } from '@socket.io/redis-emitter';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { type AlertChange, type AlertDraft, applyAlertChanges, conditionKeys } from '@metrobici/alerts';
import { Clock } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { isTripEndReason } from '@metrobici/loans';
import { type OutboxRecord, payloadProblems } from '@metrobici/outbox';
import {
  AVAILABILITY_NAMESPACE,
  OPERATIONS_NAMESPACE,
  ROOM_ADMINS,
  ROOM_ALL_STATIONS,
  ROOM_PLANNERS,
  stationRoom,
  type AlertAudience,
  type AlertKind,
  type ExportProgressEvent,
  type AvailabilityServerEvents,
  type OperationsAlert,
  type OperationsServerEvents,
  type StationUpdatedEvent,
} from '@metrobici/realtime';
import { ServiceHours } from '@metrobici/stations';
import {
  EXPORT_BUILD_JOB_OPTIONS,
  EXPORTS_QUEUE,
  TRIP_JOB_OPTIONS,
  TRIPS_QUEUE,
  type TripsAggregateJob,
  tripsJobId,
} from '../queues';

/** A row the publisher cannot handle (malformed payload, unknown type): not published, counted by the relay. */
export interface OutboxRowFailure {
  id: string;
  error: string;
}

/**
 * Turns outbox rows into socket.io events, emitted through Redis to every API instance, and into
 * BullMQ jobs (trip segments, export builds). Publishing collects the PUBLISH and enqueue promises
 * so the relay marks rows as published only once Redis took them. A row that cannot be published
 * is returned as a failure instead of failing the batch; a Redis failure rejects (nothing counted).
 * Alerts are stored first (libs/alerts: once per outbox row, lasting conditions followed by key so
 * they fire on the transition and resolve themselves) and pushed with their stored id. Alerts
 * found older than OUTBOX_STALE_ALERT_SECONDS (a backlog draining) are stored but not pushed as
 * new; `station:updated` still goes out, as it carries the station's sequence.
 */
@Injectable()
export class OutboxPublisher {
  constructor(
    private readonly hours: ServiceHours,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(EXPORTS_QUEUE) private readonly exportsQueue: Queue,
    @InjectQueue(TRIPS_QUEUE) private readonly tripsQueue: Queue,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * Publishes the rows and answers those that could not be. Takes the array over: it is emptied
   * once the rows are turned into writes, before the round trips, so a batch's parsed payloads
   * die young. Held by the suspended frames (here and the relay's) while PostgreSQL and Redis
   * answer, they were promoted to the old generation: the worker's RSS grew by ~80 MB while
   * draining a backlog of 100,000 rows.
   */
  async publish(redis: Redis, rows: OutboxRecord[]): Promise<OutboxRowFailure[]> {
    // isOpen (in collect) must reflect a pilot closing committed just before these rows.
    if (rows.some((r) => r.type === 'station.availability_changed')) await this.hours.pilotState();
    const batch = this.collect(redis, rows);
    rows.length = 0;
    return this.flush(batch);
  }

  /**
   * Turns the rows into Redis writes (started at once) and alert changes, synchronously; nothing
   * it returns refers to a row (see publish).
   */
  private collect(redis: Redis, rows: readonly OutboxRecord[]): CollectedBatch {
    const failures: OutboxRowFailure[] = [];
    const pending: Array<Promise<unknown>> = [];
    const client = {
      publish: (channel: string, message: string | Buffer) => pending.push(redis.publish(channel, message)),
    };
    // The emitter only calls `publish` on its client; collecting the promises is the point.
    const availability = new Emitter<AvailabilityServerEvents>(client).of(AVAILABILITY_NAMESPACE);
    const operations = new Emitter<OperationsServerEvents>(client).of(OPERATIONS_NAMESPACE);
    const tripRows: TripRow[] = [];
    const alertChanges: AlertChange[] = [];
    const stale = new Set<string>();
    const alert: AlertSink = (stationId, kind, row, message, since, data, options = {}) => {
      // Real time on both sides: created_at is the database's clock, not the app's (tests fix it).
      const ageMs = Date.now() - new Date(row.created_at).getTime();
      if (ageMs > this.config.outbox.staleAlertSeconds * 1000) stale.add(row.id);
      const draft: AlertDraft = {
        outboxId: row.id,
        kind,
        stationId,
        audience: options.audience ?? 'station',
        message,
        since,
        data,
        ...(options.conditionKey ? { conditionKey: options.conditionKey } : {}),
      };
      alertChanges.push({ type: 'raise', draft });
    };
    const resolve = (row: OutboxRecord, conditionKey: string, at: string) =>
      alertChanges.push({ type: 'resolve', conditionKey, at, outboxId: row.id });

    for (const row of rows) {
      const problems = payloadProblems(row.type, row.payload);
      if (problems.length > 0) {
        failures.push({ id: row.id, error: problems.join('; ') });
        continue;
      }
      try {
        this.publishRow(row, { availability, operations, alert, resolve, pending, tripRows });
      } catch (error) {
        failures.push({ id: row.id, error: (error as Error).message });
      }
    }
    if (tripRows.length > 0) pending.push(this.enqueueTrips(tripRows));
    return { failures, pending, operations, alertChanges, stale };
  }

  /** Stores the alert changes, pushes the alerts, and waits until Redis took every write. */
  private async flush(batch: CollectedBatch): Promise<OutboxRowFailure[]> {
    const { failures, pending, operations, alertChanges, stale } = batch;
    // Stored before they are pushed: a tablet that misses the push finds them with GET /alerts.
    const applied = await applyAlertChanges(this.dataSource, alertChanges);
    for (const stored of applied.raised) {
      if (stale.has(stored.outboxId) || stored.resolvedAt !== null) continue;
      const { outboxId: _outboxId, ...payload } = stored;
      this.alertTarget(operations, payload.audience, payload.stationId).emit('alert', payload);
    }
    for (const event of applied.resolved) {
      this.alertTarget(operations, 'station', event.stationId).emit('alert:resolved', event);
    }
    await Promise.all(pending);
    return failures;
  }

  /**
   * One `trips.aggregate` job for the batch's trips, however many closed at once. Its id is the
   * range of the rows, so the same batch published again (a crash before it was marked) enqueues
   * nothing; a batch read again with more rows behind it gets another range, whose loans the
   * aggregation (ON CONFLICT DO NOTHING) never counts twice either.
   */
  private enqueueTrips(rows: TripRow[]): Promise<unknown> {
    const data: TripsAggregateJob = {
      // Rows come in id order (readUnpublishedOutbox).
      fromOutboxId: rows[0].outboxId,
      toOutboxId: rows[rows.length - 1].outboxId,
      // A loan announced twice (a duplicated row) is written once.
      loanIds: [...new Set(rows.map((r) => r.loanId))],
    };
    return this.tripsQueue.add('trips.aggregate', data, {
      ...TRIP_JOB_OPTIONS,
      jobId: tripsJobId(data.fromOutboxId, data.toOutboxId),
    });
  }

  /** The rooms an alert goes to: the station's and the all-stations room, or the admins'. */
  private alertTarget(
    operations: PublishTargets['operations'],
    audience: AlertAudience,
    stationId: string | null,
  ): Pick<PublishTargets['operations'], 'emit'> {
    if (audience === 'admins') return operations.to(ROOM_ADMINS);
    return stationId ? operations.to(stationRoom(stationId)).to(ROOM_ALL_STATIONS) : operations.to(ROOM_ALL_STATIONS);
  }

  private publishRow(row: OutboxRecord, out: PublishTargets): void {
    const { availability, operations, alert, resolve, pending, tripRows } = out;
    switch (row.type) {
      case 'station.availability_changed': {
        const p = row.payload;
        const event: StationUpdatedEvent = {
          stationId: p.stationId,
          bikesAvailable: p.bikesAvailable,
          spacesAvailable: p.spacesAvailable,
          helmetsAvailable: p.helmetsAvailable,
          isOpen: this.hours.isRenting({ active: p.active, kind: 'station' }),
          sequence: Number(p.sequence),
          updatedAt: p.updatedAt,
        };
        availability.emit('station:updated', event);
        // Raised on the transition only (an open alert with the key stays until the condition ends),
        // with the time of the change that emptied or filled the station.
        const emptyKey = conditionKeys.stationEmpty(p.stationId);
        const fullKey = conditionKeys.stationFull(p.stationId);
        if (p.active && p.bikesAvailable === 0) {
          alert(
            p.stationId,
            'station_empty',
            row,
            'Estación sin bicicletas disponibles',
            p.updatedAt,
            { ...event },
            {
              conditionKey: emptyKey,
            },
          );
        } else resolve(row, emptyKey, p.updatedAt);
        if (p.active && p.spacesAvailable === 0) {
          alert(
            p.stationId,
            'station_full',
            row,
            'Estación llena: sin espacios libres',
            p.updatedAt,
            { ...event },
            {
              conditionKey: fullKey,
            },
          );
        } else resolve(row, fullKey, p.updatedAt);
        break;
      }
      case 'bike.damage_reported': {
        const p = row.payload;
        alert(
          p.stationId,
          'bike_damaged',
          row,
          `Bicicleta ${p.bikeCode} reportada con daño: ${p.note}`,
          row.created_at.toISOString(),
          { ...p },
        );
        break;
      }
      case 'bike.reported_missing': {
        const p = row.payload;
        alert(
          p.stationId,
          'bike_missing',
          row,
          `Bicicleta ${p.bikeCode} reportada perdida o robada (${p.policeReport ? `denuncia ${p.policeReport}` : 'sin denuncia aún'})`,
          row.created_at.toISOString(),
          { ...p },
        );
        break;
      }
      case 'loan.overdue': {
        const p = row.payload;
        alert(
          p.fromStationId,
          'loan_overdue',
          row,
          `Préstamo vencido: bicicleta ${p.bikeCode}`,
          p.dueAt,
          { ...p },
          {
            conditionKey: conditionKeys.loanOverdue(p.loanId),
          },
        );
        break;
      }
      case 'alert.acknowledged': {
        const p = row.payload;
        const audience: AlertAudience = p.audience === 'admins' ? 'admins' : 'station';
        this.alertTarget(operations, audience, p.stationId).emit('alert:acknowledged', {
          id: p.alertId,
          stationId: p.stationId,
          acknowledgedAt: p.acknowledgedAt,
          acknowledgedBy: p.acknowledgedBy,
        });
        break;
      }
      case 'shift.count_mismatch': {
        const p = row.payload;
        const bikes = p.bikesCounted - p.bikesExpected;
        const helmets = p.helmetsCounted - p.helmetsExpected;
        const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
        alert(
          p.stationId,
          'shift_count_mismatch',
          row,
          `Conteo de ${p.phase === 'close' ? 'cierre' : 'apertura'} de turno en ${p.stationCode} distinto del sistema: ` +
            `bicicletas ${p.bikesCounted} (sistema ${p.bikesExpected}, ${signed(bikes)}), ` +
            `cascos ${p.helmetsCounted} (sistema ${p.helmetsExpected}, ${signed(helmets)})`,
          p.countedAt,
          { ...p, bikesDifference: bikes, helmetsDifference: helmets },
        );
        break;
      }
      case 'incident.reported': {
        const p = row.payload;
        if (p.type === 'injury') {
          alert(
            p.stationId,
            'incident_injury',
            row,
            `Incidente con persona lesionada en ${p.stationCode}: ${p.description}`,
            p.occurredAt,
            { ...p },
            { audience: 'admins' },
          );
        }
        break;
      }
      case 'export.requested': {
        const p = row.payload;
        // jobId = outbox id: a row published twice (crash before marking) enqueues one job.
        pending.push(
          this.exportsQueue.add(
            'export.build',
            { exportId: p.exportId },
            { ...EXPORT_BUILD_JOB_OPTIONS, jobId: `outbox-${row.id}` },
          ),
        );
        break;
      }
      case 'export.progress': {
        const p = row.payload;
        const event: ExportProgressEvent = { id: p.exportId, state: p.state, progress: p.progress };
        operations.to(ROOM_PLANNERS).emit('export:progress', event);
        break;
      }
      case 'station.counters_drifted': {
        // Found by the reconciliation: staff recount the rack; the numbers travel in `data`.
        const p = row.payload;
        alert(
          p.stationId,
          'counters_drifted',
          row,
          `Contadores de la estación ${p.stationCode} distintos del inventario: ` +
            `${p.bikesDocked} en el anclaje (esperadas ${p.expectedBikesDocked}), ` +
            `${p.bikesAvailable} disponibles (esperadas ${p.expectedBikesAvailable})`,
          p.detectedAt,
          { ...p },
        );
        break;
      }
      case 'outbox.dead_lettered': {
        const p = row.payload;
        alert(
          null,
          'outbox_dead_letter',
          row,
          `Un evento ${p.eventType} (#${p.outboxId}) no se pudo publicar tras ${p.attempts} intentos y quedó apartado: ${p.lastError}`,
          p.deadAt,
          { ...p },
        );
        break;
      }
      case 'loan.opened':
        break;
      case 'loan.closed': {
        // A closed trip segment (renewals included) joins the batch's `trips.aggregate` job (see
        // enqueueTrips). `reverted` only ever closes an open loan, so it never follows an aggregated
        // segment: it is not a trip and is skipped, as are bikes reported missing.
        const p = row.payload;
        // However the loan ended (returned, renewed, forced, reverted, bike missing), it is no longer overdue.
        resolve(row, conditionKeys.loanOverdue(p.loanId), p.endedAt);
        if (isTripEndReason(p.endReason)) {
          tripRows.push({ outboxId: row.id, loanId: p.loanId });
        }
        break;
      }
      default: {
        const unknownRow: never = row;
        throw new Error(`Outbox event without a publisher: ${JSON.stringify(unknownRow)}`);
      }
    }
  }
}

/** What `collect` made of a batch: nothing in it refers to the rows. */
interface CollectedBatch {
  failures: OutboxRowFailure[];
  pending: Array<Promise<unknown>>;
  operations: PublishTargets['operations'];
  alertChanges: AlertChange[];
  stale: Set<string>;
}

/** A trip-ending `loan.closed` row of the batch being published. */
interface TripRow {
  outboxId: string;
  loanId: string;
}

/** Raises an alert from a row (see `publish`). */
type AlertSink = (
  stationId: string | null,
  kind: AlertKind,
  row: OutboxRecord,
  message: string,
  since: string,
  data: OperationsAlert['data'],
  options?: { conditionKey?: string; audience?: AlertAudience },
) => void;

/** Where one row's effects go: the batch's emitters, alert helpers and collected Redis writes. */
interface PublishTargets {
  availability: ReturnType<Emitter<AvailabilityServerEvents>['of']>;
  operations: ReturnType<Emitter<OperationsServerEvents>['of']>;
  alert: AlertSink;
  resolve: (row: OutboxRecord, conditionKey: string, at: string) => void;
  pending: Array<Promise<unknown>>;
  tripRows: TripRow[];
}
