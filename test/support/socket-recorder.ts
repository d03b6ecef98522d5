import type { Socket } from 'socket.io-client';

/** Collects events of one kind and lets a test wait for a matching one. */
export function recorder<T>(socket: Socket, event: string) {
  const seen: T[] = [];
  const waiters: Array<{ match: (e: T) => boolean; resolve: (e: T) => void }> = [];
  socket.on(event, (payload: T) => {
    seen.push(payload);
    for (const w of waiters.splice(0)) {
      if (w.match(payload)) w.resolve(payload);
      else waiters.push(w);
    }
  });
  return {
    seen,
    next(match: (e: T) => boolean, timeoutMs = 5000): Promise<T> {
      const already = seen.find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`no ${event} matching within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`)),
          timeoutMs,
        );
        waiters.push({ match, resolve: (e) => (clearTimeout(t), resolve(e)) });
      });
    },
  };
}
