import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { freePort, waitFor } from './real-binaries.js';

/**
 * A real PostgreSQL server for tests and benchmarks (issue 14): Debian's `postgresql`
 * binaries, a cluster made by `initdb` in a temp directory, listening on a free loopback
 * port (TCP on 127.0.0.1 only, password auth with scram-sha-256; its unix socket in the temp
 * directory, never /var/run). As root, initdb and the server run as the `postgres` user
 * (initdb refuses root). `stop()` shuts it down fast and removes the directory; every server
 * started here is also killed when the test process exits.
 */

const ROLE = 'pillarboard_test';
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The newest /usr/lib/postgresql/N/bin holding initdb and postgres, or undefined. */
export function findPostgresBin(root = '/usr/lib/postgresql'): string | undefined {
  let versions: string[];
  try {
    versions = fs.readdirSync(root);
  } catch {
    return undefined;
  }
  const usable = versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(root, v, 'bin'))
    .filter((bin) => fs.existsSync(path.join(bin, 'initdb')) && fs.existsSync(path.join(bin, 'postgres')));
  return usable[0];
}

/**
 * For `describe(name, { skip: requirePostgres() }, ...)`: false when PostgreSQL's binaries are
 * installed; otherwise a skip message, except under CI=true, where a missing server is a
 * broken environment and throws (the run fails instead of silently skipping).
 */
export function requirePostgres(root?: string): false | string {
  if (findPostgresBin(root)) return false;
  const message = 'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; Debian: apt-get install postgresql)';
  if (process.env['CI'] === 'true') throw new Error(`${message}; CI=true requires it`);
  return `skipped: ${message}`;
}

export interface PostgresServer {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  /** URL of the maintenance database `postgres` (the test role is its owner and a superuser). */
  adminUrl: string;
  /** Creates a fresh database (a unique name unless given) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Fast shutdown and start again on the same port and data (connections are cut meanwhile). */
  restart(): Promise<void>;
  /** Fast shutdown, then removes the cluster directory. Idempotent. */
  stop(): Promise<void>;
  /** The server's last output lines (for a failing test's message). */
  output(): string;
}

export interface StartPostgresOptions {
  /**
   * fsync and synchronous commit on (a real server's durability), for benchmarks. Default
   * false: tests run with fsync off, since a test's data never needs to survive a power cut.
   */
  durable?: boolean;
  /**
   * With durable: whether a commit waits for its WAL flush (default true). Off is what the
   * SQLite store does (WAL with synchronous=NORMAL): a power cut may lose the last commits,
   * never corrupt the database. Benchmarks comparing the two use off.
   */
  synchronousCommit?: boolean;
  /** Milliseconds to wait for the server to accept connections (default 30 s). */
  readyTimeoutMs?: number;
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('running as root, but there is no postgres user to run PostgreSQL as');
  return { uid, gid };
}

/** Starts a private PostgreSQL cluster; call stop() in after(). Throws when no binary is installed. */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (Debian: apt-get install postgresql)');
  const ids = postgresIds();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-pg-'));
  const data = path.join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const pwfile = path.join(dir, 'pwfile');
  fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (ids) {
    fs.chownSync(dir, ids.uid, ids.gid);
    fs.chownSync(pwfile, ids.uid, ids.gid);
  }
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C', HOME: dir };
  const asPostgres = ids ? { uid: ids.uid, gid: ids.gid } : {};
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync(
      path.join(bin, 'initdb'),
      ['-D', data, '-U', ROLE, `--pwfile=${pwfile}`, '--auth-local=scram-sha-256', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], ...asPostgres },
    );
  } catch (err) {
    remove();
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`initdb failed: ${e.stderr?.toString('utf8').trim() || e.message}`);
  }
  fs.rmSync(pwfile);
  // TCP on loopback only; the socket lives in the temp dir.
  fs.writeFileSync(path.join(data, 'pg_hba.conf'), ['local all all scram-sha-256', 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n'));
  if (ids) fs.chownSync(path.join(data, 'pg_hba.conf'), ids.uid, ids.gid);

  const port = await freePort();
  const durable = opts.durable ?? false;
  const args = [
    '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
    '-c', `fsync=${durable ? 'on' : 'off'}`, '-c', `synchronous_commit=${durable && (opts.synchronousCommit ?? true) ? 'on' : 'off'}`,
    '-c', `full_page_writes=${durable ? 'on' : 'off'}`, '-c', 'max_connections=100', '-c', 'shared_buffers=128MB',
  ];
  let child: ChildProcess | undefined;
  let out = '';
  let exited: Promise<void> = Promise.resolve();
  const launch = async () => {
    const c = spawn(path.join(bin, 'postgres'), args, { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], ...asPostgres });
    child = c;
    running.add(c);
    const keep = (chunk: Buffer) => {
      out = (out + chunk.toString('utf8')).slice(-4000);
    };
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
    exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.once('exit', () => running.delete(c));
    await waitFor(
      'PostgreSQL to accept connections',
      async () => {
        if (c.exitCode !== null) throw new Error(`postgres exited with code ${c.exitCode}: ${out}`);
        const client = new pg.Client({ host: '127.0.0.1', port, user: ROLE, password, database: 'postgres', connectionTimeoutMillis: 1000 });
        try {
          await client.connect();
          await client.query('SELECT 1');
          return true;
        } catch (err) {
          // the server is starting (57P03) or not listening yet
          if (c.exitCode !== null) throw err;
          return undefined;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      opts.readyTimeoutMs ?? 30_000,
      100,
    );
  };
  const shutdown = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill('SIGINT'); // fast shutdown: active transactions roll back, clients are cut
    const killer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await launch();
  } catch (err) {
    await shutdown();
    remove();
    throw err;
  }
  const base = `postgres://${ROLE}:${password}@127.0.0.1:${port}`;
  let dbs = 0;
  return {
    host: '127.0.0.1',
    port,
    user: ROLE,
    password,
    adminUrl: `${base}/postgres`,
    output: () => out,
    async createDatabase(name?: string) {
      const db = name ?? `t${process.pid}_${++dbs}_${randomBytes(3).toString('hex')}`;
      if (!/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error(`database name ${JSON.stringify(db)} must match [a-z_][a-z0-9_]*`);
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${db} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
      } finally {
        await client.end();
      }
      return `${base}/${db}`;
    },
    async restart() {
      await shutdown();
      await launch();
    },
    async stop() {
      await shutdown();
      remove();
    },
  };
}
