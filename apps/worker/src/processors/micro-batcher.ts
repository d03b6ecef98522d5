/**
 * Gathers calls made within a few milliseconds of each other (the jobs a BullMQ worker runs
 * concurrently) into one call of `run`, so many trips cost one statement and one commit. Each
 * caller gets its own result. If the batch fails, every key is retried alone, so one poisoned
 * key fails its own job only.
 */
export class MicroBatcher<K, R> {
  private pending: Array<{ key: K; resolve: (r: R | undefined) => void; reject: (e: unknown) => void }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly run: (keys: K[]) => Promise<Map<K, R>>,
    private readonly options: { maxSize: number; maxWaitMs: number },
  ) {}

  /** Resolves with the key's result, `undefined` when `run` returned none for it. */
  submit(key: K): Promise<R | undefined> {
    return new Promise((resolve, reject) => {
      this.pending.push({ key, resolve, reject });
      if (this.pending.length >= this.options.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    void this.run(batch.map((b) => b.key)).then(
      (results) => {
        for (const b of batch) b.resolve(results.get(b.key));
      },
      async (error: unknown) => {
        if (batch.length === 1) return batch[0].reject(error);
        for (const b of batch) {
          try {
            b.resolve((await this.run([b.key])).get(b.key));
          } catch (e) {
            b.reject(e);
          }
        }
      },
    );
  }
}
