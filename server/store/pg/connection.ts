import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { storeTypes } from './pool.js';

/**
 * The database setting (`--db`, PILLARBOARD_DB) when it names PostgreSQL:
 * `postgres://user[:password]@host[:port]/database[?sslmode=…&sslrootcert=FILE&connect_timeout=S&application_name=…]`
 * (also `postgresql://`). The password comes from the URL, else from the file named by
 * PILLARBOARD_DB_PASSWORD_FILE (a mounted secret; one trailing newline ignored), else from
 * PGPASSWORD. sslmode and sslrootcert fall back to PGSSLMODE and PGSSLROOTCERT, as libpq's do.
 * Everything else is the SQLite file path. Any message about a connection names the URL with
 * its password replaced by ***.
 */

/** A database setting that cannot be used, or a server that cannot be reached; one line, password redacted. */
export class DatabaseConnectError extends Error {
  constructor(
    message: string,
    /** The URL as given, password redacted. */
    readonly url: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'DatabaseConnectError';
  }
}

export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'require', 'verify-ca', 'verify-full'];

export interface PgConnection {
  /** The URL with its password replaced by *** (for logs, /readyz and errors). */
  redacted: string;
  host: string;
  port: number;
  database: string;
  user: string;
  /** Where the password came from (never the password). */
  passwordFrom: 'url' | 'file' | 'PGPASSWORD' | 'none';
  sslmode: SslMode;
  /** Options for pg.Pool: credentials, TLS, timeouts, and the store's type parsers. */
  pool: pg.PoolConfig;
}

export function isPostgresUrl(setting: string): boolean {
  return /^postgres(ql)?:\/\//i.test(setting.trim());
}

/** `url` with the password (if any) replaced by ***; a string that is not a URL comes back unchanged but for anything after a colon in its user part. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*):[^@]*@/, '$1:***@');
  }
}

/** Parses a postgres:// database setting; throws DatabaseConnectError naming the part that is wrong. */
export function parsePgUrl(setting: string, env: NodeJS.ProcessEnv = process.env): PgConnection {
  const raw = setting.trim();
  const redacted = redactUrl(raw);
  const fail = (what: string): never => {
    throw new DatabaseConnectError(`database ${redacted}: ${what}`, redacted);
  };
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    const port = /@[^/:?]*:([^/?]*)/.exec(raw)?.[1];
    if (port !== undefined && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) fail(`port must be 1–65535, got ${port}`);
    return fail('not a valid URL (expected postgres://user:password@host:5432/database)');
  }
  if (!/^postgres(ql)?:$/i.test(u.protocol)) fail(`scheme must be postgres:// or postgresql://, not ${u.protocol}//`);
  const host = decodeURIComponent(u.hostname.replace(/^\[|\]$/g, ''));
  if (!host) fail('host is missing (postgres://user@HOST:5432/database)');
  const port = u.port === '' ? 5432 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`port must be 1–65535, got ${u.port}`);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) fail('database name is missing (postgres://user@host:5432/DATABASE)');
  const user = decodeURIComponent(u.username);
  if (!user) fail('user is missing (postgres://USER@host:5432/database)');

  let password: string | undefined;
  let passwordFrom: PgConnection['passwordFrom'] = 'none';
  if (u.password) {
    password = decodeURIComponent(u.password);
    passwordFrom = 'url';
  } else if (env.PILLARBOARD_DB_PASSWORD_FILE) {
    const file = env.PILLARBOARD_DB_PASSWORD_FILE;
    try {
      password = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      fail(`cannot read the password file PILLARBOARD_DB_PASSWORD_FILE=${file}: ${(err as Error).message}`);
    }
    passwordFrom = 'file';
  } else if (env.PGPASSWORD !== undefined) {
    password = env.PGPASSWORD;
    passwordFrom = 'PGPASSWORD';
  }

  const params = u.searchParams;
  const known = new Set(['sslmode', 'sslrootcert', 'connect_timeout', 'application_name']);
  for (const key of params.keys()) if (!known.has(key)) fail(`unknown parameter ${key} (known: ${[...known].join(', ')})`);
  const mode = params.get('sslmode') ?? env.PGSSLMODE ?? 'disable';
  if (mode === 'prefer' || mode === 'allow') {
    fail(`sslmode=${mode} is not supported (it may silently connect without TLS): use sslmode=require, verify-ca or verify-full, or disable`);
  }
  if (!SSL_MODES.includes(mode as SslMode)) fail(`sslmode must be one of ${SSL_MODES.join(', ')}, got ${mode}`);
  const sslmode = mode as SslMode;
  const caFile = params.get('sslrootcert') ?? env.PGSSLROOTCERT;
  let ssl: pg.PoolConfig['ssl'] = false;
  if (sslmode !== 'disable') {
    const tls: ConnectionOptions = { rejectUnauthorized: sslmode !== 'require' };
    if (caFile) {
      try {
        tls.ca = fs.readFileSync(caFile, 'utf8');
      } catch (err) {
        fail(`cannot read the CA file sslrootcert=${caFile}: ${(err as Error).message}`);
      }
    } else if (sslmode === 'verify-ca') {
      fail('sslmode=verify-ca needs sslrootcert=FILE (the CA that signed the server certificate)');
    }
    // verify-ca checks the chain only; verify-full also the host name (Node's default check)
    if (sslmode === 'verify-ca') tls.checkServerIdentity = () => undefined;
    ssl = tls;
  }
  const timeout = params.get('connect_timeout');
  let connectionTimeoutMillis = 10_000;
  if (timeout !== null) {
    const s = Number(timeout);
    if (!Number.isFinite(s) || s <= 0) fail(`connect_timeout must be a positive number of seconds, got ${timeout}`);
    connectionTimeoutMillis = Math.round(s * 1000);
  }
  return {
    redacted,
    host,
    port,
    database,
    user,
    passwordFrom,
    sslmode,
    pool: {
      host,
      port,
      database,
      user,
      password,
      ssl,
      connectionTimeoutMillis,
      application_name: params.get('application_name') ?? 'pillarboard',
      types: storeTypes,
    },
  };
}

