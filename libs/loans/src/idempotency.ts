import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError } from '@metrobici/common';

export interface IdempotentResult<T> {
  status: number;
  body: T;
  /** True when this is the stored answer to an earlier attempt. */
  replayed: boolean;
}

export interface IdempotencyScope {
  actorId: string;
  scope: 'loan.check_out' | 'loan.return';
  key: string;
  request: unknown;
}

/**
 * Runs `work` at most once per (actor, scope, key), inside the caller's transaction. The record is
 * inserted first: a concurrent retry blocks on that row until the first attempt commits (then it
 * reads the stored answer) or rolls back (then it does the work itself). The same key with a
 * different request body is refused.
 */
export async function runIdempotent<T>(
  manager: EntityManager,
  scope: IdempotencyScope | undefined,
  status: number,
  work: () => Promise<T>,
): Promise<IdempotentResult<T>> {
  if (!scope) return { status, body: await work(), replayed: false };
  const hash = createHash('sha256').update(stableJson(scope.request)).digest('hex');
  const inserted: unknown[] = await manager.query(
    `INSERT INTO idempotency_records (actor_id, scope, key, request_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING key`,
    [scope.actorId, scope.scope, scope.key, hash],
  );
  if (inserted.length === 0) {
    const [stored] = (await manager.query(
      'SELECT request_hash, response_status, response_body FROM idempotency_records WHERE actor_id = $1 AND scope = $2 AND key = $3',
      [scope.actorId, scope.scope, scope.key],
    )) as Array<{ request_hash: string; response_status: number | null; response_body: T }>;
    if (stored.request_hash !== hash) {
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'Esta clave de idempotencia ya se usó con otra solicitud.');
    }
    return { status: stored.response_status ?? status, body: stored.response_body, replayed: true };
  }
  const body = await work();
  await manager.query(
    'UPDATE idempotency_records SET response_status = $4, response_body = $5::jsonb WHERE actor_id = $1 AND scope = $2 AND key = $3',
    [scope.actorId, scope.scope, scope.key, status, JSON.stringify(body)],
  );
  return { status, body, replayed: false };
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
