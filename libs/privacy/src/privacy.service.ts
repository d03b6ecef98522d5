import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Actor, bogotaDate, Clock, DomainError } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { redactRiderLoanNotes, tripSql } from '@metrobici/loans';
import {
  anonymiseRiderRecord,
  REDACTED_TEXT,
  RiderService,
  ridersDueForAnonymisation,
  type RiderStaffView,
  toStaffView,
} from '@metrobici/riders';
import { aggregateTripFacts } from '@metrobici/stats';

export interface RetentionResult {
  /** Local date after which riders are anonymised (pilot end + RIDER_RETENTION_DAYS), or null while it runs. */
  dueAfter: string | null;
  anonymised: number;
  /** Riders left for a later run (a bike still on loan). */
  skipped: number;
}

/** Riders anonymised per retention run (each in its own short transaction). */
const RETENTION_BATCH = 500;

/**
 * Deletion under Ley 1581: anonymising a rider touches the riders, loans and statistics libs in
 * one transaction, so it lives above them. Every trip of the rider gets its trip fact first (the
 * fact keeps the trip's gender and age band), so every KPI is the same before and after.
 */
@Injectable()
export class PrivacyService {
  private readonly logger = new Logger(PrivacyService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly riders: RiderService,
    private readonly clock: Clock,
  ) {}

  /** Admin, on the rider's request: removes every direct identifier for good. 409 while a bike is out. */
  async anonymise(actor: Actor, riderId: string, reason: string): Promise<RiderStaffView> {
    if (actor.role !== 'admin') throw new DomainError('FORBIDDEN', 'Solo un administrador puede anonimizar.');
    const text = reason?.trim() ?? '';
    if (text.length < 3)
      throw new DomainError('VALIDATION_FAILED', 'La solicitud tiene datos inválidos.', {
        fields: [{ field: 'reason', problems: ['El motivo es obligatorio.'] }],
      });
    await this.dataSource.transaction((manager) => this.anonymiseIn(manager, riderId, actor.id, text));
    // What is left of the rider (placeholders); no open loan, or it would have been refused.
    return toStaffView(await this.riders.findOrFail(this.dataSource.manager, riderId), null);
  }

  /**
   * Retention: once the pilot has closed (closing logged in pilot_state, or PILOT_END) and
   * RIDER_RETENTION_DAYS have passed, every real rider is anonymised; riders holding a bike wait.
   */
  async anonymiseExpired(now: Date = this.clock.now()): Promise<RetentionResult> {
    const end = await this.pilotEnd();
    if (!end) return { dueAfter: null, anonymised: 0, skipped: 0 };
    const due = new Date(Date.parse(`${end}T00:00:00-05:00`) + (this.config.riders.retentionDays + 1) * 86_400_000);
    const dueAfter = bogotaDate(new Date(due.getTime() - 86_400_000));
    if (now < due) return { dueAfter, anonymised: 0, skipped: 0 };
    let anonymised = 0;
    let skipped = 0;
    const reason = `Plazo de conservación cumplido (${this.config.riders.retentionDays} días tras el cierre del piloto)`;
    for (;;) {
      const ids = await ridersDueForAnonymisation(this.dataSource.manager, RETENTION_BATCH);
      if (ids.length === 0) break;
      for (const id of ids) {
        try {
          await this.dataSource.transaction((manager) => this.anonymiseIn(manager, id, null, reason));
          anonymised += 1;
        } catch (error) {
          // A rider who took a bike meanwhile waits for the next run.
          if (error instanceof DomainError && error.code === 'RIDER_HOLDS_BIKE') skipped += 1;
          else throw error;
        }
      }
      if (ids.length < RETENTION_BATCH) break;
    }
    const [{ n }] = await this.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::integer AS n FROM riders r WHERE r.anonymised_at IS NULL AND NOT r.synthetic`,
    );
    if (n > 0) this.logger.warn(`${n} rider(s) still hold a bike and will be anonymised on a later run`);
    return { dueAfter, anonymised, skipped: Math.max(skipped, n) };
  }

  private async anonymiseIn(manager: EntityManager, riderId: string, actorId: string | null, reason: string) {
    // Facts first, in this transaction: each keeps the age band once the birth date is gone.
    const pending = await manager.query<Array<{ id: string }>>(
      `SELECT l.id FROM loans l WHERE l.rider_id = $1 AND ${tripSql('l')}
          AND NOT EXISTS (SELECT 1 FROM trip_facts f WHERE f.loan_id = l.id)`,
      [riderId],
    );
    if (pending.length > 0)
      await aggregateTripFacts(
        manager,
        pending.map((p) => p.id),
        this.config.stats.co2GramsPerKm,
      );
    await anonymiseRiderRecord(manager, riderId, { actorId, reason, at: this.clock.now() });
    await redactRiderLoanNotes(manager, riderId, REDACTED_TEXT);
  }

  /** The pilot's last local day: the closing logged by an admin, else PILOT_END; null while it runs. */
  private async pilotEnd(): Promise<string | null> {
    const rows = await this.dataSource.query<Array<{ end_date: string | null }>>(
      `SELECT to_char(end_date, 'YYYY-MM-DD') AS end_date FROM pilot_state WHERE status = 'closed' LIMIT 1`,
    );
    if (rows[0]?.end_date) return rows[0].end_date;
    return this.config.pilot.end ? bogotaDate(new Date(this.config.pilot.end.getTime() - 1)) : null;
  }
}
