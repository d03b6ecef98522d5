import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Namespace, Server, ServerOptions } from 'socket.io';
import type { Adapter } from 'socket.io-adapter';
import { type DirectBroadcastStats, writeBroadcastsDirectly } from './direct-broadcast';

// Listeners per socket.io server, told when the adapter's Redis subscription is back after a loss.
const resubscribed = new WeakMap<Server, Set<() => void>>();

/**
 * Calls `listener` each time this server's Redis subscription comes back after Redis was away:
 * what was published meanwhile never reached this instance, so its clients need a fresh snapshot.
 */
export function onRedisResubscribed(server: Server, listener: () => void): void {
  const listeners = resubscribed.get(server) ?? new Set();
  listeners.add(listener);
  resubscribed.set(server, listeners);
}

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
    /**
     * With several API processes behind one port, long-polling breaks: its requests land on any
     * process, and the handshake's session lives in one (it would need sticky sessions). Clients
     * (apps/web, tests, benches) use the websocket transport from the start, so the server then
     * accepts only that.
     */
    private readonly websocketOnly = false,
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
      ...(this.websocketOnly ? { transports: ['websocket'] } : {}),
    } as ServerOptions);
    if (!this.pub || !this.sub) throw new Error('RedisIoAdapter.connect() must run before the server is created');
    server.adapter(withDirectBroadcasts(createAdapter(this.pub, this.sub)) as Parameters<Server['adapter']>[0]);
    // ioredis resubscribes by itself on reconnection, then says `ready` (the first one came before this).
    this.sub.on('ready', () => {
      // A moment for the SUBSCRIBE commands to be in place before listeners read the database.
      setTimeout(() => resubscribed.get(server)?.forEach((listener) => listener()), 250).unref();
    });
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

type AdapterConstructor = new (nsp: Namespace) => Adapter;

// Each namespace's direct-broadcast counts (see directBroadcastStatsOf).
const directStats = new WeakMap<Namespace, DirectBroadcastStats>();

/** How many clients of a namespace got broadcasts straight and through socket.io (for tests). */
export function directBroadcastStatsOf(namespace: Namespace): DirectBroadcastStats | undefined {
  return directStats.get(namespace);
}

/** The Redis adapter, whose broadcasts go straight to each client's socket when they can (direct-broadcast.ts). */
function withDirectBroadcasts(redisAdapter: unknown): AdapterConstructor {
  const create = redisAdapter as AdapterConstructor;
  // A function, not a class: socket.io calls it with `new`, and the adapter it returns is the result.
  return function adapterFor(nsp: Namespace): Adapter {
    const adapter = new create(nsp);
    directStats.set(nsp, writeBroadcastsDirectly(adapter));
    return adapter;
  } as unknown as AdapterConstructor;
}

function waitReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    redis.once('ready', () => resolve());
    redis.once('error', reject);
  });
}
