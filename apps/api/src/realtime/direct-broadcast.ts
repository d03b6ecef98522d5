import type { Socket } from 'socket.io';
import type { Adapter } from 'socket.io-adapter';

/**
 * Broadcasts written straight to each client's TCP socket. socket.io encodes a broadcast once, and
 * even prepares its websocket frame once (`wsPreEncodedFrame`); it then still walks every client
 * through Engine.IO and ws: a packet object, a write buffer, events, a corked two-part write and
 * its callbacks. At 5,000 citizens on /availability that walk cost about 40 % of the API's CPU
 * over what the writes themselves cost (bench:realtime, its TCP floor beside the API), and on a
 * busy machine CPU is what the last client waits for.
 *
 * Here, a broadcast event (no acknowledgement expected, not volatile) goes to a client as that
 * one frame, written to its TCP socket, when nothing else is on its way to it: Engine.IO's
 * transport idle (its writes complete before it is writable again) and its buffer empty, ws
 * neither queueing nor compressing, the websocket open. The bytes are those socket.io would have
 * written, in the same order. Any other client (long-polling, a send in flight, closing) gets the
 * broadcast through socket.io as before; acknowledged, volatile and non-broadcast sends are not
 * touched.
 *
 * socket.io has no hook for this: socket.io-adapter's `broadcast`, which the Redis adapter calls
 * for events from other processes (the worker's outbox relay), encodes the packet (`_encode`)
 * and hands each client to `apply`; those two are wrapped on the adapter instance. The internals
 * relied on are checked by direct-broadcast.spec.ts against the installed versions
 * (socket.io-adapter 2.5, engine.io 6.6, ws 8); should they change, a client fails the checks and
 * gets the broadcast through socket.io.
 */
export function writeBroadcastsDirectly(adapter: Adapter): DirectBroadcastStats {
  const internals = adapter as unknown as AdapterInternals;
  const encode = internals._encode.bind(adapter);
  const apply = internals.apply.bind(adapter);
  const stats: DirectBroadcastStats = { direct: 0, socketIo: 0 };
  // Set by `_encode` for the broadcast in progress; `broadcast` calls `apply` right after it.
  let frame: Buffer | undefined;

  internals._encode = (packet, packetOpts) => {
    const encoded = encode(packet, packetOpts);
    // 2: an EVENT packet (socket.io protocol 5); with an id it awaits acknowledgements.
    const plainEvent = packet.type === 2 && packet.id === undefined && !packetOpts.volatile;
    frame = plainEvent ? frameBytes(packetOpts.wsPreEncodedFrame) : undefined;
    return encoded;
  };
  internals.apply = (opts, callback) => {
    const bytes = frame;
    frame = undefined;
    if (!bytes) {
      apply(opts, callback);
      return;
    }
    apply(opts, (socket) => {
      if (writeDirectly(socket, bytes)) stats.direct++;
      else {
        stats.socketIo++;
        callback(socket);
      }
    });
  };
  return stats;
}

/** Clients served straight and through socket.io, since the adapter was made (for tests). */
export interface DirectBroadcastStats {
  direct: number;
  socketIo: number;
}

/** What socket.io-adapter's `broadcast` calls on the adapter (private in its typings). */
interface AdapterInternals {
  _encode(packet: { type: number; id?: number }, packetOpts: PacketOptions): unknown[];
  apply(opts: unknown, callback: (socket: Socket) => void): void;
}

/** socket.io-adapter's packet options; `wsPreEncodedFrame` is ws's `Sender.frame()` output. */
interface PacketOptions {
  volatile?: boolean;
  wsPreEncodedFrame?: Buffer | Buffer[];
}

function frameBytes(frame: Buffer | Buffer[] | undefined): Buffer | undefined {
  if (frame === undefined) return undefined;
  return Array.isArray(frame) ? Buffer.concat(frame) : frame;
}

/** Engine.IO's socket and websocket transport, and ws's socket, as far as they are read here. */
export interface EngineInternals {
  readyState?: string;
  writeBuffer?: unknown[];
  transport?: {
    name?: string;
    writable?: boolean;
    socket?: {
      readyState?: number;
      _socket?: { writable?: boolean; write(bytes: Buffer): boolean };
      _sender?: { _queue?: unknown[]; _state?: number };
    };
  };
}

const WS_OPEN = 1;
/** ws's Sender: neither compressing nor reading a Blob, so nothing of its own is about to be written. */
const WS_SENDER_IDLE = 0;

/** Writes the frame to the client's TCP socket if nothing is on its way to it; false, touching nothing, otherwise. */
function writeDirectly(socket: Socket, bytes: Buffer): boolean {
  if (socket.listenersAnyOutgoing().length > 0) return false;
  const conn = socket.conn as unknown as EngineInternals;
  const transport = conn.transport;
  const ws = transport?.socket;
  const tcp = ws?._socket;
  if (
    conn.readyState !== 'open' ||
    conn.writeBuffer?.length !== 0 ||
    transport?.name !== 'websocket' ||
    transport.writable !== true ||
    ws?.readyState !== WS_OPEN ||
    ws._sender?._queue?.length !== 0 ||
    ws._sender._state !== WS_SENDER_IDLE ||
    tcp?.writable !== true
  )
    return false;
  tcp.write(bytes);
  return true;
}
