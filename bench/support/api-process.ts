import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO_ROOT = join(__dirname, '..', '..');

/** `dist`: the compiled build, as production runs it. `src`: the TypeScript sources through ts-node. */
export type ApiMode = 'dist' | 'src';

export interface ApiProcess {
  url: string;
  pid: number;
  /** The last 64 KB the API wrote to stdout/stderr. */
  logTail(): string;
  /** Lines the API logged (LOG_LEVEL=error, so each one is worth a look). */
  logLines(): number;
  stop(): Promise<void>;
  /** Synchronous SIGKILL for the process-exit hook. */
  kill(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts the API in a child process on 127.0.0.1:`port` and waits until /health answers 200. */
export async function startApiProcess(options: {
  mode: ApiMode;
  env: Record<string, string>;
  port: number;
  readyTimeoutMs?: number;
}): Promise<ApiProcess> {
  const script = join(REPO_ROOT, 'bench', 'support', 'api-server.js');
  const args = options.mode === 'dist' ? [script, 'dist'] : [join(REPO_ROOT, 'scripts', 'run-ts.js'), script, 'src'];
  // BENCH_API_NODE_ARGS: Node.js flags for the API (its cluster processes inherit them), to profile
  // it under load, e.g. `--cpu-prof --cpu-prof-dir=/tmp/api-prof` (not allowed in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: REPO_ROOT,
    // Only what the API needs: nothing from the developer's shell leaks into the measured process.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env, PORT: String(options.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let lines = 0;
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    lines += text.split('\n').filter(Boolean).length;
    tail = (tail + text).slice(-64 * 1024);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : 0);
      resolve();
    });
  });

  const url = `http://127.0.0.1:${options.port}`;
  const api: ApiProcess = {
    url,
    pid: child.pid!,
    logTail: () => tail,
    logLines: () => lines,
    kill: () => {
      if (exitCode === undefined) child.kill('SIGKILL');
    },
    async stop() {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const graceful = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!graceful) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`the API exited (code ${exitCode}) before it was ready:\n${tail}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return api;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await api.stop();
  throw new Error(`the API did not answer /health within ${(options.readyTimeoutMs ?? 90_000) / 1000} s:\n${tail}`);
}

/** True when a TypeScript file under apps/ or libs/ is newer than the compiled API entry point. */
export function distLooksStale(): boolean {
  const entry = join(REPO_ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
  if (!existsSync(entry)) return true;
  const built = statSync(entry).mtimeMs;
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((d) => {
      const p = join(dir, d.name);
      if (d.isDirectory()) return d.name !== 'node_modules' && newer(p);
      return d.name.endsWith('.ts') && !d.name.endsWith('.spec.ts') && statSync(p).mtimeMs > built;
    });
  return ['apps', 'libs'].some((d) => existsSync(join(REPO_ROOT, d)) && newer(join(REPO_ROOT, d)));
}

export function distExists(): boolean {
  return existsSync(join(REPO_ROOT, 'dist', 'apps', 'api', 'src', 'app.factory.js'));
}

/** Runs a command to completion with inherited output; rejects on a non-zero exit. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
}
