import { type ChildProcess, spawn } from 'node:child_process';
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

function exitOf(
  child: ChildProcess,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'timeout'> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return resolve({ code: child.exitCode, signal: child.signalCode });
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe('API graceful shutdown (e2e)', () => {
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

  it('answers /health, then exits 0 within 10 s of SIGTERM and frees its port', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // The real entry point, TypeScript through ts-node; the test env wins over the repository's .env.
    const { NODE_OPTIONS: _jestOnly, ...inherited } = process.env;
    child = spawn(process.execPath, [join(ROOT, 'scripts', 'run-ts.js'), join(ROOT, 'apps', 'api', 'src', 'main.ts')], {
      cwd: ROOT,
      env: { ...inherited, ...env.env, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));

    let health: { status: number; body: unknown } | undefined;
    const deadline = Date.now() + 45_000;
    while (!health && Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`the API exited early with ${child.exitCode}:\n${output}`);
      try {
        const res = await fetch(`${url}/health`);
        health = { status: res.status, body: await res.json() };
      } catch {
        await new Promise((r) => setTimeout(r, 200)); // not listening yet
      }
    }
    expect(health).toMatchObject({
      status: 200,
      body: { status: 'ok', database: { status: 'up' }, redis: { status: 'up' } },
    });

    const started = Date.now();
    expect(child.kill('SIGTERM')).toBe(true);
    const exit = await exitOf(child, 10_000);
    if (exit === 'timeout') child.kill('SIGKILL');
    expect({ exit, output: exit === 'timeout' || exit.code !== 0 ? output : '' }).toEqual({
      exit: { code: 0, signal: null },
      output: '',
    });
    expect(Date.now() - started).toBeLessThan(10_000);

    await expect(fetch(`${url}/health`)).rejects.toThrow();
  }, 70_000);
});
