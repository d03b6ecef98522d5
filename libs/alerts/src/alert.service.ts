import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Actor, canActAtStation, DomainError } from '@metrobici/common';
import { appendToOutbox, outboxMessage } from '@metrobici/outbox';
import type { OperationsAlert } from '@metrobici/realtime';
import { type AlertRow, toAlertView } from './alert-store';

/** open: neither acknowledged nor resolved; acknowledged; resolved (the condition ended); all. */
export type AlertListState = 'open' | 'acknowledged' | 'resolved' | 'all';

export interface ListAlertsInput {
  state?: AlertListState;
  stationId?: string;
  limit?: number;
}

/**
 * Reading and acknowledging stored alerts. Admins see every alert; operators the station alerts
 * of their stations (roaming operators: every station alert, as their socket room gets);
 * admin-only alerts (an injury) are for admins.
 */
@Injectable()
export class AlertService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(actor: Actor, input: ListAlertsInput): Promise<OperationsAlert[]> {
    assertStaffWithAlerts(actor);
    if (input.stationId && actor.role !== 'admin' && !canActAtStation(actor, input.stationId)) {
      throw new DomainError('STATION_NOT_ALLOWED', 'No está autorizado para operar en esta estación.');
    }
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const state = input.state ?? 'open';
    if (state === 'open') where.push('a.acknowledged_at IS NULL AND a.resolved_at IS NULL');
    if (state === 'acknowledged') where.push('a.acknowledged_at IS NOT NULL');
    if (state === 'resolved') where.push('a.resolved_at IS NOT NULL');
    if (input.stationId) where.push(`a.station_id = ${param(input.stationId)}`);
    where.push(visibleTo(actor, param));
    const limit = Math.min(Math.max(input.limit ?? 200, 1), 500);
    const rows: AlertRow[] = await this.dataSource.query(
      `SELECT a.* FROM alerts a WHERE ${where.join(' AND ')} ORDER BY a.id DESC LIMIT ${limit}`,
      params,
    );
    return rows.map(toAlertView);
  }

  /** Marks the alert seen by the actor (first acknowledgement wins); the staff sockets are told. */
  async acknowledge(actor: Actor, id: string): Promise<OperationsAlert> {
    assertStaffWithAlerts(actor);
    if (!/^\d{1,18}$/.test(id)) throw notFound(id);
    return this.dataSource.transaction(async (manager) => {
      const params: unknown[] = [id];
      const rows: AlertRow[] = await manager.query(
        `SELECT a.* FROM alerts a WHERE a.id = $1 AND ${visibleTo(actor, (v) => {
          params.push(v);
          return `$${params.length}`;
        })} FOR UPDATE`,
        params,
      );
      const row = rows[0];
      if (!row) throw notFound(id);
      if (row.acknowledged_at) return toAlertView(row);
      const [[updated]] = await manager.query<[AlertRow[], number]>(
        `UPDATE alerts SET acknowledged_at = now(), acknowledged_by = $2 WHERE id = $1 RETURNING *`,
        [id, actor.id],
      );
      await appendToOutbox(manager, [
        outboxMessage('alert.acknowledged', null, {
          alertId: String(updated.id),
          stationId: updated.station_id,
          audience: updated.audience,
          acknowledgedAt: new Date(updated.acknowledged_at as Date).toISOString(),
          acknowledgedBy: actor.id,
        }),
      ]);
      return toAlertView(updated);
    });
  }
}

function assertStaffWithAlerts(actor: Actor): void {
  if (actor.role !== 'admin' && actor.role !== 'operator') {
    throw new DomainError('FORBIDDEN', 'No tiene permiso para esta acción.');
  }
}

/** The SQL condition "actor may see alert a". */
function visibleTo(actor: Actor, param: (v: unknown) => string): string {
  if (actor.role === 'admin') return 'TRUE';
  if (actor.stationIds === null) return `a.audience = 'station'`;
  return `a.audience = 'station' AND a.station_id = ANY(${param(actor.stationIds)}::uuid[])`;
}

function notFound(id: string): DomainError {
  return new DomainError('ALERT_NOT_FOUND', 'La alerta no existe.', { alertId: id });
}
