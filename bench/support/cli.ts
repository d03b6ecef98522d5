/** A bad command line: the bench prints the message (and its usage) and exits with status 2. */
export class UsageError extends Error {}

/** The integer value of option `--name`, or a `UsageError` when it is not one from `min` to `max`. */
export function intOption(name: string, raw: string, min: number, max: number): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got ${raw})`);
  return v;
}
