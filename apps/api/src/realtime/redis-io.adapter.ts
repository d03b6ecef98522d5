import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';

/**
 * socket.io over the Redis adapter, so an event emitted anywhere (another API instance, or the
 * worker's outbox relay through the Redis emitter) reaches every client on every instance.
 */
export class RedisIoAdapter extends IoAdapter {
  private pub?: Redis;
  private sub?: Redis;

  constructor(
    app: INestApplicationContext,
    private readonly redisUrl: string,
    private readonly corsOrigins: string[],
  ) {
    super(app);
  }

  async connect(): Promise<void> {
    this.pub = new Redis(this.redisUrl, { connectionName: 'metrobici-io-pub' });
    this.sub = this.pub.duplicate({ connectionName: 'metrobici-io-sub' });
    await Promise.all([waitReady(this.pub), waitReady(this.sub)]);
  }

  createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      cors: this.corsOrigins.length ? { origin: this.corsOrigins } : undefined,
      serveClient: false,
    } as ServerOptions) as Server;
    if (!this.pub || !this.sub) throw new Error('RedisIoAdapter.connect() must run before the server is created');
    server.adapter(createAdapter(this.pub, this.sub));
    return server;
  }

  async close(server: Server): Promise<void> {
    await super.close(server);
  }

  async dispose(): Promise<void> {
    await super.dispose();
    this.pub?.disconnect();
    this.sub?.disconnect();
  }
}

function waitReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    redis.once('ready', () => resolve());
    redis.once('error', reject);
  });
}
