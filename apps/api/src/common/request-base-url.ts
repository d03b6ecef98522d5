import type { Request } from 'express';

/**
 * Base of the links when PUBLIC_BASE_URL is unset (development and tests: production requires
 * it): the address this server was reached on at the socket level, never the Host header, which
 * any client can set and a shared cache would then serve to everyone (so `public` caching stays).
 */
export function requestBaseUrl(req: Request): string {
  const address = (req.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${req.socket.localPort ?? 80}`;
}
