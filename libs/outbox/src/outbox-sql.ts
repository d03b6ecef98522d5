import type { EntityManager } from 'typeorm';
import type { OutboxEventMap, OutboxEventType, OutboxMessage } from './outbox-event.types';

/**
 * One SQL expression per payload key of event `T`, every key required: a missing or an extra key
 * fails `tsc`, so an outbox row written inside a SQL statement has the payload the map promises.
 * The expressions' value types are checked by the outbox contract test (test/outbox-contract).
 */
export type OutboxPayloadSql<T extends OutboxEventType> = { [K in keyof OutboxEventMap[T]]-?: string };

export interface OutboxInsertSql<T extends OutboxEventType> {
  /** SQL expression of the row's aggregate id (a uuid), or `NULL`. */
  aggregateId: string;
  payload: OutboxPayloadSql<T>;
  /** What follows `FROM` (a CTE name with alias, joins, a WHERE). */
  from: string;
}

/**
 * `INSERT INTO outbox_events ... SELECT ... FROM <from>`: the typed way to write an event from the
 * statement that makes the change (a CTE's RETURNING rows), when a round trip matters.
 */
export function outboxInsertSql<T extends OutboxEventType>(type: T, spec: OutboxInsertSql<T>): string {
  const pairs = Object.entries(spec.payload as Record<string, string>).map(
    ([key, expr]) => `${sqlLiteral(key)}, ${expr}`,
  );
  return `INSERT INTO outbox_events (type, aggregate_id, payload)
       SELECT ${sqlLiteral(type)}, ${spec.aggregateId}, jsonb_build_object(${pairs.join(', ')})
         FROM ${spec.from}`;
}

/** A timestamptz as the ISO-8601 UTC string `Date.toISOString()` gives (payload times are strings). */
export function isoTimestampSql(expr: string): string {
  return `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A row of `outbox_events` as the relay reads it: a union over the event map, so `type` narrows `payload`. */
export type OutboxRecord = {
  [T in OutboxEventType]: {
    id: string;
    type: T;
    aggregate_id: string | null;
    payload: OutboxEventMap[T];
    created_at: Date;
  };
}[OutboxEventType];

type Queryable = Pick<EntityManager, 'query'>;

/** The oldest unpublished rows, in id order (the relay's read); dead rows are set aside. */
export async function readUnpublishedOutbox(db: Queryable, limit: number): Promise<OutboxRecord[]> {
  return db.query(
    `SELECT id, type, aggregate_id, payload, created_at FROM outbox_events
      WHERE published_at IS NULL AND dead_at IS NULL ORDER BY id LIMIT $1`,
    [limit],
  );
}

/**
 * Counts one failed publish attempt per row; a row reaching `maxAttempts` is set aside (`dead_at`)
 * and announced by an `outbox.dead_lettered` row (an admin alert), in one statement. Returns the
 * rows that died now.
 */
export async function recordOutboxFailures(
  db: Queryable,
  failures: ReadonlyArray<{ id: string; error: string }>,
  maxAttempts: number,
): Promise<Array<{ id: string; type: string }>> {
  if (failures.length === 0) return [];
  const dead: Array<{ id: string; type: string }> = await db.query(
    `WITH failed AS (
       SELECT f.id::bigint AS id, f.error FROM unnest($1::text[], $2::text[]) AS f(id, error)
     ), counted AS (
       UPDATE outbox_events o
          SET attempts = o.attempts + 1, last_error = left(failed.error, 2000),
              dead_at = CASE WHEN o.attempts + 1 >= $3 THEN now() END
         FROM failed
        WHERE o.id = failed.id AND o.published_at IS NULL AND o.dead_at IS NULL
       RETURNING o.id, o.type, o.attempts, o.last_error, o.dead_at
     ), died AS (
       SELECT * FROM counted WHERE dead_at IS NOT NULL
     ), alerts AS (
       ${outboxInsertSql('outbox.dead_lettered', {
         aggregateId: 'NULL',
         payload: {
           outboxId: 'd.id::text',
           eventType: 'd.type',
           attempts: 'd.attempts',
           lastError: 'd.last_error',
           deadAt: isoTimestampSql('d.dead_at'),
         },
         from: 'died d',
       })}
     )
     SELECT id::text AS id, type FROM died`,
    [failures.map((f) => f.id), failures.map((f) => f.error), maxAttempts],
  );
  return dead;
}

/** Deletes rows published more than `retentionDays` before `now` (dead rows stay); returns how many. */
export async function pruneOutbox(db: Queryable, now: Date, retentionDays: number): Promise<number> {
  const [row] = await db.query<Array<{ deleted: number }>>(
    `WITH gone AS (DELETE FROM outbox_events WHERE published_at < $1 RETURNING 1)
     SELECT count(*)::int AS deleted FROM gone`,
    [new Date(now.getTime() - retentionDays * 86_400_000)],
  );
  return row.deleted;
}

/** Marks rows published once the relay's Redis writes were accepted. */
export async function markOutboxPublished(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query('UPDATE outbox_events SET published_at = now() WHERE id = ANY($1::bigint[])', [ids]);
}

/**
 * `INSERT INTO outbox_events ... VALUES` of typed messages (what `appendToOutbox` sends on its own),
 * as the body of a CTE in the caller's statement: the event rides with the change it announces.
 */
export function outboxValuesSql(messages: readonly OutboxMessage[], param: (value: unknown) => string): string {
  const rows = messages.map(
    (m) => `(${param(m.type)}, ${param(m.aggregateId)}::uuid, ${param(JSON.stringify(m.payload))}::jsonb)`,
  );
  return `INSERT INTO outbox_events (type, aggregate_id, payload) VALUES ${rows.join(', ')}`;
}
