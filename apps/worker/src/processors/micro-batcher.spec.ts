import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('runs the keys submitted together as one batch and answers each caller', async () => {
    const calls: number[][] = [];
    const batcher = new MicroBatcher<number, string>(
      (keys) => {
        calls.push(keys);
        return Promise.resolve(new Map(keys.filter((k) => k !== 3).map((k) => [k, `r${k}`])));
      },
      { maxSize: 10, maxWaitMs: 5 },
    );
    await expect(Promise.all([1, 2, 3].map((k) => batcher.submit(k)))).resolves.toEqual(['r1', 'r2', undefined]);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('flushes at maxSize without waiting', async () => {
    const calls: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      (keys) => (calls.push(keys), Promise.resolve(new Map(keys.map((k) => [k, k])))),
      { maxSize: 2, maxWaitMs: 10_000 },
    );
    await expect(Promise.all([1, 2].map((k) => batcher.submit(k)))).resolves.toEqual([1, 2]);
    expect(calls).toEqual([[1, 2]]);
  });

  it('retries each key alone when the batch fails, so only the poisoned key fails', async () => {
    const batcher = new MicroBatcher<number, number>(
      (keys) =>
        keys.includes(2)
          ? Promise.reject(new Error(`bad batch ${keys.join(',')}`))
          : Promise.resolve(new Map(keys.map((k) => [k, k * 10]))),
      { maxSize: 10, maxWaitMs: 1 },
    );
    const results = await Promise.allSettled([1, 2, 3].map((k) => batcher.submit(k)));
    expect(results).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: new Error('bad batch 2') },
      { status: 'fulfilled', value: 30 },
    ]);
  });
});
