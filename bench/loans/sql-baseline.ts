import { createHash, randomBytes } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import { isoTimestampSql, outboxInsertSql } from '@metrobici/outbox';
import type { CheckOutBody, Executor, Outcome, ReturnBody } from './load';

/**
 * The raw-SQL baseline of `bench:loans`: the writes of a check-out and of a return as the API makes
 * them — same tables and rows (idempotency record inserted first and completed last, loan, bike row,
 * bike log row, station counters with their sequence, `station.availability_changed` and
 * `loan.opened` / `loan.closed` outbox rows), same row locks in the same order (bike → rider →
 * station; a return: bike → loan → station), pilot_state read FOR SHARE by a check-out, same
 * constraints (they are the tables') — sent straight through `pg`: no HTTP, no Nest, no TypeORM, no
 * sign-in check. Each call is one READ COMMITTED transaction of four statements between BEGIN and
 * COMMIT (reads and locks one per row in lock order, then every write in one statement), which is
 * about as few round trips as the same locks allow. It is what the database alone costs for the
 * API's work on this machine: the API's requests/s divided by this is the figure issue 14 targets.
 *
 * Kept independent of the services' code on purpose (the API may change how it issues its SQL;
 * the baseline must not move with it). The outbox payloads are built with the typed
 * `outboxInsertSql`, so a payload key the event map does not promise fails `tsc`.
 */

/** Same default as LOAN_MAX_MINUTES. */
const LOAN_MINUTES = 60;

const STATION_CHANGED = outboxInsertSql('station.availability_changed', {
  aggregateId: 's.id',
  payload: {
    stationId: 's.id',
    bikesAvailable: 's.bikes_available',
    spacesAvailable: 's.capacity - s.bikes_docked',
    helmetsAvailable: 's.helmets_available',
    active: 's.active',
    sequence: 's.sequence',
    updatedAt: isoTimestampSql('s.availability_updated_at'),
  },
  from: `s WHERE s.kind = 'station'`,
});

const LOAN_OPENED = outboxInsertSql('loan.opened', {
  aggregateId: 'l.id',
  payload: {
    loanId: 'l.id',
    journeyId: 'l.journey_id',
    bikeId: 'l.bike_id',
    fromStationId: 'l.from_station_id',
    startedAt: isoTimestampSql('l.started_at'),
  },
  from: 'l',
});

const LOAN_CLOSED = outboxInsertSql('loan.closed', {
  aggregateId: 'l.id',
  payload: {
    loanId: 'l.id',
    journeyId: 'l.journey_id',
    endReason: 'l.end_reason',
    toStationId: 'l.to_station_id',
    endedAt: isoTimestampSql('l.ended_at'),
  },
  from: 'l',
});

/** The LoanView the API stores as the idempotent answer (`l` = the loan row, $bikeCode given). */
const loanViewSql = (bikeCode: string) => `jsonb_build_object(
  'id', l.id, 'journeyId', l.journey_id, 'bikeId', l.bike_id, 'bikeCode', ${bikeCode}::text, 'riderId', l.rider_id,
  'fromStationId', l.from_station_id, 'toStationId', l.to_station_id,
  'startedAt', ${isoTimestampSql('l.started_at')}, 'dueAt', ${isoTimestampSql('l.due_at')},
  'endedAt', CASE WHEN l.ended_at IS NULL THEN NULL ELSE ${isoTimestampSql('l.ended_at')} END,
  'state', l.state, 'endReason', l.end_reason, 'helmet', l.helmet, 'helmetMissing', l.helmet_missing, 'overdue', l.overdue,
  'durationSeconds', CASE WHEN l.ended_at IS NULL THEN NULL ELSE round(extract(epoch FROM l.ended_at - l.started_at))::int END)`;

// ---- check-out ------------------------------------------------------------------------------------
// $1 actor, $2 key, $3 request hash, $4 station
const CHECK_OUT_BEGIN = `WITH idem AS (
    INSERT INTO idempotency_records (actor_id, scope, key, request_hash) VALUES ($1, 'loan.check_out', $2, $3)
    ON CONFLICT DO NOTHING RETURNING key
  ), ps AS (SELECT status FROM pilot_state WHERE id = 1 FOR SHARE)
  SELECT s.kind, s.active, (SELECT status FROM ps) AS pilot, EXISTS (SELECT 1 FROM idem) AS fresh
    FROM stations s WHERE s.id = $4`;
const LOCK_BIKE = 'SELECT id, state, station_id FROM bikes WHERE code = $1 FOR UPDATE';
const LOCK_RIDER = `SELECT r.status, EXISTS (SELECT 1 FROM loans o WHERE o.rider_id = r.id AND o.state = 'open') AS has_open
    FROM riders r WHERE r.id = $1 FOR UPDATE OF r`;
