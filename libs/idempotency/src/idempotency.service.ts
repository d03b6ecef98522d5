import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, DomainError } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';

export interface IdempotentResult<T> {
  status: number;
  body: T;
  /** True when this is the stored answer to an earlier attempt. */
  replayed: boolean;
}

/** Every write that takes an `Idempotency-Key`; the key is unique per (actor, scope). */
export type IdempotencyScopeName =
  | 'loan.check_out'
  | 'loan.return'
  | 'loan.renew'
  | 'loan.revert'
  | 'loan.force_return'
  | 'loan.report_missing'
  | 'rebalancing.pick_up'
  | 'rebalancing.drop'
  | 'bike.report_damage';

export interface IdempotentRequest {
  actorId: string;
  scope: IdempotencyScopeName;
  key: string;
  /** What the key promises to stand for (body and path parameters); a different one is refused. */
  request: unknown;
}

/**
 * Lets a write store its answer in its own last statement (a data-modifying CTE) instead of the
 * extra UPDATE `run` sends after the work: one round trip less on the hot paths (check-out, return).
 * Given to the work only when the request has a key.
 */
export interface IdempotentAnswer {
  /**
   * The body of a CTE (`UPDATE idempotency_records ... RETURNING key`) storing `body` as the answer,
   * fenced by this attempt's claim. `body` must be the very value the work then returns. Pass the
   * number of rows the CTE returned to `stored`.
   */
  sql(body: unknown, param: (value: unknown) => string): string;
  /** 0 rows: the claim expired and another attempt took the key over; throws, so nothing commits. */
  stored(rows: number): void;
}

/** Runs one write transaction (the caller's, e.g. with its own isolation or error translation). */
export type TransactionRunner = <R>(work: (manager: EntityManager) => Promise<R>) => Promise<R>;

/**
 * How long a claim protects a request in flight. Longer than any write transaction can last (the
 * sessions' statement and lock timeouts are seconds), so only a crashed attempt's claim expires;
 * even then the token fences it: a late commit of the old attempt cannot store its answer.
 */
export const IDEMPOTENCY_LEASE_SECONDS = 30;
/** A duplicate waits this long for the first attempt's answer, then gets IDEMPOTENCY_IN_PROGRESS. */
export const IDEMPOTENCY_IN_PROGRESS_WAIT_MS = 2000;
const POLL_MS = 50;

/**
 * `Idempotency-Key` as the IETF draft describes it. The stored answer is looked up before anything
 * else (station, opening hours, pilot state...), so a retry of a committed request gets the first
 * answer whatever changed since. The key is claimed in a short autocommit statement of its own, so
 * a duplicate never waits on a row lock holding a pooled connection: it polls for a bounded time
 * and gets 409 `IDEMPOTENCY_IN_PROGRESS` if the first attempt is still running. The answer is
 * stored in the work's own transaction, fenced by the claim's token: the work commits if and only
 * if its answer does. A refused or failed attempt releases its claim (the retry runs again).
 */
