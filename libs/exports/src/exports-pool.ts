import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';

/**
 * A small pool of its own for COPY exports: a long download holds its connection for as long as
 * the client reads, and must never starve the check-outs of the main pool.
 */
@Injectable()
export class ExportsPool implements OnModuleDestroy {
  readonly pool: Pool;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool = new Pool({
      connectionString: config.database.url,
      max: 4,
      application_name: 'metrobici-exports',
      idleTimeoutMillis: 30_000,
    });
    // A connection dropped while idle is replaced on the next connect; nothing to do here.
    this.pool.on('error', () => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}
