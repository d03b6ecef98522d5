import { EntityManager } from 'typeorm';
import { OutboxEventEntity } from './outbox-event.entity';
import { OutboxMessage } from './outbox-event.types';

/** Appends events inside the caller's transaction: one INSERT however many events. */
export async function appendToOutbox(manager: EntityManager, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await manager
    .createQueryBuilder()
    .insert()
    .into(OutboxEventEntity)
    .values(messages.map((m) => ({ type: m.type, aggregateId: m.aggregateId, payload: m.payload as unknown as Record<string, unknown> })))
    .execute();
}
