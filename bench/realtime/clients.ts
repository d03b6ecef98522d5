/**
 * The bench's subscribers on /availability: a group of C clients in one process, used either in the
 * bench's own process (`--client-procs 0`) or in a client process (client-process.ts). Two kinds:
 *
 * - `light`: the Engine.IO 4 / socket.io 5 protocol spoken over `ws` directly, websocket transport
 *   only: the handshake (`0` open → `40/availability,`), pings answered, and each message matched by
 *   its prefix; a `station:updated` is JSON.parse'd, nothing else. What a browser would do costs far
 *   more per message than the server's side of it; at 5,000 clients × 20 changes/s the full client
 *   made the load generator what was measured.
 * - `socket.io`: socket.io-client 4.8, as apps/web and the tests connect.
 *
 * Either way a client keeps the newest sequence per station and drops anything not newer, as the
 * web page does; receipts are stamped on the monotonic clock (bench/support/clock.ts).
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import { AVAILABILITY_NAMESPACE, type StationUpdatedEvent } from '@metrobici/realtime';
import { monotonicMs } from '../support/clock';

export type ClientKind = 'light' | 'ws' | 'socket.io';
export const CLIENT_KINDS: readonly ClientKind[] = ['light', 'ws', 'socket.io'];

/** What a group saw: receipt times per change (`stationId:sequence`), one per client that kept it. */
export interface GroupReceipts {
  times: Map<string, Float64Array>;
  /** The first payload received for each change (replayed by the baseline). */
  payloads: Map<string, StationUpdatedEvent>;
  /** Events a client dropped as not newer than what it had. */
  duplicates: number;
  /** Connections the server closed before the bench disconnected them. */
  closedEarly: number;
}

// Engine.IO packet types: 0 open, 1 close, 2 ping, 3 pong, 4 message (a socket.io packet follows:
// 0 connect, 2 event, 4 connect error, each with its namespace).
const CONNECT = `40${AVAILABILITY_NAMESPACE},`;
const CONNECT_ERROR = `44${AVAILABILITY_NAMESPACE},`;
const UPDATED = `42${AVAILABILITY_NAMESPACE},["station:updated",`;
const SNAPSHOT = `42${AVAILABILITY_NAMESPACE},["stations:snapshot",`;

/** One read buffer for every raw client of the process: a read is handled before the next one. */
const READ_BUFFER = Buffer.alloc(64 * 1024);

/** A client's text frame: masked, as RFC 6455 requires of clients (the server rejects others). */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error('client frames here are short');
  const mask = randomBytes(4);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i] ^ mask[i % 4];
  return frame;
}
const CONNECT_FRAME = clientFrame(CONNECT);
const PONG_FRAME = clientFrame('3');

interface Client {
  close(): void;
}

export class ClientGroup {
  private readonly clients: Client[] = [];
  private times = new Map<string, number[]>();
  private payloads = new Map<string, StationUpdatedEvent>();
  private duplicates = 0;
  private closedEarly = 0;
  private closing = false;

  constructor(private readonly kind: ClientKind) {}

  /** Connects `count` clients, `wave` at a time, each waiting for its snapshot; answers the first snapshot. */
  async connect(url: string, count: number, wave: number): Promise<unknown> {
    let snapshot: unknown;
    for (let i = 0; i < count; i += wave) {
      const batch = Array.from({ length: Math.min(wave, count - i) }, () =>
        this.kind === 'light'
          ? this.connectLight(url, snapshot === undefined)
          : this.kind === 'ws'
            ? this.connectWs(url, snapshot === undefined)
            : this.connectSocketIo(url),
      );
      for (const s of await Promise.all(batch)) snapshot ??= s;
    }
    return snapshot;
  }

  /** Hands over what was received so far and starts afresh. */
  takeReceipts(): GroupReceipts {
    const times = new Map<string, Float64Array>();
    for (const [key, list] of this.times) times.set(key, Float64Array.from(list));
    const out = { times, payloads: this.payloads, duplicates: this.duplicates, closedEarly: this.closedEarly };
    this.times = new Map();
    this.payloads = new Map();
    this.duplicates = 0;
    this.closedEarly = 0;
    return out;
  }

  disconnect(): void {
    this.closing = true;
    for (const c of this.clients.splice(0)) c.close();
  }

  /** A client's receipt of `station:updated`, by the web page's rule (newest sequence per station). */
  private receive(seen: Map<string, number>, e: StationUpdatedEvent, at: number): void {
    if ((seen.get(e.stationId) ?? -1) >= e.sequence) {
      this.duplicates++;
      return;
    }
    seen.set(e.stationId, e.sequence);
    const key = `${e.stationId}:${e.sequence}`;
    const list = this.times.get(key);
    if (list) list.push(at);
    else {
      this.times.set(key, [at]);
      this.payloads.set(key, e);
    }
  }

