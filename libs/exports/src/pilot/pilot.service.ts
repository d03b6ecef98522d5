import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Actor, bogotaDate, Clock, DomainError, isValidLocalDate } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { tripSql } from '@metrobici/loans';
import {
  lockPilotState,
  PilotEventEntity,
  type PilotStateEntity,
  recordPilotClosed,
  recordPilotReopened,
  ServiceHours,
} from '@metrobici/stations';
import { ExportEntity } from '../export.entity';
import { ExportService, type ExportView, toExportView } from '../export.service';

export interface OpenLoanFollowUp {
  loanId: string;
  journeyId: string;
  bikeCode: string;
  fromStationId: string;
  fromStationName: string;
  startedAt: string;
  dueAt: string;
  overdue: boolean;
  riderId: string;
  /** Contact for bringing the bike back; staff who act at stations only (not planners). */
  riderName?: string;
  riderPhone?: string;
}

export interface PilotView {
  status: PilotStateEntity['status'];
  /** Whether bikes may leave stations now (closing, and PILOT_START/PILOT_END). */
  running: boolean;
  endDate: string | null;
  closedAt: string | null;
  closedBy: string | null;
  reopenedAt: string | null;
  reopenedBy: string | null;
  reopenReason: string | null;
  finalExport: ExportView | null;
  openLoans: OpenLoanFollowUp[];
  events: Array<{
    id: string;
    type: string;
    endDate: string | null;
    reason: string | null;
    actorId: string;
    openLoans: number;
    exportId: string | null;
    occurredAt: string;
  }>;
}

/**
 * Closing and reopening the pilot (admin). Closing, in one transaction: pilot_state says closed
 * (so no check-out passes, whatever the configuration), the event is logged, the final data
 * package of the whole pilot is requested, and every station republishes its availability (now
 * not renting). Returns still work. Reopening is explicit and logged too.
 */
@Injectable()
export class PilotService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hours: ServiceHours,
    private readonly exports: ExportService,
    private readonly clock: Clock,
  ) {}

  async view(actor: Actor): Promise<PilotView> {
    const state = await this.hours.pilotState();
    const finalExport = state?.finalExportId
      ? await this.dataSource.getRepository(ExportEntity).findOneBy({ id: state.finalExportId })
      : null;
    const events = await this.dataSource.getRepository(PilotEventEntity).find({ order: { id: 'DESC' }, take: 50 });
    return {
      status: state?.status ?? 'running',
      running: this.hours.isPilotRunning(this.clock.now()),
      endDate: state?.endDate ?? null,
      closedAt: iso(state?.closedAt),
      closedBy: state?.closedBy ?? null,
      reopenedAt: iso(state?.reopenedAt),
      reopenedBy: state?.reopenedBy ?? null,
      reopenReason: state?.reopenReason ?? null,
      finalExport: finalExport ? toExportView(finalExport) : null,
      openLoans: await this.openLoans(actor),
      events: events.map((e) => ({
        id: e.id,
        type: e.type,
        endDate: e.endDate,
        reason: e.reason,
        actorId: e.actorId,
        openLoans: e.openLoans,
        exportId: e.exportId,
        occurredAt: new Date(e.occurredAt).toISOString(),
      })),
    };
  }

  async close(actor: Actor, input: { endDate: string }): Promise<PilotView> {
    assertAdmin(actor);
    const now = this.clock.now();
    const today = bogotaDate(now);
    const start = this.config.pilot.start ? bogotaDate(this.config.pilot.start) : null;
    if (!isValidLocalDate(input.endDate)) throw invalid('endDate debe ser una fecha real AAAA-MM-DD.');
    if (input.endDate > today)
      throw invalid(`endDate no puede ser posterior a hoy (${today}): el cierre detiene los préstamos desde ahora.`);
    if (start && input.endDate < start) throw invalid(`endDate no puede ser anterior al inicio del piloto (${start}).`);

    await this.dataSource.transaction(async (manager) => {
      const state = await lockPilotState(manager);
      if (state.status === 'closed') {
        throw new DomainError('PILOT_ALREADY_CLOSED', 'El piloto ya está cerrado.', {
          closedAt: iso(state.closedAt),
          endDate: state.endDate,
        });
      }
      const [{ n: openLoans }] = await manager.query<Array<{ n: number }>>(
        `SELECT count(*)::integer AS n FROM loans WHERE state = 'open'`,
      );
      const exportId = await this.exports.enqueue(
        manager,
        'pilot_final',
        { from: await this.firstDay(manager, start, input.endDate), to: input.endDate },
        actor.id,
      );
      await recordPilotClosed(manager, {
        endDate: input.endDate,
        actorId: actor.id,
        at: now,
        openLoans,
        finalExportId: exportId,
      });
    });
    await this.hours.pilotState();
    return this.view(actor);
  }

  async reopen(actor: Actor, input: { reason: string }): Promise<PilotView> {
    assertAdmin(actor);
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      const state = await lockPilotState(manager);
      if (state.status !== 'closed') throw new DomainError('PILOT_NOT_CLOSED', 'El piloto no está cerrado.');
      const [{ n: openLoans }] = await manager.query<Array<{ n: number }>>(
        `SELECT count(*)::integer AS n FROM loans WHERE state = 'open'`,
      );
      await recordPilotReopened(manager, {
        endDate: state.endDate,
        reason: input.reason,
        actorId: actor.id,
        at: now,
        openLoans,
      });
    });
    await this.hours.pilotState();
    return this.view(actor);
  }

  /** The final package covers the whole pilot: from PILOT_START, else the first trip, to the end date. */
  private async firstDay(manager: EntityManager, start: string | null, endDate: string): Promise<string> {
    if (start) return start;
    const [{ first }] = await manager.query<Array<{ first: Date | null }>>(
      `SELECT min(l.started_at) AS first FROM loans l WHERE ${tripSql('l')}`,
    );
    const day = first ? bogotaDate(new Date(first)) : endDate;
    return day < endDate ? day : endDate;
  }

  private async openLoans(actor: Actor): Promise<OpenLoanFollowUp[]> {
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT l.id, l.journey_id, b.code AS bike_code, l.from_station_id, s.name AS station_name, l.started_at, l.due_at,
              (l.overdue OR l.due_at < $1) AS overdue, l.rider_id, r.first_name, r.last_name, r.phone
         FROM loans l JOIN bikes b ON b.id = l.bike_id JOIN stations s ON s.id = l.from_station_id JOIN riders r ON r.id = l.rider_id
        WHERE l.state = 'open'
        ORDER BY l.due_at, l.id
        LIMIT 1000`,
      [this.clock.now()],
    );
    const contact = actor.role !== 'planner';
    return rows.map((r) => ({
      loanId: r.id,
      journeyId: r.journey_id,
      bikeCode: r.bike_code,
      fromStationId: r.from_station_id,
      fromStationName: r.station_name,
      startedAt: new Date(r.started_at).toISOString(),
      dueAt: new Date(r.due_at).toISOString(),
      overdue: Boolean(r.overdue),
      riderId: r.rider_id,
      ...(contact ? { riderName: `${r.first_name} ${r.last_name}`, riderPhone: r.phone } : {}),
    }));
  }
}

function assertAdmin(actor: Actor): void {
  if (actor.role !== 'admin')
    throw new DomainError('FORBIDDEN', 'Solo un administrador puede cerrar o reabrir el piloto.');
}

function invalid(message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message);
}

function iso(d: Date | null | undefined): string | null {
  return d ? new Date(d).toISOString() : null;
}
