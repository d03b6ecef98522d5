/**
 * The realtime bench's C clients, spread over K client processes (`--client-procs`), or held in the
 * bench's own process when K is 0. One Node.js thread decoding 5,000 messages per change at 20
 * changes/s falls behind, and receipts then wait in the client, not on the server: spread over
 * processes, the clients take what the machine's cores give them, as real subscribers (each with
 * its own CPU) would. Receipt times are on the system-wide monotonic clock (bench/support/clock.ts),
 * so they compare with the bench's own timestamps across processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { StationUpdatedEvent } from '@metrobici/realtime';
import { REPO_ROOT } from '../support/api-process';
import { ClientGroup, type ClientKind, type GroupReceipts } from './clients';

/** Handshakes in flight at once, over all processes (the server is not flooded with them). */
const WAVE = 200;

export type PoolRequest =
  { type: 'connect'; url: string; count: number; wave: number } | { type: 'collect' } | { type: 'disconnect' };

export type PoolReply =
  | { type: 'ready' }
  | { type: 'connected'; snapshot: unknown }
  | { type: 'receipts'; receipts: GroupReceipts }
  | { type: 'disconnected' }
  | { type: 'error'; message: string };

/** Every group's receipts together: per change, one array of receipt times per group. */
export interface Receipts {
  times: Map<string, Float64Array[]>;
  payloads: Map<string, StationUpdatedEvent>;
  duplicates: number;
  closedEarly: number;
}

interface Group {
  pid: number | undefined;
  request(request: PoolRequest): Promise<PoolReply>;
  stop(): Promise<void>;
  kill(): void;
}

export class ClientPool {
  private counts: number[] = [];

  private constructor(private readonly groups: Group[]) {}

  static async start(kind: ClientKind, procs: number): Promise<ClientPool> {
    if (procs === 0) return new ClientPool([localGroup(kind)]);
    const groups = Array.from({ length: procs }, () => remoteGroup(kind));
    const pool = new ClientPool(groups);
    try {
      await Promise.all(groups.map((g) => g.ready));
    } catch (e) {
      pool.kill();
      throw e;
    }
    return pool;
  }

  /** The client processes' pids (none when the clients live in the bench's process). */
  get pids(): number[] {
    return this.groups.map((g) => g.pid).filter((p): p is number => p !== undefined);
  }

  /** Connects `clients` clients, shared out evenly, WAVE handshakes in flight at a time overall. */
  async connect(url: string, clients: number): Promise<{ seconds: number; snapshot: unknown }> {
    const started = performance.now();
    const k = this.groups.length;
    this.counts = this.groups.map((_, i) => Math.floor(clients / k) + (i < clients % k ? 1 : 0));
    const wave = Math.max(1, Math.ceil(WAVE / k));
    const replies = await Promise.all(
      this.groups.map((g, i) =>
        this.counts[i] > 0
          ? g.request({ type: 'connect', url, count: this.counts[i], wave })
          : Promise.resolve(undefined),
      ),
    );
    let snapshot: unknown;
    for (const r of replies) if (r) snapshot ??= expect(r, 'connected').snapshot;
    return { seconds: (performance.now() - started) / 1000, snapshot };
  }

  /** What every client received so far. */
  async collect(): Promise<Receipts> {
    const out: Receipts = { times: new Map(), payloads: new Map(), duplicates: 0, closedEarly: 0 };
    for (const g of this.groups) {
      const { receipts } = expect(await g.request({ type: 'collect' }), 'receipts');
      for (const [key, times] of receipts.times) {
        const list = out.times.get(key);
        if (list) list.push(times);
        else out.times.set(key, [times]);
      }
      for (const [key, payload] of receipts.payloads) if (!out.payloads.has(key)) out.payloads.set(key, payload);
      out.duplicates += receipts.duplicates;
      out.closedEarly += receipts.closedEarly;
    }
    return out;
  }

  /** Disconnects the clients and ends the client processes. */
  async stop(): Promise<void> {
    await Promise.all(this.groups.map((g) => g.stop()));
  }

  /** Synchronous last resort for the process-exit hook. */
  kill(): void {
    for (const g of this.groups) g.kill();
  }
}

function expect<T extends PoolReply['type']>(reply: PoolReply, type: T): Extract<PoolReply, { type: T }> {
  if (reply.type === 'error') throw new Error(`a client process failed: ${reply.message}`);
  if (reply.type !== type) throw new Error(`a client process answered ${reply.type}, not ${type}`);
  return reply as Extract<PoolReply, { type: T }>;
}

function localGroup(kind: ClientKind): Group {
  const group = new ClientGroup(kind);
  return {
    pid: undefined,
    async request(request) {
      switch (request.type) {
        case 'connect':
          return { type: 'connected', snapshot: await group.connect(request.url, request.count, request.wave) };
        case 'collect':
          return { type: 'receipts', receipts: group.takeReceipts() };
        case 'disconnect':
          group.disconnect();
          return { type: 'disconnected' };
      }
    },
    stop: () => Promise.resolve(group.disconnect()),
    kill: () => group.disconnect(),
  };
}

interface RemoteGroup extends Group {
  ready: Promise<void>;
}

function remoteGroup(kind: ClientKind): RemoteGroup {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(REPO_ROOT, 'scripts', 'run-ts.js'), join(REPO_ROOT, 'bench', 'realtime', 'client-process.ts'), kind],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Structured clone: the receipt times travel as Float64Arrays, not as JSON.
      serialization: 'advanced',
    },
  );
  // Replies come in the order of the requests (one at a time per process).
  const waiting: Array<{ resolve: (r: PoolReply) => void; reject: (e: Error) => void }> = [];
  let exited: Error | undefined;
  let onReady: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => (onReady = { resolve, reject }));
  child.on('message', (reply: PoolReply) => {
    if (reply.type === 'ready') onReady?.resolve();
    else waiting.shift()?.resolve(reply);
  });
  child.once('exit', (code, signal) => {
    exited = new Error(`a client process exited (${code ?? signal})`);
    onReady?.reject(exited);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  const stopped = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid,
    ready,
    request(request) {
      if (exited) return Promise.reject(exited);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.send(request);
      });
    },
    async stop() {
      if (exited) return;
      try {
        await this.request({ type: 'disconnect' });
      } finally {
        child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await stopped;
        clearTimeout(timer);
      }
    },
    kill() {
      if (!exited) child.kill('SIGKILL');
    },
  };
}
