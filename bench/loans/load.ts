import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchClient } from '../support/http';
import type { BenchWorld } from './seed';

export type CallKind = 'checkOut' | 'return';

export interface CheckOutBody {
  bikeCode: string;
  riderId: string;
  stationId: string;
}

export interface ReturnBody {
  bikeCode: string;
  stationId: string;
}

/** What one attempt of a call gave, whoever served it (the API over HTTP, or the raw-SQL baseline). */
export interface Outcome {
  /** HTTP status, or its equivalent for the baseline; 0 when no answer came (connection failure). */
  status: number;
  /** Machine-readable error code of a non-2xx answer (or the transport error). */
  code?: string;
  /** Wall time of this attempt, milliseconds. */
  ms: number;
  /** performance.now() when the answer (or the failure) arrived. */
  endedAt: number;
}

/**
 * Serves the bench's calls. `operator` is the index into `world.operators` (whose staff account and
 * rider make the call). A retry of the same call is made with the same key.
 */
export interface Executor {
  checkOut(operator: number, body: CheckOutBody, key: string): Promise<Outcome>;
  giveBack(operator: number, body: ReturnBody, key: string): Promise<Outcome>;
}

/** The real API over loopback HTTP, each operator with its bearer token. */
export function httpExecutor(client: BenchClient, tokens: string[]): Executor {
  const call = async (operator: number, path: string, body: object, key: string): Promise<Outcome> => {
    const res = await client.post(path, body, {
      authorization: `Bearer ${tokens[operator]}`,
      'idempotency-key': key,
    });
    const code = res.transportError ?? (res.body as { code?: string } | undefined)?.code;
    return { status: res.status, ...(code ? { code } : {}), ms: res.ms, endedAt: res.endedAt };
  };
  return {
    checkOut: (operator, body, key) => call(operator, '/api/v1/loans', body, key),
    giveBack: (operator, body, key) => call(operator, '/api/v1/returns', body, key),
  };
}

