import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@metrobici/config';
import { createApiApp } from './app.factory';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApiApp(config);
  await app.listen(config.http.port);
  Logger.log(`API listening on http://localhost:${config.http.port}`, 'bootstrap');
}

void bootstrap().catch((e: unknown) => {
  console.error(`API failed to start: ${(e as Error).message}`);
  process.exit(1);
});
