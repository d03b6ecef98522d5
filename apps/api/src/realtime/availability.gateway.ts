import { type OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { AVAILABILITY_NAMESPACE, type AvailabilityServerEvents } from '@metrobici/realtime';
import { StationService } from '@metrobici/stations';

/**
 * Public live availability. Each connection (and each reconnection) starts from a fresh snapshot
 * carrying every station's sequence; `station:updated` events, emitted by the worker's outbox
 * relay through Redis, follow. A client asking again (`stations:refresh`) gets a new snapshot.
 */
@WebSocketGateway({ namespace: AVAILABILITY_NAMESPACE })
export class AvailabilityGateway implements OnGatewayConnection {
  constructor(private readonly stations: StationService) {}

  async handleConnection(client: Socket<Record<string, never>, AvailabilityServerEvents>): Promise<void> {
    await this.sendSnapshot(client);
    client.on('stations:refresh', () => void this.sendSnapshot(client));
  }

  private async sendSnapshot(client: Socket<Record<string, never>, AvailabilityServerEvents>): Promise<void> {
    try {
      const stations = await this.stations.listPublic();
      client.emit('stations:snapshot', { stations: stations.map(({ active: _a, nearMetrolinea: _n, ...s }) => s) });
    } catch {
      client.disconnect(true);
    }
  }
}