// $1 actor, $2 key, $3 station, $4 bike id, $5 rider, $6 now, $7 bike code, $8 receipt token hash,
// $9 receipt token, $10 receipt url
const CHECK_OUT_WRITE = `WITH l AS (
    INSERT INTO loans (journey_id, bike_id, rider_id, from_station_id, to_station_id, started_at, due_at, state, helmet, checked_out_by)
    VALUES (gen_random_uuid(), $4, $5, $3, NULL, $6, $6::timestamptz + interval '${LOAN_MINUTES} minutes', 'open', false, $1)
    RETURNING *
  ), s AS (
    UPDATE stations
       SET bikes_docked = bikes_docked - 1, bikes_available = bikes_available - 1,
           sequence = sequence + 1, availability_updated_at = clock_timestamp()
     WHERE id = $3 AND active
    RETURNING id, kind, active, capacity, bikes_docked, bikes_available, helmets_available, sequence, availability_updated_at
  ), so AS (${STATION_CHANGED}
  ), b AS (
    UPDATE bikes SET state = 'on_loan', station_id = NULL, updated_at = now() WHERE id = $4
  ), ev AS (
    INSERT INTO bike_events (bike_id, type, from_state, to_state, from_station_id, to_station_id, loan_id, actor_id, reason, occurred_at)
    SELECT $4, 'checked_out', 'available', 'on_loan', $3, NULL, l.id, $1, NULL, $6 FROM l
  ), lo AS (${LOAN_OPENED}
  ), rc AS (
    INSERT INTO loan_receipts (token_hash, journey_id) SELECT $8, l.journey_id FROM l
  ), ir AS (
    UPDATE idempotency_records
       SET response_status = 201,
           response_body = ${loanViewSql('$7')} || jsonb_build_object('receipt', jsonb_build_object('token', $9::text, 'url', $10::text))
      FROM l WHERE actor_id = $1 AND scope = 'loan.check_out' AND key = $2
  )
  SELECT l.id, (SELECT count(*) FROM s)::int AS stations FROM l`;

// ---- return ---------------------------------------------------------------------------------------
// $1 actor, $2 key, $3 request hash, $4 station
const RETURN_BEGIN = `WITH idem AS (
    INSERT INTO idempotency_records (actor_id, scope, key, request_hash) VALUES ($1, 'loan.return', $2, $3)
    ON CONFLICT DO NOTHING RETURNING key
  )
  SELECT s.kind, s.active, EXISTS (SELECT 1 FROM idem) AS fresh FROM stations s WHERE s.id = $4`;
const LOCK_OPEN_LOAN = `SELECT id FROM loans WHERE bike_id = $1 AND state = 'open' FOR UPDATE`;
// $1 actor, $2 key, $3 station, $4 bike id, $5 loan id, $6 now, $7 bike code
const RETURN_WRITE = `WITH s AS (
    UPDATE stations
       SET bikes_docked = bikes_docked + 1, bikes_available = bikes_available + 1,
           sequence = sequence + 1, availability_updated_at = clock_timestamp()
     WHERE id = $3
    RETURNING id, kind, active, capacity, bikes_docked, bikes_available, helmets_available, sequence, availability_updated_at
  ), so AS (${STATION_CHANGED}
  ), b AS (
    UPDATE bikes SET state = 'available', station_id = $3, updated_at = now() WHERE id = $4
  ), ev AS (
    INSERT INTO bike_events (bike_id, type, from_state, to_state, from_station_id, to_station_id, loan_id, actor_id, reason, occurred_at)
    VALUES ($4, 'returned', 'on_loan', 'available', NULL, $3, $5, $1, NULL, $6)
  ), l AS (
    UPDATE loans SET state = 'closed', ended_at = $6, end_reason = 'returned', to_station_id = $3,
                     overdue = ($6::timestamptz > due_at), closed_by = $1, correction_reason = NULL
     WHERE id = $5
    RETURNING *
  ), lc AS (${LOAN_CLOSED}
  ), ir AS (
    UPDATE idempotency_records
       SET response_status = 200,
           response_body = ${loanViewSql('$7')} || jsonb_build_object('riderOverdueStrikes', 0, 'riderSuspended', false)
      FROM l WHERE actor_id = $1 AND scope = 'loan.return' AND key = $2
  )
  SELECT l.id, (SELECT count(*) FROM s)::int AS stations FROM l`;

/** A refusal the API would answer with a 4xx (the transaction is rolled back). */
class Refused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