/**
 * The one line to show for a failed connection or first query: what went wrong in words, the
 * server's own message, and the URL with its password redacted. Never the password.
 */
export function explainConnectError(conn: Pick<PgConnection, 'redacted' | 'host' | 'port' | 'database' | 'user'>, err: unknown): DatabaseConnectError {
  const e = err as { code?: string; message?: string; errors?: Array<{ code?: string; message?: string }> };
  // Node's "connect to every address" failures wrap the real ones
  const inner = e.code === undefined && e.errors?.[0] ? e.errors[0] : e;
  const code = inner.code ?? '';
  const detail = (inner.message ?? String(err)).replace(/\s+/g, ' ').trim();
  const where = `${conn.host}:${conn.port}`;
  let what: string;
  switch (code) {
    case '28P01':
    case '28000':
      what = `authentication failed for user ${conn.user}; check the password (URL, PILLARBOARD_DB_PASSWORD_FILE or PGPASSWORD) and pg_hba.conf`;
      break;
    case '3D000':
      what = `database ${conn.database} does not exist on ${where}; create it (createdb ${conn.database}) or fix the URL`;
      break;
    case 'ECONNREFUSED':
      what = `connection refused by ${where}; is PostgreSQL running and listening there?`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      what = `host ${conn.host} not found`;
      break;
    case 'ETIMEDOUT':
      what = `no answer from ${where} in time`;
      break;
    case '57P03':
      what = `the server at ${where} is starting up or shutting down; try again`;
      break;
    default:
      if (/does not support SSL/i.test(detail)) what = `the server at ${where} does not offer TLS; use sslmode=disable or enable ssl on the server`;
      else if (/timeout/i.test(detail)) what = `no answer from ${where} in time`;
      else if (/certificate|self[- ]signed|altnames|unable to verify/i.test(detail)) what = `the server's TLS certificate was refused; check sslrootcert and the host name`;
      else what = `cannot use the database at ${where}`;
  }
  return new DatabaseConnectError(`database ${conn.redacted}: ${what} (${detail}${code ? `, ${code}` : ''})`, conn.redacted, code || undefined);
}

/** Connects once and runs SELECT 1: resolves when the database can be used, else rejects with the one-line DatabaseConnectError. */
export async function checkConnection(conn: PgConnection): Promise<void> {
  const client = new pg.Client(conn.pool);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw explainConnectError(conn, err);
  } finally {
    await client.end().catch(() => undefined);
  }
}
