import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type PilotEventType = 'closed' | 'reopened';

/** Append-only log of closings and reopenings of the pilot (a trigger refuses UPDATE and DELETE). */
@Entity('pilot_events')
@Check('CHK_pilot_events_type', `"type" IN ('closed', 'reopened')`)
export class PilotEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_pilot_events' })
  id: string;

  @Column({ type: 'varchar', length: 12 })
  type: PilotEventType;

  @Column({ name: 'end_date', type: 'date', nullable: true })
  endDate: string | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'actor_id', type: 'uuid' })
  actorId: string;

  /** Loans still open at that moment (to follow up: bikes to bring back). */
  @Column({ name: 'open_loans', type: 'integer', default: 0 })
  openLoans: number;

  @Column({ name: 'export_id', type: 'uuid', nullable: true })
  exportId: string | null;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;
}
