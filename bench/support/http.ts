import { Agent, request } from 'node:http';

export interface Timed<T = any> {
  /** HTTP status, or 0 when no answer came (connection error or timeout). */
  status: number;
  body: T;
  /** Wall time from sending to the last byte, in milliseconds. */
  ms: number;
  /** performance.now() when the answer (or the failure) arrived. */
  endedAt: number;
  transportError?: string;
}

/**
 * A small JSON client on node:http with keep-alive sockets. Lighter than fetch/undici, which
 * matters because the load generator shares the machine's cores with the API and Postgres.
 */
export class BenchClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    baseUrl: string,
    sockets: number,
    private readonly timeoutMs = 30_000,
  ) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  post<T = any>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Timed<T>> {
    return this.send<T>('POST', path, body, headers);
  }

  get<T = any>(path: string, headers: Record<string, string> = {}): Promise<Timed<T>> {
    return this.send<T>('GET', path, undefined, headers);
  }

  close(): void {
    this.agent.destroy();
  }

  private send<T>(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<Timed<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const started = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      const done = (status: number, parsed: unknown, transportError?: string) => {
        if (settled) return;
        settled = true;
        const endedAt = performance.now();
        resolve({
          status,
          body: parsed as T,
          ms: endedAt - started,
          endedAt,
          ...(transportError ? { transportError } : {}),
        });
      };
      const req = request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => done(0, undefined, e.message));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              if (text && (res.headers['content-type'] ?? '').includes('json')) parsed = JSON.parse(text);
            } catch {
              // keep the text
            }
            done(res.statusCode ?? 0, parsed);
          });
        },
      );
      req.setTimeout(this.timeoutMs, () => {
        done(0, undefined, 'TIMEOUT');
        req.destroy();
      });
      req.on('error', (e: NodeJS.ErrnoException) => done(0, undefined, e.code ?? e.message));
      req.end(payload);
    });
  }
}