export interface LoadOptions {
  /** How many of the world's operators take part (the first N). */
  operators: number;
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

export interface OpenLoopOptions {
  /** Requests (check-outs and returns together) offered per second, whatever the answers' pace. */
  rate: number;
  /** Operators (with their riders) the arrivals are handed to; each has at most one call in flight. */
  agents: number;
  warmupMs: number;
  measureMs: number;
  onWindow?: (edge: 'start' | 'end') => void;
}

export interface OpenLoopResult extends LoadResult {
  rate: number;
  agents: number;
  /** Arrivals scheduled inside the window (rate × window). */
  offeredInWindow: number;
  /**
   * 2xx latencies of calls *scheduled* inside the window, from the scheduled arrival to the answer:
   * time spent waiting for a free agent counts (no coordinated omission).
   */
  latencyMs: Record<CallKind, number[]>;
  /** Most arrivals ever waiting for a free agent: above 0 the agents, not the server, were short. */
  maxBacklog: number;
}

const MAX_ATTEMPTS = 3;

function emptyResult(windowStart: number, windowEnd: number): LoadResult {
  return {
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
    windowEnd,
  };
}

/**
 * One call with the bench's retry rule: a fresh key per call, the same key on every attempt; a
 * transport failure or 5xx is retried (the server answers a retry of a committed request from its
 * idempotency record), a 4xx is not. Counts errors and retries into `result`.
 */
async function attempt(
  result: LoadResult,
  kind: CallKind,
  send: (key: string) => Promise<Outcome>,
): Promise<Outcome | undefined> {
  const key = randomUUID();
  for (let n = 1; n <= MAX_ATTEMPTS; n++) {
    const res = await send(key);
    if (res.status >= 200 && res.status < 300) {
      result.ok[kind]++;
      return res;
    }
    const label = `${kind} ${res.status || 'no-answer'} ${res.code ?? 'UNKNOWN'}`;
    result.errors[label] = (result.errors[label] ?? 0) + 1;
    if (res.status !== 0 && res.status < 500) return undefined;
    if (n < MAX_ATTEMPTS) {
      result.retries++;
      await sleep(100 * n);
    }
  }
  return undefined;
}

/** A station other than `from`, at random. */
function otherStation(from: number, stations: number): number {
  let to = Math.floor(Math.random() * (stations - 1));
  if (to >= from) to++;
  return to;
}

/**
 * Closed loop: N operators, each in its own loop: check a bike out to its rider at the station
 * where the bike stands, return it at another station chosen at random, repeat with its next bike.
 * When the time is up each operator finishes its open cycle, so the run ends with every bike back
 * in a rack. Where each bike ends up is written back into `world` (the next phase starts there).
 */
export async function runLoad(executor: Executor, world: BenchWorld, options: LoadOptions): Promise<LoadResult> {
  const stations = world.stationIds;
  const t0 = performance.now();
  const windowStart = t0 + options.warmupMs;
  const deadline = windowStart + options.measureMs;
  let stoppedAt = Infinity;
  let cyclesStarted = 0;
  const result = emptyResult(windowStart, deadline);
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

  const counted = (kind: CallKind, res: Outcome) => {
    if (!inWindow(res.endedAt)) return;
    result.latencyMs[kind].push(res.ms);
    result.requestsInWindow++;
  };

  const operatorLoop = async (index: number): Promise<void> => {
    const op = world.operators[index];
    let next = 0;
    while (!shouldStop()) {
      cyclesStarted++;
      const bike = op.bikes[next++ % op.bikes.length];
      const out = await attempt(result, 'checkOut', (key) =>
        executor.checkOut(index, { bikeCode: bike.code, riderId: op.riderId, stationId: stations[bike.station] }, key),
      );
      if (!out) {
        await sleep(50);
        continue;
      }
      counted('checkOut', out);
      const to = otherStation(bike.station, stations.length);
      const back = await attempt(result, 'return', (key) =>
        executor.giveBack(index, { bikeCode: bike.code, stationId: stations[to] }, key),
      );
      if (!back) {
        // Where the bike is now is unknown to this operator; stop it rather than guess.
        result.abortedOperators.push({ email: op.email, bikeCode: bike.code, reason: 'return failed' });
        return;
      }
      counted('return', back);
      bike.station = to;
      result.cyclesCompleted++;
      if (inWindow(back.endedAt)) result.cyclesInWindow++;
    }
  };

  try {
    await Promise.all(Array.from({ length: options.operators }, (_, i) => operatorLoop(i)));
  } finally {
    clearTimeout(startTimer);
    clearTimeout(endTimer);
  }
  result.windowEnd = Math.min(deadline, stoppedAt);
  result.windowMs = Math.max(0, result.windowEnd - windowStart);
  return result;
}

/**
 * Open loop: requests arrive at a constant `rate` whatever the answers' pace, as from many desks at
 * once. Each arrival goes to an idle agent (an operator with its rider), which checks its next bike
 * out where it stands or, holding one, returns it at another station; with no agent idle the
 * arrival waits for one and that wait counts in its latency (measured from the scheduled arrival,
 * so a slow server cannot hide its queue). Arrivals stop at the end of the window; those already
 * scheduled are served, then every agent holding a bike returns it (not measured), so the run ends
 * with every bike in a rack.
 */
export async function runOpenLoop(
  executor: Executor,
  world: BenchWorld,
  options: OpenLoopOptions,
): Promise<OpenLoopResult> {
  const stations = world.stationIds;
  const interval = 1000 / options.rate;
  const t0 = performance.now();
  const windowStart = t0 + options.warmupMs;
  const deadline = windowStart + options.measureMs;
  const result: OpenLoopResult = {
    ...emptyResult(windowStart, deadline),
    rate: options.rate,
    agents: options.agents,
    offeredInWindow: 0,
    maxBacklog: 0,
  };
  const scheduledInWindow = (t: number) => t >= windowStart && t < deadline;

  interface Agent {
    index: number;
    next: number;
    /** The bike this agent's rider holds, if any. */
    holding: { code: string; station: number } | undefined;
    aborted: boolean;
  }
  const agents: Agent[] = Array.from({ length: options.agents }, (_, index) => ({
    index,
    next: 0,
    holding: undefined,
    aborted: false,
  }));
  const idle: Agent[] = [...agents];
  const backlog: number[] = [];
  const inFlight = new Set<Promise<void>>();

  const serve = async (agent: Agent, scheduledAt: number): Promise<void> => {
    const op = world.operators[agent.index];
    if (agent.holding) {
      const bike = agent.holding;
      const to = otherStation(bike.station, stations.length);
      const back = await attempt(result, 'return', (key) =>
        executor.giveBack(agent.index, { bikeCode: bike.code, stationId: stations[to] }, key),
      );
      if (back) {
        bike.station = to;
        agent.holding = undefined;
        result.cyclesCompleted++;
        if (back.endedAt >= windowStart && back.endedAt <= deadline) {
          result.cyclesInWindow++;
          result.requestsInWindow++;
        }
        if (scheduledInWindow(scheduledAt)) result.latencyMs.return.push(back.endedAt - scheduledAt);
      } else {
        result.abortedOperators.push({ email: op.email, bikeCode: bike.code, reason: 'return failed' });
        agent.aborted = true;
      }
    } else {
      const bike = op.bikes[agent.next++ % op.bikes.length];
      const out = await attempt(result, 'checkOut', (key) =>
        executor.checkOut(
          agent.index,
          { bikeCode: bike.code, riderId: op.riderId, stationId: stations[bike.station] },
          key,
        ),
      );
      if (out) {
        agent.holding = bike;
        if (out.endedAt >= windowStart && out.endedAt <= deadline) result.requestsInWindow++;
        if (scheduledInWindow(scheduledAt)) result.latencyMs.checkOut.push(out.endedAt - scheduledAt);
      }
    }
  };

  const dispatch = (agent: Agent, scheduledAt: number): void => {
    const p: Promise<void> = serve(agent, scheduledAt).then(() => {
      inFlight.delete(p);
      if (agent.aborted) return;
      const waiting = backlog.shift();
      if (waiting !== undefined) dispatch(agent, waiting);
      else idle.push(agent);
    });
    inFlight.add(p);
  };

  const arrive = (scheduledAt: number): void => {
    if (scheduledInWindow(scheduledAt)) result.offeredInWindow++;
    const agent = idle.shift();
    if (agent) dispatch(agent, scheduledAt);
    else {
      backlog.push(scheduledAt);
      result.maxBacklog = Math.max(result.maxBacklog, backlog.length);
    }
  };

  const startTimer = setTimeout(() => options.onWindow?.('start'), options.warmupMs);
  let nextArrival = t0;
  try {
    while (nextArrival < deadline) {
      const now = performance.now();
      // Every arrival that is due, even if the event loop was late: the schedule is the clock's.
      while (nextArrival <= now && nextArrival < deadline) {
        arrive(nextArrival);
        nextArrival += interval;
      }
      if (agents.every((a) => a.aborted)) break;
      await sleep(Math.max(0, Math.min(nextArrival, deadline) - performance.now()));
    }
    options.onWindow?.('end');
    // Serve what was scheduled (backlog included), then bring every bike back.
    while (inFlight.size > 0 || (backlog.length > 0 && idle.length > 0)) {
      while (backlog.length > 0 && idle.length > 0) dispatch(idle.shift()!, backlog.shift()!);
      if (inFlight.size > 0) await Promise.race(inFlight);
    }
    await Promise.all(
      agents
        .filter((a) => a.holding && !a.aborted)
        .map(async (agent) => {
          while (agent.holding && !agent.aborted) await serve(agent, -Infinity);
        }),
    );
  } finally {
    clearTimeout(startTimer);
  }
  result.windowEnd = deadline;
  result.windowMs = options.measureMs;
  return result;
}
