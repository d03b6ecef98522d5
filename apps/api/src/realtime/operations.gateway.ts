import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import type { Actor } from '@metrobici/common';
import { StaffService, StaffSessionService } from '@metrobici/staff';
import { OPERATIONS_NAMESPACE, ROOM_ADMINS, ROOM_ALL_STATIONS, ROOM_PLANNERS, stationRoom } from '@metrobici/realtime';
import { type TokenClaims, TokenService } from '../auth/token.service';
import { ClientAddress, RateLimits } from '../common/rate-limits';

/** How often the connected staff sockets' accounts are re-checked (one query for all of them). */
export const SESSION_RECHECK_MS = 2000;

interface StaffSocketData {
  actor?: Actor;
  claims?: TokenClaims;
  expiryTimer?: NodeJS.Timeout;
}

/**
 * Staff alerts. The handshake must carry a valid staff token in `auth.token`; without one the
 * connection is refused. Operators join the rooms of their stations, admins and roaming operators
 * the all-stations room, planners theirs (export progress). A socket lives no longer than its
 * token, and no longer than its account as it was: every SESSION_RECHECK_MS the accounts behind
 * this instance's sockets are read in one query, and a socket whose account was deactivated or had
 * its password, role or stations changed (the token version moved on) is disconnected.
 */
@WebSocketGateway({ namespace: OPERATIONS_NAMESPACE })
export class OperationsGateway implements OnGatewayInit, OnGatewayConnection, OnModuleDestroy {
  private readonly logger = new Logger(OperationsGateway.name);
  private namespace?: Namespace;
  private recheck?: NodeJS.Timeout;
  private checking = false;

  constructor(
    private readonly tokens: TokenService,
    private readonly staff: StaffService,
    private readonly sessions: StaffSessionService,
    private readonly limits: RateLimits,
    private readonly addresses: ClientAddress,
  ) {}

  afterInit(namespace: Namespace): void {
    this.namespace = namespace;
    namespace.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      void this.limits.socketConnections
        .hit(this.addresses.of(socket.request))
        .then(async (limit) => {
          if (!limit.allowed) {
            next(
              Object.assign(new Error('RATE_LIMITED'), {
                data: { code: 'RATE_LIMITED', retryAfter: limit.retryAfterSeconds },
              }),
            );
            return;
          }
          const session = await this.tokens.sessionFromToken(typeof token === 'string' ? token : undefined);
          // Agency accounts read the MDS API only; staff alerts are not theirs.
          if (session.actor.role === 'agency') {
            next(Object.assign(new Error('FORBIDDEN'), { data: { code: 'FORBIDDEN' } }));
            return;
          }
          Object.assign(socket.data as StaffSocketData, session);
          next();
        })
        .catch(() => next(Object.assign(new Error('UNAUTHENTICATED'), { data: { code: 'UNAUTHENTICATED' } })));
    });
    this.recheck = setInterval(() => void this.recheckSessions(), SESSION_RECHECK_MS);
    this.recheck.unref();
  }

  async handleConnection(client: Socket): Promise<void> {
    const data = client.data as StaffSocketData;
    const actor = data.actor;
    if (!actor || !data.claims) {
      client.disconnect(true);
      return;
    }
    // The token's own end: the socket closes with it (the client signs in again and reconnects).
    const msLeft = data.claims.exp * 1000 - Date.now();
    data.expiryTimer = setTimeout(() => client.disconnect(true), Math.max(0, Math.min(msLeft, 2 ** 31 - 1)));
    data.expiryTimer.unref();
    client.once('disconnect', () => clearTimeout(data.expiryTimer));
    if (actor.role === 'planner') await client.join(ROOM_PLANNERS);
    else if (actor.role === 'admin') await client.join([ROOM_ALL_STATIONS, ROOM_ADMINS]);
    else if (actor.stationIds === null) await client.join(ROOM_ALL_STATIONS);
    else await client.join(actor.stationIds.map(stationRoom));
    this.logger.debug(`staff ${actor.email} connected to alerts`);
  }

  onModuleDestroy(): void {
    if (this.recheck) clearInterval(this.recheck);
  }

  /** Disconnects the sockets whose session ended; one query however many sockets are open. */
  async recheckSessions(): Promise<void> {
    if (this.checking || !this.namespace) return;
    this.checking = true;
    try {
      const sockets = [...this.namespace.sockets.values()];
      const sessions = sockets
        .map((s) => (s.data as StaffSocketData).claims)
        .filter((c): c is TokenClaims => c !== undefined)
        .map((c) => ({ id: c.sub, tokenVersion: c.ver }));
      if (sessions.length === 0) return;
      const good = await this.staff.validSessions(sessions);
      // Sessions revoked by an admin, ended at logout or expired close their sockets too.
      const open = await this.sessions.openSessions(
        sockets.map((s) => (s.data as StaffSocketData).claims?.sid).filter((id): id is string => id !== undefined),
      );
      for (const socket of sockets) {
        const claims = (socket.data as StaffSocketData).claims;
        if (!claims || !good.has(`${claims.sub}:${claims.ver}`) || (claims.sid && !open.has(claims.sid))) {
          socket.disconnect(true);
        }
      }
    } catch (error) {
      // The database may be briefly away; the next round tries again.
      this.logger.warn(`staff session re-check failed: ${(error as Error).message}`);
    } finally {
      this.checking = false;
    }
  }
}
