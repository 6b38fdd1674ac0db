import { readFile } from 'node:fs/promises';
import { resolveTls, type TlsConfig } from '../config-schemas.js';
import type { QueryRows } from './rows.js';

/**
 * One database a `sql` collector reads, with its pooled connections. Every query runs
 * read-only (a read-only transaction, rolled back, or a read-only connection), bounded by
 * `timeoutMs` on the server and by a client-side backstop that drops the connection, and
 * reads at most `maxRows` rows.
 */
export interface SqlSource {
  query(sql: string, params: unknown[], opts: QueryOptions): Promise<QueryRows>;
  /** Closes every connection; bounded, never rejects. */
  close(): Promise<void>;
}

export interface QueryOptions {
  maxRows: number;
  timeoutMs: number;
  signal: AbortSignal;
}

/** How long after the statement timeout the client gives up on a server that did not cut the query. */
export const BACKSTOP_GRACE_MS = 1000;
/** Bound on closing a pool (a server that never answers must not hold a reload or the shutdown). */
export const CLOSE_BOUND_MS = 2000;
/** Idle pooled connections are closed after this long, so a collector that runs every hour does not hold one. */
export const IDLE_MS = 5 * 60_000;

/** The database cannot be used at all (down, refused, bad credentials): the whole run fails with this. */
export class ConnectError extends Error {
  override readonly name = 'ConnectError';
}

/** One query failed (SQL error, timeout, too many rows, refused as a write); the other queries go on. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

export function tooManyRows(maxRows: number): QueryError {
  return new QueryError(`returned more than max_rows (${maxRows}) rows; reading stopped there. Aggregate in the SQL or raise max_rows`);
}

export function timedOut(timeoutMs: number, by: 'server' | 'client'): QueryError {
  return by === 'server'
    ? new QueryError(`ran longer than statement_timeout (${timeoutMs} ms) and was cancelled by the server`)
    : new QueryError(`did not finish within statement_timeout (${timeoutMs} ms) + ${BACKSTOP_GRACE_MS} ms; the connection was dropped`);
}

/** A socket-level error in words: "connection refused (is anything listening on host:port?)". */
export function describeNetworkError(err: unknown, where: string): string | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused (is anything listening on ${where}?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${where})`;
    case 'ETIMEDOUT':
      return `no answer from ${where} (connection timed out)`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `connection reset by ${where}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} is unreachable`;
    default:
      return undefined;
  }
}

/** `text` with every occurrence of the secrets replaced by ***. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('***');
  return out;
}

/** A promise that rejects when `signal` aborts, for racing a call that cannot be cancelled. */
export function abortable<T>(work: Promise<T>, signal: AbortSignal, onAbort?: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort?.();
    return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort?.();
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', abort);
        reject(e);
      },
    );
  });
}

/** Resolves when `work` settles or after `ms` (never keeps the process alive), for bounding a close. */
export function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  const timeout = AbortSignal.timeout(ms);
  return new Promise<void>((resolve) => {
    timeout.addEventListener('abort', () => resolve(), { once: true });
    work.then(
      () => resolve(),
      () => resolve(),
    );
  });
}

/**
 * The password in `file` (a mounted secret), one trailing newline ignored; read each time a
 * pool is made, so a rotated secret is picked up when the collector's pool is next opened.
 */
export async function readPasswordFile(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConnectError(`cannot read password_file ${file}: ${(err as Error).message}`);
  }
}

/**
 * A server DSN (`postgres://…`, `mysql://…`) taken apart for a driver, with what errors show:
 * `shown` with the password as *** (whenever one is given, in the URL, the config or a file),
 * `where` as host:port, and `secrets`, the passwords known so far, for redact().
 */
export interface DsnParts {
  host: string;
  port: number;
  where: string;
  user: string | undefined;
  database: string | undefined;
  shown: string;
  secrets: Array<string | undefined>;
  /** The password and TLS settings for a new pool: a password file is read now (it may have been mounted late). */
  connectSecrets(): Promise<{ password: string | undefined; tls: Awaited<ReturnType<typeof resolveTls>> }>;
}

export function dsnParts(opts: { dsn: string; password?: string; passwordFile?: string; tls?: TlsConfig }, defaultPort: number): DsnParts {
  const url = new URL(opts.dsn);
  const host = decodeURIComponent(url.hostname.replace(/^\[|\]$/g, '')) || 'localhost';
  const port = url.port === '' ? defaultPort : Number(url.port);
  let password = opts.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  const shown = new URL(opts.dsn);
  if (shown.password || opts.password || opts.passwordFile) shown.password = '***';
  const secrets = [password];
  return {
    host,
    port,
    where: `${host}:${port}`,
    user: decodeURIComponent(url.username) || undefined,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined,
    shown: shown.toString(),
    secrets,
    async connectSecrets() {
      const tls = await resolveTls(opts.tls);
      if (opts.passwordFile) {
        password = await readPasswordFile(opts.passwordFile);
        secrets.push(password);
      }
      return { password, tls };
    },
  };
}
