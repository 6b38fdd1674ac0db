import pg from 'pg';
import type { TlsConfig } from '../config-schemas.js';
import type { QueryRows } from './rows.js';
import {
  abortable, BACKSTOP_GRACE_MS, bounded, CLOSE_BOUND_MS, ConnectError, describeNetworkError, dsnParts, IDLE_MS, QueryError, redact, timedOut, tooManyRows,
  type QueryOptions, type SqlSource,
} from './source.js';

/**
 * PostgreSQL through `pg`'s pool. Read-only without trusting the SQL text:
 * - each query runs as `BEGIN READ ONLY; SET LOCAL statement_timeout`, `DECLARE … CURSOR FOR <sql>`,
 *   `FETCH max_rows+1; ROLLBACK`. DECLARE takes a single SELECT/VALUES only and refuses
 *   data-modifying WITH clauses; the read-only transaction refuses writes done by functions
 *   (nextval(), a PL/pgSQL function that INSERTs…); whatever the statement changed in the
 *   session (SET, set_config) is rolled back with the transaction;
 * - the extended protocol is forced, so "…; COMMIT; DELETE …" is one invalid statement, never three.
 * Reading stops at max_rows + 1 rows (FETCH), so a huge result is never transferred.
 * No statement ever runs outside that transaction, so no session setting is needed (a startup
 * `options` parameter would be refused by PgBouncer); unnamed statements and a cursor inside
 * the transaction also work behind PgBouncer in transaction pooling mode.
 */

const CURSOR = 'pillarboard_rows';

export interface PostgresSourceOptions {
  dsn: string;
  password?: string;
  /** A file holding the password, read when the pool is made; wins over `password`. */
  passwordFile?: string;
  tls?: TlsConfig;
  maxConnections: number;
  connectTimeoutMs: number;
  applicationName: string;
}

export function postgresSource(opts: PostgresSourceOptions): SqlSource {
  const dsn = dsnParts(opts, 5432);
  const { where, shown, secrets } = dsn;
  let pool: Promise<pg.Pool> | undefined;

  const makePool = async (): Promise<pg.Pool> => {
    const { password, tls } = await dsn.connectSecrets();
    const p = new pg.Pool({
      host: dsn.host,
      port: dsn.port,
      user: dsn.user,
      password,
      database: dsn.database,
      ssl: tls ? { ca: tls.ca, rejectUnauthorized: !tls.insecureSkipVerify, servername: tls.serverName } : false,
      max: opts.maxConnections,
      connectionTimeoutMillis: opts.connectTimeoutMs,
      idleTimeoutMillis: IDLE_MS,
      allowExitOnIdle: true,
      application_name: opts.applicationName,
    });
    // An idle connection the server dropped: the pool removes it; nothing else to do.
    p.on('error', () => undefined);
    return p;
  };

  const connectError = (err: unknown): ConnectError => {
    const e = err as Error & { code?: string };
    const why = describeNetworkError(err, where) ?? (e.message === 'timeout expired' ? `no connection within connect_timeout (${opts.connectTimeoutMs} ms)` : e.message);
    return new ConnectError(redact(`cannot connect to ${shown}: ${why}`, secrets));
  };

  return {
    async query(sql: string, params: unknown[], q: QueryOptions): Promise<QueryRows> {
      pool ??= makePool();
      const p = await pool.catch((err: unknown) => {
        pool = undefined; // try again next run (a secret mounted late, a CA file fixed)
        throw err instanceof ConnectError ? err : new ConnectError(`cannot connect to ${shown}: ${(err as Error).message}`);
      });
      let client: pg.PoolClient | undefined;
      let dropped = false;
      const drop = () => {
        if (dropped || !client) return;
        dropped = true;
        // pg has no public cancel: ending the socket stops the transfer; the server rolls back.
        (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
        client.release(new Error('dropped'));
      };
      const pending = p.connect();
      client = await abortable(pending, q.signal).catch((err: unknown) => {
        // A connection that arrives after the abort goes back to the pool.
        pending.then((late) => late.release(), () => undefined);
        if (q.signal.aborted) throw err;
        throw connectError(err);
      });
      const c = client;
      let ended = false;
      const backstop = AbortSignal.timeout(q.timeoutMs + BACKSTOP_GRACE_MS);
      const signal = AbortSignal.any([q.signal, backstop]);
      try {
        const run = async () => {
          // Three round trips: our own statements go two by two (simple protocol, our text only).
          await c.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${Math.round(q.timeoutMs)}`);
          await c.query({ text: `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${stripSemicolons(sql)}`, values: params, queryMode: 'extended' } as pg.QueryConfig);
          const both = (await c.query({ text: `FETCH FORWARD ${q.maxRows + 1} FROM ${CURSOR}; ROLLBACK`, rowMode: 'array' })) as unknown as pg.QueryResult[];
          ended = true;
          return both[0]!;
        };
        const r = await abortable(run(), signal, drop);
        if (r.rows.length > q.maxRows) throw tooManyRows(q.maxRows);
        return { columns: r.fields.map((f) => f.name), rows: r.rows as unknown[][] };
      } catch (err) {
        if (backstop.aborted && !q.signal.aborted) throw timedOut(q.timeoutMs, 'client');
        if (q.signal.aborted) throw err;
        if (err instanceof QueryError) throw err;
        throw describeQueryError(err, q.timeoutMs, secrets, where);
      } finally {
        if (ended && !dropped) c.release();
        else if (!dropped) {
          // A failed statement leaves the transaction aborted; ROLLBACK resets it, else drop the connection.
          await c.query('ROLLBACK').then(
            () => c.release(),
            (e: Error) => c.release(e),
          );
        }
      }
    },
    async close() {
      if (!pool) return;
      const p = pool;
      pool = undefined;
      await bounded(p.then((x) => x.end()), CLOSE_BOUND_MS);
    },
  };
}

function describeQueryError(err: unknown, timeoutMs: number, secrets: (string | undefined)[], where: string): Error {
  const e = err as Error & { code?: string; position?: string };
  if (e.code === '57014') return timedOut(timeoutMs, 'server');
  if (e.code === '25006') return new QueryError(`refused, it tries to write (the query runs in a read-only transaction): ${e.message}`);
  const net = describeNetworkError(err, where);
  if (net) return new ConnectError(`lost the connection to ${where}: ${net}`);
  return new QueryError(redact(`PostgreSQL: ${e.message}${e.code ? ` (SQLSTATE ${e.code})` : ''}`, secrets));
}

/** Trailing semicolons (and blanks) would end the DECLARE early. */
function stripSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}
