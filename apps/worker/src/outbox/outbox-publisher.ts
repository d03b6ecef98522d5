import { Injectable } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import { Clock } from '@metrobici/common';
import type { OutboxEventMap, OutboxEventType } from '@metrobici/outbox';
import {
  AVAILABILITY_NAMESPACE,
  OPERATIONS_NAMESPACE,
  ROOM_ALL_STATIONS,
  stationRoom,
  type AlertKind,
  type AvailabilityServerEvents,
  type OperationsAlert,
  type OperationsServerEvents,
  type StationUpdatedEvent,
} from '@metrobici/realtime';
import { ServiceHours } from '@metrobici/stations';

export interface OutboxRow {
  id: string;
  type: OutboxEventType;
  aggregate_id: string | null;
  payload: Record<string, unknown>;
  created_at: Date;
}

/**
 * Turns outbox rows into socket.io events, emitted through Redis to every API instance. Publishing
 * collects the PUBLISH promises so the relay marks rows as published only once Redis took them.
 */
@Injectable()
export class OutboxPublisher {
  constructor(
    private readonly hours: ServiceHours,
    private readonly clock: Clock,
  ) {}

  async publish(redis: Redis, rows: OutboxRow[]): Promise<void> {
    const pending: Array<Promise<unknown>> = [];
    const client = { publish: (channel: string, message: string | Buffer) => pending.push(redis.publish(channel, message)) };
    const emitter = new Emitter(client as unknown as Redis);
    const availability = emitter.of(AVAILABILITY_NAMESPACE) as unknown as { emit<K extends keyof AvailabilityServerEvents>(e: K, ...a: Parameters<AvailabilityServerEvents[K]>): void };
    const operations = emitter.of(OPERATIONS_NAMESPACE);
    const alert = (stationId: string | null, kind: AlertKind, row: OutboxRow, message: string, since: string, data: Record<string, unknown>) => {
      const payload: OperationsAlert = { id: row.id, kind, stationId, message, since, at: this.clock.now().toISOString(), data };
      const target = stationId ? operations.to(stationRoom(stationId)).to(ROOM_ALL_STATIONS) : operations.to(ROOM_ALL_STATIONS);
      (target as unknown as { emit<K extends keyof OperationsServerEvents>(e: K, ...a: Parameters<OperationsServerEvents[K]>): void }).emit('alert', payload);
    };

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
          if (p.active && p.bikesAvailable === 0) alert(p.stationId, 'station_empty', row, 'Estación sin bicicletas disponibles', p.updatedAt, { ...event });
          if (p.active && p.spacesAvailable === 0) alert(p.stationId, 'station_full', row, 'Estación llena: sin espacios libres', p.updatedAt, { ...event });
          break;
        }
        case 'bike.damage_reported': {
          const p = row.payload as unknown as OutboxEventMap['bike.damage_reported'];
          alert(p.stationId, 'bike_damaged', row, `Bicicleta ${p.bikeCode} reportada con daño: ${p.note}`, row.created_at.toISOString(), p as unknown as Record<string, unknown>);
          break;
        }
        case 'bike.reported_missing': {
          const p = row.payload as unknown as OutboxEventMap['bike.reported_missing'];
          alert(p.stationId, 'bike_missing', row, `Bicicleta ${p.bikeCode} reportada perdida o robada (denuncia ${p.policeReport})`, row.created_at.toISOString(), p as unknown as Record<string, unknown>);
          break;
        }
        case 'loan.overdue': {
          const p = row.payload as unknown as OutboxEventMap['loan.overdue'];
          alert(p.fromStationId, 'loan_overdue', row, `Préstamo vencido: bicicleta ${p.bikeCode}`, p.dueAt, p as unknown as Record<string, unknown>);
          break;
        }
        case 'loan.opened':
        case 'loan.closed':
          // Trip data for the worker's aggregates; nothing to show live.
          break;
        default: {
          const unknownType: never = type;
          throw new Error(`Outbox event ${String(unknownType)} has no publisher`);
        }
      }
    }
    await Promise.all(pending);
  }
}
