import { z } from 'zod';
import { tlsSchema } from '../config-schemas.js';
import { PARAM_NAMES } from './params.js';
import { checkSqliteQueries } from './sqlite-check.js';

/**
 * The `sql` collector's configuration. Defaults live beside the fields that take them.
 * Checked here: the shape of each query, its value and label columns against each other, the
 * DSN's scheme against the driver; and for a SQLite file that exists, each query prepared
 * (never run) against it, so a missing column is a check error (sqlite-check.ts). A server
 * database is not contacted by check: there a missing column is reported by the run.
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNITS = [3_600_000, 60_000, 1000, 1];

/** `500ms`, `5s`, `1m30s` in milliseconds (Prometheus's syntax, hours at most). */
const durationMs = z.string().transform((text, ctx) => {
  const m = DURATION.exec(text);
  const ms = m && text !== '' ? DURATION_UNITS.reduce((sum, unit, i) => sum + Number(m[i + 1] ?? 0) * unit, 0) : NaN;
  if (!(ms > 0)) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a positive duration; expected e.g. 500ms, 5s or 1m` });
    return z.NEVER;
  }
  return ms;
});

export const DRIVERS = ['postgres', 'mysql', 'sqlite'] as const;
export type Driver = (typeof DRIVERS)[number];

const DSN_SCHEMES: Record<Exclude<Driver, 'sqlite'>, RegExp> = {
  postgres: /^postgres(ql)?:\/\//i,
  mysql: /^(mysql|mariadb):\/\//i,
};

const param = z.union([z.enum(PARAM_NAMES), z.strictObject({ value: z.union([z.string(), z.number(), z.boolean()]) })], {
  error: `must be one of ${PARAM_NAMES.join(', ')}, or { value: a constant }`,
});

const queryEntry = z
  .strictObject({
    name: z.string().regex(METRIC_NAME, { error: 'is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)' }).describe('Series name of the values.'),
    sql: z.string().trim().min(1).describe('One SELECT (or VALUES/WITH … SELECT); run in a read-only transaction.'),
    value_column: z.string().min(1).describe('The column holding the value (a number, a numeric string, a boolean, a timestamp or an interval).'),
    label_columns: z
      .array(z.string().regex(LABEL_NAME, { error: 'is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*): alias the column in the SQL' }))
      .default([])
      .describe('Columns whose values become labels of the same name.'),
    labels: z.record(z.string().regex(LABEL_NAME, { error: 'is not a valid label name' }), z.string()).optional().describe('Constant labels for every row.'),
    params: z.array(param).default([]).describe('Values bound to $1, $2… (PostgreSQL) or ? (MySQL, SQLite), in order.'),
  })
  .superRefine((q, ctx) => {
    const seen = new Set<string>();
    q.label_columns.forEach((c, i) => {
      if (c === q.value_column) ctx.addIssue({ code: 'custom', path: ['label_columns', i], message: `"${c}" is the value_column; a column is either the value or a label` });
      if (seen.has(c)) ctx.addIssue({ code: 'custom', path: ['label_columns', i], message: `duplicate label column "${c}"` });
      if (q.labels && c in q.labels) ctx.addIssue({ code: 'custom', path: ['label_columns', i], message: `"${c}" is also a constant label (labels.${c}); keep one` });
      seen.add(c);
    });
  });

export const sqlConfig = z
  .strictObject({
    driver: z.enum(DRIVERS, { error: `must be one of ${DRIVERS.join(', ')}` }).describe('postgres, mysql (MySQL and MariaDB) or sqlite.'),
    dsn: z
      .string()
      .min(1)
      .optional()
      .describe('postgres://user@host:5432/db or mysql://user@host:3306/db; put the password in `password` (${ENV}).'),
    password: z.string().optional().describe('Password, normally "${DB_PASSWORD}"; wins over one in the DSN.'),
    password_file: z.string().min(1).optional().describe('A file holding the password (a mounted secret), read when the pool is opened; instead of `password`.'),
    path: z.string().min(1).optional().describe('sqlite: the database file, opened read-only; it must exist.'),
    tls: tlsSchema.optional().describe('postgres, mysql: connect with TLS ({ ca?, ca_file?, insecure_skip_verify?, server_name? }).'),
    queries: z.array(queryEntry).min(1),
    statement_timeout: durationMs.default(5000).describe('Longest time one query may run; the server cuts it, the client gives up 1s later.'),
    max_rows: z.number().int().positive().max(1_000_000).default(10_000).describe('A query returning more rows fails (nothing read past the cap).'),
    max_connections: z.number().int().positive().max(16).default(2).describe('Pool size per collector; also how many queries run at once.'),
    connect_timeout: durationMs.default(5000).describe('Longest wait for a new connection.'),
  })
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    c.queries.forEach((q, i) => {
      if (names.has(q.name)) ctx.addIssue({ code: 'custom', path: ['queries', i, 'name'], message: `duplicate query name "${q.name}"` });
      names.add(q.name);
    });
    if (c.driver === 'sqlite') {
      if (c.path === undefined) ctx.addIssue({ code: 'custom', path: ['path'], message: 'driver sqlite needs path: the database file' });
      for (const key of ['dsn', 'password', 'password_file', 'tls'] as const) {
        if (c[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `driver sqlite reads a local file; ${key} is for postgres and mysql` });
      }
      if (c.path !== undefined) for (const p of checkSqliteQueries(c.path, c.queries)) ctx.addIssue({ code: 'custom', ...p });
      return;
    }
    if (c.path !== undefined) ctx.addIssue({ code: 'custom', path: ['path'], message: `path is for driver sqlite; driver ${c.driver} connects with dsn` });
    if (c.password !== undefined && c.password_file !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['password_file'], message: 'give password or password_file, not both' });
    }
    if (c.dsn === undefined) {
      ctx.addIssue({ code: 'custom', path: ['dsn'], message: `driver ${c.driver} needs dsn, e.g. ${c.driver === 'postgres' ? 'postgres://reader@db:5432/shop' : 'mysql://reader@db:3306/shop'}` });
    } else if (!DSN_SCHEMES[c.driver].test(c.dsn)) {
      ctx.addIssue({ code: 'custom', path: ['dsn'], message: `driver ${c.driver} needs a ${c.driver === 'postgres' ? 'postgres://' : 'mysql:// (or mariadb://)'} URL` });
    } else if (!URL.canParse(c.dsn)) {
      ctx.addIssue({ code: 'custom', path: ['dsn'], message: 'is not a valid URL (percent-encode special characters, or give the password in `password`)' });
    } else if (new URL(c.dsn).search !== '') {
      ctx.addIssue({ code: 'custom', path: ['dsn'], message: 'takes no ?parameters: set TLS with `tls`, timeouts with connect_timeout and statement_timeout' });
    }
  });

export type SqlConfig = z.output<typeof sqlConfig>;
export type SqlQuery = SqlConfig['queries'][number];