  private connectLight(url: string, wantSnapshot: boolean): Promise<unknown> {
    const { hostname, port } = new URL(url);
    const seen = new Map<string, number>();
    return new Promise((resolve, reject) => {
      let upgraded = false;
      let connected = false;
      let failed = false;
      // Bytes of an incomplete frame (or of the HTTP answer), copied: the read buffer is shared.
      let rest: Buffer | undefined;
      const fail = (message: string) => {
        if (failed) return;
        failed = true;
        socket.destroy();
        if (!connected) reject(new Error(message));
        // Counted as closed early (below); the reason is worth a line.
        else if (!this.closing) console.error(`realtime client: ${message}`);
      };
      const onText = (text: string, at: number) => {
        if (text.startsWith(UPDATED)) {
          // `42/availability,["station:updated",{…}]`: the object is what lies between.
          this.receive(seen, JSON.parse(text.slice(UPDATED.length, -1)) as StationUpdatedEvent, at);
        } else if (text === '2') socket.write(PONG_FRAME);
        else if (text.startsWith(SNAPSHOT)) {
          connected = true;
          resolve(wantSnapshot ? JSON.parse(text.slice(SNAPSHOT.length, -1)) : null);
        } else if (text[0] === '0') socket.write(CONNECT_FRAME);
        else if (text.startsWith(CONNECT_ERROR)) fail(`connect error: ${text.slice(CONNECT_ERROR.length)}`);
      };
      const onBytes = (chunk: Buffer) => {
        const at = monotonicMs();
        const data = rest ? Buffer.concat([rest, chunk]) : chunk;
        rest = undefined;
        let offset = 0;
        if (!upgraded) {
          const end = data.indexOf('\r\n\r\n');
          if (end < 0) {
            rest = Buffer.from(data);
            return;
          }
          const head = data.toString('latin1', 0, end);
          if (!head.startsWith('HTTP/1.1 101')) return fail(`no websocket upgrade: ${head.split('\r\n')[0]}`);
          upgraded = true;
          offset = end + 4;
        }
        // Server frames: unmasked, and not fragmented at these sizes (ws sends each message whole).
        while (offset + 2 <= data.length) {
          const b0 = data[offset];
          let length = data[offset + 1];
          let header = 2;
          if (length === 126) {
            if (offset + 4 > data.length) break;
            length = data.readUInt16BE(offset + 2);
            header = 4;
          } else if (length === 127) {
            if (offset + 10 > data.length) break;
            length = Number(data.readBigUInt64BE(offset + 2));
            header = 10;
          } else if (length > 127) return fail('a masked frame from the server');
          const start = offset + header;
          if (start + length > data.length) break;
          const opcode = b0 & 0x0f;
          if ((b0 & 0x80) === 0 || opcode === 0) return fail('a fragmented frame (not expected at these sizes)');
          if (opcode === 1) onText(data.toString('utf8', start, start + length), at);
          else if (opcode === 8) return fail('closed by the server');
          offset = start + length;
        }
        if (offset < data.length) rest = Buffer.from(data.subarray(offset));
      };
      const socket = tcpConnect({
        host: hostname,
        port: Number(port),
        noDelay: true,
        // onread: each read is handed over as it is, with no stream machinery in between.
        onread: {
          buffer: READ_BUFFER,
          callback: (bytes: number, buffer: Uint8Array) => {
            onBytes(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
            return true;
          },
        },
      });
      socket.on('connect', () =>
        socket.write(
          `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
            `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
        ),
      );
      socket.on('error', (e) => fail(e.message));
      socket.on('close', () => {
        if (!connected) fail('closed before the snapshot');
        else if (!this.closing) this.closedEarly++;
      });
      this.clients.push({ close: () => socket.destroy() });
    });
  }

  private connectWs(url: string, wantSnapshot: boolean): Promise<unknown> {
    const seen = new Map<string, number>();
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
    });
    this.clients.push({ close: () => ws.terminate() });
    return new Promise((resolve, reject) => {
      let connected = false;
      ws.on('message', (data: Buffer) => {
        const at = monotonicMs();
        const text = data.toString();
        if (text.startsWith(UPDATED)) {
          // `42/availability,["station:updated",{…}]`: the object is what lies between.
          this.receive(seen, JSON.parse(text.slice(UPDATED.length, -1)) as StationUpdatedEvent, at);
        } else if (text === '2') ws.send('3');
        else if (text.startsWith(SNAPSHOT)) {
          connected = true;
          resolve(wantSnapshot ? JSON.parse(text.slice(SNAPSHOT.length, -1)) : null);
        } else if (text[0] === '0') ws.send(CONNECT);
        else if (text.startsWith(CONNECT_ERROR))
          reject(new Error(`connect error: ${text.slice(CONNECT_ERROR.length)}`));
      });
      ws.on('error', (e) => {
        if (!connected) reject(e);
      });
      ws.once('close', () => {
        if (!connected) reject(new Error('closed before the snapshot'));
        else if (!this.closing) this.closedEarly++;
      });
    });
  }

  private connectSocketIo(url: string): Promise<unknown> {
    const seen = new Map<string, number>();
    const socket: Socket = io(`${url}${AVAILABILITY_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.clients.push({ close: () => socket.disconnect() });
    socket.on('station:updated', (e: StationUpdatedEvent) => this.receive(seen, e, monotonicMs()));
    socket.on('disconnect', (reason) => {
      if (!this.closing && reason !== 'io client disconnect') this.closedEarly++;
    });
    return new Promise<unknown>((resolve, reject) => {
      socket.once('stations:snapshot', resolve);
      socket.once('connect_error', reject);
    });
  }
}
