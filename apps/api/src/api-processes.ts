import cluster, { type Worker } from 'node:cluster';

/** A process that keeps dying this soon after it started is not restarted forever. */
const QUICK_EXIT_MS = 10_000;
const MAX_QUICK_EXITS = 5;
const RESTART_DELAY_MS = 1_000;
/** After this long a process still draining is killed (it had its own SIGTERM grace first). */
const DRAIN_TIMEOUT_MS = 30_000;

/** Where the primary reports (the API's logger in main.ts). */
export interface PrimaryLogger {
  log(message: string): void;
  error(message: string): void;
}

/**
 * Runs the API in `processes` processes sharing one port (node:cluster: the primary accepts the
 * connections and hands them round-robin to the processes). One Node.js thread cannot use a
 * second core, and the request path (JSON, JWT, TypeORM, pg protocol) is CPU-bound in the API.
 *
 * With 1, `start` runs in this process: no primary, exactly as before. Otherwise this process is
 * the primary: it only forks, restarts a process that died (unless the whole group is stopping or
 * a process keeps dying at boot) and, on SIGTERM/SIGINT, forwards SIGTERM to every process — each
 * drains as a single API does (Nest shutdown hooks, `drainConnectionsOnClose`) — and exits 0 once
 * all have left (1 if one had to be killed or failed).
 */
export function runApiProcesses(processes: number, start: () => Promise<void>, logger: PrimaryLogger): void {
  if (processes <= 1 || cluster.isWorker) {
    void start().catch((e: unknown) => {
      console.error(`API failed to start: ${(e as Error).message}`);
      process.exit(1);
    });
    return;
  }
  runPrimary(processes, logger);
}

function runPrimary(processes: number, logger: PrimaryLogger): void {
  // A loader that runs the entry point (scripts/run-ts.js: ts-node) rewrites argv[1] to the entry;
  // the processes must start through the loader too.
  const main = require.main?.filename;
  if (main && main !== process.argv[1]) cluster.setupPrimary({ exec: main, args: process.argv.slice(1) });
  let stopping = false;
  let failed = false;
  let quickExits = 0;
  const startedAt = new Map<Worker, number>();

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (code !== 0) failed = true;
      if (startedAt.size === 0) process.exit(failed ? 1 : 0);
      return;
    }
    logger.error(`API process ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
    quickExits = lived < QUICK_EXIT_MS ? quickExits + 1 : 0;
    if (quickExits >= MAX_QUICK_EXITS) {
      logger.error(`API processes keep exiting right after starting (${quickExits} in a row); giving up`);
      stopAll(1);
      return;
    }
    setTimeout(() => {
      if (!stopping) fork();
    }, RESTART_DELAY_MS).unref();
  });

  const stopAll = (exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    if (exitCode !== 0) failed = true;
    if (startedAt.size === 0) process.exit(failed ? 1 : 0);
    for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of startedAt.keys()) worker.process.kill('SIGKILL');
      failed = true;
    }, DRAIN_TIMEOUT_MS).unref();
  };
  // A second signal (Ctrl-C twice) changes nothing: each process is already draining.
  process.on('SIGTERM', () => stopAll());
  process.on('SIGINT', () => stopAll());

  for (let i = 0; i < processes; i++) fork();
  logger.log(`API primary ${process.pid}: ${processes} processes`);
}
