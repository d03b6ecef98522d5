import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { Clock } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { REDIS_CLIENT } from '@metrobici/redis';
import { HEARTBEAT_KEY } from '../queues';

/** `GET /health` on an internal port (127.0.0.1 only): database, Redis and the last heartbeat. */
@Injectable()
export class WorkerHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WorkerHealth');
  private server?: Server;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async report(): Promise<{ ok: boolean; body: Record<string, unknown> }> {
    const [database, redis, heartbeat] = await Promise.all([
      this.dataSource.query('SELECT 1').then(
        () => 'up',
        () => 'down',
      ),
      this.redis.ping().then(
        () => 'up',
        () => 'down',
      ),
      this.redis.get(HEARTBEAT_KEY).catch(() => null),
    ]);
    const ageSeconds = heartbeat ? Math.round((this.clock.now().getTime() - Date.parse(heartbeat)) / 1000) : null;
    const fresh = ageSeconds !== null && ageSeconds <= this.config.worker.heartbeatSeconds * 3;
    const ok = database === 'up' && redis === 'up' && fresh;
    return {
      ok,
      body: {
        status: ok ? 'ok' : 'degraded',
        database,
        redis,
        lastHeartbeat: heartbeat,
        heartbeatAgeSeconds: ageSeconds,
      },
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.worker.healthPort === 0) return;
    this.server = createServer((req, res) => {
      if (req.url !== '/health') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"ROUTE_NOT_FOUND"}');
        return;
      }
      this.report().then(
        ({ ok, body }) =>
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        () => res.writeHead(503).end(),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(this.config.worker.healthPort, '127.0.0.1', resolve));
    this.logger.log(`Worker health on http://127.0.0.1:${this.config.worker.healthPort}/health`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
