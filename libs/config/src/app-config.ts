import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { isValidLocalDate, OpeningHours } from '@metrobici/common';

// Values come from the environment as strings; anything else is passed on for the validator to refuse.
const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === ''
    ? undefined
    : typeof value === 'string' && /^-?\d+$/.test(value)
      ? Number(value)
      : value;
const toFloat = ({ value }: { value: unknown }) =>
  value === undefined || value === ''
    ? undefined
    : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)
      ? Number(value)
      : value;
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** Development-only key for rider pseudonyms in exports; refused when NODE_ENV=production. */
export const DEV_RIDER_KEY_SECRET = 'dev-only-rider-key-change-me';

/**
 * Every secret value this repository ships (in `.env.example`, docker/compose.yaml, the README,
 * the test harness and the defaults above). They are public, so production refuses them: a token
 * signed with one of them could be forged by anyone who has read the code. A spec checks that
 * the values in those files are all listed here.
 */
export const SHIPPED_SECRETS: readonly string[] = [
  DEV_RIDER_KEY_SECRET,
  'dev-only-change-me-0123456789abcdef',
  'compose-only-change-me-0123456789abcdef',
  'test-secret-0123456789abcdef',
  'a-secret-of-32-characters-long!!',
  'a-private-rider-key-for-tests',
  'change-me-to-a-long-random-secret-of-32-bytes-or-more',
];

/** Production secrets (JWT_SECRET, RIDER_KEY_SECRET) need at least this many bytes. */
export const MIN_PRODUCTION_SECRET_BYTES = 32;
const DEFAULT_NIGHTLY_EXPORT_CRON = '30 2 * * *';

