/**
 * Undo steps registered as resources are created, run newest first exactly once: at the end of a
 * run, on an error, or on Ctrl-C / SIGTERM. A bench that dies half-way must not leave databases,
 * Redis keys or an API process behind.
 */
export class Cleanup {
  private readonly steps: Array<{ name: string; run: () => Promise<void> | void }> = [];
  private running: Promise<void> | undefined;
  /** Synchronous last resorts (e.g. SIGKILL a child) for when the process exits without `run()`. */
  private readonly onExit: Array<() => void> = [];

  constructor() {
    process.once('exit', () => {
      for (const fn of this.onExit) {
        try {
          fn();
        } catch {
          // exiting anyway
        }
      }
    });
  }

  add(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  addOnExit(fn: () => void): void {
    this.onExit.push(fn);
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await step.run();
        } catch (e) {
          // Keep going: one failed step must not leave the others undone.
          console.error(`cleanup: ${step.name} failed: ${(e as Error).message}`);
        }
      }
    })();
    return this.running;
  }

  /** Ctrl-C or SIGTERM: clean up, then exit 130/143. A second signal exits at once. */
  handleSignals(onSignal?: () => void): void {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      process.once(signal, () => {
        console.error(`\n${signal}: cleaning up (send again to exit at once)`);
        onSignal?.();
        process.once(signal, () => process.exit(code));
        void this.run().finally(() => process.exit(code));
      });
    }
  }
}
