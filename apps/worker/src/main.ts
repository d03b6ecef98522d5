import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@metrobici/config';
import { createWorkerApp } from './app.factory';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  await createWorkerApp(config);
  Logger.log('Worker started', 'bootstrap');
}

void bootstrap().catch((e: unknown) => {
  console.error(`Worker failed to start: ${(e as Error).message}`);
  process.exit(1);
});
