/**
 * A client process of the realtime bench (see clients.ts and client-pool.ts): holds its share of
 * the clients and answers the bench over IPC, one request at a time. Started by ClientPool; exits
 * when the bench goes away.
 */
import { CLIENT_KINDS, ClientGroup, type ClientKind } from './clients';
import type { PoolReply, PoolRequest } from './client-pool';

const kind = process.argv[2] as ClientKind;
if (!CLIENT_KINDS.includes(kind) || !process.send) {
  console.error('usage: started by the realtime bench (client-pool.ts) with an IPC channel');
  process.exit(2);
}
const group = new ClientGroup(kind);
const reply = (message: PoolReply) => process.send!(message);

process.on('message', (request: PoolRequest) => {
  const answer = async (): Promise<PoolReply> => {
    switch (request.type) {
      case 'connect':
        return { type: 'connected', snapshot: await group.connect(request.url, request.count, request.wave) };
      case 'collect':
        return { type: 'receipts', receipts: group.takeReceipts() };
      case 'disconnect':
        group.disconnect();
        return { type: 'disconnected' };
    }
  };
  answer().then(reply, (e: unknown) => reply({ type: 'error', message: (e as Error)?.message ?? String(e) }));
});
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready' });
