import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { markOutboxPublished, readUnpublishedOutbox, recordOutboxFailures } from '@metrobici/outbox';
import { OutboxPublisher } from './outbox-publisher';

export const RELAY_LOCK = 7_262_019; // any constant shared by every worker instance
const BATCH = 500;
const POLL_MS = 1000;
/** A silently dropped relay session must fail fast, not hang the relay (and keep others waiting). */
const SESSION_QUERY_TIMEOUT_MS = 10_000;

/**
 * Publishes outbox rows after commit, in id order. One relay runs at a time: the advisory lock is
 * held by the relay's own session, and that same session LISTENs, reads the rows and marks them
 * published. If the session drops, the lock goes with it and this relay can neither read nor mark
 * any more: the standby that takes the lock over is the only one working. Rows are marked
 * published only after Redis accepted them, so Redis or the worker being down only delays events;
 * a crash between publish and mark repeats them, which the per-station sequence makes harmless.
 * A row the publisher cannot handle is counted and, after OUTBOX_MAX_ATTEMPTS, set aside (dead
 * letter, with an admin alert) while the rows after it go out.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private session?: Client;
  private redis?: Redis;
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;
  private leader = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly publisher: OutboxPublisher,
  ) {}

  /** Whether this instance holds the relay lock (for health and tests). */
  get isLeader(): boolean {
    return this.leader && this.session !== undefined;
  }

  /** The backend pid of the session holding the lock, if this instance leads (for tests). */
  get sessionPid(): number | undefined {
    return this.isLeader ? (this.session as unknown as { processID?: number }).processID : undefined;
  }

  onApplicationBootstrap(): void {
    // Fails fast while Redis is away, instead of queueing in memory what the table already keeps.
    this.redis = new Redis(this.config.redis.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectionName: 'metrobici-outbox',
    });
    this.redis.on('error', () => undefined);
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 20));
    await this.session?.end().catch(() => undefined);
    this.redis?.disconnect();
  }

  /** Runs a drain now, or right after the current one. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.cycle().finally(() => {
      this.running = false;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async cycle(): Promise<void> {
    try {
      const session = await this.ensureLeader();
      if (!session) return;
      if (this.redis?.status !== 'ready') return;
      // The outbox functions take anything with TypeORM's `query`; this one runs on the lock's session.
      const db = {
        query: async <T = unknown>(sql: string, params?: unknown[]): Promise<T> =>
          (await session.query(sql, params)).rows as T,
      };
      while (!this.stopped) {
        const rows = await readUnpublishedOutbox(db, BATCH);
        if (rows.length === 0) return;
        // The publisher empties `rows` (see OutboxPublisher.publish): the ids are kept apart.
        const ids = rows.map((r) => r.id);
        const failures = await this.publisher.publish(this.redis, rows);
        const failed = new Set(failures.map((f) => f.id));
        await markOutboxPublished(
          db,
          ids.filter((id) => !failed.has(id)),
        );
        if (failures.length > 0) {
          const dead = await recordOutboxFailures(db, failures, this.config.outbox.maxAttempts);
          for (const f of failures) this.logger.warn(`Outbox row ${f.id} not published: ${f.error}`);
          for (const d of dead) this.logger.error(`Outbox row ${d.id} (${d.type}) set aside after repeated failures`);
        }
        if (ids.length < BATCH) return;
      }
    } catch (error) {
      this.logger.warn(`Outbox relay will retry: ${(error as Error).message}`);
    }
  }

  /** The relay session: LISTENs, holds the lock, reads and marks; reconnects after a loss. */
  private async ensureLeader(): Promise<Client | undefined> {
    if (this.leader && this.session) return this.session;
    if (!this.session) {
      const client = new Client({
        connectionString: this.config.database.url,
        application_name: 'metrobici-outbox-relay',
        connectionTimeoutMillis: this.config.database.connectTimeoutMs,
        query_timeout: SESSION_QUERY_TIMEOUT_MS,
        keepAlive: true,
      });
      client.on('error', () => this.dropSession(client));
      client.on('end', () => this.dropSession(client));
      client.on('notification', () => this.kick());
      try {
        await client.connect();
        await client.query('LISTEN outbox_events');
        // The next batch is the head of the unpublished index, in id order. Right after a backlog
        // lands in one transaction the statistics still say "almost nothing unpublished", and the
        // planner then bitmap-scans and sorts the whole backlog for every batch (quadratic: 25-70 ms
        // per 500 rows with 100,000 waiting, against ~5 ms walking the index). This session runs
        // only the outbox's statements, all by id, so bitmap scans are simply off for it.
        await client.query('SET enable_bitmapscan = off');
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      this.session = client;
    }
    const session = this.session;
    const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      RELAY_LOCK,
    ]);
    this.leader = rows[0].locked;
    return this.leader ? session : undefined;
  }

  private dropSession(client: Client): void {
    if (this.session === client) {
      this.session = undefined;
      this.leader = false;
      void client.end().catch(() => undefined);
    }
  }
}
