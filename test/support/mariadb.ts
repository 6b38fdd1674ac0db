import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort, waitFor } from './real-binaries.js';

/**
 * A real MariaDB server for tests (issue 16): Debian's `mariadb-server` binaries, a data
 * directory made by `mariadb-install-db` in a temp directory, listening on a free loopback
 * port (its socket in the temp directory), grants on: root has an empty password over
 * 127.0.0.1 only, and `createReader()` makes an account that may only SELECT. As root the
 * server runs with --user=root (it refuses root otherwise). `stop()` shuts it down and removes
 * the directory; every server started here is also killed when the test process exits.
 */

export const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * For `describe(name, { skip: requireMariadb() }, ...)`: false when MariaDB's binaries are
 * installed; otherwise a skip message, except under CI=true, where a missing server throws.
 */
export function requireMariadb(): false | string {
  if (fs.existsSync(MARIADBD) && fs.existsSync(INSTALL_DB)) return false;
  const message = 'MariaDB is not installed (no /usr/sbin/mariadbd; Debian: apt-get install mariadb-server)';
  if (process.env['CI'] === 'true') throw new Error(`${message}; CI=true requires it`);
  return `skipped: ${message}`;
}

export interface MariadbServer {
  host: '127.0.0.1';
  port: number;
  /** A root connection (for setting up tables and accounts); closed by stop(). */
  admin: mysql.Connection;
  /** Creates database `db` if needed and an account that may only SELECT in it; returns its URL (password included) and the password. */
  createReader(db: string): Promise<{ url: string; user: string; password: string }>;
  stop(): Promise<void>;
  output(): string;
}

export async function startMariadb(opts: { readyTimeoutMs?: number } = {}): Promise<MariadbServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-mariadb-'));
  const data = path.join(dir, 'data');
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const user = asRoot ? 'root' : os.userInfo().username;
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    await promisify(execFile)(
      INSTALL_DB,
      ['--no-defaults', `--datadir=${data}`, `--user=${user}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'],
      { cwd: dir, env: { ...process.env, LC_ALL: 'C' } },
    );
  } catch (err) {
    remove();
    const e = err as { stderr?: string; message: string };
    throw new Error(`mariadb-install-db failed: ${e.stderr?.trim() || e.message}`);
  }
  const port = await freePort();
  const child = spawn(
    MARIADBD,
    [
      '--no-defaults', `--datadir=${data}`, `--socket=${path.join(dir, 'sock')}`, `--port=${port}`, '--bind-address=127.0.0.1',
      `--user=${user}`, '--skip-log-bin', '--skip-name-resolve', '--innodb-buffer-pool-size=16M', '--innodb-log-file-size=8M',
      `--pid-file=${path.join(dir, 'pid')}`, '--max-connections=100',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => running.delete(child));
  const shutdown = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  let admin: mysql.Connection;
  try {
    admin = await waitFor(
      'MariaDB to accept connections',
      async () => {
        if (child.exitCode !== null) throw new Error(`mariadbd exited with code ${child.exitCode}: ${out}`);
        try {
          return await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: '', connectTimeout: 1000, multipleStatements: true });
        } catch (err) {
          if (child.exitCode !== null) throw err;
          return undefined;
        }
      },
      opts.readyTimeoutMs ?? 30_000,
      100,
    );
  } catch (err) {
    await shutdown();
    remove();
    throw err;
  }
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    admin,
    output: () => out,
    async createReader(db: string) {
      if (!/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error(`database name ${JSON.stringify(db)} must match [a-z_][a-z0-9_]*`);
      const password = randomBytes(9).toString('hex');
      const name = `reader_${randomBytes(3).toString('hex')}`;
      await admin.query(`CREATE DATABASE IF NOT EXISTS ${db}`);
      await admin.query(`CREATE USER '${name}'@'127.0.0.1' IDENTIFIED BY '${password}'`);
      await admin.query(`GRANT SELECT, EXECUTE ON ${db}.* TO '${name}'@'127.0.0.1'`);
      return { url: `mysql://${name}:${password}@127.0.0.1:${port}/${db}`, user: name, password };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await admin.end().catch(() => undefined);
      await shutdown();
      remove();
    },
  };
}
