import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Everything the fault suite starts is registered here and removed at the end: by afterAll, by a
 * process `exit` hook, and — should jest itself be killed — by a detached watchdog that waits for
 * the jest process to end and then stops what is left (every server writes its pid file in the
 * run directory). A run directory whose owner is dead is also reclaimed by the next run.
 */
type SyncCleanup = () => void;

const PREFIX = 'metrobici-faults-';
const hooks = new Set<SyncCleanup>();
let installed = false;

export function onExit(cleanup: SyncCleanup): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', runAll);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        runAll();
        process.exit(130);
      });
    }
  }
  hooks.add(cleanup);
  return () => hooks.delete(cleanup);
}

function runAll(): void {
  for (const hook of [...hooks].reverse()) {
    try {
      hook();
    } catch {
      // best effort: the next hook still runs
    }
  }
  hooks.clear();
}

/** A fresh temporary directory for this run, with the owner's pid so a later run can reclaim it. */
export function makeRunDir(): string {
  removeAbandonedRunDirs();
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  startWatchdog(dir);
  return dir;
}

// Waits for the owner to exit, then stops the cluster, kills every recorded pid, removes the directory.
const WATCHDOG = `
owner="$1"; dir="$2"
while kill -0 "$owner" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
[ -d "$dir" ] || exit 0
if [ -f "$dir/pg/postmaster.pid" ]; then
  pgctl="$(ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)"
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$pgctl" -D "$dir/pg" -m immediate stop >/dev/null 2>&1
  else "$pgctl" -D "$dir/pg" -m immediate stop >/dev/null 2>&1; fi
  [ -f "$dir/pg/postmaster.pid" ] && kill -9 "$(head -n 1 "$dir/pg/postmaster.pid")" 2>/dev/null
fi
for f in "$dir"/*.pid; do [ "$f" = "$dir/owner.pid" ] || kill -9 "$(cat "$f")" 2>/dev/null; done
rm -rf "$dir"
`;

function startWatchdog(dir: string): void {
  const child = spawn('sh', ['-c', WATCHDOG, 'metrobici-faults-watchdog', String(process.pid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops what a killed earlier run left (its PostgreSQL and Redis) and deletes its directory. */
function removeAbandonedRunDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const owner = Number(readOrEmpty(join(dir, 'owner.pid')));
    if (owner && alive(owner)) continue;
    killPidFile(join(dir, 'pg', 'postmaster.pid'));
    killPidFile(join(dir, 'redis.pid'));
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours to remove (another user): leave it
    }
  }
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** SIGKILLs the pid on the first line of a pid file (postmaster.pid, redis.pid), if it runs. */
export function killPidFile(file: string): void {
  if (!existsSync(file)) return;
  const pid = Number(readOrEmpty(file).split('\n')[0]);
  if (pid > 1 && alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Runs a command synchronously, returning its output or throwing with stderr in the message. */
export function run(command: string, args: string[], options: { timeoutMs?: number } = {}): string {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}
