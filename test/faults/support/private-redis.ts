import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { onExit } from './cleanup';
import { freePortFrom } from './private-postgres';

/**
 * A throw-away `redis-server` on its own loopback port and directory, as a child process (never
 * the machine's Redis on 6379). No persistence (`--save ""`, no AOF), so a SIGKILL loses
 * everything; `stop()` saves first, so a stop-and-start keeps the data as a restarted server would.
 */
export class PrivateRedis {
  private child?: ChildProcess;
  private output = '';
  private readonly removeHook: () => void;

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    this.removeHook = onExit(() => this.child?.kill('SIGKILL'));
  }

  static async create(runDir: string, ports: Set<number>): Promise<PrivateRedis> {
    const redis = new PrivateRedis(runDir, await freePortFrom(56379, ports));
    await redis.start();
    return redis;
  }

  url(db = 0): string {
    return `redis://127.0.0.1:${this.port}/${db}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--dbfilename',
        'dump.rdb',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--protected-mode',
        'yes',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    child.stdout.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-16_000)));
    child.stderr.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-16_000)));
    writeFileSync(join(this.dir, 'redis.pid'), String(child.pid));
    child.once('exit', () => rmSync(join(this.dir, 'redis.pid'), { force: true }));
    const probe = new Redis(this.url(), { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      for (let i = 0; i < 100; i++) {
        if (!this.running) throw new Error(`redis-server exited:\n${this.output}`);
        try {
          if (probe.status !== 'ready') await probe.connect();
          if ((await probe.ping()) === 'PONG') return;
        } catch {
          probe.disconnect();
          await sleep(100);
        }
      }
      throw new Error(`redis-server did not answer on ${this.port}:\n${this.output}`);
    } finally {
      probe.disconnect();
    }
  }

  /** A clean stop: the data is saved and comes back with `start()`. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const admin = new Redis(this.url(), { maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => undefined);
    const exited = new Promise<void>((resolve) => this.child!.once('exit', () => resolve()));
    await admin.shutdown('SAVE').catch(() => undefined); // the connection drops as it exits
    admin.disconnect();
    await Promise.race([exited, sleep(10_000)]);
    if (this.running) await this.kill();
  }

  /** A crash that loses everything: SIGKILL and no dump to come back from. */
  async kill(): Promise<void> {
    if (this.running) {
      const exited = new Promise<void>((resolve) => this.child!.once('exit', () => resolve()));
      this.child!.kill('SIGKILL');
      await exited;
    }
    rmSync(join(this.dir, 'dump.rdb'), { force: true });
  }

  async destroy(): Promise<void> {
    await this.kill();
    this.removeHook();
  }
}
