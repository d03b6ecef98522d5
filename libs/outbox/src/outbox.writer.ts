import { EntityManager } from 'typeorm';
import { type OutboxMessage } from './outbox-event.types';

/** Appends events inside the caller's transaction: one INSERT however many events. */
export async function appendToOutbox(manager: Pick<EntityManager, 'query'>, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const params: unknown[] = [];
  const rows = messages.map((m, i) => {
    params.push(m.type, m.aggregateId, JSON.stringify(m.payload));
    return `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3}::jsonb)`;
  });
  await manager.query(`INSERT INTO outbox_events (type, aggregate_id, payload) VALUES ${rows.join(', ')}`, params);
}
