import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The first answer to a request sent with an `Idempotency-Key`. Written in the same transaction
 * as the work, so a retry either sees the committed answer or waits for the first attempt.
 */
@Entity('idempotency_records')
export class IdempotencyRecordEntity {
  @PrimaryColumn({ name: 'actor_id', type: 'uuid' })
  actorId: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  scope: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  key: string;

  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash: string;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ name: 'response_body', type: 'jsonb', nullable: true })
  responseBody: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
