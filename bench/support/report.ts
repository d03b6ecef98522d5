/**
 * What every bench prints besides its figures: the command line that produced them (so a figure in
 * the README can be reproduced) and one "target: … → PASS/FAIL" line per ratio of issue 14.
 * A target that cannot be judged from this run (another configuration, a skipped baseline) says so
 * instead of passing or failing.
 */

export interface TargetResult {
  target: string;
  /** null: not judged in this run (see `detail`). */
  pass: boolean | null;
  detail: string;
}

/** Quotes an argument for a POSIX shell only when it needs it. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that started this process, as the user would type it again: `npm run bench:<name> --
 * <args>` when npm started it (npm sets npm_lifecycle_event), else the `node scripts/run-ts.js` form.
 * `process.argv` is [node, entry, ...args] (scripts/run-ts.js rewrites it so).
 */
export function commandLine(bench: string): string {
  const args = process.argv.slice(2).map(shellQuote).join(' ');
  const viaNpm = process.env.npm_lifecycle_event === `bench:${bench}`;
  const base = viaNpm ? `npm run bench:${bench}` : `node scripts/run-ts.js bench/${bench}/run.ts`;
  if (!args) return base;
  return viaNpm ? `${base} -- ${args}` : `${base} ${args}`;
}

export function printCommandLine(bench: string): string {
  const line = commandLine(bench);
  console.log(`command: ${line}`);
  return line;
}

export function target(target: string, pass: boolean | null, detail: string): TargetResult {
  return { target, pass, detail };
}

/** One line per target: `target: <text> → PASS (<detail>)`. */
export function printTargets(targets: TargetResult[]): void {
  for (const t of targets) {
    const verdict = t.pass === null ? 'NOT JUDGED' : t.pass ? 'PASS' : 'FAIL';
    console.log(`target: ${t.target} → ${verdict} (${t.detail})`);
  }
}

/** `a ÷ b` to two decimals, or null when the baseline is 0 or missing. */
export function ratio(a: number, b: number | null | undefined): number | null {
  if (b === null || b === undefined || !Number.isFinite(b) || b <= 0) return null;
  return Math.round((a / b) * 100) / 100;
}

/** A ratio for a table cell: `0.47×`, or `n/a`. */
export function times(r: number | null): string {
  return r === null ? 'n/a' : `${r}×`;
}
