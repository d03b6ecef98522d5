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
    expect(
      loadConfig({ ...REQUIRED, NODE_ENV: 'production', RIDER_KEY_SECRET: 'the-city-keeps-this-one' }).exports
        .riderKeySecret,
    ).toBe('the-city-keeps-this-one');
  });

  it('reads the nightly schedule: empty or off disables it, a bad pattern is refused', () => {
    expect(loadConfig({ ...REQUIRED, NIGHTLY_EXPORT_CRON: '' }).exports.nightlyCron).toBeNull();
    expect(loadConfig({ ...REQUIRED, NIGHTLY_EXPORT_CRON: 'off' }).exports.nightlyCron).toBeNull();
    expect(loadConfig({ ...REQUIRED, NIGHTLY_EXPORT_CRON: '0 3 * * 1-5' }).exports.nightlyCron).toBe('0 3 * * 1-5');
    expect(problems({ ...REQUIRED, NIGHTLY_EXPORT_CRON: 'nightly' })).toMatch(/^NIGHTLY_EXPORT_CRON is invalid/m);
  });
});
