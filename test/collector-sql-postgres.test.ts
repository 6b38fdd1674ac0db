import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { ResourceScope } from '../collectors/resources.js';
import { sql } from '../collectors/sql.js';
import { Scheduler } from '../server/scheduler/scheduler.js';
import type { RunSink } from '../server/scheduler/types.js';
import { systemClock } from '../server/clock.js';
import { silentLogger } from '../server/log.js';
import { requirePostgres, startPostgres, type PostgresServer } from './support/postgres.js';
import { closedPortUrl } from './support/local-server.js';
import { startFreezableProxy } from './support/freezable-proxy.js';
import { runError, runSql } from './support/sql-collector.js';

/**
 * The sql collector against a real PostgreSQL (Debian's postgresql, started by the test):
 * values and labels, bound parameters, writes refused however they are dressed, the statement
 * timeout, the row cap, pooled connections reused across runs and closed when the collector goes.
 */

describe('sql collector on PostgreSQL', { skip: requirePostgres() }, () => {
  let server: PostgresServer;
  let dsn: string;
  let admin: pg.Client;
  const base = () => ({ driver: 'postgres', dsn });

  before(async () => {
    server = await startPostgres();
    dsn = await server.createDatabase();
    admin = new pg.Client({ connectionString: dsn });
    await admin.connect();
    await admin.query(`
      CREATE TABLE orders (id serial PRIMARY KEY, country text NOT NULL, amount numeric(10,2) NOT NULL, created_at timestamptz NOT NULL);
      INSERT INTO orders (country, amount, created_at) VALUES
        ('FR', 10.50, now() - interval '10 minutes'), ('FR', 20, now() - interval '20 minutes'),
        ('DE', 5, now() - interval '30 minutes'), ('DE', 7, now() - interval '3 hours');
      CREATE TABLE audit (n int);
      CREATE FUNCTION bump() RETURNS int LANGUAGE sql AS 'INSERT INTO audit VALUES (1) RETURNING n';
      CREATE SEQUENCE s;
    `);
  });
  after(async () => {
    await admin?.end();
    await server?.stop();
  });

  const orderCount = async () => Number((await admin.query('SELECT count(*) AS n FROM orders')).rows[0].n);

  it('stores one sample per row: bigint, numeric and timestamptz values, text labels', async () => {
    const now = new Date();
    const r = await runSql({
      ...base(),
      queries: [
        { name: 'shop_orders', sql: 'SELECT country, count(*) AS n FROM orders GROUP BY country ORDER BY country', value_column: 'n', label_columns: ['country'] },
        { name: 'shop_revenue', sql: 'SELECT sum(amount) AS total FROM orders', value_column: 'total', labels: { currency: 'EUR' } },
        { name: 'shop_last_order_time', sql: 'SELECT max(created_at) AS t FROM orders', value_column: 't' },
        { name: 'shop_order_spread', sql: "SELECT interval '1 day 2 hours 3.5 seconds' AS d, interval '1 mon' AS m", value_column: 'd' },
        { name: 'shop_order_spread_month', sql: "SELECT interval '1 year 1 mon' AS m", value_column: 'm' },
      ],
    }, { now });
    const by = (name: string) => r.samples.filter((s) => s.name === name);
    assert.deepEqual(by('shop_orders').map((s) => [s.labels, s.value]), [[{ country: 'DE' }, 2], [{ country: 'FR' }, 2]]);
    assert.deepEqual(by('shop_revenue').map((s) => [s.labels, s.value]), [[{ currency: 'EUR' }, 42.5]]);
    const newest = (await admin.query('SELECT extract(epoch FROM max(created_at))::float8 AS t FROM orders')).rows[0].t as number;
    assert.ok(Math.abs(by('shop_last_order_time')[0]!.value - newest) < 0.001);
    assert.equal(by('shop_order_spread')[0]!.value, 86_400 + 7_200 + 3.5);
    assert.equal(by('shop_order_spread_month')[0]!.value, (365.25 + 30) * 86_400, 'as extract(epoch from interval) counts');
    assert.ok(r.samples.every((s) => s.ts === now.getTime()), 'every sample carries the run time');
  });

  it('binds last_success and now to $1 and $2, so a query counts what happened since the last run', async () => {
    const now = new Date();
    const raw = {
      ...base(),
      queries: [{ name: 'orders_since', sql: 'SELECT count(*) AS n FROM orders WHERE created_at > $1 AND created_at <= $2', value_column: 'n', params: ['last_success', 'now'] }],
    };
    const sinceQuarter = await runSql(raw, { now, lastSuccess: new Date(now.getTime() - 15 * 60_000) });
    assert.equal(sinceQuarter.samples[0]!.value, 1);
    // Before any success: the last hour.
    const firstRun = await runSql(raw, { now });
    assert.equal(firstRun.samples[0]!.value, 3);
    const unix = await runSql({ ...base(), queries: [{ name: 'x', sql: 'SELECT $1::bigint AS t, $2::text AS c', value_column: 't', label_columns: ['c'], params: ['now_unix', { value: 'EU' }] }] }, { now });
    assert.equal(unix.samples[0]!.value, Math.floor(now.getTime() / 1000));
    assert.deepEqual(unix.samples[0]!.labels, { c: 'EU' });
  });

  it('refuses writes dressed as reads and leaves the data unchanged', async () => {
    const before = await orderCount();
    const writes = {
      cte_delete: 'WITH gone AS (DELETE FROM orders RETURNING id) SELECT count(*) AS n FROM gone',
      side_effect_function: 'SELECT bump() AS n',
      select_into: 'SELECT count(*) AS n INTO copied FROM orders',
      stacked: 'SELECT 1 AS n; COMMIT; DELETE FROM orders',
      sequence: "SELECT nextval('s') AS n",
      update_returning: 'UPDATE orders SET amount = 0 RETURNING id AS n',
      session_escape: "SELECT set_config('default_transaction_read_only', 'off', false) AS n",
    };
    const queries = Object.entries(writes).map(([name, text]) => ({ name, sql: text, value_column: 'n' }));
    const err = await runError(runSql({ ...base(), queries: [...queries, { name: 'ok', sql: 'SELECT 1 AS n', value_column: 'n' }] }));
    assert.equal(err.name, 'PartialCollectError', err.message);
    assert.match(err.message, new RegExp(`^${queries.length} of ${queries.length + 1} queries failed`));
    for (const name of Object.keys(writes)) assert.match(err.message, new RegExp(`collector shop-db query "${name}": `), `no error for ${name}`);
    assert.deepEqual(err.partial!.samples.map((s) => s.name), ['ok']);
    assert.match(err.message, /query "side_effect_function": refused, it tries to write/);
    assert.equal(await orderCount(), before);
    assert.equal(Number((await admin.query('SELECT count(*) AS n FROM audit')).rows[0].n), 0);
    assert.equal((await admin.query("SELECT to_regclass('copied') AS t")).rows[0].t, null);
    assert.equal((await admin.query("SELECT last_value, is_called FROM s")).rows[0].is_called, false);
    // The set_config of a refused query did not leak into the pooled session: a write is still refused.
    const again = await runError(runSql({ ...base(), max_connections: 1, queries: [
      { name: 'escape', sql: "SELECT set_config('default_transaction_read_only', 'off', false) AS n", value_column: 'n' },
      { name: 'write', sql: 'SELECT bump() AS n', value_column: 'n' },
    ] }));
    assert.match(again.message, /query "write": refused, it tries to write/);
  });

  it('cuts a slow query at statement_timeout on the server and says so', async () => {
    const err = await runError(runSql({ ...base(), statement_timeout: '300ms', queries: [{ name: 'slow', sql: 'SELECT pg_sleep(30) IS NULL AS n', value_column: 'n' }] }));
    assert.match(err.message, /collector shop-db query "slow": ran longer than statement_timeout \(300 ms\) and was cancelled by the server/);
  });

  it('gives up 1 s after statement_timeout when the network stops delivering, dropping the connection', async () => {
    const proxy = await startFreezableProxy({ host: '127.0.0.1', port: server.port });
    try {
      const via = new URL(dsn);
      via.port = String(proxy.port);
      const scope = new ResourceScope();
      const raw = { driver: 'postgres', dsn: via.toString(), statement_timeout: '300ms', max_connections: 1, queries: [{ name: 'q', sql: 'SELECT pg_sleep(0.1) IS NULL AS n', value_column: 'n' }] };
      await runSql(raw, { resources: scope }); // the pooled connection is open
      assert.equal(proxy.openSockets(), 1);
      proxy.freeze(); // the pooled connection is still open, but nothing arrives any more
      const err = await runError(runSql(raw, { resources: scope }));
      assert.match(err.message, /^collector shop-db query "q": did not finish within statement_timeout \(300 ms\) \+ 1000 ms; the connection was dropped$/);
      for (let i = 0; i < 50 && proxy.openSockets() > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(proxy.openSockets(), 0, 'the frozen connection was not dropped');
      await scope.close();
    } finally {
      await proxy.close();
    }
  });

  it('stops reading at max_rows and fails the query, naming the cap', async () => {
    const err = await runError(runSql({ ...base(), max_rows: 1000, queries: [{ name: 'big', sql: 'SELECT generate_series(1, 100000000) AS n', value_column: 'n' }] }));
    assert.match(err.message, /query "big": returned more than max_rows \(1000\) rows/);
  });

  it('names the collector, the query and the missing column when value_column is not in the result', async () => {
    const err = await runError(runSql({ ...base(), queries: [{ name: 'typo', sql: 'SELECT country, count(*) AS n FROM orders GROUP BY country', value_column: 'count', label_columns: ['country'] }] }));
    assert.match(err.message, /^collector shop-db query "typo": the result has no column "count" \(its columns: "country", "n"\)/);
  });

  it('fails the whole run naming the server when nothing listens, and hides the password', async () => {
    const port = new URL(await closedPortUrl()).port;
    const err = await runError(runSql({ driver: 'postgres', dsn: `postgres://reader@127.0.0.1:${port}/shop`, password: 'pa55word-secret', queries: [{ name: 'a', sql: 'SELECT 1 AS n', value_column: 'n' }, { name: 'b', sql: 'SELECT 1 AS n', value_column: 'n' }] }));
    assert.match(err.message, new RegExp(`^collector shop-db: cannot connect to postgres://reader:\\*\\*\\*@127\\.0\\.0\\.1:${port}/shop: connection refused \\(is anything listening on 127\\.0\\.0\\.1:${port}\\?\\)$`));
    assert.ok(!err.message.includes('pa55word'));
  });

  it('reports a wrong password without repeating it', async () => {
    const wrong = new URL(dsn);
    wrong.password = 'not-the-password-xyz';
    const err = await runError(runSql({ driver: 'postgres', dsn: wrong.toString(), queries: [{ name: 'a', sql: 'SELECT 1 AS n', value_column: 'n' }] }));
    assert.match(err.message, /cannot connect to postgres:\/\/pillarboard_test:\*\*\*@127\.0\.0\.1:\d+\/\w+: password authentication failed for user "pillarboard_test"/);
    assert.ok(!err.message.includes('not-the-password-xyz'));
  });

  it('reads the password from password_file, and names the file when it cannot be read', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-sql-pw-'));
    try {
      const file = path.join(dir, 'pw');
      fs.writeFileSync(file, server.password + '\n', { mode: 0o600 });
      const noPassword = new URL(dsn);
      noPassword.password = '';
      const query = [{ name: 'one', sql: 'SELECT 1 AS n', value_column: 'n' }];
      const r = await runSql({ driver: 'postgres', dsn: noPassword.toString(), password_file: file, queries: query });
      assert.equal(r.samples[0]!.value, 1);
      const missing = path.join(dir, 'missing');
      const err = await runError(runSql({ driver: 'postgres', dsn: noPassword.toString(), password_file: missing, queries: query }));
      assert.match(err.message, new RegExp(`^collector shop-db: cannot read password_file ${missing}: ENOENT`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reuses one pooled connection across runs and closes it with the scope', async () => {
    const scope = new ResourceScope();
    const raw = { ...base(), max_connections: 1, queries: [{ name: 'backend', sql: 'SELECT pg_backend_pid()::text AS pid, 1 AS n', value_column: 'n', label_columns: ['pid'] }] };
    const pids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = await runSql(raw, { resources: scope, id: 'pooled' });
      pids.add(r.samples[0]!.labels.pid!);
    }
    const open = async () => Number((await admin.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'pillarboard pooled'")).rows[0].n);
    assert.equal(pids.size, 1, `5 runs used ${pids.size} connections`);
    assert.equal(await open(), 1);
    await scope.close();
    for (let i = 0; i < 50 && (await open()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await open(), 0, 'the pool is closed with the scope');
  });

  it('connects with TLS when tls is set, verifying the server against ca_file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-sql-tls-'));
    try {
      const crt = path.join(dir, 'server.crt');
      const key = path.join(dir, 'server.key');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
      if (process.getuid?.() === 0) {
        const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
        fs.chmodSync(dir, 0o755);
        fs.chownSync(key, uid, -1);
      }
      fs.chmodSync(key, 0o600);
      await admin.query(`ALTER SYSTEM SET ssl_cert_file = '${crt}'`);
      await admin.query(`ALTER SYSTEM SET ssl_key_file = '${key}'`);
      await admin.query('ALTER SYSTEM SET ssl = on');
      await admin.query('SELECT pg_reload_conf()');
      const query = [{ name: 'tls', sql: 'SELECT ssl::int AS n FROM pg_stat_ssl WHERE pid = pg_backend_pid()', value_column: 'n' }];
      let r: Awaited<ReturnType<typeof runSql>> | undefined;
      for (let i = 0; i < 50 && !r; i++) {
        r = await runSql({ ...base(), tls: { ca_file: crt }, queries: query }).catch(async () => {
          await new Promise((res) => setTimeout(res, 100)); // the reload is asynchronous
          return undefined;
        });
      }
      assert.equal(r?.samples[0]?.value, 1, 'the connection is encrypted');
      assert.equal((await runSql({ ...base(), queries: query })).samples[0]!.value, 0, 'without tls it is not');
      const other = path.join(dir, 'other.crt');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'other.key'), '-out', other, '-days', '2', '-subj', '/CN=other'], { stdio: 'ignore' });
      const err = await runError(runSql({ ...base(), tls: { ca_file: other }, queries: query }));
      assert.match(err.message, /^collector shop-db: cannot connect to postgres:\/\/pillarboard_test:\*\*\*@127\.0\.0\.1:\d+\/\w+: self[- ]signed certificate/);
    } finally {
      await admin.query('ALTER SYSTEM RESET ssl');
      await admin.query('SELECT pg_reload_conf()');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('recovers on the next run after the database restarted under its pooled connection', async () => {
    const scope = new ResourceScope();
    const raw = { ...base(), max_connections: 1, queries: [{ name: 'one', sql: 'SELECT 1 AS n', value_column: 'n' }] };
    try {
      assert.equal((await runSql(raw, { resources: scope })).samples[0]!.value, 1);
      await admin.end();
      await server.restart();
      const r = await runSql(raw, { resources: scope });
      assert.equal(r.samples[0]!.value, 1);
    } finally {
      await scope.close();
      admin = new pg.Client({ connectionString: dsn });
      await admin.connect();
    }
  });

  it('closes the pool when a workload reload removes the collector', async () => {
    const sink: RunSink = { recordRun: () => ({ id: 1 }) };
    const scheduler = new Scheduler({ sink, registry: new Map([['sql', sql]]), log: silentLogger, clock: systemClock });
    const entry = {
      id: 'reloaded', type: 'sql', intervalMs: 3_600_000, timeoutMs: 10_000, jitter: 0, labels: {},
      config: sql.config.parse({ ...base(), queries: [{ name: 'one', sql: 'SELECT 1 AS n', value_column: 'n' }] }),
    };
    scheduler.apply([entry], false);
    const [first] = await scheduler.runOnce();
    assert.equal(first!.run.ok, true, first!.run.error);
    const open = async () => Number((await admin.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'pillarboard reloaded'")).rows[0].n);
    assert.equal(await open(), 1);
    scheduler.apply([], false);
    for (let i = 0; i < 50 && (await open()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await open(), 0, 'the removed collector left a connection open');
    await scheduler.stop();
  });
});
