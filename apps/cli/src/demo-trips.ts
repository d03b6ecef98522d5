// `npm run demo:trips -- --days N [--trips-per-day 600] [--synthetic-riders 300] [--seed 20191003]`:
// N days of synthetic trips ending yesterday (Bogotá time), marked synthetic, then the planners'
// statistics of those days rebuilt from the raw loans (`@metrobici/stats`). Needs `npm run db:seed`.
// Running it again replaces the synthetic trips of those days (same seed: the same trips).
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@metrobici/config';
import { rebuildTripFacts } from '@metrobici/stats';
import { withCliDataSource } from './cli-data-source';
import { DemoDataMissingError, generateDemoTrips } from './synthetic-trips/generate-demo-trips';

const USAGE = 'usage: npm run demo:trips -- --days N [--trips-per-day 600] [--synthetic-riders 300] [--seed 20191003]';

class UsageError extends Error {}

function positiveInt(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 0 || Number(value) > max)
    throw new UsageError(`--${name} must be a whole number 0..${max}\n${USAGE}`);
  return Number(value);
}

function options(argv: string[]) {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        days: { type: 'string' },
        'trips-per-day': { type: 'string' },
        'synthetic-riders': { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  if (values.help) throw new UsageError(USAGE);
  const days = positiveInt('days', values.days as string | undefined, 30, 3660);
  if (days < 1) throw new UsageError(`--days must be at least 1\n${USAGE}`);
  return {
    days,
    tripsPerWeekday: positiveInt('trips-per-day', values['trips-per-day'] as string | undefined, 600, 200_000),
    syntheticRiders: positiveInt('synthetic-riders', values['synthetic-riders'] as string | undefined, 300, 1_000_000),
    seed: positiveInt('seed', values.seed as string | undefined, 20191003, 2 ** 31),
  };
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const config = loadConfigOrExit();
  await withCliDataSource(config, 'metrobici-demo-trips', async (ds) => {
    const began = Date.now();
    const { summary } = await generateDemoTrips(ds, config, { ...opts, now: new Date() });
    const generatedMs = Date.now() - began;
    console.log('Metrobici demo trips (SYNTHETIC: generated, not real data)');
    console.log(
      `  days ${summary.from} … ${summary.to} (${summary.days}), replaced ${summary.deletedBefore} synthetic trips of those days`,
    );
    console.log(
      `  trips ${summary.trips} in ${summary.journeys} journeys (${summary.renewals} renewals), overdue ${summary.overdue}`,
    );
    console.log(`  riders: ${summary.riders.seeded} seeded + ${summary.riders.synthetic} generated (synthetic)`);
    console.log(
      `  written in ${generatedMs} ms (${Math.round(summary.trips / Math.max(0.001, generatedMs / 1000))} trips/s)`,
    );
    const stats = await rebuildTripFacts(ds, { from: summary.from, to: summary.to }, config.stats.co2GramsPerKm);
    console.log(
      `  statistics rebuilt for ${stats.from} … ${stats.to}: ${stats.inserted} trip facts in ${stats.milliseconds} ms`,
    );
  });
}

main().catch((e: unknown) => {
  if (e instanceof UsageError) {
    console.error(e.message);
    process.exit(2);
  }
  console.error(
    e instanceof DemoDataMissingError ? `demo:trips: ${e.message}` : `demo:trips failed: ${(e as Error).message}`,
  );
  process.exit(1);
});
