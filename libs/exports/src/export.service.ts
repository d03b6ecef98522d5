import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Writable } from 'node:stream';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { type Actor, bogotaDate, Clock, DomainError, isValidLocalDate } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { appendToOutbox, outboxInsertSql, outboxMessage } from '@metrobici/outbox';
import { logPersonalDataReads } from '@metrobici/riders';
import { ExportEntity, type ExportKind, type ExportState, type ManifestFile, type PackageKind } from './export.entity';
import { TRIPS_SQL } from './export-queries';
import { copyCsv, type ExportRange, withExportSession } from './export-session';
import { ExportsPool } from './exports-pool';
import { buildDataPackage } from './package/data-package';
import { packageFileName } from './package/manifest';

/** Longest range one request may cover, in days (the pilot lasts about three months). */
export const MAX_EXPORT_DAYS = 1100;

/** Packages one person may have queued or being built at once (each one is minutes of a worker). */
export const MAX_EXPORTS_IN_FLIGHT = 3;

/** `export.requested` of the nightly package (`e` = the export row just inserted). */
const NIGHTLY_REQUESTED_SQL = outboxInsertSql('export.requested', {
  aggregateId: 'e.id',
  payload: { exportId: 'e.id', kind: `'nightly'` },
  from: 'e',
});

/** `export.progress` of a state or progress change (`e` = the export row just updated). */
const EXPORT_PROGRESS_SQL = outboxInsertSql('export.progress', {
  aggregateId: 'e.id',
  payload: { exportId: 'e.id', state: 'e.state', progress: 'e.progress' },
  from: 'e',
});

/** What a planner asks for: a range, what the package holds and, for research, who gets it under which agreement. */
export interface ExportRequest extends ExportRange {
  kind?: PackageKind;
  recipient?: string;
  agreementRef?: string;
  /** Public packages only: count the synthetic demo trips too. */
  synthetic?: 'include' | 'exclude';
}

export interface ExportView {
  id: string;
  kind: ExportKind;
  packageKind: PackageKind;
  recipient: string | null;
  agreementRef: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  includesSynthetic: boolean;
  state: ExportState;
  progress: number;
  from: string;
  to: string;
  requestedBy: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  sizeBytes: number | null;
  files: ManifestFile[] | null;
  error: string | null;
  downloadUrl: string | null;
}

export interface ExportDownload {
  path: string;
  fileName: string;
  sizeBytes: number;
}

/**
 * Data packages for the C40/GIZ advisers and the direct trip CSV. Requests write the `exports` row
 * and an `export.requested` outbox row in one transaction; the worker's relay enqueues the build,
 * whose progress leaves through `export.progress` outbox rows (pushed to planners' sockets).
 */
@Injectable()
export class ExportService {
  private readonly logger = new Logger(ExportService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly exportsPool: ExportsPool,
    private readonly clock: Clock,
  ) {}

  /** Absolute EXPORTS_DIR. */
  get dir(): string {
    return resolve(process.cwd(), this.config.exports.dir);
  }

  /**
   * Streams trips.csv of the range into `sink` with COPY: `onStart` runs once the range is valid
   * and a connection is held (set the response headers there); errors before it are ordinary
   * domain errors. Returns the rows written.
   */
  async streamTripsCsv(
    _actor: Actor,
    range: ExportRange & { synthetic?: 'include' | 'exclude' },
    sink: Writable,
    onStart: () => void,
  ): Promise<number> {
    assertRange(range);
    const params = { ...this.sessionParams(range), includeSynthetic: range.synthetic === 'include' };
    return withExportSession(this.exportsPool.pool, params, async (client) => {
      onStart();
      const { rows } = await copyCsv(client, TRIPS_SQL, sink);
      return rows;
    });
  }

