import { randomBytes } from 'node:crypto';
import { ConfigError, DEV_RIDER_KEY_SECRET, loadConfig } from '@metrobici/config';

const REQUIRED = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/metrobici',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  JWT_SECRET: 'a-secret-of-32-characters-long!!',
};

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('exports configuration', () => {
  it('has development defaults', () => {
    expect(loadConfig({ ...REQUIRED }).exports).toEqual({
      riderKeySecret: DEV_RIDER_KEY_SECRET,
      dir: '.data/exports',
      nightlyCron: '30 2 * * *',
      retentionDays: 30,
    });
  });

  it('requires a private RIDER_KEY_SECRET in production', () => {
    expect(problems({ ...REQUIRED, NODE_ENV: 'production' })).toMatch(
      /^RIDER_KEY_SECRET is missing: required in production/m,
    );
    expect(problems({ ...REQUIRED, NODE_ENV: 'production', RIDER_KEY_SECRET: DEV_RIDER_KEY_SECRET })).toMatch(
      /RIDER_KEY_SECRET/,
    );
    expect(problems({ ...REQUIRED, RIDER_KEY_SECRET: 'short' })).toMatch(
      /RIDER_KEY_SECRET is invalid: must be at least 16 characters/,
    );
    // Production also wants a private JWT secret and the public base URL (issue 10); the rider key
    // is accepted once it is the city's own and at least 32 bytes long.
    const production = {
      ...REQUIRED,
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(32).toString('hex'),
      PUBLIC_BASE_URL: 'https://bici.example.gov.co',
    };
    expect(problems({ ...production, RIDER_KEY_SECRET: 'the-city-keeps-this-one' })).toMatch(
      /RIDER_KEY_SECRET is invalid: must be at least 32 bytes in production/,
    );
    const cityKey = randomBytes(32).toString('hex');
    expect(loadConfig({ ...production, RIDER_KEY_SECRET: cityKey }).exports.riderKeySecret).toBe(cityKey);
  });

  it('reads the nightly schedule: empty or off disables it, a bad pattern is refused', () => {
    expect(loadConfig({ ...REQUIRED, NIGHTLY_EXPORT_CRON: '' }).exports.nightlyCron).toBeNull();
    expect(loadConfig({ ...REQUIRED, NIGHTLY_EXPORT_CRON: 'off' }).exports.nightlyCron).toBeNull();
    expect(loadConfig({ ...REQUIRED, NIGHTLY_EXPORT_CRON: '0 3 * * 1-5' }).exports.nightlyCron).toBe('0 3 * * 1-5');
    expect(problems({ ...REQUIRED, NIGHTLY_EXPORT_CRON: 'nightly' })).toMatch(/^NIGHTLY_EXPORT_CRON is invalid/m);
  });
});
