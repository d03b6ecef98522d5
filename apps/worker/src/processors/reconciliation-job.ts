import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { REDIS_CLIENT } from '@metrobici/redis';
import { reconcile, type ReconciliationResult } from '@metrobici/stats';

/** Where the last result is kept for the health report of any worker instance. */
export const LAST_RECONCILIATION_KEY = 'metrobici:worker:last-reconciliation';

/**
 * `stats.reconcile`, every RECONCILE_EVERY_MINUTES: station counters against the bikes table and
 * trip facts against closed trips (libs/stats `reconcile`). Missing facts are derived; drift is an
 * admin alert through the outbox and an error in the log. The last result goes to the health report.
 */
@Injectable()
export class ReconciliationJob {
  private readonly logger = new Logger('Reconciliation');
  private last: ReconciliationResult | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(): Promise<ReconciliationResult> {
    const result = await reconcile(this.dataSource, { co2GramsPerKm: this.config.stats.co2GramsPerKm });
    this.last = result;
    if (result.counterDrift.length > 0)
      this.logger.error({ message: 'Station counters differ from the bikes table', drift: result.counterDrift });
    if (result.repairedTripFacts > 0)
      this.logger.warn(`Derived ${result.repairedTripFacts} missing trip facts (jobs lost or failed).`);
    // Kept a day at most: a stale result must not look current in the health report.
    await this.redis.set(LAST_RECONCILIATION_KEY, JSON.stringify(result), 'EX', 24 * 3600).catch(() => undefined);
    return result;
  }

  /** The latest result of any worker instance (Redis), else this one's. */
  async lastResult(): Promise<ReconciliationResult | null> {
    const stored = await this.redis.get(LAST_RECONCILIATION_KEY).catch(() => null);
    return stored ? (JSON.parse(stored) as ReconciliationResult) : this.last;
  }
}
