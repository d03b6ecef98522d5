import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Events leave the database only through this table: written in the transaction that made the
 * change, published by the relay after commit, in id order.
 */
@Entity('outbox_events')
@Index('IDX_outbox_unpublished', ['id'], { where: '"published_at" IS NULL' })
export class OutboxEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  type: string;

  @Column({ name: 'aggregate_id', type: 'uuid', nullable: true })
  aggregateId: string | null;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;
}
