import { chownSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { killPidFile, onExit, run } from './cleanup';

/** A free loopback port at or above `from` (private servers keep clear of 5432 and 6379). */
export async function freePortFrom(from: number, taken: Set<number> = new Set()): Promise<number> {
  for (let port = from; port < from + 200; port++) {
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${from}..${from + 199}`);
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin');
  return join(root, versions[0], 'bin');
}

/** initdb refuses root: as root, the cluster belongs to the `postgres` OS user. */
function asOwner(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['runuser', ['-u', 'postgres', '--', command, ...args]];
}

/**
 * A throw-away PostgreSQL cluster of the machine's own binaries: its own directory, a loopback
 * port of its own, trust authentication, no fsync. Never touches the machine's server on 5432.
 */
export class PrivatePostgres {
  private readonly bin = postgresBin();
  private readonly dataDir: string;
  private readonly removeHook: () => void;

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    this.dataDir = join(dir, 'pg');
    this.removeHook = onExit(() => {
      killPidFile(join(this.dataDir, 'postmaster.pid'));
      rmSync(this.dataDir, { recursive: true, force: true });
    });
  }

  static async create(runDir: string, ports: Set<number>): Promise<PrivatePostgres> {
    const port = await freePortFrom(55432, ports);
    const pg = new PrivatePostgres(runDir, port);
    mkdirSync(pg.dataDir, { mode: 0o700 });
    if (process.getuid?.() === 0) {
      const uid = Number(run('id', ['-u', 'postgres']).trim());
      const gid = Number(run('id', ['-g', 'postgres']).trim());
      chownSync(runDir, uid, gid);
      chownSync(pg.dataDir, uid, gid);
    }
    run(
      ...asOwner(join(pg.bin, 'initdb'), [
        '-D',
        pg.dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '--no-sync',
        '-E',
        'UTF8',
        '--locale=C',
      ]),
    );
    pg.start();
    return pg;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  start(): void {
    const options = [
      `-c port=${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dir}`,
      // Safe for a process crash (the OS keeps what was written); synchronous_commit stays on, or
      // a commit acknowledged just before an immediate stop would be lost and look like our bug.
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    run(
      ...asOwner(join(this.bin, 'pg_ctl'), [
        '-D',
        this.dataDir,
        '-l',
        join(this.dir, 'postgres.log'),
        '-o',
        options,
        '-w',
        '-t',
        '60',
        'start',
      ]),
    );
  }

  /** A crash: every backend killed at once, no checkpoint; the next start runs crash recovery. */
  crash(): void {
    run(...asOwner(join(this.bin, 'pg_ctl'), ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']));
  }

  destroy(): void {
    try {
      run(...asOwner(join(this.bin, 'pg_ctl'), ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']), {
        timeoutMs: 20_000,
      });
    } catch {
      killPidFile(join(this.dataDir, 'postmaster.pid'));
    }
    rmSync(this.dataDir, { recursive: true, force: true });
    this.removeHook();
  }
}
