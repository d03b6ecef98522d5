import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { onExit } from './cleanup';

// jest runs from the repository root (ESM has no __dirname).
const ROOT = process.cwd();

export type AppKind = 'api' | 'worker';

/**
 * The real API or worker entry point as a child process (TypeScript through scripts/run-ts.js),
 * which the fault suite can SIGKILL, SIGTERM and start again. The API listens on 127.0.0.1 only
 * (bench/support/api-server.js boots it exactly as apps/api/src/main.ts does).
 */
export class AppProcess {
  private child?: ChildProcess;
  private log = '';
  private exited?: Promise<void>;
  private readonly removeHook: () => void;

  constructor(
    readonly kind: AppKind,
    private readonly env: Record<string, string>,
    /** API: its HTTP port; worker: its health port. */
    readonly port: number,
    /** Where the pid file goes, for the watchdog. */
    private readonly runDir: string,
  ) {
    this.removeHook = onExit(() => this.child?.kill('SIGKILL'));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.child!.pid : undefined;
  }

  output(): string {
    return this.log;
  }

  /** Starts the process and waits until its /health answers (200 for the API; any answer for the worker). */
  async start(timeoutMs = 90_000): Promise<void> {
    if (this.running) return;
    const entry =
      this.kind === 'api'
        ? [join(ROOT, 'scripts', 'run-ts.js'), join(ROOT, 'bench', 'support', 'api-server.js'), 'src']
        : [join(ROOT, 'scripts', 'run-ts.js'), join(ROOT, 'apps', 'worker', 'src', 'main.ts')];
    const portVar = this.kind === 'api' ? 'PORT' : 'WORKER_HEALTH_PORT';
    const child = spawn(process.execPath, entry, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.env, [portVar]: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    writeFileSync(join(this.runDir, `${this.kind}.pid`), String(child.pid));
    const keep = (d: Buffer) => (this.log = (this.log + d.toString()).slice(-64_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        rmSync(join(this.runDir, `${this.kind}.pid`), { force: true });
        resolve();
      }),
    );
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.kind} exited before it was ready:\n${this.log}`);
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2_000) });
        if (this.kind === 'worker' || res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    await this.kill();
    throw new Error(`${this.kind} did not answer /health within ${timeoutMs} ms:\n${this.log}`);
  }

  /** A crash: no shutdown hooks run. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** A graceful stop (SIGTERM); resolves with the exit code, SIGKILL after `timeoutMs`. */
  async terminate(timeoutMs = 15_000): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.child!.kill('SIGTERM');
    const graceful = await Promise.race([this.exited!.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!graceful) await this.kill();
    return this.child!.exitCode;
  }

  async destroy(): Promise<void> {
    await this.kill();
    this.removeHook();
  }
}
