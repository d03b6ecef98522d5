// `npm run stats:rebuild -- --from YYYY-MM-DD --to YYYY-MM-DD`: recomputes the trip facts of the
// trips that started in that local-date range (America/Bogota, inclusive) from the raw loans, in
// one transaction. Safe while the worker runs: facts it writes meanwhile are neither lost nor doubled.
import { parseArgs } from 'node:util';
import { isValidLocalDate } from '@metrobici/common';
import { loadConfigOrExit } from '@metrobici/config';
import { rebuildTripFacts } from '@metrobici/stats';
import { withCliDataSource } from './cli-data-source';

const USAGE = 'usage: npm run stats:rebuild -- --from YYYY-MM-DD --to YYYY-MM-DD';

class UsageError extends Error {}

function options(argv: string[]): { from: string; to: string } {
  let values: { from?: string; to?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  if (values.help) throw new UsageError(USAGE);
  const { from, to } = values;
  if (!from || !to) throw new UsageError(`--from and --to are required\n${USAGE}`);
  for (const [name, v] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!isValidLocalDate(v)) throw new UsageError(`--${name} ${v} is not a real date YYYY-MM-DD\n${USAGE}`);
  }
  if (from > to) throw new UsageError(`--from must not be after --to\n${USAGE}`);
  return { from, to };
}

async function main(): Promise<void> {
  const range = options(process.argv.slice(2));
  const config = loadConfigOrExit();
  const r = await withCliDataSource(config, 'metrobici-stats-rebuild', (ds) =>
    rebuildTripFacts(ds, range, config.stats.co2GramsPerKm),
  );
  console.log(
    `Rebuilt trip facts ${r.from} … ${r.to}: ${r.inserted} trip segments (replacing ${r.deleted}) in ${r.milliseconds} ms.`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof UsageError ? e.message : `stats:rebuild failed: ${(e as Error).message}`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
