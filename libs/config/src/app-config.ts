import { existsSync } from 'node:fs';
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

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;
const toFloat = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+(\.\d+)?$/.test(String(value)) ? Number(value) : value;
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** Development-only key for rider pseudonyms in exports; refused when NODE_ENV=production. */
export const DEV_RIDER_KEY_SECRET = 'dev-only-rider-key-change-me';
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
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  http: { port: number; corsOrigins: string[]; publicBaseUrl?: string };
  database: { url: string };
  redis: { url: string };
  auth: { jwtSecret: string; jwtTtlSeconds: number; loginRateLimitPerMinute: number; publicRateLimitPerMinute: number };
  loans: { maxMinutes: number; overdueStrikesToSuspend: number };
  riders: { minAge: number; adultAge: number; termsVersion: string };
  pilot: { start: Date | null; end: Date | null; openingHours: OpeningHours; population: number };
  worker: { healthPort: number; heartbeatSeconds: number };
  /** Trip statistics: CO2 avoided per km ridden (grams), seconds between station samples. */
  stats: { co2GramsPerKm: number; stationSampleSeconds: number };
  log: { level: EnvironmentVariables['LOG_LEVEL']; format: 'json' | 'pretty' };
  /** Data packages: rider pseudonym key, where zips are kept, nightly schedule (null: off). */
  exports: { riderKeySecret: string; dir: string; nightlyCron: string | null };
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
      'RIDER_KEY_SECRET is missing: required in production (a private key of at least 16 characters; the development default is refused)',
    );
  }
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
    },
    database: { url: raw.DATABASE_URL },
    redis: { url: raw.REDIS_URL },
    auth: {
      jwtSecret: raw.JWT_SECRET,
      jwtTtlSeconds: raw.JWT_TTL_SECONDS,
      loginRateLimitPerMinute: raw.LOGIN_RATE_LIMIT_PER_MINUTE,
      publicRateLimitPerMinute: raw.PUBLIC_RATE_LIMIT_PER_MINUTE,
    },
    loans: { maxMinutes: raw.LOAN_MAX_MINUTES, overdueStrikesToSuspend: raw.OVERDUE_STRIKES_TO_SUSPEND },
    riders: { minAge: raw.MIN_RIDER_AGE, adultAge: raw.ADULT_AGE, termsVersion: raw.TERMS_VERSION },
    pilot: { start: pilotStart, end: pilotEnd, openingHours, population: raw.POPULATION },
    worker: { healthPort: raw.WORKER_HEALTH_PORT, heartbeatSeconds: raw.WORKER_HEARTBEAT_SECONDS },
    stats: { co2GramsPerKm: raw.CO2_GRAMS_PER_KM, stationSampleSeconds: raw.STATION_SAMPLE_SECONDS },
    log: { level: raw.LOG_LEVEL, format: raw.LOG_FORMAT },
    exports: { riderKeySecret: raw.RIDER_KEY_SECRET, dir: raw.EXPORTS_DIR, nightlyCron },
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

function stripUndefined(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  // An empty value (`PORT=` in .env) means unset: the default applies instead of failing validation.
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
