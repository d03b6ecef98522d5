// `npm run riders:anonymise-expired`: the retention rule on demand (the worker runs it daily).
// Once the pilot has closed and RIDER_RETENTION_DAYS have passed, every real rider is anonymised
// (identifiers removed for good; trips stay in the statistics); riders holding a bike wait.
import { SystemClock } from '@metrobici/common';
import { loadConfigOrExit } from '@metrobici/config';
import { PrivacyService } from '@metrobici/privacy';
import { RiderService } from '@metrobici/riders';
import { withCliDataSource } from './cli-data-source';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const clock = new SystemClock();
  const r = await withCliDataSource(config, 'metrobici-riders-retention', (ds) =>
    new PrivacyService(ds, config, new RiderService(ds, clock, config), clock).anonymiseExpired(),
  );
  if (r.dueAfter === null) console.log('The pilot has not closed: no rider is due for anonymisation.');
  else
    console.log(
      `Retention (riders kept until ${r.dueAfter}): ${r.anonymised} rider(s) anonymised, ${r.skipped} waiting (bike on loan).`,
    );
}

main().catch((e: unknown) => {
  console.error(`riders:anonymise-expired failed: ${(e as Error).message}`);
  process.exit(1);
});