/** The environment as read; every variable is documented in `.env.example`. */
class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL: string;

  @IsString()
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' })
  REDIS_URL: string;

  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  JWT_SECRET: string;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(86400)
  JWT_TTL_SECONDS = 900;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 7)
  STAFF_SESSION_HOURS = 12;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  LOAN_MAX_MINUTES = 60;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  OVERDUE_STRIKES_TO_SUSPEND = 3;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(120)
  MIN_RIDER_AGE = 16;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(120)
  ADULT_AGE = 18;

  @IsString()
  TERMS_VERSION = '2019-10';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/, {
    message: 'must be an ISO 8601 date or date-time',
  })
  PILOT_START?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/, {
    message: 'must be an ISO 8601 date or date-time',
  })
  PILOT_END?: string;

  @IsString()
  OPENING_HOURS = 'Mo-Fr 06:00-19:00; Sa 06:00-13:00; Su off; PH off';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  /** API processes (node:cluster); unset: one per CPU in production, 1 otherwise. */
  @Transform(toInt)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(64)
  API_PROCESSES?: number;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000)
  LOGIN_RATE_LIMIT_PER_MINUTE = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  PUBLIC_RATE_LIMIT_PER_MINUTE = 600;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_HEALTH_PORT = 3001;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  WORKER_HEARTBEAT_SECONDS = 30;

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  @IsIn(['json', 'pretty'])
  LOG_FORMAT: 'json' | 'pretty' = 'json';

  @Transform(toFloat)
  @IsNumber()
  @Min(0)
  POPULATION = 613400;

  @Transform(toFloat)
  @IsNumber()
  @Min(0)
  @Max(10000)
  CO2_GRAMS_PER_KM = 120;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(3600)
  STATION_SAMPLE_SECONDS = 60;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  PUBLIC_BASE_URL?: string;

  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  RIDER_KEY_SECRET = DEV_RIDER_KEY_SECRET;

  @IsString()
  EXPORTS_DIR = '.data/exports';

  /** Empty: no proxy (the socket's address is the client); a hop count; or proxies' addresses/CIDRs. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  SOCKET_CONNECTIONS_PER_MINUTE = 300;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  SOCKET_CONNECTIONS_PER_ADDRESS = 200;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 60)
  REVERT_WINDOW_MINUTES = 15;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  EXPORT_RETENTION_DAYS = 30;

  /** Days after the pilot's end after which riders are anonymised (Ley 1581: kept no longer than needed). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  RIDER_RETENTION_DAYS = 180;

  // Bounds on every database session of the api and worker, so a database that is down or stuck
  // becomes a clear 503 within seconds instead of a hang (0 disables the statement/lock/idle limits).
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  DB_CONNECT_TIMEOUT_MS = 2000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DB_STATEMENT_TIMEOUT_MS = 10_000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  DB_LOCK_TIMEOUT_MS = 3000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  RECONCILE_EVERY_MINUTES = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 30)
  IDEMPOTENCY_TTL_HOURS = 24;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  OUTBOX_MAX_ATTEMPTS = 5;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(7 * 24 * 3600)
  OUTBOX_STALE_ALERT_SECONDS = 300;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  OUTBOX_RETENTION_DAYS = 7;
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  http: {
    port: number;
    corsOrigins: string[];
    publicBaseUrl?: string;
    /** Express `trust proxy`: false (no proxy), a hop count, or the proxies' addresses/CIDRs. */
    trustProxy: false | number | string[];
    /**
     * API processes sharing the port (API_PROCESSES; one per CPU in production, else 1). Above 1,
     * socket.io accepts the websocket transport only (no sticky sessions for long-polling).
     */
    processes: number;
  };
  /** Connection URL and the session limits of the apps' pool (milliseconds; 0: no limit). */
  database: {
    url: string;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    lockTimeoutMs: number;
    idleInTransactionTimeoutMs: number;
  };
  redis: { url: string };
  auth: {
    jwtSecret: string;
    jwtTtlSeconds: number;
    /** How long a staff session (a shift) lasts before signing in again; refreshes never extend it. */
    sessionHours: number;
    loginRateLimitPerMinute: number;
    publicRateLimitPerMinute: number;
  };
  /** New socket.io connections per client address per minute; open `/availability` ones per address (per instance). */
  sockets: { connectionsPerMinute: number; connectionsPerAddress: number };
  loans: { maxMinutes: number; overdueStrikesToSuspend: number; revertWindowMinutes: number };
  riders: { minAge: number; adultAge: number; termsVersion: string; retentionDays: number };
  pilot: { start: Date | null; end: Date | null; openingHours: OpeningHours; population: number };
  /** Internal health port, heartbeat, and how often counters and trip facts are reconciled. */
  worker: { healthPort: number; heartbeatSeconds: number; reconcileEveryMinutes: number };
  /** Trip statistics: CO2 avoided per km ridden (grams), seconds between station samples. */
  stats: { co2GramsPerKm: number; stationSampleSeconds: number };
  log: { level: EnvironmentVariables['LOG_LEVEL']; format: 'json' | 'pretty' };
  /** Data packages: rider pseudonym key, where zips are kept, nightly schedule (null: off). */
  exports: { riderKeySecret: string; dir: string; nightlyCron: string | null; retentionDays: number };
  /** How long a stored answer to an `Idempotency-Key` is replayed. */
  idempotency: { ttlHours: number };
  /**
   * Relay: failed publish attempts before a row is set aside (dead letter), the age beyond which an
   * alert is no longer pushed as new, and how long published rows are kept.
   */
  outbox: { maxAttempts: number; staleAlertSeconds: number; retentionDays: number };
}

export class ConfigError extends Error {}

