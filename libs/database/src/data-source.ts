import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

/** The entity classes of the schema. Composed by the apps (`apps/entities.ts`): this lib knows no domain. */
export type EntityList = NonNullable<DataSourceOptions['entities']>;

/**
 * One place that says how to reach the database; used by the apps, the CLI, the tests and the
 * benchmarks. Pass `entities` for anything that reads or writes through TypeORM's metadata
 * (repositories, the drift check); running migrations needs none.
 */
export function dataSourceOptions(url: string, overrides: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    uuidExtension: 'pgcrypto',
    extra: { max: 20, application_name: 'metrobici' },
    ...overrides,
  } as DataSourceOptions;
}

/** Session limits of a pool (milliseconds; 0 disables the statement, lock and idle limits). */
export interface PoolLimits {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

/**
 * node-postgres pool settings for the api and worker: connecting (or waiting for a free pooled
 * connection) gives up after `connectTimeoutMs`, and each session starts with `statement_timeout`,
 * `lock_timeout` and `idle_in_transaction_session_timeout`, so a database that is down, stuck or
 * locked turns into an error (the API's 503) in bounded time, and a forgotten transaction cannot
 * hold its locks. The CLI (migrations, rebuilds) keeps PostgreSQL's defaults: its statements may be long.
 */
export function poolLimitOptions(limits: PoolLimits): Record<string, number> {
  return {
    connectionTimeoutMillis: limits.connectTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
    lock_timeout: limits.lockTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
  };
}

export function createDataSource(url: string, overrides: Partial<DataSourceOptions> = {}): DataSource {
  return new DataSource(dataSourceOptions(url, overrides));
}
