import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createTestEnv, type TestEnv } from './support/test-env';

// jest runs from the repository root (ESM has no __dirname).
const ROOT = process.cwd();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Which process holds the server end of the TCP connection from `clientPort` to `serverPort`. */
function ownerOfConnection(pids: number[], serverPort: number, clientPort: number): number | undefined {
  const hex = (p: number) => p.toString(16).toUpperCase().padStart(4, '0');
  // The API listens on all addresses (IPv6 socket, IPv4-mapped peers), so both tables.
  const line = ['/proc/net/tcp', '/proc/net/tcp6']
    .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1]?.endsWith(`:${hex(serverPort)}`) && f[2]?.endsWith(`:${hex(clientPort)}`));
  if (!line) return undefined;
  const socket = `socket:[${line[9]}]`;
  return pids.find((pid) =>
    readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === socket;
      } catch {
        return false;
      }
    }),
  );
}

/** GET over a kept-alive connection; answers the status and the client's local port. */
function get(agent: Agent, url: string): Promise<{ status: number; localPort: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, localPort: req.socket!.localPort! }));
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error('no answer within 5 s')));
    req.end();
  });
}

function exitOf(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null } | 'timeout'> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode });
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code });
    });
  });
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 45_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (process.env.DEBUG_API_PROCESSES) console.log(what, value);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('API_PROCESSES=2 (e2e)', () => {
  let env: TestEnv;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await env.teardown();
  });

  it('both processes serve the port, a crashed one is replaced, and SIGTERM drains them all', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const { NODE_OPTIONS: _jestOnly, ...inherited } = process.env;
    child = spawn(process.execPath, [join(ROOT, 'scripts', 'run-ts.js'), join(ROOT, 'apps', 'api', 'src', 'main.ts')], {
      cwd: ROOT,
      env: { ...inherited, ...env.env, PORT: String(port), LOG_LEVEL: 'warn', API_PROCESSES: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const primary = child.pid!;

    // Both processes listening: connections are handed out round-robin, so 8 of them reach both.
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const owners = await until('both API processes to answer', async () => {
      if (child!.exitCode !== null) throw new Error(`the API exited early with ${child!.exitCode}:\n${output}`);
      const workers = childrenOf(primary);
      if (process.env.DEBUG_API_PROCESSES) console.log('workers', workers);
      if (workers.length !== 2) return undefined;
      const answers = await Promise.all(Array.from({ length: 8 }, () => get(agent, `${url}/health`))).catch(
        () => undefined,
      );
      if (!answers || answers.some((a) => a.status !== 200)) return undefined;
      const seen = new Set(answers.map((a) => ownerOfConnection(workers, port, a.localPort)));
      if (process.env.DEBUG_API_PROCESSES) console.log(workers, answers, seen);
      agent.destroy();
      return seen.size === 2 && !seen.has(undefined) ? [...seen] : undefined;
    });
    expect(owners).toHaveLength(2);

    // A process that dies is replaced; the other keeps serving meanwhile.
    const [victim] = owners as number[];
    process.kill(victim, 'SIGKILL');
    // A connection the primary handed to the victim just before it died is lost with it (the
    // client's retry gets the other process), so each try has its own short timeout.
    await until('the other process to keep serving', async () => {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    });
    const replaced = await until('a replacement process', () => {
      const now = childrenOf(primary);
      return now.length === 2 && !now.includes(victim) ? now : undefined;
    });
    await until('the replacement to serve', async () => {
      const agent2 = new Agent({ keepAlive: true, maxSockets: 8 });
      const answers = await Promise.all(Array.from({ length: 8 }, () => get(agent2, `${url}/health`))).catch(
        () => undefined,
      );
      const seen = new Set(answers?.map((a) => ownerOfConnection(replaced, port, a.localPort)));
      agent2.destroy();
      return answers?.every((a) => a.status === 200) && seen.size === 2 ? true : undefined;
    });

    // SIGTERM to the primary only (as a container runtime sends it): every process drains and exits.
    const started = Date.now();
    expect(child.kill('SIGTERM')).toBe(true);
    const exit = await exitOf(child, 15_000);
    if (exit === 'timeout') child.kill('SIGKILL');
    expect({ exit, output: exit === 'timeout' || exit.code !== 0 ? output : '' }).toEqual({
      exit: { code: 0 },
      output: '',
    });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(childrenOf(primary)).toEqual([]);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  }, 120_000);
});
