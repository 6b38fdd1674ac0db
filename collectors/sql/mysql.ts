import mysql from 'mysql2';
import type { TlsConfig } from '../config-schemas.js';
import type { QueryRows } from './rows.js';
import {
  abortable, BACKSTOP_GRACE_MS, bounded, CLOSE_BOUND_MS, ConnectError, describeNetworkError, dsnParts, IDLE_MS, QueryError, redact, timedOut, tooManyRows,
  type QueryOptions, type SqlSource,
} from './source.js';

/**
 * MySQL and MariaDB through `mysql2`'s pool. Read-only without trusting the SQL text:
 * - every new connection is set `SET SESSION TRANSACTION READ ONLY`, so even a statement
 *   that commits implicitly (DDL) runs in a read-only transaction afterwards;
 * - each query runs inside `START TRANSACTION READ ONLY … ROLLBACK`;
 * - multiple statements are off, so a query is one statement.
 * The statement timeout differs between the two servers, so the server is asked once per
 * connection (VERSION()): MariaDB cuts a statement at `max_statement_time` (seconds), MySQL
 * a SELECT at `max_execution_time` (ms). Rows are streamed; at max_rows + 1 the connection is
 * dropped, so the rest is never transferred.
 */

type Flavor = 'mariadb' | 'mysql';

export interface MysqlSourceOptions {
  dsn: string;
  password?: string;
  /** A file holding the password, read when the pool is made; wins over `password`. */
  passwordFile?: string;
  tls?: TlsConfig;
  maxConnections: number;
  connectTimeoutMs: number;
  timeoutMs: number;
}

export function mysqlSource(opts: MysqlSourceOptions): SqlSource {
  const dsn = dsnParts(opts, 3306);
  const { where, shown, secrets } = dsn;
  /** Connections already made read-only and given their timeout, with the server's flavour. */
  const prepared = new WeakMap<object, Flavor>();
  let pool: Promise<mysql.Pool> | undefined;

  const makePool = async (): Promise<mysql.Pool> => {
    const { password, tls } = await dsn.connectSecrets();
    const p = mysql.createPool({
      host: dsn.host,
      port: dsn.port,
      user: dsn.user,
      password,
      database: dsn.database,
      ssl: tls ? { ca: tls.ca, rejectUnauthorized: !tls.insecureSkipVerify } : undefined,
      connectionLimit: opts.maxConnections,
      maxIdle: opts.maxConnections,
      idleTimeout: IDLE_MS,
      connectTimeout: opts.connectTimeoutMs,
      multipleStatements: false,
      timezone: 'Z',
      supportBigNumbers: true,
      enableKeepAlive: true,
    });
    p.on('error' as 'connection', () => undefined);
    return p;
  };

  const run = (conn: mysql.PoolConnection, sql: string, values?: unknown[]) =>
    new Promise<{ rows: unknown[]; fields: mysql.FieldPacket[] }>((resolve, reject) => {
      conn.query({ sql, values }, (err, rows, fields) => (err ? reject(err) : resolve({ rows: rows as unknown[], fields: fields ?? [] })));
    });

  const prepare = async (conn: mysql.PoolConnection): Promise<void> => {
    if (prepared.has(conn)) return;
    const { rows } = await run(conn, 'SELECT VERSION() AS v');
    const flavor: Flavor = /mariadb/i.test(String((rows[0] as { v?: unknown })?.v)) ? 'mariadb' : 'mysql';
    await run(conn, 'SET SESSION TRANSACTION READ ONLY');
    await run(
      conn,
      flavor === 'mariadb'
        ? `SET SESSION max_statement_time = ${(opts.timeoutMs / 1000).toFixed(3)}`
        : `SET SESSION max_execution_time = ${Math.round(opts.timeoutMs)}`,
    );
    prepared.set(conn, flavor);
  };

  const connectError = (err: unknown): ConnectError => {
    const e = err as Error & { code?: string };
    const why =
      describeNetworkError(err, where) ??
      (e.code === 'ETIMEDOUT' || /connect ETIMEDOUT/.test(e.message) ? `no connection within connect_timeout (${opts.connectTimeoutMs} ms)` : e.message);
    return new ConnectError(redact(`cannot connect to ${shown}: ${why}`, secrets));
  };

  return {
    async query(sql: string, params: unknown[], q: QueryOptions): Promise<QueryRows> {
      pool ??= makePool();
      const p = await pool.catch((err: unknown) => {
        pool = undefined; // try again next run (a secret mounted late, a CA file fixed)
        throw err instanceof ConnectError ? err : new ConnectError(`cannot connect to ${shown}: ${(err as Error).message}`);
      });
      const pending = new Promise<mysql.PoolConnection>((resolve, reject) => p.getConnection((err, c) => (err ? reject(err) : resolve(c))));
      const conn = await abortable(pending, q.signal).catch((err: unknown) => {
        pending.then((late) => late.release(), () => undefined);
        if (q.signal.aborted) throw err;
        throw connectError(err);
      });
      let dropped = false;
      const drop = () => {
        if (dropped) return;
        dropped = true;
        conn.destroy();
      };
      const backstop = AbortSignal.timeout(q.timeoutMs + BACKSTOP_GRACE_MS);
      const signal = AbortSignal.any([q.signal, backstop]);
      let ended = false;
      try {
        const work = async () => {
          try {
            await prepare(conn);
          } catch (err) {
            throw describeNetworkError(err, where) ? connectError(err) : err;
          }
          await run(conn, 'START TRANSACTION READ ONLY');
          const result = await stream(conn, sql, params, q.maxRows, drop);
          await run(conn, 'ROLLBACK');
          ended = true;
          return result;
        };
        return await abortable(work(), signal, drop);
      } catch (err) {
        if (backstop.aborted && !q.signal.aborted) throw timedOut(q.timeoutMs, 'client');
        if (q.signal.aborted || err instanceof QueryError || err instanceof ConnectError) throw err;
        throw describeQueryError(err, q.timeoutMs, secrets, where);
      } finally {
        if (ended && !dropped) conn.release();
        else if (!dropped) await run(conn, 'ROLLBACK').then(() => conn.release(), () => drop());
      }
    },
    async close() {
      if (!pool) return;
      const p = pool;
      pool = undefined;
      await bounded(p.then((x) => new Promise<void>((resolve) => x.end(() => resolve()))), CLOSE_BOUND_MS);
    },
  };
}

