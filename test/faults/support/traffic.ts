import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import type { FaultStack } from './fault-stack';

/** One answered (or unanswered) request, as the fault suite judges it. */
export interface Answer {
  what: string;
  /** When the request was sent (epoch ms). */
  startedAt: number;
  status: number; // 0: no HTTP answer (connection refused or reset, or no answer in time)
  ms: number;
  code?: string;
  retryAfter?: string | null;
  error?: string;
}

/** Every request gets an answer within this time, or it counts as a hang. */
export const ANSWER_WITHIN_MS = 5_000;

export async function timedRequest(
  what: string,
  url: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<Answer> {
  const started = Date.now();
  try {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      // Past the allowed time plus slack: still unanswered means a hang.
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS + 2_000),
    });
    const text = await res.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { code?: string }).code;
    } catch {
      // not JSON (e.g. a static file)
    }
    return {
      what,
      startedAt: started,
      status: res.status,
      ms: Date.now() - started,
      code,
      retryAfter: res.headers.get('retry-after'),
    };
  } catch (e) {
    return { what, startedAt: started, status: 0, ms: Date.now() - started, error: (e as Error).message };
  }
}

/** Answers that break the rules: a 500, an answer later than ANSWER_WITHIN_MS, or a 503 without its code and Retry-After. */
export function badAnswers(answers: Answer[], options: { allowNoAnswer?: boolean } = {}): Answer[] {
  return answers.filter(
    (a) =>
      (a.status >= 500 && !(a.status === 503 && a.code === 'SERVICE_UNAVAILABLE' && a.retryAfter)) ||
      a.ms > ANSWER_WITHIN_MS ||
      (a.status === 0 && !options.allowNoAnswer),
  );
}

/**
 * Operators checking bikes out and back in, one bike and one rider each, alternating between the
 * two stations, as fast as the API answers. A lost answer makes the next step look the bike up.
 */
export class Traffic {
  readonly answers: Answer[] = [];
  private stopped = false;
  private loops: Array<Promise<void>> = [];
  completedCycles = 0;

  constructor(
    private readonly stack: FaultStack,
    private readonly token: string,
    private readonly options: { pauseMs?: number; publicReads?: boolean } = {},
  ) {}

  start(): this {
    this.stopped = false;
    this.loops = this.stack.data.pairs.map((pair, i) => this.operator(pair, i));
    if (this.options.publicReads) this.loops.push(this.publicReader());
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async operator(pair: { bikeCode: string; riderId: string }, index: number): Promise<void> {
    const [a, b] = this.stack.data.stationIds;
    let at: string | null = index % 2 === 0 ? a : b; // null: on loan
    let unsure = false;
    while (!this.stopped) {
      if (unsure) {
        try {
          const [bike] = await this.stack.query<{ station_id: string | null }>(
            'SELECT station_id FROM bikes WHERE code = $1',
            [pair.bikeCode],
          );
          at = bike.station_id;
          unsure = false;
        } catch {
          await sleep(300); // the database is down too: try again
          continue;
        }
      }
      const api = this.stack.api.url;
      const answer =
        at !== null
          ? await timedRequest('check-out', `${api}/api/v1/loans`, {
              method: 'POST',
              token: this.token,
              body: { bikeCode: pair.bikeCode, riderId: pair.riderId, stationId: at, helmet: false },
            })
          : await timedRequest('return', `${api}/api/v1/returns`, {
              method: 'POST',
              token: this.token,
              body: { bikeCode: pair.bikeCode, stationId: index % 2 === 0 ? b : a },
            });
      this.answers.push(answer);
      if (answer.status === 201 || answer.status === 200) {
        if (at === null) this.completedCycles++;
        at = at === null ? (index % 2 === 0 ? b : a) : null;
        index++; // the next return goes to the other station
      } else {
        unsure = true;
        await sleep(answer.status === 0 ? 300 : 100);
      }
      if (this.options.pauseMs) await sleep(this.options.pauseMs);
    }
  }

  private async publicReader(): Promise<void> {
    while (!this.stopped) {
      this.answers.push(await timedRequest('public stations', `${this.stack.api.url}/api/v1/stations`));
      await sleep(100);
    }
  }
}

interface StationView {
  stationId: string;
  bikesAvailable: number;
  spacesAvailable: number;
  sequence: number;
}

/** A citizen's page: the socket.io `/availability` feed, applying only newer sequences. */
export class LiveClient {
  readonly stations = new Map<string, StationView>();
  snapshots = 0;
  updates = 0;
  private readonly socket: Socket;

  constructor(apiUrl: string) {
    this.socket = io(`${apiUrl}/availability`, { transports: ['websocket'], reconnectionDelay: 200 });
    this.socket.on('stations:snapshot', (snapshot: { stations: Array<StationView & { id?: string }> }) => {
      this.snapshots++;
      for (const s of snapshot.stations) {
        const id = s.stationId ?? s.id!;
        this.stations.set(id, { ...s, stationId: id, sequence: Number(s.sequence) });
      }
    });
    this.socket.on('station:updated', (e: StationView) => {
      this.updates++;
      const known = this.stations.get(e.stationId);
      if (!known || Number(e.sequence) > known.sequence)
        this.stations.set(e.stationId, { ...e, sequence: Number(e.sequence) });
    });
  }

  /** Stations whose counts differ from the database's. */
  differences(db: Map<string, { bikesAvailable: number; spacesAvailable: number }>): string[] {
    const out: string[] = [];
    for (const [id, want] of db) {
      const seen = this.stations.get(id);
      if (!seen || seen.bikesAvailable !== want.bikesAvailable || seen.spacesAvailable !== want.spacesAvailable)
        out.push(
          `${id}: shows ${seen ? `${seen.bikesAvailable}/${seen.spacesAvailable}` : 'nothing'}, database ${want.bikesAvailable}/${want.spacesAvailable}`,
        );
    }
    return out;
  }

  close(): void {
    this.socket.close();
  }
}