/** The API's request hash: sha256 of the body as stable JSON (keys sorted). */
function requestHash(body: object): string {
  const stable = JSON.stringify(
    Object.fromEntries(Object.entries(body).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  );
  return createHash('sha256').update(stable).digest('hex');
}

/** Postgres errors a server would answer with 5xx and a client retry: deadlock, serialization. */
const RETRYABLE = new Set(['40P01', '40001']);
const CONSTRAINT_CODES: Record<string, [number, string]> = {
  UQ_loans_open_rider: [409, 'RIDER_HAS_OPEN_LOAN'],
  UQ_loans_open_bike: [409, 'BIKE_NOT_AVAILABLE'],
  CHK_stations_counts: [409, 'STATION_FULL'],
};

export interface SqlBaseline extends Executor {
  close(): Promise<void>;
  /** Size of the pool: the connections the baseline's clients share. */
  readonly connections: number;
}

/**
 * `clients` concurrent clients through one pg pool of that size (capped at 20, the API's pool);
 * `staffIds[i]` acts for operator i.
 */
export function sqlBaseline(databaseUrl: string, clients: number, staffIds: string[]): SqlBaseline {
  const size = Math.min(clients, 20);
  const pool = new Pool({ connectionString: databaseUrl, max: size, application_name: 'metrobici-bench-baseline' });
  pool.on('error', () => undefined); // an idle client's error surfaces on its next use
  let closing: Promise<void> | undefined;

  const transaction = async (work: (c: PoolClient) => Promise<void>): Promise<Outcome> => {
    const started = performance.now();
    let client: PoolClient | undefined;
    let broken = false;
    try {
      client = await pool.connect();
      await client.query('BEGIN');
      try {
        await work(client);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw e;
      }
      const endedAt = performance.now();
      return { status: 200, ms: endedAt - started, endedAt };
    } catch (e) {
      const endedAt = performance.now();
      const ms = endedAt - started;
      if (e instanceof Refused) return { status: e.status, code: e.code, ms, endedAt };
      const pgError = e as { code?: string; constraint?: string; message?: string };
      const mapped = pgError.constraint ? CONSTRAINT_CODES[pgError.constraint] : undefined;
      if (mapped) return { status: mapped[0], code: mapped[1], ms, endedAt };
      if (pgError.code && RETRYABLE.has(pgError.code)) return { status: 503, code: `PG_${pgError.code}`, ms, endedAt };
      if (pgError.code) return { status: 500, code: `PG_${pgError.code}`, ms, endedAt };
      broken = true;
      return { status: 0, code: pgError.message ?? 'CONNECTION', ms, endedAt };
    } finally {
      client?.release(broken);
    }
  };

  return {
    connections: size,
    checkOut: (operator, body: CheckOutBody, key) =>
      transaction(async (c) => {
        const actor = staffIds[operator];
        const [station] = (await c.query(CHECK_OUT_BEGIN, [actor, key, requestHash(body), body.stationId])).rows;
        if (!station) throw new Refused(404, 'STATION_NOT_FOUND');
        if (station.kind !== 'station' || !station.active) throw new Refused(409, 'STATION_INACTIVE');
        if (station.pilot === 'closed') throw new Refused(409, 'PILOT_NOT_RUNNING');
        if (!station.fresh) return; // a retry of a committed request: the stored answer stands
        const [bike] = (await c.query(LOCK_BIKE, [body.bikeCode])).rows;
        if (!bike) throw new Refused(404, 'BIKE_NOT_FOUND');
        if (bike.state !== 'available') throw new Refused(409, 'BIKE_NOT_AVAILABLE');
        if (bike.station_id !== body.stationId) throw new Refused(409, 'BIKE_NOT_AT_STATION');
        const [rider] = (await c.query(LOCK_RIDER, [body.riderId])).rows;
        if (!rider) throw new Refused(404, 'RIDER_NOT_FOUND');
        if (rider.status !== 'active') throw new Refused(409, 'RIDER_NOT_ACTIVE');
        if (rider.has_open) throw new Refused(409, 'RIDER_HAS_OPEN_LOAN');
        // The rider's receipt, as the API makes it (a random token; the table keeps its hash).
        const token = randomBytes(24).toString('base64url');
        const tokenHash = createHash('sha256').update(token, 'utf8').digest('hex');
        const [written] = (
          await c.query(CHECK_OUT_WRITE, [
            actor,
            key,
            body.stationId,
            bike.id,
            body.riderId,
            new Date(),
            body.bikeCode,
            tokenHash,
            token,
            `http://127.0.0.1/#/recibo/${token}`,
          ])
        ).rows;
        if (written.stations !== 1) throw new Refused(409, 'STATION_INACTIVE');
      }),
    giveBack: (operator, body: ReturnBody, key) =>
      transaction(async (c) => {
        const actor = staffIds[operator];
        const [station] = (await c.query(RETURN_BEGIN, [actor, key, requestHash(body), body.stationId])).rows;
        if (!station) throw new Refused(404, 'STATION_NOT_FOUND');
        if (station.kind !== 'station' || !station.active) throw new Refused(409, 'STATION_INACTIVE');
        if (!station.fresh) return;
        const [bike] = (await c.query(LOCK_BIKE, [body.bikeCode])).rows;
        if (!bike) throw new Refused(404, 'BIKE_NOT_FOUND');
        if (bike.state !== 'on_loan') throw new Refused(409, 'BIKE_NOT_ON_LOAN');
        const [loan] = (await c.query(LOCK_OPEN_LOAN, [bike.id])).rows;
        if (!loan) throw new Refused(409, 'BIKE_NOT_ON_LOAN');
        const [written] = (
          await c.query(RETURN_WRITE, [actor, key, body.stationId, bike.id, loan.id, new Date(), body.bikeCode])
        ).rows;
        if (written.stations !== 1) throw new Refused(404, 'STATION_NOT_FOUND');
      }),
    close: () => (closing ??= pool.end()),
  };
}
