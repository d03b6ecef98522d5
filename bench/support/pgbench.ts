import { spawn } from 'node:child_process';

export interface PgbenchResult {
  command: string;
  scale: number;
  clients: number;
  threads: number;
  seconds: number;
  tps: number;
  latencyAvgMs: number | null;
  transactions: number | null;
  failedTransactions: number | null;
  version: string;
}

/** libpq connection arguments for pgbench from a postgres:// URL (password through PGPASSWORD). */
function connection(url: string): { args: string[]; env: NodeJS.ProcessEnv; database: string } {
  const u = new URL(url);
  const args = ['-h', u.hostname, '-p', u.port || '5432'];
  if (u.username) args.push('-U', decodeURIComponent(u.username));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  return { args, env, database: decodeURIComponent(u.pathname.slice(1)) };
}

function capture(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

export async function pgbenchVersion(): Promise<string> {
  const { code, out } = await capture('pgbench', ['--version'], process.env);
  if (code !== 0) throw new Error(`pgbench --version failed: ${out}`);
  return out.trim();
}

/**
 * `pgbench -i -s <scale>` then `pgbench -N -c <clients> -j <threads> -T <seconds>` against the
 * (already created, empty) database in `url`. -N is the "simple update" script: per transaction one
 * UPDATE of pgbench_accounts, one SELECT and one INSERT into pgbench_history — a floor for what one
 * small write transaction costs on this machine, with no HTTP, ORM or application work.
 */
export async function runPgbench(
  url: string,
  options: { scale: number; clients: number; threads: number; seconds: number; beforeRun?: () => Promise<void> },
): Promise<PgbenchResult> {
  const version = await pgbenchVersion();
  const { args, env, database } = connection(url);
  const init = await capture('pgbench', [...args, '-i', '-q', '-s', String(options.scale), database], env);
  if (init.code !== 0) throw new Error(`pgbench -i failed:\n${init.out}`);
  await options.beforeRun?.();
  const threads = Math.max(1, Math.min(options.threads, options.clients));
  const runArgs = ['-N', '-c', String(options.clients), '-j', String(threads), '-T', String(options.seconds)];
  const run = await capture('pgbench', [...args, ...runArgs, database], env);
  if (run.code !== 0) throw new Error(`pgbench ${runArgs.join(' ')} failed:\n${run.out}`);
  const num = (re: RegExp): number | null => {
    const m = re.exec(run.out);
    return m ? Number(m[1]) : null;
  };
  const tps = num(/tps = ([\d.]+) \(without initial connection time\)/) ?? num(/tps = ([\d.]+)/);
  if (tps === null) throw new Error(`could not read tps from pgbench output:\n${run.out}`);
  return {
    command: `pgbench ${runArgs.join(' ')}`,
    scale: options.scale,
    clients: options.clients,
    threads,
    seconds: options.seconds,
    tps,
    latencyAvgMs: num(/latency average = ([\d.]+) ms/),
    transactions: num(/number of transactions actually processed: (\d+)/),
    failedTransactions: num(/number of failed transactions: (\d+)/),
    version,
  };
}
