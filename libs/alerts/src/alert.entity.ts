import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AlertAudience, AlertKind } from '@metrobici/realtime';

/**
 * Staff alerts, stored so a tablet that was offline or reloaded gets what it missed, and so they
 * can be acknowledged. Each is raised from one outbox row (unique with its kind: a row published
 * twice raises it once). Alerts about a lasting condition (a station empty or full, a loan overdue)
 * carry a `condition_key`; at most one per key is unresolved, and it resolves when the condition
 * ends. `station_id` has no foreign key: the alert log outlives what it talks about.
 */
@Entity('alerts')
@Index('UQ_alerts_outbox_kind', ['outboxId', 'kind'], { unique: true })
@Index('UQ_alerts_open_condition', ['conditionKey'], {
  unique: true,
  where: '"resolved_at" IS NULL AND "condition_key" IS NOT NULL',
})
@Index('IDX_alerts_station_created', ['stationId', 'createdAt'])
@Index('IDX_alerts_unresolved', ['createdAt'], { where: '"resolved_at" IS NULL AND "acknowledged_at" IS NULL' })
export class AlertEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'outbox_id', type: 'bigint' })
  outboxId: string;

  @Column({ type: 'varchar', length: 32 })
  kind: AlertKind;

  @Column({ name: 'station_id', type: 'uuid', nullable: true })
  stationId: string | null;

  @Column({ type: 'varchar', length: 8, default: 'station' })
  audience: AlertAudience;

  @Column({ type: 'text' })
  message: string;

  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;

  /** When the condition started (a station became empty), not when the alert was stored. */
  @Column({ type: 'timestamptz' })
  since: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'condition_key', type: 'varchar', length: 100, nullable: true })
  conditionKey: string | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null;

  @Column({ name: 'acknowledged_by', type: 'uuid', nullable: true })
  acknowledgedBy: string | null;
}
