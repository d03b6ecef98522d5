import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { OutboxPublisher, type OutboxRow } from './outbox-publisher';

const RELAY_LOCK = 7_262_019; // any constant shared by every worker instance
const BATCH = 500;
const POLL_MS = 1000;

/**
 * Publishes outbox rows after commit, in id order. One relay runs at a time (a session advisory
 * lock; other workers stand by). Rows are marked published only after Redis accepted them, so
 * Redis or the worker being down only delays events; a crash between publish and mark repeats
 * them, which the per-station sequence makes harmless.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private listener?: Client;
  private redis?: Redis;
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;
  private leader = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly publisher: OutboxPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
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
    await this.listener?.end().catch(() => undefined);
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
      if (!(await this.ensureLeader())) return;
      if (this.redis?.status !== 'ready') return;
      while (!this.stopped) {
        const rows: OutboxRow[] = await this.dataSource.query(
          'SELECT id, type, aggregate_id, payload, created_at FROM outbox_events WHERE published_at IS NULL ORDER BY id LIMIT $1',
          [BATCH],
        );
        if (rows.length === 0) return;
        await this.publisher.publish(this.redis, rows);
        await this.dataSource.query('UPDATE outbox_events SET published_at = now() WHERE id = ANY($1::bigint[])', [
          rows.map((r) => r.id),
        ]);
        if (rows.length < BATCH) return;
      }
    } catch (error) {
      this.logger.warn(`Outbox relay will retry: ${(error as Error).message}`);
    }
  }

  /** LISTEN on a dedicated connection that also holds the relay lock; reconnects after a loss. */
  private async ensureLeader(): Promise<boolean> {
    if (this.leader && this.listener) return true;
    if (!this.listener) {
      const client = new Client({
        connectionString: this.config.database.url,
        application_name: 'metrobici-outbox-relay',
      });
      client.on('error', () => this.dropListener(client));
      client.on('end', () => this.dropListener(client));
      client.on('notification', () => this.kick());
      await client.connect();
      await client.query('LISTEN outbox_events');
      this.listener = client;
    }
    const { rows } = await this.listener.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      RELAY_LOCK,
    ]);
    this.leader = rows[0].locked;
    return this.leader;
  }

  private dropListener(client: Client): void {
    if (this.listener === client) {
      this.listener = undefined;
      this.leader = false;
    }
  }
}
