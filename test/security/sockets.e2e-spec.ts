import { io, type Socket } from 'socket.io-client';
import { AVAILABILITY_NAMESPACE, OPERATIONS_NAMESPACE } from '@metrobici/realtime';
import { startApi, type ApiHarness } from '../support/api-harness';
import { settle, signedToken } from './support';

function connect(url: string, namespace: string, auth?: Record<string, unknown>): Socket {
  return io(`${url}${namespace}`, { transports: ['websocket'], auth, reconnection: false, forceNew: true });
}

function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });
}

/** Resolves with the milliseconds until the server dropped the socket (or rejects after `ms`). */
function disconnectedWithin(socket: Socket, ms: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
    socket.once('disconnect', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

/** Issue 10, item 5. */
describe('sockets (e2e)', () => {
  let h: ApiHarness;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    h = await startApi({ env: { SOCKET_CONNECTIONS_PER_ADDRESS: '50', SOCKET_CONNECTIONS_PER_MINUTE: '1000' } });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  afterAll(async () => {
    await h?.close();
  });

  const open = (namespace: string, auth?: Record<string, unknown>) => {
    const s = connect(h.url, namespace, auth);
    sockets.push(s);
    return s;
  };

  it('5a. /operations drops an operator within 5 s of the deactivation of the account', async () => {
    const operator = await h.signedIn('operator', { allStations: true });
    const token = (await h.api.post('/api/v1/auth/login', { email: operator.email, password: 'test-password-123' }))
      .body.accessToken as string;
    const socket = open(OPERATIONS_NAMESPACE, { token });
    await connected(socket);
    const { api: admin } = await h.signedIn('admin');
    const dropped = disconnectedWithin(socket, 5000);
    await expect(admin.post(`/api/v1/staff/${operator.id}/deactivate`)).resolves.toMatchObject({ status: 200 });
    await expect(dropped).resolves.toBeLessThan(5000);
    // And cannot come back with that token.
    await expect(connected(open(OPERATIONS_NAMESPACE, { token }))).rejects.toThrow(/UNAUTHENTICATED/);
  });

  it('5b. /operations drops a socket when its token expires', async () => {
    const planner = await h.make.staff('planner');
    const exp = Math.floor(Date.now() / 1000) + 2;
    const socket = open(OPERATIONS_NAMESPACE, { token: signedToken(h, { sub: planner.id, exp }) });
    await connected(socket);
    await expect(disconnectedWithin(socket, 5000)).resolves.toBeGreaterThan(500);
  });

  it('5c. /availability answers at most 3 stations:refresh per 10 s per connection', async () => {
    const socket = open(AVAILABILITY_NAMESPACE);
    let snapshots = 0;
    socket.on('stations:snapshot', () => (snapshots += 1));
    await connected(socket);
    await settle(300);
    expect(snapshots).toBe(1);
    for (let i = 0; i < 20; i++) socket.emit('stations:refresh');
    await settle(1000);
    expect(snapshots).toBe(1 + 3);
  });

  it('5d. /availability holds at most SOCKET_CONNECTIONS_PER_ADDRESS (here 50) connections per address', async () => {
    const first = Array.from({ length: 50 }, () => open(AVAILABILITY_NAMESPACE));
    await Promise.all(first.map(connected));
    await expect(connected(open(AVAILABILITY_NAMESPACE))).rejects.toThrow(/TOO_MANY_CONNECTIONS/);
    // Closing one makes room again.
    first[0].disconnect();
    await settle(200);
    await expect(connected(open(AVAILABILITY_NAMESPACE))).resolves.toBeUndefined();
  });
});

describe('socket connection rate (e2e)', () => {
  let h: ApiHarness;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    h = await startApi({ env: { SOCKET_CONNECTIONS_PER_MINUTE: '5' } });
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await h?.close();
  });

  it('5e. refuses the connections of an address beyond SOCKET_CONNECTIONS_PER_MINUTE, on both namespaces', async () => {
    const open = (namespace: string, auth?: Record<string, unknown>) => {
      const s = connect(h.url, namespace, auth);
      sockets.push(s);
      return connected(s).then(
        () => 'connected',
        (e: Error) => e.message,
      );
    };
    const results: string[] = [];
    for (let i = 0; i < 5; i++) results.push(await open(AVAILABILITY_NAMESPACE));
    results.push(await open(AVAILABILITY_NAMESPACE));
    const planner = await h.make.staff('planner');
    results.push(await open(OPERATIONS_NAMESPACE, { token: signedToken(h, { sub: planner.id }) }));
    expect(results).toEqual([...new Array(5).fill('connected'), 'RATE_LIMITED', 'RATE_LIMITED']);
  });
});