/** Streams the rows, dropping the connection at max_rows + 1. */
function stream(conn: mysql.PoolConnection, sql: string, values: unknown[], maxRows: number, drop: () => void): Promise<QueryRows> {
  return new Promise<QueryRows>((resolve, reject) => {
    let columns: string[] = [];
    const rows: unknown[][] = [];
    let done = false;
    const query = conn.query({ sql, values, rowsAsArray: true });
    query.on('fields', (fields: mysql.FieldPacket[]) => {
      columns = fields.map((f) => f.name);
    });
    query.on('result', (row: unknown) => {
      if (done) return;
      if (!Array.isArray(row)) {
        done = true;
        reject(new QueryError('returned no rows: it is not a query (only SELECT, VALUES or WITH … SELECT are run)'));
        return;
      }
      if (rows.length >= maxRows) {
        done = true;
        drop();
        reject(tooManyRows(maxRows));
        return;
      }
      rows.push(row);
    });
    query.on('error', (err: Error) => {
      if (done) return;
      done = true;
      reject(err);
    });
    query.on('end', () => {
      if (done) return;
      done = true;
      resolve({ columns, rows });
    });
  });
}

function describeQueryError(err: unknown, timeoutMs: number, secrets: (string | undefined)[], where: string): Error {
  const e = err as Error & { code?: string; errno?: number };
  // MariaDB ER_STATEMENT_TIMEOUT (1969), MySQL ER_QUERY_TIMEOUT (3024)
  if (e.errno === 1969 || e.errno === 3024) return timedOut(timeoutMs, 'server');
  // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
  if (e.errno === 1792) return new QueryError(`refused, it tries to write (the query runs in a read-only transaction): ${e.message}`);
  const net = describeNetworkError(err, where);
  if (net) return new ConnectError(`lost the connection to ${where}: ${net}`);
  return new QueryError(redact(`${e.code ? e.code + ': ' : ''}${e.message}`, secrets));
}
