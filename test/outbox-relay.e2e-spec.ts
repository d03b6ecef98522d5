import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { appendToOutbox, outboxMessage, pruneOutbox } from '@metrobici/outbox';
import { createWorkerApp } from '../apps/worker/src/app.factory';
import { OutboxPublisher } from '../apps/worker/src/outbox/outbox-publisher';
import { OutboxRelay } from '../apps/worker/src/outbox/outbox.relay';
import { createTestEnv, type TestEnv } from './support/test-env';

const until = async (what: () => Promise<boolean> | boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await what()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
};

describe('outbox relay (e2e): one relay, dead letters, stale alerts, retention', () => {
  let env: TestEnv;
  const workers: INestApplicationContext[] = [];
  let ds: DataSource;
  let sub: Redis;
  /** Socket.io emitter messages (channel, raw bytes) seen on Redis, as the API instances get them. */
  const seen: Array<{ channel: string; text: string }> = [];
  /** Row ids each relay handed to its publisher. */
  const published: Array<Set<string>> = [new Set(), new Set()];

  beforeAll(async () => {
    env = await createTestEnv({ WORKER_HEALTH_PORT: '0', OUTBOX_MAX_ATTEMPTS: '3', OUTBOX_STALE_ALERT_SECONDS: '60' });
    for (let i = 0; i < 2; i++) {
      const worker = await createWorkerApp(env.config, { logLevels: ['fatal'] });
      const publisher = worker.get(OutboxPublisher);
      const original = publisher.publish.bind(publisher);
      // Records which relay published what; the real publisher still does the work.
      publisher.publish = async (redis, rows) => {
        for (const r of rows) published[i].add(r.id);
        return original(redis, rows);
      };
      workers.push(worker);
    }
    ds = workers[0].get(DataSource);
    sub = new Redis(env.config.redis.url);
    await sub.psubscribe('socket.io#*');
    sub.on('pmessageBuffer', (_p: Buffer, channel: Buffer, message: Buffer) =>
      seen.push({ channel: channel.toString(), text: message.toString('latin1') }),
    );
  });
  afterAll(async () => {
    sub.disconnect();
    for (const w of workers) await w.close();
    await env.teardown();
  });

  const relays = () => workers.map((w) => w.get(OutboxRelay));
  const pending = async () =>
    Number(
      (await ds.query('SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL AND dead_at IS NULL'))[0].n,
    );
  const availability = (stationId: string, bikesAvailable: number) =>
    outboxMessage('station.availability_changed', stationId, {
      stationId,
      bikesAvailable,
      spacesAvailable: 5,
      helmetsAvailable: 0,
      active: true,
      sequence: 1,
      updatedAt: new Date().toISOString(),
    });

  it('runs exactly one relay, on the session that holds the lock; killing that session hands over', async () => {
    await until(() => relays().some((r) => r.isLeader));
    expect(relays().filter((r) => r.isLeader)).toHaveLength(1);
    const leader = relays().findIndex((r) => r.isLeader);
    await appendToOutbox(
      ds.manager,
      Array.from({ length: 300 }, () => availability(randomUUID(), 3)),
    );
    await until(async () => (await pending()) === 0);
    expect(published[1 - leader].size).toBe(0);

    // The relay's own session holds the lock (not a pooled connection).
    const [holder] = await ds.query(
      `SELECT l.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.objid = 7262019 AND l.granted
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(holder).toEqual({ pid: relays()[leader].sessionPid, application_name: 'metrobici-outbox-relay' });

    await ds.query('SELECT pg_terminate_backend($1)', [holder.pid]);
    const standby = relays()[1 - leader];
    await until(() => {
      standby.kick();
      return standby.isLeader;
    });
    expect(relays()[leader].isLeader).toBe(false);
    const before = published[1 - leader].size;
    await appendToOutbox(ds.manager, [availability(randomUUID(), 3)]);
    await until(async () => (await pending()) === 0);
    expect(published[1 - leader].size).toBe(before + 1);
    const both = [...published[0]].filter((id) => published[1].has(id));
    expect(both).toEqual([]);
  });

  it('sets a row it cannot publish aside after OUTBOX_MAX_ATTEMPTS, alerts the admins and moves on', async () => {
    const stationId = randomUUID();
    const [bad] = await ds.query(
      `INSERT INTO outbox_events (type, payload) VALUES ('station.availability_changed', '{"stationId": 42}') RETURNING id`,
    );
    await appendToOutbox(ds.manager, [availability(stationId, 2)]);
    // The row after the bad one goes out at once.
    await until(() => seen.some((m) => m.channel.includes('/availability') && m.text.includes(stationId)));
    await until(async () => (await ds.query('SELECT dead_at FROM outbox_events WHERE id = $1', [bad.id]))[0].dead_at);
    const [row] = await ds.query('SELECT attempts, last_error, published_at FROM outbox_events WHERE id = $1', [
      bad.id,
    ]);
    expect(row.attempts).toBe(3);
    expect(row.last_error).toContain('stationId');
    expect(row.published_at).toBeNull();
    const [alert] = await ds.query(`SELECT payload FROM outbox_events WHERE type = 'outbox.dead_lettered'`);
    expect(alert.payload).toMatchObject({
      outboxId: String(bad.id),
      eventType: 'station.availability_changed',
      attempts: 3,
    });
    await until(() => seen.some((m) => m.channel.includes('/operations') && m.text.includes('outbox_dead_letter')));
    // Retention keeps dead rows, drops published ones.
    const far = new Date(Date.now() + 30 * 86_400_000);
    expect(await pruneOutbox(ds, far, 7)).toBeGreaterThan(0);
    const left: Array<{ id: string }> = await ds.query('SELECT id FROM outbox_events');
    expect(left.map((r) => String(r.id))).toEqual([String(bad.id)]);
  });

  it('does not push alerts found older than OUTBOX_STALE_ALERT_SECONDS, but still the station update', async () => {
    const stale = randomUUID();
    const fresh = randomUUID();
    await ds.query(
      `INSERT INTO outbox_events (type, aggregate_id, payload, created_at) VALUES
         ('station.availability_changed', $1, $2::jsonb, now() - interval '10 minutes'),
         ('station.availability_changed', $3, $4::jsonb, now())`,
      [stale, JSON.stringify(availability(stale, 0).payload), fresh, JSON.stringify(availability(fresh, 0).payload)],
    );
    await until(async () => (await pending()) === 0);
    await until(() => seen.some((m) => m.channel.includes('/operations') && m.text.includes(fresh)));
    await new Promise((r) => setTimeout(r, 200));
    const about = (id: string, ns: string) => seen.filter((m) => m.channel.includes(ns) && m.text.includes(id));
    expect(about(stale, '/availability').length).toBeGreaterThan(0);
    expect(about(stale, '/operations')).toHaveLength(0);
    expect(about(fresh, '/operations').length).toBeGreaterThan(0);
  });
});
