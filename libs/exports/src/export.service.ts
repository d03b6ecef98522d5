import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { DataSource, type EntityManager } from 'typeorm';
import { type Actor, bogotaDate, Clock, DomainError, isValidLocalDate } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { appendToOutbox, outboxMessage } from '@metrobici/outbox';
import { ExportEntity, type ExportKind, type ExportState, type ManifestFile } from './export.entity';
import { TRIPS_SQL } from './export-queries';
import { copyCsv, type ExportRange, withExportSession } from './export-session';
import { ExportsPool } from './exports-pool';
import { buildDataPackage } from './package/data-package';
import { packageFileName } from './package/manifest';

/** Longest range one request may cover, in days (the pilot lasts about three months). */
export const MAX_EXPORT_DAYS = 1100;

export interface ExportView {
  id: string;
  kind: ExportKind;
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
  async streamTripsCsv(_actor: Actor, range: ExportRange, sink: Writable, onStart: () => void): Promise<number> {
    assertRange(range);
    return withExportSession(this.exportsPool.pool, this.sessionParams(range), async (client) => {
      onStart();
      const { rows } = await copyCsv(client, TRIPS_SQL, sink);
      return rows;
    });
  }

  async request(actor: Actor, range: ExportRange): Promise<{ id: string; state: ExportState }> {
    assertRange(range);
    const id = await this.dataSource.transaction((manager) => this.enqueue(manager, 'on_request', range, actor.id));
    return { id, state: 'queued' };
  }

  /** Writes a queued export and its `export.requested` outbox row in the caller's transaction. */
  async enqueue(
    manager: EntityManager,
    kind: ExportKind,
    range: ExportRange,
    requestedBy: string | null,
  ): Promise<string> {
    const [row] = (await manager.query(
      `INSERT INTO exports (kind, requested_by, from_date, to_date) VALUES ($1, $2, $3, $4) RETURNING id`,
      [kind, requestedBy, range.from, range.to],
    )) as Array<{ id: string }>;
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
       INSERT INTO outbox_events (type, aggregate_id, payload)
       SELECT 'export.requested', e.id, jsonb_build_object('exportId', e.id, 'kind', 'nightly') FROM e
       RETURNING aggregate_id AS id`,
      [day],
    );
    return rows[0]?.id ?? null;
  }

  async get(_actor: Actor, id: string): Promise<ExportView> {
    const row = await this.dataSource.getRepository(ExportEntity).findOneBy({ id });
    if (!row) throw new DomainError('EXPORT_NOT_FOUND', 'El paquete de datos no existe.', { id });
    return toExportView(row);
  }

  async list(_actor: Actor, limit = 50): Promise<ExportView[]> {
    const rows = await this.dataSource
      .getRepository(ExportEntity)
      .find({ order: { createdAt: 'DESC' }, take: Math.min(Math.max(limit, 1), 200) });
    return rows.map(toExportView);
  }

  async download(_actor: Actor, id: string): Promise<ExportDownload> {
    const row = await this.dataSource.getRepository(ExportEntity).findOneBy({ id });
    if (!row) throw new DomainError('EXPORT_NOT_FOUND', 'El paquete de datos no existe.', { id });
    if (row.state !== 'completed' || !row.filePath) {
      throw new DomainError('EXPORT_NOT_READY', 'El paquete de datos todavía no está listo.', {
        state: row.state,
        progress: row.progress,
      });
    }
    const path = resolve(this.dir, row.filePath);
    if (!existsSync(path))
      throw new DomainError('EXPORT_NOT_FOUND', 'El archivo del paquete ya no está disponible.', { id });
    return { path, fileName: packageFileName(row.kind, row.fromDate, row.toDate), sizeBytes: row.sizeBytes ?? 0 };
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

  private sessionParams(range: ExportRange) {
    return {
      ...range,
      riderKeySecret: this.config.exports.riderKeySecret,
      co2GramsPerKm: this.config.stats.co2GramsPerKm,
    };
  }

  /** One statement: change the row, and announce its new state and progress through the outbox. */
  private async transition(id: string, set: string, params: unknown[] = []): Promise<void> {
    await this.dataSource.query(
      `WITH e AS (UPDATE exports SET ${set}, updated_at = now() WHERE id = $1 RETURNING id, state, progress)
       INSERT INTO outbox_events (type, aggregate_id, payload)
       SELECT 'export.progress', e.id, jsonb_build_object('exportId', e.id, 'state', e.state, 'progress', e.progress) FROM e`,
      [id, ...params],
    );
  }

  /** Progress only moves forward (reports may arrive out of order). */
  private async advance(id: string, progress: number): Promise<void> {
    await this.dataSource.query(
      `WITH e AS (UPDATE exports SET progress = $2, updated_at = now() WHERE id = $1 AND state = 'active' AND progress < $2 RETURNING id, state, progress)
       INSERT INTO outbox_events (type, aggregate_id, payload)
       SELECT 'export.progress', e.id, jsonb_build_object('exportId', e.id, 'state', e.state, 'progress', e.progress) FROM e`,
      [id, Math.max(0, Math.min(99, Math.round(progress)))],
    );
  }
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
