import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const EXPORT_STATES = ['unapproved', 'queued', 'active', 'completed', 'failed'] as const;
export type ExportState = (typeof EXPORT_STATES)[number];
export const EXPORT_KINDS = ['on_request', 'nightly', 'pilot_final'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
/**
 * What a package holds: `public` aggregates with small cells suppressed (open data), or
 * `research` trip rows of consenting riders for the advisers, under an agreement and approved by
 * an admin before it is built.
 */
export const PACKAGE_KINDS = ['public', 'research'] as const;
export type PackageKind = (typeof PACKAGE_KINDS)[number];

export interface ManifestFile {
  name: string;
  /** Data rows (CSV, header excluded), features (GeoJSON) or lines (Markdown). */
  rows: number;
  sha256: string;
  bytes: number;
}

/**
 * One data package (zip) for a range of local days: requested by a planner, built nightly, or the
 * final package of the pilot. The worker builds it and moves `state`/`progress` forward.
 */
@Entity('exports')
@Index('IDX_exports_created_at', ['createdAt'])
// One nightly package per day, however often the scheduler fires.
@Index('UQ_exports_nightly_day', ['fromDate'], { unique: true, where: `"kind" = 'nightly'` })
@Check('CHK_exports_state', `"state" IN ('unapproved', 'queued', 'active', 'completed', 'failed')`)
@Check('CHK_exports_package_kind', `"package_kind" IN ('public', 'research')`)
@Check(
  'CHK_exports_research_agreement',
  `"package_kind" <> 'research' OR ("recipient" IS NOT NULL AND "agreement_ref" IS NOT NULL AND "include_synthetic" = false)`,
)
@Check('CHK_exports_kind', `"kind" IN ('on_request', 'nightly', 'pilot_final')`)
@Check('CHK_exports_progress', '"progress" >= 0 AND "progress" <= 100')
@Check('CHK_exports_range', '"from_date" <= "to_date"')
export class ExportEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_exports' })
  id: string;

  @Column({ type: 'varchar', length: 16 })
  kind: ExportKind;

  @Column({ name: 'package_kind', type: 'varchar', length: 12, default: 'public' })
  packageKind: PackageKind;

  /** Who receives a research package (organisation and person). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  recipient: string | null;

  /** Reference of the data-sharing agreement a research package is delivered under. */
  @Column({ name: 'agreement_ref', type: 'varchar', length: 120, nullable: true })
  agreementRef: string | null;

  /** Admin who approved a research package, and when (it is built only after that). */
  @Column({ name: 'approved_by', type: 'uuid', nullable: true })
  approvedBy: string | null;

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt: Date | null;

  /** A public package with the synthetic demo trips, asked for explicitly (never research). */
  @Column({ name: 'include_synthetic', type: 'boolean', default: false })
  includeSynthetic: boolean;

  /** Staff member who asked for it; null for the nightly package. */
  @Column({ name: 'requested_by', type: 'uuid', nullable: true })
  requestedBy: string | null;

  @Column({ name: 'from_date', type: 'date' })
  fromDate: string;

  @Column({ name: 'to_date', type: 'date' })
  toDate: string;

  @Column({ type: 'varchar', length: 12, default: 'queued' })
  state: ExportState;

  @Column({ type: 'integer', default: 0 })
  progress: number;

  /** Zip path relative to EXPORTS_DIR. */
  @Column({ name: 'file_path', type: 'text', nullable: true })
  filePath: string | null;

  @Column({
    name: 'size_bytes',
    type: 'bigint',
    nullable: true,
    transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) },
  })
  sizeBytes: number | null;

  @Column({ type: 'jsonb', nullable: true })
  manifest: { generatedAt: string; from: string; to: string; files: ManifestFile[]; [key: string]: unknown } | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