/**
 * Reads and validates the environment once. Any problem throws a `ConfigError` whose message is
 * one line per bad variable, naming it, so start-up fails with something a person can act on.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = plainToInstance(EnvironmentVariables, stripUndefined(env), { exposeDefaultValues: true });
  const errors = validateSync(raw, { whitelist: false, forbidUnknownValues: false });
  const problems = errors.map((e) => {
    const value = (env as Record<string, string | undefined>)[e.property];
    const why = Object.values(e.constraints ?? {}).join('; ');
    return value === undefined ? `${e.property} is missing (${why})` : `${e.property} is invalid: ${why}`;
  });

  let openingHours: OpeningHours | undefined;
  try {
    openingHours = OpeningHours.parse(raw.OPENING_HOURS);
  } catch (e) {
    problems.push(`OPENING_HOURS is invalid: ${(e as Error).message}`);
  }
  const pilotStart = parseDate(raw.PILOT_START, 'PILOT_START', problems);
  const pilotEnd = parseDate(raw.PILOT_END, 'PILOT_END', problems);
  if (pilotStart && pilotEnd && pilotEnd <= pilotStart)
    problems.push('PILOT_END is invalid: must be after PILOT_START');
  if (raw.NODE_ENV === 'production' && raw.RIDER_KEY_SECRET === DEV_RIDER_KEY_SECRET) {
    problems.push(
      'RIDER_KEY_SECRET is missing: required in production (a private key of at least 32 bytes; the development default is refused)',
    );
  } else if (raw.NODE_ENV === 'production') {
    checkProductionSecret('RIDER_KEY_SECRET', raw.RIDER_KEY_SECRET, problems);
  }
  if (raw.NODE_ENV === 'production' && typeof raw.JWT_SECRET === 'string' && raw.JWT_SECRET.length >= 16) {
    checkProductionSecret('JWT_SECRET', raw.JWT_SECRET, problems);
  }
  // GBFS links must name the public address; in production it cannot be guessed from a request.
  if (raw.NODE_ENV === 'production' && !raw.PUBLIC_BASE_URL) {
    problems.push('PUBLIC_BASE_URL is missing: required in production (e.g. https://bici.example.gov.co)');
  }
  if (raw.PUBLIC_BASE_URL && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(raw.PUBLIC_BASE_URL)) {
    problems.push('PUBLIC_BASE_URL is invalid: must be an http:// or https:// URL');
  }
  const trustProxy = parseTrustProxy(raw.TRUST_PROXY, problems);
  const nightlyCron = parseCron(env.NIGHTLY_EXPORT_CRON, problems);
  if (problems.length > 0 || !openingHours) throw new ConfigError(problems.join('\n'));

  return {
    env: raw.NODE_ENV,
    http: {
      port: raw.PORT,
      corsOrigins: (raw.CORS_ORIGINS ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      publicBaseUrl: raw.PUBLIC_BASE_URL,
      trustProxy,
      processes: raw.API_PROCESSES ?? (raw.NODE_ENV === 'production' ? availableParallelism() : 1),
    },
    database: {
      url: raw.DATABASE_URL,
      connectTimeoutMs: raw.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: raw.DB_STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: raw.DB_LOCK_TIMEOUT_MS,
      idleInTransactionTimeoutMs: raw.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
    redis: { url: raw.REDIS_URL },
    auth: {
      jwtSecret: raw.JWT_SECRET,
      jwtTtlSeconds: raw.JWT_TTL_SECONDS,
      sessionHours: raw.STAFF_SESSION_HOURS,
      loginRateLimitPerMinute: raw.LOGIN_RATE_LIMIT_PER_MINUTE,
      publicRateLimitPerMinute: raw.PUBLIC_RATE_LIMIT_PER_MINUTE,
    },
    sockets: {
      connectionsPerMinute: raw.SOCKET_CONNECTIONS_PER_MINUTE,
      connectionsPerAddress: raw.SOCKET_CONNECTIONS_PER_ADDRESS,
    },
    loans: {
      maxMinutes: raw.LOAN_MAX_MINUTES,
      overdueStrikesToSuspend: raw.OVERDUE_STRIKES_TO_SUSPEND,
      revertWindowMinutes: raw.REVERT_WINDOW_MINUTES,
    },
    riders: {
      minAge: raw.MIN_RIDER_AGE,
      adultAge: raw.ADULT_AGE,
      termsVersion: raw.TERMS_VERSION,
      retentionDays: raw.RIDER_RETENTION_DAYS,
    },
    pilot: { start: pilotStart, end: pilotEnd, openingHours, population: raw.POPULATION },
    worker: {
      healthPort: raw.WORKER_HEALTH_PORT,
      heartbeatSeconds: raw.WORKER_HEARTBEAT_SECONDS,
      reconcileEveryMinutes: raw.RECONCILE_EVERY_MINUTES,
    },
    stats: { co2GramsPerKm: raw.CO2_GRAMS_PER_KM, stationSampleSeconds: raw.STATION_SAMPLE_SECONDS },
    log: { level: raw.LOG_LEVEL, format: raw.LOG_FORMAT },
    exports: {
      riderKeySecret: raw.RIDER_KEY_SECRET,
      dir: raw.EXPORTS_DIR,
      nightlyCron,
      retentionDays: raw.EXPORT_RETENTION_DAYS,
    },
    idempotency: { ttlHours: raw.IDEMPOTENCY_TTL_HOURS },
    outbox: {
      maxAttempts: raw.OUTBOX_MAX_ATTEMPTS,
      staleAlertSeconds: raw.OUTBOX_STALE_ALERT_SECONDS,
      retentionDays: raw.OUTBOX_RETENTION_DAYS,
    },
  };
}

/**
 * Loads `.env` from the working directory when present. Variables already in the environment
 * win, so CI and containers stay in charge.
 */
