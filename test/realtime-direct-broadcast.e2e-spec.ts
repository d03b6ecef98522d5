import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import type { Namespace, Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { AVAILABILITY_NAMESPACE } from '@metrobici/realtime';
import type { EngineInternals } from '../apps/api/src/realtime/direct-broadcast';
import { directBroadcastStatsOf, RedisIoAdapter } from '../apps/api/src/realtime/redis-io.adapter';
import { createTestEnv, type TestEnv } from './support/test-env';

/**
 * The API's socket.io server as app.factory builds it (RedisIoAdapter: Redis adapter, broadcasts
 * written straight to the clients' sockets), on a plain HTTP server, with real clients and the
 * worker's way of emitting (the Redis emitter).
 */
describe('broadcasts written straight to the clients (e2e)', () => {
  let env: TestEnv;
  let http: HttpServer;
  let adapter: RedisIoAdapter;
  let server: Server;
  let namespace: Namespace;
  let url: string;
  let emitterRedis: Redis;
  const clients: ClientSocket[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    // Long-polling stays allowed here (websocketOnly false, as with one API process).
    adapter = new RedisIoAdapter(http as never, env.redisUrl, [], false);
    await adapter.connect();
    server = adapter.createIOServer(0);
    namespace = server.of(AVAILABILITY_NAMESPACE);
    emitterRedis = new Redis(env.redisUrl);
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    emitterRedis.disconnect();
    await server.close();
    await adapter.dispose();
    await env.teardown();
  });

  const open = async (transport: 'websocket' | 'polling' = 'websocket'): Promise<ClientSocket> => {
    const before = namespace.sockets.size;
    const client = connectClient(`${url}${AVAILABILITY_NAMESPACE}`, {
      transports: [transport],
      reconnection: false,
      forceNew: true,
    });
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('connect_error', reject);
    });
    while (namespace.sockets.size === before) await new Promise((r) => setTimeout(r, 5));
    return client;
  };
  const received = (client: ClientSocket, count: number, event = 'station:updated'): Promise<unknown[]> =>
    new Promise((resolve, reject) => {
      const seen: unknown[] = [];
      const timer = setTimeout(() => reject(new Error(`${seen.length} of ${count} ${event} received`)), 5000);
      client.on(event, (payload: unknown) => {
        seen.push(payload);
        if (seen.length === count) {
          clearTimeout(timer);
          resolve(seen);
        }
      });
    });
  const serverSocketOf = (client: ClientSocket) => {
    const socket = [...namespace.sockets.values()].find((s) => s.id === client.id);
    if (!socket) throw new Error('no server-side socket for the client');
    return socket;
  };

  it('relies on Engine.IO and ws internals that are there, in the shapes read', async () => {
    const client = await open();
    const conn = serverSocketOf(client).conn as unknown as EngineInternals;
    const ws = conn.transport?.socket;
    // Should an upgrade of socket.io, engine.io or ws change these, the direct path is never taken
    // (broadcasts still go out through socket.io, slower): this test says so before a bench does.
    expect(conn.readyState).toBe('open');
    expect(Array.isArray(conn.writeBuffer)).toBe(true);
    expect(conn.transport?.name).toBe('websocket');
    expect(typeof conn.transport?.writable).toBe('boolean');
    expect(ws?.readyState).toBe(1);
    expect(Array.isArray(ws?._sender?._queue)).toBe(true);
    expect(ws?._sender?._state).toBe(0);
    expect(typeof ws?._socket?.write).toBe('function');
  });

  it("delivers the worker's events to every client once and in order, each written straight to its socket", async () => {
    const three = [await open(), await open(), await open()];
    const stats = directBroadcastStatsOf(namespace)!;
    const before = { ...stats };
    const all = three.map((c) => received(c, 50));
    const emitter = new Emitter(emitterRedis).of(AVAILABILITY_NAMESPACE);
    for (let sequence = 1; sequence <= 50; sequence++) emitter.emit('station:updated', { stationId: 's1', sequence });
    for (const events of await Promise.all(all)) {
      expect(events).toEqual(Array.from({ length: 50 }, (_, i) => ({ stationId: 's1', sequence: i + 1 })));
    }
    // Every client connected so far got each of the 50 straight (none had anything on its way).
    const clientsNow = namespace.sockets.size;
    expect(stats.direct - before.direct).toBe(50 * clientsNow);
    expect(stats.socketIo - before.socketIo).toBe(0);
  });

  it('sends the broadcast through socket.io, behind it, to a client with a message on its way', async () => {
    const client = await open();
    const stats = directBroadcastStatsOf(namespace)!;
    const order: string[] = [];
    const done = new Promise<void>((resolve) => {
      client.on('big', () => order.push('big'));
      client.on('station:updated', () => {
        order.push('update');
        resolve();
      });
    });
    const before = stats.socketIo;
    // 4 MB to this client alone: its transport is busy writing when the broadcast comes.
    serverSocketOf(client).emit('big', 'x'.repeat(4 * 1024 * 1024));
    namespace.local.emit('station:updated', { stationId: 's2', sequence: 1 });
    await done;
    expect(order).toEqual(['big', 'update']);
    expect(stats.socketIo - before).toBeGreaterThanOrEqual(1);
  });

  it('sends broadcasts to long-polling clients through socket.io', async () => {
    const polling = await open('polling');
    const stats = directBroadcastStatsOf(namespace)!;
    const before = stats.socketIo;
    const got = received(polling, 1);
    namespace.local.emit('station:updated', { stationId: 's3', sequence: 1 });
    expect(await got).toEqual([{ stationId: 's3', sequence: 1 }]);
    expect(stats.socketIo - before).toBeGreaterThanOrEqual(1);
  });

  it('keeps rooms, and counts acknowledgements, as socket.io does', async () => {
    const [member, other] = [await open(), await open()];
    await serverSocketOf(member).join('room-a');
    const memberGot = received(member, 1, 'room:event');
    let otherGot = 0;
    other.on('room:event', () => otherGot++);
    namespace.local.to('room-a').emit('room:event', { n: 1 });
    expect(await memberGot).toEqual([{ n: 1 }]);

    for (const c of clients) c.on('ping:ack', (_payload: unknown, ack: (answer: string) => void) => ack('pong'));
    const connected = namespace.sockets.size;
    const answers = await namespace.local.timeout(2000).emitWithAck('ping:ack', {});
    expect(answers).toHaveLength(connected);
    expect(otherGot).toBe(0);
  });
});
