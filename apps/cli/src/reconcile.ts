// `npm run reconcile [-- --grace-seconds N] [--no-alert] [--json]`: compares every station's counters
// with the bikes table and trip facts with closed trips (the worker runs the same every
// RECONCILE_EVERY_MINUTES). Missing trip facts are derived; counter drift is reported (and, unless
// --no-alert, sent to the admins as an alert through the outbox). Exit code 3 when drift was found,
// so a cron job or a person notices.
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@metrobici/config';
import { reconcile } from '@metrobici/stats';
import { withCliDataSource } from './cli-data-source';

const USAGE = 'usage: npm run reconcile [-- --grace-seconds N] [--no-alert] [--json]';

class UsageError extends Error {}

function options(argv: string[]): { graceSeconds: number; alert: boolean; json: boolean } {
  let values: { 'grace-seconds'?: string; 'no-alert'?: boolean; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'grace-seconds': { type: 'string' },
        'no-alert': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  if (values.help) throw new UsageError(USAGE);
  const grace = values['grace-seconds'] ?? '300';
  if (!/^\d+$/.test(grace)) throw new UsageError(`--grace-seconds must be a whole number of seconds\n${USAGE}`);
  return { graceSeconds: Number(grace), alert: !values['no-alert'], json: values.json ?? false };
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const config = loadConfigOrExit();
  const r = await withCliDataSource(config, 'metrobici-reconcile', (ds) =>
    reconcile(ds, { co2GramsPerKm: config.stats.co2GramsPerKm, graceSeconds: opts.graceSeconds, alert: opts.alert }),
  );
  if (opts.json) {
    console.log(JSON.stringify(r, null, 2));
  } else {
    console.log(`Checked ${r.stationsChecked} stations in ${r.milliseconds} ms.`);
    console.log(`Trip facts: ${r.missingTripFacts} missing, ${r.repairedTripFacts} derived now.`);
    if (r.counterDrift.length === 0) console.log('Station counters: all equal the bikes table.');
    for (const d of r.counterDrift) {
      console.log(
        `Station ${d.stationCode}: counters say ${d.bikesDocked} docked / ${d.bikesAvailable} available, ` +
          `the bikes table ${d.expectedBikesDocked} / ${d.expectedBikesAvailable}${opts.alert ? ' (admins alerted)' : ''}.`,
      );
    }
  }
  if (r.counterDrift.length > 0) process.exitCode = 3;
}

main().catch((e: unknown) => {
  console.error(e instanceof UsageError ? e.message : `reconcile failed: ${(e as Error).message}`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