export function loadDotEnv(file = resolve(process.cwd(), '.env')): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/** For entry points: load, or print the problems and exit 1. */
export function loadConfigOrExit(): AppConfig {
  loadDotEnv();
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.message.split('\n')) process.stderr.write(`Configuration error: ${line}\n`);
      process.exit(1);
    }
    throw e;
  }
}

function parseDate(value: string | undefined, name: string, problems: string[]): Date | null {
  if (!value) return null;
  // A bare date means the start of that day in Bogotá.
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00-05:00` : value;
  const date = new Date(/[Zz]|[+-]\d{2}:\d{2}$/.test(text) ? text : `${text}-05:00`);
  // V8 rolls impossible days over (`2019-02-30` becomes 2 March), so check the calendar date too.
  if (Number.isNaN(date.getTime()) || !isValidLocalDate(value.slice(0, 10))) {
    problems.push(`${name} is invalid: not a real date`);
    return null;
  }
  return date;
}

/** Unset: the default schedule; set but empty (or `off`): no nightly package. */
function parseCron(value: string | undefined, problems: string[]): string | null {
  if (value === undefined) return DEFAULT_NIGHTLY_EXPORT_CRON;
  const text = value.trim();
  if (text === '' || text.toLowerCase() === 'off') return null;
  if (!/^(\S+\s+){4,5}\S+$/.test(text)) {
    problems.push(
      'NIGHTLY_EXPORT_CRON is invalid: must be a cron pattern of 5 or 6 fields (e.g. "30 2 * * *"), or empty to disable',
    );
    return null;
  }
  return text;
}

function checkProductionSecret(name: string, value: string, problems: string[]): void {
  if (Buffer.byteLength(value, 'utf8') < MIN_PRODUCTION_SECRET_BYTES) {
    problems.push(`${name} is invalid: must be at least ${MIN_PRODUCTION_SECRET_BYTES} bytes in production`);
  } else if (SHIPPED_SECRETS.includes(value)) {
    problems.push(`${name} is invalid: it is a value published in this repository; generate a private one`);
  }
}

/**
 * TRUST_PROXY as Express's `trust proxy`: unset or empty means no proxy, so a client cannot pick
 * its own address with X-Forwarded-For; a hop count; or the proxies' addresses and CIDRs.
 */
function parseTrustProxy(value: string | undefined, problems: string[]): false | number | string[] {
  const text = value?.trim() ?? '';
  if (text === '') return false;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops >= 1 && hops <= 10) return hops;
    problems.push('TRUST_PROXY is invalid: a hop count must be 1 to 10');
    return false;
  }
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = entries.filter((entry) => !isAddressOrCidr(entry));
  if (bad.length > 0) {
    problems.push(
      `TRUST_PROXY is invalid: ${bad.join(', ')} is not an IP address or CIDR (or loopback, linklocal, uniquelocal)`,
    );
    return false;
  }
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

function stripUndefined(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  // An empty value (`PORT=` in .env) means unset: the default applies instead of failing validation.
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
