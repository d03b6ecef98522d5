import { ConsoleLogger, Logger, type LogLevel } from '@nestjs/common';
import { loadConfigOrExit } from '@metrobici/config';
import { runApiProcesses } from './api-processes';
import { createApiApp } from './app.factory';

// API_PROCESSES processes share the port (see api-processes.ts); with 1 this process serves.
const config = loadConfigOrExit();
const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const logger = new ConsoleLogger('api-processes', {
  json: config.log.format === 'json',
  logLevels: LEVELS.slice(0, LEVELS.indexOf(config.log.level) + 1),
  prefix: 'metrobici-api',
});
runApiProcesses(
  config.http.processes,
  async () => {
    const app = await createApiApp(config);
    await app.listen(config.http.port);
    Logger.log(`API listening on http://localhost:${config.http.port}`, 'bootstrap');
  },
  logger,
);
