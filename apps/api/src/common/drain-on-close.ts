import type { Server } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';

const SWEEP_MS = 100;

/**
 * Lets a graceful stop finish under steady keep-alive traffic. `server.close()` only drops the
 * connections idle at that instant: a busy keep-alive connection takes its next request after the
 * current one, so under load the server never empties and the process is killed after its grace
 * period, requests and all. Once closing, every answer says `Connection: close` and connections
 * are dropped as soon as they fall idle; requests in flight still finish.
 */
export function drainConnectionsOnClose(app: NestExpressApplication): void {
  const server: Server = app.getHttpServer();
  let closing = false;
  app.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
    if (closing) res.setHeader('Connection', 'close');
    next();
  });
  const close = server.close.bind(server);
  server.close = (callback?: (err?: Error) => void) => {
    closing = true;
    const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
    sweep.unref();
    server.once('close', () => clearInterval(sweep));
    return close(callback);
  };
}
