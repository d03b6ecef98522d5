import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Actor, canActAtStation, Clock, DomainError } from '@metrobici/common';
import { appendToOutbox, outboxMessage } from '@metrobici/outbox';
import { StationEntity } from '@metrobici/stations';
import { IncidentEntity, type IncidentType } from './incident.entity';

export interface ReportIncidentInput {
  type: IncidentType;
  stationId: string;
  bikeCode?: string;
  loanId?: string;
  description: string;
}

export interface IncidentView {
  id: string;
  type: IncidentType;
  stationId: string;
  bikeId: string | null;
  bikeCode: string | null;
  loanId: string | null;
  description: string;
  reportedBy: string;
  occurredAt: string;
}

/**
 * Incidents at stations. Operators record them at their stations and see those of their stations;
 * admins see all. An injury is an alert to the admins at once (`incident.reported` in the outbox).
 */
@Injectable()
export class IncidentService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async report(actor: Actor, input: ReportIncidentInput): Promise<IncidentView> {
    return this.dataSource.transaction(async (manager) => {
      const station = await manager.findOneBy(StationEntity, { id: input.stationId });
      if (!station)
        throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stationId: input.stationId });
      if (!canActAtStation(actor, station.id)) {
        throw new DomainError('STATION_NOT_ALLOWED', 'No está autorizado para operar en esta estación.');
      }
      let bike: { id: string; code: string } | null = null;
      if (input.bikeCode) {
        const rows: Array<{ id: string; code: string }> = await manager.query(
          'SELECT id, code FROM bikes WHERE code = $1',
          [input.bikeCode.trim().toUpperCase()],
        );
        bike = rows[0] ?? null;
        if (!bike) throw new DomainError('BIKE_NOT_FOUND', `No existe la bicicleta ${input.bikeCode}.`);
      }
      if (input.loanId) {
        const rows: unknown[] = await manager.query('SELECT id FROM loans WHERE id = $1', [input.loanId]);
        if (rows.length === 0) throw new DomainError('LOAN_NOT_FOUND', 'El préstamo no existe.');
      }
      const now = this.clock.now();
      const incident = await manager.save(
        manager.create(IncidentEntity, {
          type: input.type,
          stationId: station.id,
          bikeId: bike?.id ?? null,
          loanId: input.loanId ?? null,
          description: input.description.trim(),
          reportedBy: actor.id,
          occurredAt: now,
        }),
      );
      await appendToOutbox(manager, [
        outboxMessage('incident.reported', incident.id, {
          incidentId: incident.id,
          type: incident.type,
          stationId: station.id,
          stationCode: station.code,
          bikeCode: bike?.code ?? null,
          description: incident.description,
          occurredAt: now.toISOString(),
        }),
      ]);
      return { ...toIncidentView(incident), bikeCode: bike?.code ?? null };
    });
  }

  async list(
    actor: Actor,
    filter: { stationId?: string; from?: Date; to?: Date; limit?: number },
  ): Promise<IncidentView[]> {
    if (actor.role !== 'admin' && actor.role !== 'operator') {
      throw new DomainError('FORBIDDEN', 'No tiene permiso para esta acción.');
    }
    if (filter.stationId && !canActAtStation(actor, filter.stationId)) {
      throw new DomainError('STATION_NOT_ALLOWED', 'No está autorizado para operar en esta estación.');
    }
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter.stationId) where.push(`i.station_id = ${param(filter.stationId)}`);
    if (actor.role !== 'admin' && actor.stationIds !== null)
      where.push(`i.station_id = ANY(${param(actor.stationIds)}::uuid[])`);
    if (filter.from) where.push(`i.occurred_at >= ${param(filter.from)}`);
    if (filter.to) where.push(`i.occurred_at < ${param(filter.to)}`);
    const limit = Math.min(Math.max(filter.limit ?? 200, 1), 500);
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT i.*, b.code AS bike_code FROM incidents i LEFT JOIN bikes b ON b.id = i.bike_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY i.occurred_at DESC LIMIT ${limit}`,
      params,
    );
    return rows.map(incidentViewFromRow);
  }
}

/** An incident as `SELECT i.*, b.code AS bike_code FROM incidents i LEFT JOIN bikes b …` reads it. */
export function incidentViewFromRow(r: Record<string, any>): IncidentView {
  return {
    id: r.id,
    type: r.type,
    stationId: r.station_id,
    bikeId: r.bike_id,
    bikeCode: r.bike_code ?? null,
    loanId: r.loan_id,
    description: r.description,
    reportedBy: r.reported_by,
    occurredAt: new Date(r.occurred_at).toISOString(),
  };
}

function toIncidentView(i: IncidentEntity): IncidentView {
  return {
    id: i.id,
    type: i.type,
    stationId: i.stationId,
    bikeId: i.bikeId,
    bikeCode: null,
    loanId: i.loanId,
    description: i.description,
    reportedBy: i.reportedBy,
    occurredAt: new Date(i.occurredAt).toISOString(),
  };
}
