// The realtime bench's floor: what any server pays on this machine to get the changes to the
// clients, whatever its framework. Plain `node:net`, one process per CPU behind one port (as the
// API runs), speaking just enough of the websocket / Engine.IO / socket.io handshake for the
// bench's clients to connect to /availability; then, for each change the bench sends over IPC,
// the one websocket frame is built once and written to every client: one write each, with no
// queue and no parsing of what the clients send (the first frame after the handshake is taken as
// the namespace connection, later ones are their pongs). On loopback, such a write costs the
// kernel's work on both ends of the connection, and the clients share the cores: that, not any
// framework, is what sets this floor. Listens on 127.0.0.1 only. Started by bench/realtime/run.ts:
//   node bench/support/tcp-floor-server.js <port> <processes>
'use strict';
const cluster = require('node:cluster');
const { createHash, randomBytes } = require('node:crypto');
const net = require('node:net');

const port = Number(process.argv[2]);
const processes = Number(process.argv[3]);
const NAMESPACE = '/availability';
// RFC 6455's GUID for Sec-WebSocket-Accept.
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** An unmasked, unfragmented text frame, as servers send them. */
function textFrame(text) {
  const payload = Buffer.from(text);
  let header;
  if (payload.length < 126) header = Buffer.from([0x81, payload.length]);
  else if (payload.length < 65536) {
    header = Buffer.from([0x81, 126, 0, 0]);
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x81;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** An Engine.IO message carrying a socket.io event on the namespace. */
function eventFrame(name, data) {
  return textFrame(`42${NAMESPACE},${JSON.stringify([name, data])}`);
}

if (cluster.isPrimary) {
  const workers = Array.from({ length: processes }, () => cluster.fork());
  let ready = 0;
  for (const worker of workers) {
    worker.on('message', (message) => {
      if (message.type === 'ready' && ++ready === workers.length) process.send({ type: 'ready' });
    });
  }
  process.on('message', (message) => {
    if (message.type === 'stop') {
      for (const worker of workers) worker.kill();
      process.exit(0);
    }
    for (const worker of workers) worker.send(message);
  });
  process.on('disconnect', () => {
    for (const worker of workers) worker.kill();
    process.exit(0);
  });
} else {
  const clients = new Set();
  let snapshot = eventFrame('stations:snapshot', { stations: [] });

  const server = net.createServer({ noDelay: true }, (socket) => {
    const sid = randomBytes(10).toString('base64url');
    let head = '';
    let upgraded = false;
    let connected = false;
    socket.on('data', (chunk) => {
      if (!upgraded) {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const key = /sec-websocket-key:\s*(\S+)/i.exec(head.slice(0, end))?.[1] ?? '';
        const accept = createHash('sha1')
          .update(key + WEBSOCKET_GUID)
          .digest('base64');
        upgraded = true;
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
        // Engine.IO's open packet; no pings are sent, so the interval is longer than any run.
        socket.write(
          textFrame(
            `0${JSON.stringify({ sid, upgrades: [], pingInterval: 600_000, pingTimeout: 60_000, maxPayload: 1e6 })}`,
          ),
        );
        return;
      }
      if (connected) return;
      connected = true;
      socket.write(textFrame(`40${NAMESPACE},${JSON.stringify({ sid })}`));
      socket.write(snapshot);
      clients.add(socket);
    });
    socket.on('close', () => clients.delete(socket));
    socket.on('error', () => clients.delete(socket));
  });

  process.on('message', (message) => {
    if (message.type === 'snapshot') snapshot = eventFrame('stations:snapshot', message.snapshot);
    else if (message.type === 'emit') {
      const frame = eventFrame('station:updated', message.payload);
      for (const socket of clients) socket.write(frame);
    }
  });
  process.on('disconnect', () => process.exit(0));
  server.listen(port, '127.0.0.1', () => process.send({ type: 'ready' }));
}
