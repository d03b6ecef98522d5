import { type OnGatewayConnection, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { AVAILABILITY_NAMESPACE, type AvailabilityServerEvents } from '@metrobici/realtime';
import { StationService } from '@metrobici/stations';
import { onRedisResubscribed } from './redis-io.adapter';
import { Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { ClientAddress, RateLimits, REFRESH_WINDOW_SECONDS, REFRESHES_PER_WINDOW } from '../common/rate-limits';

type AvailabilitySocket = Socket<Record<string, never>, AvailabilityServerEvents>;

/**
 * Public live availability. Each connection (and each reconnection) starts from a fresh snapshot
 * carrying every station's sequence; `station:updated` events, emitted by the worker's outbox
 * relay through Redis, follow. A client asking again (`stations:refresh`) gets a new snapshot, at
 * most REFRESHES_PER_WINDOW per REFRESH_WINDOW_SECONDS (each one is a database query; more are
 * ignored). New connections are rate-limited per address (SOCKET_CONNECTIONS_PER_MINUTE), and one
 * address holds at most SOCKET_CONNECTIONS_PER_ADDRESS open connections on this instance (generous
 * defaults: a mobile carrier's NAT puts many citizens behind one address).
 */
@WebSocketGateway({ namespace: AVAILABILITY_NAMESPACE })
export class AvailabilityGateway implements OnGatewayInit, OnGatewayConnection {
  private readonly open = new Map<string, number>();

  constructor(
    private readonly stations: StationService,
    private readonly limits: RateLimits,
    private readonly addresses: ClientAddress,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  afterInit(namespace: Namespace): void {
    onRedisResubscribed(namespace.server, () => void this.broadcastSnapshot(namespace));
    namespace.use((socket, next) => {
      const address = this.addresses.of(socket.request);
      if ((this.open.get(address) ?? 0) >= this.config.sockets.connectionsPerAddress) {
        next(Object.assign(new Error('TOO_MANY_CONNECTIONS'), { data: { code: 'RATE_LIMITED' } }));
        return;
      }
      void this.limits.socketConnections.hit(address).then(
        (limit) => {
          if (!limit.allowed) {
            next(
              Object.assign(new Error('RATE_LIMITED'), {
                data: { code: 'RATE_LIMITED', retryAfter: limit.retryAfterSeconds },
              }),
            );
            return;
          }
          (socket.data as { address?: string }).address = address;
          next();
        },
        () => next(Object.assign(new Error('SERVICE_UNAVAILABLE'), { data: { code: 'SERVICE_UNAVAILABLE' } })),
      );
    });
  }

  async handleConnection(client: AvailabilitySocket): Promise<void> {
    const address = (client.data as { address?: string }).address ?? 'unknown';
    this.open.set(address, (this.open.get(address) ?? 0) + 1);
    client.once('disconnect', () => {
      const left = (this.open.get(address) ?? 1) - 1;
      if (left > 0) this.open.set(address, left);
      else this.open.delete(address);
    });
    await this.sendSnapshot(client);
    let windowStart = Date.now();
    let refreshes = 0;
    client.on('stations:refresh', () => {
      const now = Date.now();
      if (now - windowStart >= REFRESH_WINDOW_SECONDS * 1000) {
        windowStart = now;
        refreshes = 0;
      }
      refreshes += 1;
      if (refreshes <= REFRESHES_PER_WINDOW) void this.sendSnapshot(client);
    });
  }

  /** After Redis was away: updates published meanwhile were lost to this instance, so everyone starts afresh. */
  private async broadcastSnapshot(namespace: Namespace): Promise<void> {
    try {
      const stations = await this.stations.listPublic();
      namespace.local.emit('stations:snapshot', {
        stations: stations.map(({ active: _a, nearMetrolinea: _n, ...s }) => s),
      });
    } catch {
      // The database is away too: clients keep what they have until their next (re)connection.
    }
  }

  private async sendSnapshot(client: AvailabilitySocket): Promise<void> {
    try {
      const stations = await this.stations.listPublic();
      client.emit('stations:snapshot', { stations: stations.map(({ active: _a, nearMetrolinea: _n, ...s }) => s) });
    } catch {
      client.disconnect(true);
    }
  }
}
