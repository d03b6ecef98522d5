// The realtime bench's baseline: a bare socket.io server (the version the API runs, no Nest, no
// Redis adapter, no rate limits) with the API's /availability namespace and websocket transport.
// It sends each connection the snapshot it was given, and broadcasts `station:updated` payloads
// when the bench tells it to over IPC, so the bench can time send → receipt the same way it times
// the API. Listens on 127.0.0.1 only. Started by bench/realtime/run.ts:
//   node bench/support/bare-socket-server.js <port>
'use strict';
const { createServer } = require('node:http');
const { Server } = require('socket.io');

const port = Number(process.argv[2]);
const http = createServer();
const io = new Server(http, { serveClient: false });
const availability = io.of('/availability');
let snapshot = { stations: [] };

availability.on('connection', (socket) => socket.emit('stations:snapshot', snapshot));

process.on('message', (message) => {
  if (message.type === 'snapshot') snapshot = message.snapshot;
  else if (message.type === 'emit') availability.emit('station:updated', message.payload);
  else if (message.type === 'stop') io.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));

http.listen(port, '127.0.0.1', () => process.send({ type: 'ready' }));
