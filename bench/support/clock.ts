import { performance } from 'node:perf_hooks';

/**
 * A clock every process of the bench reads alike: `process.hrtime` is libuv's uv_hrtime, i.e.
 * CLOCK_MONOTONIC on Linux, one system-wide clock (time since boot), so a receipt stamped in a
 * client process and an answer stamped in the bench's own compare directly. (performance.now()
 * counts from each process's own start, and Date.now() is neither monotonic nor sub-millisecond.)
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

let perfOffset: number | undefined;

/**
 * A performance.now() reading of this process (e.g. BenchClient's `endedAt`) on the monotonic
 * clock. performance.now() is the same clock counted from the process's start, so the offset is a
 * constant; it is taken from the closest of a few paired readings.
 */
export function perfToMonotonic(perfNowMs: number): number {
  if (perfOffset === undefined) {
    let best = Infinity;
    for (let i = 0; i < 20; i++) {
      const before = performance.now();
      const mono = monotonicMs();
      const after = performance.now();
      if (after - before < best) {
        best = after - before;
        perfOffset = mono - (before + after) / 2;
      }
    }
  }
  return perfNowMs + perfOffset!;
}
