import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where the CPU went during a window, from /proc (Linux only; elsewhere every figure is null).
 * On a small machine the load generator, the API and Postgres share the cores, so a throughput
 * figure means little without this.
 */
export interface CpuSnapshot {
  at: number;
  machine: { busy: number; total: number } | null;
  api: number | null;
  postgres: number | null;
  bench: number;
}

export interface CpuUsage {
  /** Cores in use on average (1.0 = one core fully busy). */
  machineCores: number | null;
  apiCores: number | null;
  /** The bench database's backends plus Postgres' own background processes. */
  postgresCores: number | null;
  benchCores: number;
  /** Everything else on the machine (other databases' backends, builds, tests): should be ~0. */
  otherCores: number | null;
}

let ticksPerSecond: number | undefined;
function hz(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function processTicks(pid: number | string): { comm: string; ppid: number; ticks: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // Fields 14 and 15 of the file (utime, stime) are 11 and 12 after the comm; field 4 (ppid) is 1.
    return { comm, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/**
 * The API's ticks: its process and its children (API_PROCESSES > 1 forks workers from a primary).
 * A child that exits during the window takes its ticks with it; none should.
 */
function processTreeTicks(pid: number): number | null {
  const root = processTicks(pid);
  if (!root) return null;
  let ticks = root.ticks;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const p = processTicks(entry);
      if (p && p.ppid === pid) ticks += p.ticks;
    }
  } catch {
    // /proc unreadable: the primary alone
  }
  return ticks;
}

function machineTicks(): CpuSnapshot['machine'] {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = cpu[3] + (cpu[4] ?? 0);
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * `postgresPids`: the processes to count as "Postgres for this bench" (its database's backends and
 * the server's background processes); without it every process named postgres counts.
 */
export function cpuSnapshot(apiPid: number | undefined, postgresPids?: number[]): CpuSnapshot {
  const machine = machineTicks();
  let postgres: number | null = null;
  try {
    if (postgresPids) {
      postgres = postgresPids.reduce((sum, pid) => sum + (processTicks(pid)?.ticks ?? 0), 0);
    } else {
      postgres = 0;
      for (const pid of readdirSync('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        const p = processTicks(pid);
        if (p && p.comm === 'postgres') postgres += p.ticks;
      }
    }
  } catch {
    postgres = null;
  }
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    machine,
    api: apiPid ? processTreeTicks(apiPid) : null,
    postgres,
    bench: (usage.user + usage.system) / 1e6,
  };
}

export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot, cores: number): CpuUsage {
  const seconds = (b.at - a.at) / 1000;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const machineCores =
    a.machine && b.machine
      ? r2(((b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)) * cores)
      : null;
  const apiCores = a.api !== null && b.api !== null ? r2((b.api - a.api) / hz() / seconds) : null;
  // Backends that exit during the window take their ticks with them; none should (pooled).
  const postgresCores =
    a.postgres !== null && b.postgres !== null ? r2((b.postgres - a.postgres) / hz() / seconds) : null;
  const benchCores = r2((b.bench - a.bench) / seconds);
  // No server process singled out (a.api and b.api null, e.g. the raw-SQL baseline): it counts as 0.
  const serverCores = a.api === null && b.api === null ? 0 : apiCores;
  const otherCores =
    machineCores !== null && serverCores !== null && postgresCores !== null
      ? r2(Math.max(0, machineCores - serverCores - postgresCores - benchCores))
      : null;
  return { machineCores, apiCores, postgresCores, benchCores, otherCores };
}

/** Average busy cores over `ms` while this process sleeps: what else is running before a bench. */
export async function backgroundCores(ms: number, cores: number): Promise<number | null> {
  const a = machineTicks();
  await new Promise((r) => setTimeout(r, ms));
  const b = machineTicks();
  if (!a || !b || b.total === a.total) return null;
  return Math.round(((b.busy - a.busy) / (b.total - a.total)) * cores * 100) / 100;
}

/** Named sets of processes whose CPU to tell apart (`tree`: each pid with its direct children). */
export type ProcessGroups = Record<string, { pids: number[]; tree?: boolean }>;

export interface GroupSnapshot {
  at: number;
  machine: CpuSnapshot['machine'];
  /** Clock ticks per group; null when none of its processes could be read. */
  ticks: Record<string, number | null>;
}

export interface GroupUsage {
  machineCores: number | null;
  /** Cores in use on average per group (1.0 = one core fully busy). */
  cores: Record<string, number | null>;
  /** The machine minus every group: other work on the machine, should be ~0. */
  otherCores: number | null;
}

export function groupSnapshot(groups: ProcessGroups): GroupSnapshot {
  const ticks: Record<string, number | null> = {};
  for (const [name, { pids, tree }] of Object.entries(groups)) {
    let sum: number | null = null;
    for (const pid of pids) {
      const t = tree ? processTreeTicks(pid) : (processTicks(pid)?.ticks ?? null);
      if (t !== null) sum = (sum ?? 0) + t;
    }
    ticks[name] = sum;
  }
  return { at: performance.now(), machine: machineTicks(), ticks };
}

export function groupBetween(a: GroupSnapshot, b: GroupSnapshot, cores: number): GroupUsage {
  const seconds = (b.at - a.at) / 1000;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const machineCores =
    a.machine && b.machine
      ? r2(((b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)) * cores)
      : null;
  const usage: Record<string, number | null> = {};
  let known = 0;
  for (const name of Object.keys(b.ticks)) {
    const [x, y] = [a.ticks[name], b.ticks[name]];
    usage[name] = x !== null && y !== null ? r2((y - x) / hz() / seconds) : null;
    known += usage[name] ?? 0;
  }
  return {
    machineCores,
    cores: usage,
    otherCores: machineCores === null ? null : r2(Math.max(0, machineCores - known)),
  };
}

/** The pids of the processes with this command name (e.g. `redis-server`); none off Linux. */
export function pidsNamed(comm: string): number[] {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry) && processTicks(entry)?.comm === comm)
      .map(Number);
  } catch {
    return [];
  }
}
