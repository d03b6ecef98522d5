import { type INestApplication, type LogLevel } from '@nestjs/common';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { type AppConfig } from '@metrobici/config';
import { Clock } from '@metrobici/common';
import { ApiModule } from './api.module';
import { ClientAddress } from './common/rate-limits';
import { drainConnectionsOnClose } from './common/drain-on-close';
import { createValidationPipe } from './common/validation';
import { RedisIoAdapter } from './realtime/redis-io.adapter';

export interface CreateApiOptions {
  clock?: Clock;
  /** Quiet logs in tests. */
  logLevels?: LogLevel[];
}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Builds the API exactly as production runs it; `main.ts` and the e2e suites both call this. */
export async function createApiApp(config: AppConfig, options: CreateApiOptions = {}): Promise<INestApplication> {
  const logLevels = options.logLevels ?? LEVELS.slice(0, LEVELS.indexOf(config.log.level) + 1);
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot({ config, clock: options.clock }), {
    logger: new ConsoleLogger({ json: config.log.format === 'json', logLevels, prefix: 'metrobici-api' }),
    bodyParser: false,
  });
  app.useBodyParser('json', { limit: '100kb' });
  // The client address (rate limits, logs) is the socket's unless TRUST_PROXY names the proxies
  // whose X-Forwarded-For is believed; sockets apply the same compiled rule.
  app.set('trust proxy', config.http.trustProxy);
  app.get(ClientAddress).useTrust(app.getHttpAdapter().getInstance().get('trust proxy fn'));
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'https://*.tile.openstreetmap.org'],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          scriptSrc: ["'self'"],
          // Station tablets may reach the API over plain http on the local network.
          upgradeInsecureRequests: null,
        },
      },
    }),
  );
  app.enableCors({
    origin: config.http.corsOrigins.length ? config.http.corsOrigins : false,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-None-Match', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'ETag'],
    maxAge: 600,
  });
  app.useGlobalPipes(createValidationPipe());
  const io = new RedisIoAdapter(app, config.redis.url, config.http.corsOrigins, config.http.processes > 1);
  await io.connect();
  app.useWebSocketAdapter(io);
  // After closing, exit 0 rather than re-raising the signal: a graceful stop should not look like a
  // kill, and as PID 1 in the container (`exec node`) a re-raised SIGTERM is ignored by the kernel.
  app.enableShutdownHooks([], { useProcessExit: true });
  drainConnectionsOnClose(app);

  const openapi = new DocumentBuilder()
    .setTitle('Metrobici API')
    .setDescription('Operaciones del piloto de bicicletas públicas de Bucaramanga')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openapi), {
    jsonDocumentUrl: 'api/docs-json',
  });
  return app;
}
