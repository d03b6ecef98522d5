import { Logger } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import type { Actor } from '@metrobici/common';
import { OPERATIONS_NAMESPACE, ROOM_ALL_STATIONS, ROOM_PLANNERS, stationRoom } from '@metrobici/realtime';
import { TokenService } from '../auth/token.service';

/**
 * Staff alerts. The handshake must carry a valid staff token in `auth.token`; without one the
 * connection is refused. Operators join the rooms of their stations, admins and roaming operators
 * the all-stations room, planners theirs (export progress).
 */
@WebSocketGateway({ namespace: OPERATIONS_NAMESPACE })
export class OperationsGateway implements OnGatewayInit, OnGatewayConnection {
  private readonly logger = new Logger(OperationsGateway.name);

  constructor(private readonly tokens: TokenService) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      this.tokens
        .actorFromToken(typeof token === 'string' ? token : undefined)
        .then((actor) => {
          (socket.data as { actor?: Actor }).actor = actor;
          next();
        })
        .catch(() => next(Object.assign(new Error('UNAUTHENTICATED'), { data: { code: 'UNAUTHENTICATED' } })));
    });
  }

  async handleConnection(client: Socket): Promise<void> {
    const actor = (client.data as { actor?: Actor }).actor;
    if (!actor) {
      client.disconnect(true);
      return;
    }
    if (actor.role === 'planner') await client.join(ROOM_PLANNERS);
    else if (actor.stationIds === null) await client.join(ROOM_ALL_STATIONS);
    else await client.join(actor.stationIds.map(stationRoom));
    this.logger.debug(`staff ${actor.email} connected to alerts`);
  }
}