@Injectable()
export class IdempotencyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async run<T>(
    request: IdempotentRequest | undefined,
    status: number,
    work: (manager: EntityManager, answer?: IdempotentAnswer) => Promise<T>,
    transaction: TransactionRunner = (w) => this.dataSource.transaction(w),
  ): Promise<IdempotentResult<T>> {
    if (!request) return { status, body: await transaction(work), replayed: false };
    const hash = createHash('sha256').update(stableJson(request.request)).digest('hex');
    const claim = await this.claim(request, hash);
    if ('replay' in claim)
      return { status: claim.replay.status ?? status, body: claim.replay.body as T, replayed: true };
    try {
      const body = await transaction(async (manager) => {
        // What the work stored through `answer` (its own statement), if it did.
        let storedBody: { value: unknown; checked: boolean } | undefined;
        const answer: IdempotentAnswer = {
          sql: (value, param) => {
            storedBody = { value, checked: false };
            return `UPDATE idempotency_records
                SET response_status = ${param(status)}::int, response_body = ${param(JSON.stringify(value))}::jsonb,
                    lease_token = NULL, lease_expires_at = NULL
              WHERE actor_id = ${param(request.actorId)}::uuid AND scope = ${param(request.scope)}
                AND key = ${param(request.key)} AND lease_token = ${param(claim.token)}::uuid
             RETURNING key`;
          },
          stored: (rows) => {
            if (storedBody) storedBody.checked = true;
            if (rows === 0) throw inProgress();
          },
        };
        const result = await work(manager, answer);
        if (storedBody) {
          // The claim's token is spent by the work's statement: storing again would find no claim.
          if (storedBody.value !== result || !storedBody.checked)
            throw new Error('IdempotentAnswer: the work must return the body it stored and report `stored`');
          return result;
        }
        const stored: unknown[] = await manager.query(
          `WITH done AS (
             UPDATE idempotency_records
                SET response_status = $4, response_body = $5::jsonb, lease_token = NULL, lease_expires_at = NULL
              WHERE actor_id = $1 AND scope = $2 AND key = $3 AND lease_token = $6
             RETURNING key)
           SELECT key FROM done`,
          [request.actorId, request.scope, request.key, status, JSON.stringify(result), claim.token],
        );
        // Our claim expired and another attempt took the key over: this one must not commit.
        if (stored.length === 0) throw inProgress();
        return result;
      });
      return { status, body, replayed: false };
    } catch (error) {
      await this.release(request, claim.token);
      throw error;
    }
  }

  /** Deletes the records older than `IDEMPOTENCY_TTL_HOURS`; a later request with their key is new. */
  prune(now: Date = this.clock.now()): Promise<number> {
    return pruneIdempotencyRecords(this.dataSource, now, this.config.idempotency.ttlHours);
  }

  private async claim(
    request: IdempotentRequest,
    hash: string,
  ): Promise<{ token: string } | { replay: { status: number | null; body: unknown } }> {
    const token = randomUUID();
    const now = this.clock.now();
    const expiredBefore = new Date(now.getTime() - this.config.idempotency.ttlHours * 3600_000);
    const deadline = Date.now() + IDEMPOTENCY_IN_PROGRESS_WAIT_MS;
    for (;;) {
      // New key, an expired record (treated as new), or a crashed attempt's lapsed claim: ours.
      // The lease runs on the database's real clock; expiry follows the app's clock, as created_at.
      const claimed: unknown[] = await this.dataSource.query(
        `INSERT INTO idempotency_records AS r
                (actor_id, scope, key, request_hash, lease_token, lease_expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, clock_timestamp() + make_interval(secs => $6), $7)
         ON CONFLICT (actor_id, scope, key) DO UPDATE
            SET request_hash = EXCLUDED.request_hash, response_status = NULL, response_body = NULL,
                lease_token = EXCLUDED.lease_token, lease_expires_at = EXCLUDED.lease_expires_at,
                created_at = EXCLUDED.created_at
          WHERE r.created_at < $8 OR (r.response_status IS NULL AND r.lease_expires_at < clock_timestamp())
         RETURNING key`,
        [request.actorId, request.scope, request.key, hash, token, IDEMPOTENCY_LEASE_SECONDS, now, expiredBefore],
      );
      if (claimed.length > 0) return { token };
      const [stored] = await this.dataSource.query<
        Array<{ request_hash: string; response_status: number | null; response_body: unknown }>
      >(
        `SELECT request_hash, response_status, response_body FROM idempotency_records
          WHERE actor_id = $1 AND scope = $2 AND key = $3`,
        [request.actorId, request.scope, request.key],
      );
      if (!stored) continue; // released in between: claim it again
      if (stored.request_hash !== hash) {
        throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'Esta clave de idempotencia ya se usó con otra solicitud.');
      }
      if (stored.response_status !== null)
        return { replay: { status: stored.response_status, body: stored.response_body } };
      if (Date.now() >= deadline) throw inProgress();
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Best effort: if the database is away, the claim lapses with its lease. */
  private async release(request: IdempotentRequest, token: string): Promise<void> {
    await this.dataSource
      .query(
        `DELETE FROM idempotency_records
          WHERE actor_id = $1 AND scope = $2 AND key = $3 AND lease_token = $4 AND response_status IS NULL`,
        [request.actorId, request.scope, request.key, token],
      )
      .catch(() => undefined);
  }
}

/** Deletes the idempotency records created more than `ttlHours` before `now`; returns how many. */
export async function pruneIdempotencyRecords(
  db: Pick<EntityManager, 'query'>,
  now: Date,
  ttlHours: number,
): Promise<number> {
  const [row] = await db.query<Array<{ deleted: number }>>(
    `WITH gone AS (DELETE FROM idempotency_records WHERE created_at < $1 RETURNING 1)
     SELECT count(*)::int AS deleted FROM gone`,
    [new Date(now.getTime() - ttlHours * 3600_000)],
  );
  return row.deleted;
}

function inProgress(): DomainError {
  return new DomainError(
    'IDEMPOTENCY_IN_PROGRESS',
    'Esta solicitud todavía se está procesando; espere un momento y vuelva a intentarlo.',
  );
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
