import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchClient, Timed } from '../support/http';
import type { BenchWorld } from './seed';

export type CallKind = 'checkOut' | 'return';

export interface LoadOptions {
  warmupMs: number;
  measureMs: number;
  /** Stop starting cycles after this many, whatever the time. */
  maxCycles: number;
  /** Called when the measured window opens and when it closes (e.g. to sample CPU). */
  onWindow?: (edge: 'start' | 'end') => void;
}

export interface LoadResult {
  /** The measured window actually used (shorter than asked if maxCycles stopped the run). */
  windowMs: number;
  cyclesInWindow: number;
  requestsInWindow: number;
  /** 2xx latencies of calls that finished inside the window. */
  latencyMs: Record<CallKind, number[]>;
  /** Every 2xx over the whole run (warm-up and drain included), for the database cross-checks. */
  ok: Record<CallKind, number>;
  cyclesCompleted: number;
  /** Non-2xx answers and transport failures over the whole run, by "call status code". */
  errors: Record<string, number>;
  retries: number;
  /** Operators that stopped because a return failed for good (their bike stayed out). */
  abortedOperators: Array<{ email: string; bikeCode: string; reason: string }>;
  /** performance.now() of the window's start and end, to line up CPU samples. */
  windowStart: number;
  windowEnd: number;
}

interface Operator {
  email: string;
  token: string;
  riderId: string;
  bikes: Array<{ code: string; station: number }>;
}

const MAX_ATTEMPTS = 3;

/**
 * N operators, each in its own loop: check a bike out to its rider at the station where the bike
 * stands, return it at another station chosen at random, repeat with its next bike. Every call has
 * a fresh Idempotency-Key; a transport failure or 5xx is retried with the same key (the API answers
 * a retry of a committed request from its idempotency record), a 4xx is not. When the time is up
 * each operator finishes its open cycle, so the run ends with every bike back in a rack.
 */
export async function runLoad(
  client: BenchClient,
  world: BenchWorld,
  tokens: string[],
  options: LoadOptions,
): Promise<LoadResult> {
  const operators: Operator[] = world.operators.map((o, i) => ({
    email: o.email,
    token: tokens[i],
    riderId: o.riderId,
    bikes: o.bikes.map((b) => ({ ...b })),
  }));
  const stations = world.stationIds;
  const t0 = performance.now();
  const windowStart = t0 + options.warmupMs;
  const deadline = windowStart + options.measureMs;
  let stoppedAt = Infinity;
  let cyclesStarted = 0;

  const result: LoadResult = {
    windowMs: 0,
    cyclesInWindow: 0,
    requestsInWindow: 0,
    latencyMs: { checkOut: [], return: [] },
    ok: { checkOut: 0, return: 0 },
    cyclesCompleted: 0,
    errors: {},
    retries: 0,
    abortedOperators: [],
    windowStart,
    windowEnd: deadline,
  };
  const inWindow = (t: number) => t >= windowStart && t <= Math.min(deadline, stoppedAt);

  let windowClosed = false;
  const closeWindow = () => {
    if (windowClosed) return;
    windowClosed = true;
    options.onWindow?.('end');
  };
  const startTimer = setTimeout(() => options.onWindow?.('start'), options.warmupMs);
  const endTimer = setTimeout(closeWindow, options.warmupMs + options.measureMs);

  const shouldStop = (): boolean => {
    if (stoppedAt !== Infinity) return true;
    const now = performance.now();
    if (now >= deadline || cyclesStarted >= options.maxCycles) {
      stoppedAt = Math.min(now, deadline);
      if (now >= windowStart) closeWindow();
      return true;
    }
    return false;
  };

  const call = async (
    kind: CallKind,
    op: Operator,
    path: string,
    body: Record<string, unknown>,
  ): Promise<Timed | undefined> => {
    const headers = { authorization: `Bearer ${op.token}`, 'idempotency-key': randomUUID() };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const res = await client.post(path, body, headers);
      if (res.status >= 200 && res.status < 300) {
        result.ok[kind]++;
        if (inWindow(res.endedAt)) {
          result.latencyMs[kind].push(res.ms);
          result.requestsInWindow++;
        }
        return res;
      }
      const code = res.transportError ?? (res.body as { code?: string } | undefined)?.code ?? 'UNKNOWN';
      const label = `${kind} ${res.status || 'no-answer'} ${code}`;
      result.errors[label] = (result.errors[label] ?? 0) + 1;
      if (res.status !== 0 && res.status < 500) return undefined;
      if (attempt < MAX_ATTEMPTS) {
        result.retries++;
        await sleep(100 * attempt);
      }
    }
    return undefined;
  };

  const operatorLoop = async (op: Operator): Promise<void> => {
    let next = 0;
    while (!shouldStop()) {
      cyclesStarted++;
      const bike = op.bikes[next++ % op.bikes.length];
      const out = await call('checkOut', op, '/api/v1/loans', {
        bikeCode: bike.code,
        riderId: op.riderId,
        stationId: stations[bike.station],
      });
      if (!out) {
        await sleep(50);
        continue;
      }
      let to = Math.floor(Math.random() * (stations.length - 1));
      if (to >= bike.station) to++;
      const back = await call('return', op, '/api/v1/returns', { bikeCode: bike.code, stationId: stations[to] });
      if (!back) {
        // Where the bike is now is unknown to this operator; stop it rather than guess.
        result.abortedOperators.push({ email: op.email, bikeCode: bike.code, reason: 'return failed' });
        return;
      }
      bike.station = to;
      result.cyclesCompleted++;
      if (inWindow(back.endedAt)) result.cyclesInWindow++;
    }
  };

  try {
    await Promise.all(operators.map(operatorLoop));
  } finally {
    clearTimeout(startTimer);
    clearTimeout(endTimer);
  }
  result.windowEnd = Math.min(deadline, stoppedAt);
  result.windowMs = Math.max(0, result.windowEnd - windowStart);
  return result;
}
