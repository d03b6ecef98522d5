import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Emitter } from '@socket.io/redis-emitter';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Clock } from '@metrobici/common';
import type { OutboxEventMap, OutboxEventType } from '@metrobici/outbox';
import {
  AVAILABILITY_NAMESPACE,
  OPERATIONS_NAMESPACE,
  ROOM_ALL_STATIONS,
  ROOM_PLANNERS,
  stationRoom,
  type AlertKind,
  type ExportProgressEvent,
  type AvailabilityServerEvents,
  type OperationsAlert,
  type OperationsServerEvents,
  type StationUpdatedEvent,
} from '@metrobici/realtime';
import { ServiceHours } from '@metrobici/stations';
import { TRIP_END_REASONS } from '@metrobici/stats';
import { EXPORTS_QUEUE, TRIP_JOB_OPTIONS, TRIPS_QUEUE, type TripAggregateJob } from '../queues';

export interface OutboxRow {
  id: string;
  type: OutboxEventType;
  aggregate_id: string | null;
  payload: Record<string, unknown>;
  created_at: Date;
}

/**
 * Turns outbox rows into socket.io events, emitted through Redis to every API instance, and into
 * BullMQ jobs (trip segments, export builds). Publishing collects the PUBLISH and enqueue promises
 * so the relay marks rows as published only once Redis took them.
 */
@Injectable()
export class OutboxPublisher {
  constructor(
    private readonly hours: ServiceHours,
    private readonly clock: Clock,
    @InjectQueue(EXPORTS_QUEUE) private readonly exportsQueue: Queue,
    @InjectQueue(TRIPS_QUEUE) private readonly tripsQueue: Queue,
  ) {}

  async publish(redis: Redis, rows: OutboxRow[]): Promise<void> {
    const pending: Array<Promise<unknown>> = [];
    const client = {
      publish: (channel: string, message: string | Buffer) => pending.push(redis.publish(channel, message)),
    };
    const emitter = new Emitter(client as unknown as Redis);
    const availability = emitter.of(AVAILABILITY_NAMESPACE) as unknown as {
      emit<K extends keyof AvailabilityServerEvents>(e: K, ...a: Parameters<AvailabilityServerEvents[K]>): void;
    };
    const operations = emitter.of(OPERATIONS_NAMESPACE);
    const tripJobs: Array<{
      name: 'trip.aggregate';
      data: TripAggregateJob;
      opts: { jobId: string } & typeof TRIP_JOB_OPTIONS;
    }> = [];
    const alert = (
      stationId: string | null,
      kind: AlertKind,
      row: OutboxRow,
      message: string,
      since: string,
      data: Record<string, unknown>,
    ) => {
      const payload: OperationsAlert = {
        id: row.id,
        kind,
        stationId,
        message,
        since,
        at: this.clock.now().toISOString(),
        data,
      };
      const target = stationId
        ? operations.to(stationRoom(stationId)).to(ROOM_ALL_STATIONS)
        : operations.to(ROOM_ALL_STATIONS);
      (
        target as unknown as {
          emit<K extends keyof OperationsServerEvents>(e: K, ...a: Parameters<OperationsServerEvents[K]>): void;
        }
      ).emit('alert', payload);
    };

    // isOpen below must reflect a pilot closing committed just before these rows.
    if (rows.some((r) => r.type === 'station.availability_changed')) await this.hours.pilotState();

    for (const row of rows) {
      const type = row.type;
      switch (type) {
        case 'station.availability_changed': {
          const p = row.payload as unknown as OutboxEventMap['station.availability_changed'];
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
          if (p.active && p.bikesAvailable === 0)
            alert(p.stationId, 'station_empty', row, 'Estación sin bicicletas disponibles', p.updatedAt, { ...event });
          if (p.active && p.spacesAvailable === 0)
            alert(p.stationId, 'station_full', row, 'Estación llena: sin espacios libres', p.updatedAt, { ...event });
          break;
        }
        case 'bike.damage_reported': {
          const p = row.payload as unknown as OutboxEventMap['bike.damage_reported'];
          alert(
            p.stationId,
            'bike_damaged',
            row,
            `Bicicleta ${p.bikeCode} reportada con daño: ${p.note}`,
            row.created_at.toISOString(),
            p as unknown as Record<string, unknown>,
          );
          break;
        }
        case 'bike.reported_missing': {
          const p = row.payload as unknown as OutboxEventMap['bike.reported_missing'];
          alert(
            p.stationId,
            'bike_missing',
            row,
            `Bicicleta ${p.bikeCode} reportada perdida o robada (denuncia ${p.policeReport})`,
            row.created_at.toISOString(),
            p as unknown as Record<string, unknown>,
          );
          break;
        }
        case 'loan.overdue': {
          const p = row.payload as unknown as OutboxEventMap['loan.overdue'];
          alert(
            p.fromStationId,
            'loan_overdue',
            row,
            `Préstamo vencido: bicicleta ${p.bikeCode}`,
            p.dueAt,
            p as unknown as Record<string, unknown>,
          );
          break;
        }
        case 'export.requested': {
          const p = row.payload as unknown as OutboxEventMap['export.requested'];
          // jobId = outbox id: a row published twice (crash before marking) enqueues one job.
          pending.push(
            this.exportsQueue.add(
              'export.build',
              { exportId: p.exportId },
              {
                jobId: `outbox-${row.id}`,
                attempts: 3,
                backoff: { type: 'exponential', delay: 5000 },
                removeOnComplete: 100,
                removeOnFail: 500,
              },
            ),
          );
          break;
        }
        case 'export.progress': {
          const p = row.payload as unknown as OutboxEventMap['export.progress'];
          const event: ExportProgressEvent = { id: p.exportId, state: p.state, progress: p.progress };
          (
            operations.to(ROOM_PLANNERS) as unknown as {
              emit<K extends keyof OperationsServerEvents>(e: K, ...a: Parameters<OperationsServerEvents[K]>): void;
            }
          ).emit('export:progress', event);
          break;
        }
        case 'loan.opened':
          break;
        case 'loan.closed': {
          // A closed trip segment (renewals included) becomes a `trip.aggregate` job; the outbox id as
          // jobId dedupes a batch the relay publishes again after a crash. `reverted` only ever closes
          // an open loan, so it never follows an aggregated segment: it is not a trip and is skipped.
          const p = row.payload as unknown as OutboxEventMap['loan.closed'];
          if ((TRIP_END_REASONS as readonly string[]).includes(p.endReason)) {
            tripJobs.push({
              name: 'trip.aggregate',
              data: { loanId: p.loanId },
              opts: { ...TRIP_JOB_OPTIONS, jobId: `outbox-${row.id}` },
            });
          }
          break;
        }
        default: {
          const unknownType: never = type;
          throw new Error(`Outbox event ${String(unknownType)} has no publisher`);
        }
      }
    }
    // One round trip for the whole relay batch, however many trips closed at once.
    if (tripJobs.length > 0) pending.push(this.tripsQueue.addBulk(tripJobs));
    await Promise.all(pending);
  }
}
