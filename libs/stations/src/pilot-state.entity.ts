import { Check, Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type PilotStatus = 'running' | 'closed';

/**
 * The pilot's closing, as decided by an admin: one row (id 1). While `status` is `closed` no bike
 * leaves a station whatever PILOT_START/PILOT_END say; the history is in `pilot_events`.
 */
@Entity('pilot_state')
@Check('CHK_pilot_state_single_row', '"id" = 1')
@Check('CHK_pilot_state_status', `"status" IN ('running', 'closed')`)
export class PilotStateEntity {
  @PrimaryColumn({ type: 'smallint', default: 1, primaryKeyConstraintName: 'PK_pilot_state' })
  id: number;

  @Column({ type: 'varchar', length: 12, default: 'running' })
  status: PilotStatus;

  /** Last local day of operation announced at the last closing (GBFS `termination_date`). */
  @Column({ name: 'end_date', type: 'date', nullable: true })
  endDate: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'closed_by', type: 'uuid', nullable: true })
  closedBy: string | null;

  @Column({ name: 'reopened_at', type: 'timestamptz', nullable: true })
  reopenedAt: Date | null;

  @Column({ name: 'reopened_by', type: 'uuid', nullable: true })
  reopenedBy: string | null;

  @Column({ name: 'reopen_reason', type: 'text', nullable: true })
  reopenReason: string | null;

  /** The data package for the whole pilot built at the last closing. */
  @Column({ name: 'final_export_id', type: 'uuid', nullable: true })
  finalExportId: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
