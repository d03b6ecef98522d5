import { ConsoleLogger, type INestApplicationContext, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Clock } from '@metrobici/common';
import type { AppConfig } from '@metrobici/config';
import { WorkerModule } from './worker.module';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The worker as production runs it; `main.ts` and the tests both call this. */
export async function createWorkerApp(
  config: AppConfig,
  options: { clock?: Clock; logLevels?: LogLevel[] } = {},
): Promise<INestApplicationContext> {
  const logLevels = options.logLevels ?? LEVELS.slice(0, LEVELS.indexOf(config.log.level) + 1);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, options.clock), {
    logger: new ConsoleLogger({ json: config.log.format === 'json', logLevels, prefix: 'metrobici-worker' }),
  });
  // SIGTERM: Nest closes the BullMQ workers, which finish the current job before exiting.
  app.enableShutdownHooks([], { useProcessExit: true });
  return app;
}
