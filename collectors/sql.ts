import { PartialCollectError, type CollectorDefinition, type Sample } from './types.js';
import { ResourceScope } from './resources.js';
import { mapLimit } from './map-limit.js';
import { sqlConfig, type SqlConfig } from './sql/config.js';
import { bindParams } from './sql/params.js';
import { ResultError, rowsToSamples } from './sql/rows.js';
import { ConnectError, QueryError, type SqlSource } from './sql/source.js';
import { postgresSource } from './sql/postgres.js';
import { mysqlSource } from './sql/mysql.js';
import { sqliteSource } from './sql/sqlite.js';

/**
 * `sql`: named read-only queries against PostgreSQL, MySQL/MariaDB or a SQLite file; each
 * row is one sample of the series named after the query (value from `value_column`, labels
 * from `label_columns`). See docs/collectors.md#sql.
 *
 * - Read-only is enforced by the database (a read-only transaction rolled back, a read-only
 *   session or file handle), never by reading the SQL text.
 * - Connections are pooled in the runner's resources for this collector (one pool per
 *   collector and database), so they are reused across runs and closed when the collector is
 *   removed or changed and at shutdown. Without runner resources a run opens and closes its own.
 * - Failure contract: a database that cannot be used (down, refused, bad credentials) fails
 *   the whole run with one message; a query that fails (SQL error, timeout, too many rows, a
 *   write refused, a missing column) fails alone: with other queries successful the run
 *   throws PartialCollectError carrying their samples. Every message names the collector and
 *   the query; passwords never appear in them.
 */

export const sql: CollectorDefinition<SqlConfig> = {
  type: 'sql',
  description: 'Runs named read-only SQL queries against PostgreSQL, MySQL/MariaDB or SQLite; each row is a sample (value column, label columns).',
  defaultInterval: '60s',
  config: sqlConfig,
  async collect(config, ctx) {
    const own = ctx.resources ? undefined : new ResourceScope();
    const scope = ctx.resources ?? own!;
    const who = `collector ${ctx.collectorId}`;
    try {
      const source = scope.get(sourceKey(config), () => openSource(config, ctx.collectorId), (s) => s.close());
      const times = { now: ctx.now.getTime(), lastSuccess: ctx.lastSuccess?.getTime() };
      const ts = ctx.now.getTime();
      // A database that cannot be used stops the sibling queries at once.
      const stop = new AbortController();
      const signal = AbortSignal.any([ctx.signal, stop.signal]);
      const outcomes = await mapLimit(config.queries, config.max_connections, async (q) => {
        try {
          const rows = await source.query(q.sql, bindParams(q.params, times, config.driver), {
            maxRows: config.max_rows,
            timeoutMs: config.statement_timeout,
            signal,
          });
          return { ok: true as const, ...rowsToSamples(q, rows, ts), name: q.name };
        } catch (err) {
          if (err instanceof QueryError || err instanceof ResultError) return { ok: false as const, error: `${who} query "${q.name}": ${err.message}` };
          if (err instanceof ConnectError) {
            const e = new Error(`${who}: ${err.message}`);
            if (!stop.signal.aborted) stop.abort(e);
            throw e;
          }
          throw signal.aborted && stop.signal.aborted ? stop.signal.reason : err;
        }
      });
      const samples: Sample[] = [];
      const warnings: string[] = [];
      const failed: string[] = [];
      for (const o of outcomes) {
        if (!o.ok) {
          failed.push(o.error);
          continue;
        }
        for (const s of o.samples) samples.push(s);
        for (const w of o.warnings) warnings.push(`query "${o.name}": ${w}`);
      }
      if (failed.length > 0) {
        const message = failed.length === 1 ? failed[0]! : `${failed.length} of ${config.queries.length} queries failed: ${failed.join('; ')}`;
        if (failed.length === config.queries.length) throw new Error(message);
        throw new PartialCollectError(message, warnings.length > 0 ? { samples, warnings } : { samples });
      }
      return warnings.length > 0 ? { samples, warnings } : { samples };
    } finally {
      await own?.close();
    }
  },
};

/** One pool per collector and database: a new key (another DSN, password or file) opens another. */
function sourceKey(c: SqlConfig): string {
  return JSON.stringify(['sql', c.driver, c.dsn, c.password, c.password_file, c.path, c.tls, c.max_connections, c.connect_timeout, c.statement_timeout]);
}

function openSource(c: SqlConfig, collectorId: string): SqlSource {
  switch (c.driver) {
    case 'postgres':
      return postgresSource({
        dsn: c.dsn!,
        password: c.password,
        passwordFile: c.password_file,
        tls: c.tls,
        maxConnections: c.max_connections,
        connectTimeoutMs: c.connect_timeout,
        applicationName: `pillarboard ${collectorId}`.slice(0, 63),
      });
    case 'mysql':
      return mysqlSource({
        dsn: c.dsn!,
        password: c.password,
        passwordFile: c.password_file,
        tls: c.tls,
        maxConnections: c.max_connections,
        connectTimeoutMs: c.connect_timeout,
        timeoutMs: c.statement_timeout,
      });
    case 'sqlite':
      return sqliteSource({ file: c.path! });
  }
}
