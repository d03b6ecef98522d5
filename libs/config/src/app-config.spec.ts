import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, SHIPPED_SECRETS } from './app-config';

const REQUIRED = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/metrobici',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  JWT_SECRET: 'a-secret-of-32-characters-long!!',
};
const PILOT_HOURS = 'Mo-Fr 06:00-19:00; Sa 06:00-13:00; Su off; PH off';

/** The ConfigError message for that environment, one entry per line. */
function problemsWith(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message.split('\n');
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('fills every optional setting with its documented default', () => {
    const config = loadConfig({ ...REQUIRED });
    expect(config.env).toBe('development');
    expect(config.http).toEqual({
      port: 3000,
      corsOrigins: [],
      publicBaseUrl: undefined,
      trustProxy: false,
      processes: 1,
    });
    expect(config.database.url).toBe(REQUIRED.DATABASE_URL);
    expect(config.redis.url).toBe(REQUIRED.REDIS_URL);
    expect(config.auth).toEqual({
      jwtSecret: REQUIRED.JWT_SECRET,
      jwtTtlSeconds: 900,
      sessionHours: 12,
      loginRateLimitPerMinute: 10,
      publicRateLimitPerMinute: 600,
    });
    expect(config.loans).toEqual({ maxMinutes: 60, overdueStrikesToSuspend: 3, revertWindowMinutes: 15 });
    expect(config.exports.retentionDays).toBe(30);
    expect(config.sockets).toEqual({ connectionsPerMinute: 300, connectionsPerAddress: 200 });
    expect(config.riders).toEqual({ minAge: 16, adultAge: 18, termsVersion: '2019-10', retentionDays: 180 });
    expect(config.pilot.start).toBeNull();
    expect(config.pilot.end).toBeNull();
    expect(config.pilot.population).toBe(613400);
    expect(config.pilot.openingHours.source).toBe(PILOT_HOURS);
    expect(config.pilot.openingHours.is24x7).toBe(false);
    // The default hours are really parsed: Monday 2019-10-07 06:00 Bogotá is open, 05:59 is not.
    expect(config.pilot.openingHours.isOpen(new Date('2019-10-07T11:00:00Z'))).toBe(true);
    expect(config.pilot.openingHours.isOpen(new Date('2019-10-07T10:59:00Z'))).toBe(false);
    expect(config.worker).toEqual({ healthPort: 3001, heartbeatSeconds: 30, reconcileEveryMinutes: 10 });
    expect(config.database).toEqual({
      url: REQUIRED.DATABASE_URL,
      connectTimeoutMs: 2000,
      statementTimeoutMs: 10_000,
      lockTimeoutMs: 3000,
      idleInTransactionTimeoutMs: 30_000,
    });
    expect(config.log).toEqual({ level: 'log', format: 'json' });
  });

  it('runs one API process per CPU in production unless API_PROCESSES says otherwise', () => {
    expect(loadConfig({ ...REQUIRED, API_PROCESSES: '3' }).http.processes).toBe(3);
    expect(problemsWith({ ...REQUIRED, API_PROCESSES: '0' }).join('\n')).toMatch(/API_PROCESSES/);
  });

  it('treats empty values (as in .env.example) like absent ones', () => {
    const config = loadConfig({ ...REQUIRED, PILOT_START: '', PILOT_END: '', CORS_ORIGINS: '', PUBLIC_BASE_URL: '' });
    expect(config.pilot.start).toBeNull();
    expect(config.pilot.end).toBeNull();
    expect(config.http.corsOrigins).toEqual([]);
    expect(config.http.publicBaseUrl).toBeUndefined();
  });

  it('applies the default for an empty numeric setting instead of refusing it', () => {
    const config = loadConfig({ ...REQUIRED, PORT: '', LOGIN_RATE_LIMIT_PER_MINUTE: '', JWT_TTL_SECONDS: '' });
    expect(config.http.port).toBe(3000);
    expect(config.auth.loginRateLimitPerMinute).toBe(10);
    expect(config.auth.jwtTtlSeconds).toBe(900);
  });

  it('still refuses an empty required setting', () => {
    expect(problemsWith({ ...REQUIRED, JWT_SECRET: '' })).toEqual([
      expect.stringMatching(/^JWT_SECRET is invalid: must be at least 16 characters/),
    ]);
  });

  it('reads the values given, converting numbers and splitting CORS origins', () => {
    const config = loadConfig({
      ...REQUIRED,
      NODE_ENV: 'test',
      PORT: '8080',
      JWT_TTL_SECONDS: '600',
      CORS_ORIGINS: 'https://example.org, https://bici.example.gov.co ,',
      OPENING_HOURS: '24/7',
      POPULATION: '1000.5',
      LOG_FORMAT: 'pretty',
    });
    expect(config.env).toBe('test');
    expect(config.http.port).toBe(8080);
    expect(config.auth.jwtTtlSeconds).toBe(600);
    expect(config.http.corsOrigins).toEqual(['https://example.org', 'https://bici.example.gov.co']);
    expect(config.pilot.openingHours.is24x7).toBe(true);
    expect(config.pilot.population).toBe(1000.5);
    expect(config.log.format).toBe('pretty');
  });

  it('names each missing required variable on its own line', () => {
    const lines = problemsWith({});
    expect(lines).toHaveLength(3);
    expect([...lines].sort()).toEqual([
      expect.stringMatching(/^DATABASE_URL is missing \(.*postgres:\/\/ URL/),
      expect.stringMatching(/^JWT_SECRET is missing \(.*at least 16 characters/),
      expect.stringMatching(/^REDIS_URL is missing \(.*redis:\/\/ URL/),
    ]);
  });

  it('reports only what is wrong', () => {
    const { JWT_SECRET: _omitted, ...rest } = REQUIRED;
    expect(problemsWith(rest)).toEqual([expect.stringMatching(/^JWT_SECRET is missing/)]);
  });

  it('tells invalid values from missing ones', () => {
    const lines = problemsWith({ DATABASE_URL: 'mysql://x', REDIS_URL: 'localhost:6379', JWT_SECRET: 'short' });
    expect([...lines].sort()).toEqual([
      'DATABASE_URL is invalid: must be a postgres:// URL',
      'JWT_SECRET is invalid: must be at least 16 characters',
      'REDIS_URL is invalid: must be a redis:// URL',
    ]);
  });

  it.each([['abc'], ['70000'], ['-1'], ['30.5'], ['3000abc']])('rejects PORT=%p', (port) => {
    expect(problemsWith({ ...REQUIRED, PORT: port })).toEqual([expect.stringMatching(/^PORT is invalid: /)]);
  });

  it('accepts the port range edges', () => {
    expect(loadConfig({ ...REQUIRED, PORT: '0' }).http.port).toBe(0);
    expect(loadConfig({ ...REQUIRED, PORT: '65535' }).http.port).toBe(65535);
  });

  it.each([
    ['garbage', /cannot read rule/],
    ['Mo-Fr 06:00-25:00', /not a valid same-day span/],
    ['Lu-Vi 06:00-19:00', /unknown day/],
  ])('rejects OPENING_HOURS=%p with the parser’s reason', (hours, reason) => {
    const lines = problemsWith({ ...REQUIRED, OPENING_HOURS: hours });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^OPENING_HOURS is invalid: /);
    expect(lines[0]).toMatch(reason);
  });

  it('lists every problem at once, one line each', () => {
    const lines = problemsWith({
      REDIS_URL: REQUIRED.REDIS_URL,
      JWT_SECRET: REQUIRED.JWT_SECRET,
      PORT: 'abc',
      OPENING_HOURS: 'nonsense',
      LOG_LEVEL: 'loud',
    });
    expect(lines.map((l) => l.split(' ')[0]).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'OPENING_HOURS', 'PORT']);
  });

  describe('pilot dates', () => {
    it('reads a bare date as midnight in Bogotá (05:00 UTC)', () => {
      const config = loadConfig({ ...REQUIRED, PILOT_START: '2019-10-03', PILOT_END: '2019-12-20' });
      expect(config.pilot.start?.toISOString()).toBe('2019-10-03T05:00:00.000Z');
      expect(config.pilot.end?.toISOString()).toBe('2019-12-20T05:00:00.000Z');
    });

    it('reads a date-time without offset as Bogotá time, and keeps an explicit offset', () => {
      expect(loadConfig({ ...REQUIRED, PILOT_START: '2019-10-03T06:00' }).pilot.start?.toISOString()).toBe(
        '2019-10-03T11:00:00.000Z',
      );
      expect(loadConfig({ ...REQUIRED, PILOT_START: '2019-10-03T06:00:00Z' }).pilot.start?.toISOString()).toBe(
        '2019-10-03T06:00:00.000Z',
      );
      expect(loadConfig({ ...REQUIRED, PILOT_START: '2019-10-03T06:00:00+01:00' }).pilot.start?.toISOString()).toBe(
        '2019-10-03T05:00:00.000Z',
      );
    });

    it('rejects PILOT_END before or equal to PILOT_START', () => {
      expect(problemsWith({ ...REQUIRED, PILOT_START: '2019-10-03', PILOT_END: '2019-10-02' })).toEqual([
        'PILOT_END is invalid: must be after PILOT_START',
      ]);
      expect(problemsWith({ ...REQUIRED, PILOT_START: '2019-10-03', PILOT_END: '2019-10-03T00:00' })).toEqual([
        'PILOT_END is invalid: must be after PILOT_START',
      ]);
    });

    it('accepts an end one minute after the start', () => {
      const config = loadConfig({ ...REQUIRED, PILOT_START: '2019-10-03', PILOT_END: '2019-10-03T00:01' });
      expect(config.pilot.end!.getTime() - config.pilot.start!.getTime()).toBe(60_000);
    });

    it.each([['03/10/2019'], ['2019-10-3'], ['tomorrow'], ['2019-10-03 06:00']])(
      'rejects a non-ISO PILOT_START=%p',
      (value) => {
        const lines = problemsWith({ ...REQUIRED, PILOT_START: value });
        expect(lines).toContainEqual(expect.stringMatching(/^PILOT_START is invalid: must be an ISO 8601 date/));
        expect(lines.filter((l) => !l.startsWith('PILOT_START is invalid: '))).toEqual([]);
      },
    );

    it.each([['2019-13-01'], ['2019-02-30'], ['2019-04-31'], ['2019-10-03T25:00']])(
      'rejects a date that does not exist, PILOT_START=%p',
      (value) => {
        expect(problemsWith({ ...REQUIRED, PILOT_START: value })).toEqual(['PILOT_START is invalid: not a real date']);
      },
    );
  });

  describe('in production', () => {
    const PRODUCTION = {
      ...REQUIRED,
      NODE_ENV: 'production',
      JWT_SECRET: 'x7Qp2vLm9Rt4Wz8Kc1Nb6Hd3Fs5Gj0Ya-private',
      RIDER_KEY_SECRET: 'Vb8Nq3Ze6Tx1Lk4Mw9Pc2Rj7Hs5Dg0Fa-private',
      PUBLIC_BASE_URL: 'https://bici.example.gov.co',
    };

    it('starts with private secrets of at least 32 bytes and a public base URL', () => {
      const config = loadConfig(PRODUCTION);
      expect(config.env).toBe('production');
      expect(config.http.publicBaseUrl).toBe('https://bici.example.gov.co');
    });

    it.each(['JWT_SECRET', 'RIDER_KEY_SECRET'])('refuses a %s shorter than 32 bytes', (name) => {
      expect(problemsWith({ ...PRODUCTION, [name]: 'only-twenty-five-bytes-ok' })).toEqual([
        `${name} is invalid: must be at least 32 bytes in production`,
      ]);
    });

    it.each(SHIPPED_SECRETS.filter((s) => s.length >= 32).map((s) => [s]))(
      'refuses the published value %p as JWT_SECRET and RIDER_KEY_SECRET',
      (secret) => {
        expect(problemsWith({ ...PRODUCTION, JWT_SECRET: secret, RIDER_KEY_SECRET: secret }).sort()).toEqual([
          'JWT_SECRET is invalid: it is a value published in this repository; generate a private one',
          'RIDER_KEY_SECRET is invalid: it is a value published in this repository; generate a private one',
        ]);
      },
    );

    it('requires PUBLIC_BASE_URL (GBFS links never come from a request)', () => {
      const { PUBLIC_BASE_URL: _omitted, ...rest } = PRODUCTION;
      expect(problemsWith(rest)).toEqual([
        expect.stringMatching(/^PUBLIC_BASE_URL is missing: required in production/),
      ]);
    });

    it('knows every secret shipped in .env.example, docker/compose.yaml, the README and the test harness', () => {
      const files = ['.env.example', 'docker/compose.yaml', 'README.md', 'test/support/test-env.ts'];
      const found = new Set<string>();
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/(?:JWT_SECRET|RIDER_KEY_SECRET)(?:=|:-|:\s*')([^\s'"}$][^\s'"}]{7,})/g))
          found.add(m[1]);
      }
      for (const value of found) expect(SHIPPED_SECRETS).toContain(value);
    });
  });

  describe('TRUST_PROXY', () => {
    it('is no proxy when empty or unset', () => {
      expect(loadConfig({ ...REQUIRED, TRUST_PROXY: '' }).http.trustProxy).toBe(false);
    });

    it('reads a hop count or a list of addresses and CIDRs', () => {
      expect(loadConfig({ ...REQUIRED, TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
      expect(loadConfig({ ...REQUIRED, TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,::1,loopback' }).http.trustProxy).toEqual([
        '10.0.0.0/8',
        '192.168.1.7',
        '::1',
        'loopback',
      ]);
    });

    it.each([['0'], ['11'], ['10.0.0.0/33'], ['proxy.example'], ['true'], ['10.0.0.1/8/2']])('refuses %p', (value) => {
      expect(problemsWith({ ...REQUIRED, TRUST_PROXY: value })).toEqual([
        expect.stringMatching(/^TRUST_PROXY is invalid: /),
      ]);
    });
  });

  describe('database session limits', () => {
    it('reads them, 0 turning the statement, lock and idle limits off', () => {
      const config = loadConfig({
        ...REQUIRED,
        DB_CONNECT_TIMEOUT_MS: '500',
        DB_STATEMENT_TIMEOUT_MS: '0',
        DB_LOCK_TIMEOUT_MS: '250',
        DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '0',
        RECONCILE_EVERY_MINUTES: '1',
      });
      expect(config.database).toMatchObject({
        connectTimeoutMs: 500,
        statementTimeoutMs: 0,
        lockTimeoutMs: 250,
        idleInTransactionTimeoutMs: 0,
      });
      expect(config.worker.reconcileEveryMinutes).toBe(1);
    });

    it('refuses a connect timeout that would be no wait at all, or a negative limit', () => {
      expect(
        problemsWith({
          ...REQUIRED,
          DB_CONNECT_TIMEOUT_MS: '0',
          DB_LOCK_TIMEOUT_MS: '-1',
          RECONCILE_EVERY_MINUTES: '0',
        })
          .map((l) => l.split(' ')[0])
          .sort(),
      ).toEqual(['DB_CONNECT_TIMEOUT_MS', 'DB_LOCK_TIMEOUT_MS', 'RECONCILE_EVERY_MINUTES']);
    });
  });

  it('does not read process.env when given an environment', () => {
    const before = process.env.PORT;
    process.env.PORT = 'not-a-port';
    try {
      expect(loadConfig({ ...REQUIRED }).http.port).toBe(3000);
    } finally {
      if (before === undefined) delete process.env.PORT;
      else process.env.PORT = before;
    }
  });
});

describe('API start-up with a bad configuration', () => {
  let dir: string;
  beforeAll(() => {
    // An empty working directory, so no `.env` fills in what the test leaves out.
    dir = mkdtempSync(join(tmpdir(), 'metrobici-config-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops with exit code 1 and one clear line per problem', async () => {
    // jest runs from the repository root (ESM has no __dirname).
    const root = process.cwd();
    const child = spawn(
      process.execPath,
      [join(root, 'scripts', 'run-ts.js'), join(root, 'apps', 'api', 'src', 'main.ts')],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: REQUIRED.DATABASE_URL, REDIS_URL: REQUIRED.REDIS_URL },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the API did not exit within 30 s\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, 30_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^Configuration error: JWT_SECRET is missing \(.*at least 16 characters.*\)$/),
    ]);
  }, 40_000);
});