  /**
   * A public package is queued at once; a research package waits for an admin's approval
   * (`approve`) and needs a recipient and an agreement reference.
   */
  async request(actor: Actor, input: ExportRequest): Promise<{ id: string; state: ExportState }> {
    const range = { from: input.from, to: input.to };
    assertRange(range);
    const packageKind = input.kind ?? 'public';
    const recipient = input.recipient?.trim() || null;
    const agreementRef = input.agreementRef?.trim() || null;
    if (packageKind === 'research') {
      const fields = [
        ...(recipient ? [] : [{ field: 'recipient', problems: ['Indique quién recibe el paquete de investigación.'] }]),
        ...(agreementRef ? [] : [{ field: 'agreementRef', problems: ['Indique la referencia del acuerdo de datos.'] }]),
        ...(input.synthetic === 'include'
          ? [{ field: 'synthetic', problems: ['Un paquete de investigación nunca lleva datos sintéticos.'] }]
          : []),
      ];
      if (fields.length > 0)
        throw new DomainError('VALIDATION_FAILED', 'La solicitud tiene datos inválidos.', { fields });
    }
    const state: ExportState = packageKind === 'research' ? 'unapproved' : 'queued';
    const id = await this.dataSource.transaction(async (manager) => {
      // Serialise one person's requests, so two at once cannot both slip under the bound.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`exports:${actor.id}`]);
      const [{ n }] = await manager.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM exports WHERE requested_by = $1 AND state IN ('unapproved', 'queued', 'active')`,
        [actor.id],
      );
      if (n >= MAX_EXPORTS_IN_FLIGHT) {
        throw new DomainError(
          'EXPORTS_IN_FLIGHT',
          `Ya tiene ${n} paquetes en preparación; espere a que terminen (máximo ${MAX_EXPORTS_IN_FLIGHT}).`,
          { inFlight: n, max: MAX_EXPORTS_IN_FLIGHT },
        );
      }
      if (packageKind === 'public')
        return this.enqueue(manager, 'on_request', range, actor.id, {
          includeSynthetic: input.synthetic === 'include',
        });
      const [row] = await manager.query<Array<{ id: string }>>(
        `INSERT INTO exports (kind, package_kind, requested_by, from_date, to_date, state, recipient, agreement_ref)
         VALUES ('on_request', 'research', $1, $2, $3, 'unapproved', $4, $5) RETURNING id`,
        [actor.id, range.from, range.to, recipient, agreementRef],
      );
      return row.id;
    });
    return { id, state };
  }

  /**
   * An admin approves a research package: it is queued for the worker, and the approval (who, for
   * whom, under which agreement) goes to the audit log of personal-data reads. Planners get 403.
   */
  async approve(actor: Actor, id: string): Promise<ExportView> {
    if (actor.role !== 'admin')
      throw new DomainError('FORBIDDEN', 'Solo un administrador aprueba paquetes de investigación.');
    const row = await this.dataSource.transaction(async (manager) => {
      const found = await manager
        .getRepository(ExportEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw new DomainError('EXPORT_NOT_FOUND', 'El paquete de datos no existe.', { id });
      if (found.state !== 'unapproved')
        throw new DomainError('EXPORT_NOT_AWAITING_APPROVAL', 'El paquete no está esperando aprobación.', {
          state: found.state,
        });
      await manager.update(
        ExportEntity,
        { id },
        { state: 'queued', approvedBy: actor.id, approvedAt: this.clock.now() },
      );
      await appendToOutbox(manager, [outboxMessage('export.requested', id, { exportId: id, kind: found.kind })]);
      await logPersonalDataReads(manager, actor, 'POST /api/v1/exports/:id/approve', [null], {
        exportId: id,
        packageKind: 'research',
        recipient: found.recipient,
        agreementRef: found.agreementRef,
        requestedBy: found.requestedBy,
        from: found.fromDate,
        to: found.toDate,
      });
      return manager.getRepository(ExportEntity).findOneByOrFail({ id });
    });
    return toExportView(row);
  }

  /** Writes a queued export and its `export.requested` outbox row in the caller's transaction. */
  async enqueue(
    manager: EntityManager,
    kind: ExportKind,
    range: ExportRange,
    requestedBy: string | null,
    options: { includeSynthetic?: boolean } = {},
  ): Promise<string> {
    // Only public packages are enqueued directly (research ones wait for an approval).
    const [row] = await manager.query<Array<{ id: string }>>(
      `INSERT INTO exports (kind, requested_by, from_date, to_date, include_synthetic) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [kind, requestedBy, range.from, range.to, options.includeSynthetic === true],
    );
    await appendToOutbox(manager, [outboxMessage('export.requested', row.id, { exportId: row.id, kind })]);
    return row.id;
  }

  /** The nightly package of the previous local day; once per day however often it is asked for. */
  async requestNightly(now: Date = this.clock.now()): Promise<string | null> {
    const day = bogotaDate(new Date(now.getTime() - 24 * 3600_000));
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `WITH e AS (
         INSERT INTO exports (kind, from_date, to_date) VALUES ('nightly', $1, $1)
         ON CONFLICT (from_date) WHERE kind = 'nightly' DO NOTHING
         RETURNING id)
       ${NIGHTLY_REQUESTED_SQL}
       RETURNING aggregate_id AS id`,
      [day],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Retention (EXPORT_RETENTION_DAYS): deletes the zip and the row of every package finished
   * (completed or failed) longer ago than that before `now`. The pilot's final package stays: it
   * is the record of the closing that GET /pilot points at. Rows and files go together: the rows
   * are deleted in a transaction that commits only once their files are gone.
   */
  async deleteExpired(now: Date = this.clock.now()): Promise<{ deleted: number; files: number }> {
    const cutoff = new Date(now.getTime() - this.config.exports.retentionDays * 86_400_000);
    return this.dataSource.transaction(async (manager) => {
      // TypeORM answers a DELETE ... RETURNING with [rows, count].
      const [deleted] = await manager.query<[Array<{ id: string; file_path: string | null }>, number]>(
        `DELETE FROM exports
          WHERE kind <> 'pilot_final' AND state IN ('completed', 'failed')
            AND coalesce(completed_at, updated_at) < $1
        RETURNING id, file_path`,
        [cutoff],
      );
      let files = 0;
      for (const row of deleted) {
        if (!row.file_path) continue;
        const path = resolve(this.dir, row.file_path);
        // Only files inside EXPORTS_DIR, whatever the row says.
        if (!path.startsWith(this.dir + sep)) continue;
        if (existsSync(path)) files += 1;
        await rm(path, { force: true });
      }
      return { deleted: deleted.length, files };
    });
  }

  async get(actor: Actor, id: string): Promise<ExportView> {
    const row = await this.dataSource.getRepository(ExportEntity).findOneBy({ id });
    if (!row || !mayRead(actor, row))
      throw new DomainError('EXPORT_NOT_FOUND', 'El paquete de datos no existe.', { id });
    return toExportView(row);
  }

  /** Admins see every package; others their own and the system's (nightly, pilot final). */
  async list(actor: Actor, limit = 50): Promise<ExportView[]> {
    const rows = await this.dataSource.getRepository(ExportEntity).find({
      where: actor.role === 'admin' ? {} : [{ requestedBy: actor.id }, { requestedBy: IsNull() }],
      order: { createdAt: 'DESC' },
      take: Math.min(Math.max(limit, 1), 200),
    });
    return rows.map(toExportView);
  }

  async download(actor: Actor, id: string): Promise<ExportDownload> {
    const row = await this.dataSource.getRepository(ExportEntity).findOneBy({ id });
    if (!row || !mayRead(actor, row))
      throw new DomainError('EXPORT_NOT_FOUND', 'El paquete de datos no existe.', { id });
    if (row.state !== 'completed' || !row.filePath) {
      throw new DomainError('EXPORT_NOT_READY', 'El paquete de datos todavía no está listo.', {
        state: row.state,
        progress: row.progress,
      });
    }
    const path = resolve(this.dir, row.filePath);
    if (!existsSync(path))
      throw new DomainError('EXPORT_NOT_FOUND', 'El archivo del paquete ya no está disponible.', { id });
    // Trip rows of riders, even pseudonymised, are personal data: who took them is logged.
    if (row.packageKind === 'research')
      await logPersonalDataReads(this.dataSource.manager, actor, 'GET /api/v1/exports/:id/download', [null], {
        exportId: row.id,
        packageKind: 'research',
        recipient: row.recipient,
        agreementRef: row.agreementRef,
      });
    return {
      path,
      fileName: packageFileName(row.kind, row.fromDate, row.toDate, row.packageKind),
      sizeBytes: row.sizeBytes ?? 0,
    };
  }

  /**
   * Worker side: builds the zip of one export. Idempotent: a completed export whose file exists is
   * left alone; a retried one starts over. On the last attempt a failure marks the export failed.
   */
  async build(exportId: string, options: { finalAttempt: boolean }): Promise<{ state: ExportState; skipped: boolean }> {
    const row = await this.dataSource.getRepository(ExportEntity).findOneBy({ id: exportId });
    if (!row) {
      this.logger.warn(`export ${exportId} no longer exists; nothing to build`);
      return { state: 'failed', skipped: true };
    }
    if (row.state === 'completed' && row.filePath && existsSync(resolve(this.dir, row.filePath)))
      return { state: 'completed', skipped: true };
    if (row.packageKind === 'research' && !row.approvedAt) {
      this.logger.warn(`research export ${exportId} is not approved; not building it`);
      return { state: row.state, skipped: true };
    }

    await this.transition(
      exportId,
      `state = 'active', progress = 0, attempts = attempts + 1, started_at = now(), error = NULL`,
    );
    try {
      await mkdir(this.dir, { recursive: true });
      const built = await buildDataPackage(
        this.exportsPool.pool,
        {
          ...this.sessionParams({ from: row.fromDate, to: row.toDate }),
          id: row.id,
          kind: row.kind,
          packageKind: row.packageKind,
          includeSynthetic: row.includeSynthetic,
          recipient: row.recipient,
          agreementRef: row.agreementRef,
          approvedBy: row.approvedBy,
          approvedAt: row.approvedAt ? new Date(row.approvedAt).toISOString() : null,
          dir: this.dir,
          now: this.clock.now(),
        },
        (pct) => this.advance(exportId, pct),
      );
      await this.transition(
        exportId,
        `state = 'completed', progress = 100, file_path = $2, size_bytes = $3, manifest = $4::jsonb, completed_at = now(), error = NULL`,
        [built.fileName, built.sizeBytes, JSON.stringify(built.manifest)],
      );
      return { state: 'completed', skipped: false };
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      if (options.finalAttempt)
        await this.transition(exportId, `state = 'failed', error = $2`, [message.slice(0, 2000)]);
      else
        await this.dataSource.query('UPDATE exports SET error = $2, updated_at = now() WHERE id = $1', [
          exportId,
          message.slice(0, 2000),
        ]);
      throw error;
    }
  }

  /**
   * The pseudonyms of each file or package are keyed with a fresh random key that is never
   * stored: no two files can be joined on them, and nobody can reverse them.
   */
  private sessionParams(range: ExportRange) {
    return {
      from: range.from,
      to: range.to,
      riderKeySecret: randomBytes(32).toString('hex'),
      co2GramsPerKm: this.config.stats.co2GramsPerKm,
    };
  }

  /** One statement: change the row, and announce its new state and progress through the outbox. */
  private async transition(id: string, set: string, params: unknown[] = []): Promise<void> {
    await this.dataSource.query(
      `WITH e AS (UPDATE exports SET ${set}, updated_at = now() WHERE id = $1 RETURNING id, state, progress)
       ${EXPORT_PROGRESS_SQL}`,
      [id, ...params],
    );
  }

  /** Progress only moves forward (reports may arrive out of order). */
  private async advance(id: string, progress: number): Promise<void> {
    await this.dataSource.query(
      `WITH e AS (UPDATE exports SET progress = $2, updated_at = now() WHERE id = $1 AND state = 'active' AND progress < $2 RETURNING id, state, progress)
       ${EXPORT_PROGRESS_SQL}`,
      [id, Math.max(0, Math.min(99, Math.round(progress)))],
    );
  }
}

/**
 * A package is for whoever requested it, and for admins; the system's own packages (nightly, the
 * pilot's final one: no requester) are for every planner. Others' packages do not exist for them.
 */
function mayRead(actor: Actor, row: ExportEntity): boolean {
  return actor.role === 'admin' || row.requestedBy === null || row.requestedBy === actor.id;
}

/** Range rules: real local dates, from ≤ to, at most MAX_EXPORT_DAYS days. */
export function assertRange(range: ExportRange): void {
  const problems: string[] = [];
  if (!isValidLocalDate(range.from)) problems.push('from debe ser una fecha real AAAA-MM-DD');
  if (!isValidLocalDate(range.to)) problems.push('to debe ser una fecha real AAAA-MM-DD');
  if (problems.length === 0) {
    const days = (Date.parse(range.to) - Date.parse(range.from)) / 86_400_000 + 1;
    if (days < 1) problems.push('from no puede ser posterior a to');
    else if (days > MAX_EXPORT_DAYS) problems.push(`el rango no puede superar ${MAX_EXPORT_DAYS} días`);
  }
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'El rango de fechas no es válido.', { problems });
}

export function toExportView(row: ExportEntity): ExportView {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: row.id,
    kind: row.kind,
    packageKind: row.packageKind,
    recipient: row.recipient,
    agreementRef: row.agreementRef,
    approvedBy: row.approvedBy,
    approvedAt: iso(row.approvedAt),
    includesSynthetic: row.includeSynthetic,
    state: row.state,
    progress: row.progress,
    from: row.fromDate,
    to: row.toDate,
    requestedBy: row.requestedBy,
    createdAt: new Date(row.createdAt).toISOString(),
    startedAt: iso(row.startedAt),
    completedAt: iso(row.completedAt),
    sizeBytes: row.sizeBytes,
    files: row.manifest?.files ?? null,
    error: row.error,
    downloadUrl: row.state === 'completed' ? `/api/v1/exports/${row.id}/download` : null,
  };
}
