import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { collectorRegistry } from '../collectors/index.js';
import { ResourceScope } from '../collectors/resources.js';
import { formatIssue, loadWorkloadText } from '../server/workload/index.js';
import { runError, runSql } from './support/sql-collector.js';

/**
 * The sql collector's configuration as `pillarboard check` sees it, and the collector against
 * real SQLite files (PostgreSQL and MariaDB: collector-sql-postgres/-mariadb.test.ts).
 */

const workload = (collector: string) => `version: 1
workload: { id: shop, title: Shop, owner: team }
collectors:
${collector}
`;

function checkErrors(collector: string): string[] {
  const r = loadWorkloadText(workload(collector), { file: 'workload.yaml', registry: collectorRegistry, env: { SHOP_DB_PASSWORD: 's3cret' } });
  return r.ok ? [] : r.errors.map(formatIssue);
}

describe('sql collector config, as pillarboard check reports it', () => {
  it('accepts a PostgreSQL entry with the password from the environment', () => {
    assert.deepEqual(checkErrors(`  - id: shop-db
    type: sql
    driver: postgres
    dsn: postgres://reader@db.internal:5432/shop
    password: \${SHOP_DB_PASSWORD}
    queries:
      - { name: shop_orders, sql: "SELECT country, count(*) AS n FROM orders GROUP BY country", value_column: n, label_columns: [country] }`), []);
  });

  it('reports a value column that is also a label column at its line and column', () => {
    assert.deepEqual(checkErrors(`  - id: shop-db
    type: sql
    driver: sqlite
    path: shop.db
    queries:
      - name: shop_orders
        sql: SELECT country, count(*) AS n FROM orders GROUP BY country
        value_column: n
        label_columns: [country, n]`), ['workload.yaml:12:34: collectors[0].queries[0].label_columns[1]: "n" is the value_column; a column is either the value or a label']);
  });

  it('names the field for a missing path, a DSN of another driver, an unknown parameter and a label column that is no label name', () => {
    const errors = checkErrors(`  - id: a
    type: sql
    driver: sqlite
    queries: [{ name: x, sql: SELECT 1 AS n, value_column: n }]
  - id: b
    type: sql
    driver: mysql
    dsn: postgres://reader@db/shop
    queries: [{ name: x, sql: SELECT 1 AS n, value_column: n }]
  - id: b2
    type: sql
    driver: mysql
    dsn: mysql://reader@db/shop
    queries: [{ name: x, sql: SELECT 1 AS n, value_column: n, params: [yesterday] }]
  - id: c
    type: sql
    driver: postgres
    dsn: postgres://reader@db/shop?sslmode=require
    queries: [{ name: x, sql: SELECT 1 AS n, value_column: n, label_columns: [shop-name] }]`).join('\n');
    assert.match(errors, /workload\.yaml:4:5: collectors\[0\]\.path: driver sqlite needs path: the database file/);
    assert.match(errors, /workload\.yaml:11:10: collectors\[1\]\.dsn: driver mysql needs a mysql:\/\/ \(or mariadb:\/\/\) URL/);
    assert.match(errors, /collectors\[2\]\.queries\[0\]\.params\[0\]: must be one of now, now_unix, now_ms, last_success, last_success_unix, last_success_ms, or \{ value: a constant \}/);
    assert.match(errors, /collectors\[3\]\.dsn: takes no \?parameters: set TLS with `tls`/);
    assert.match(errors, /collectors\[3\]\.queries\[0\]\.label_columns\[0\]: is not a valid label name/);
  });
});

describe('sql collector on SQLite files', () => {
  let dir: string;
  let file: string;
  const base = () => ({ driver: 'sqlite', path: file });
  const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  const NOW = Date.UTC(2026, 11, 8, 12, 0, 0);

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-sql-'));
    file = path.join(dir, 'shop.db');
    const db = new Database(file);
    db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, country TEXT, amount REAL, created_at TEXT NOT NULL)');
    const add = db.prepare('INSERT INTO orders (country, amount, created_at) VALUES (?, ?, ?)');
    add.run('FR', 10.5, at(NOW - 10 * 60_000));
    add.run('FR', 20, at(NOW - 20 * 60_000));
    add.run('DE', 5, at(NOW - 30 * 60_000));
    add.run('DE', null, at(NOW - 3 * 3_600_000));
    add.run(null, 1, at(NOW - 40 * 60_000));
    db.close();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const orderCount = () => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('counts the orders of the last hour per country, binding now as SQLite text time', async () => {
    const r = await runSql(
      { ...base(), queries: [{ name: 'shop_orders_last_hour', sql: 'SELECT country, count(*) AS n FROM orders WHERE created_at > datetime(?, \'-1 hour\') GROUP BY country ORDER BY country', value_column: 'n', label_columns: ['country'], params: ['now'] }] },
      { now: new Date(NOW) },
    );
    // A NULL label is no label (as in Prometheus, an empty value).
    assert.deepEqual(r.samples.map((s) => [s.labels, s.value, s.ts]), [[{}, 1, NOW], [{ country: 'DE' }, 1, NOW], [{ country: 'FR' }, 2, NOW]]);
  });

  it('check prepares the queries against an existing file and reports a missing column, a typo and a write at their lines', () => {
    const errors = checkErrors(`  - id: shop-db
    type: sql
    driver: sqlite
    path: ${JSON.stringify(file)}
    queries:
      - name: ok
        sql: SELECT country, count(*) AS n FROM orders GROUP BY country
        value_column: n
        label_columns: [country]
      - name: typo_column
        sql: SELECT country, count(*) AS n FROM orders GROUP BY country
        value_column: count
        label_columns: [country, region]
      - name: typo_sql
        sql: SELEC 1 AS n
        value_column: n
      - name: writes
        sql: DELETE FROM orders RETURNING id AS n
        value_column: n`);
    assert.deepEqual(errors, [
      'workload.yaml:15:23: collectors[0].queries[1].value_column: the query\'s result has no column "count" (its columns: "country", "n")',
      'workload.yaml:16:34: collectors[0].queries[1].label_columns[1]: the query\'s result has no column "region" (its columns: "country", "n")',
      `workload.yaml:18:14: collectors[0].queries[2].sql: SQLite cannot prepare it (${file}): near "SELEC": syntax error`,
      'workload.yaml:21:14: collectors[0].queries[3].sql: would write; the collector runs read-only queries only',
    ]);
    assert.equal(orderCount(), 5);
  });

  it('skips a row whose value is NULL with a warning naming the query and the row', async () => {
    const r = await runSql({ ...base(), queries: [{ name: 'amounts', sql: "SELECT id, amount FROM orders WHERE country = 'DE' ORDER BY id", value_column: 'amount', label_columns: ['id'] }] });
    assert.deepEqual(r.samples.map((s) => s.value), [5]);
    assert.deepEqual(r.warnings, ['query "amounts": row 2 {id="4"}: amount is NULL; row skipped']);
  });

  it('reports at most three NULL rows one by one, then how many more', async () => {
    const r = await runSql({ ...base(), queries: [{ name: 'nulls', sql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10) SELECT x, NULL AS v FROM c', value_column: 'v', label_columns: ['x'] }] });
    assert.equal(r.samples.length, 0);
    assert.deepEqual(r.warnings, [
      'query "nulls": row 1 {x="1"}: v is NULL; row skipped',
      'query "nulls": row 2 {x="2"}: v is NULL; row skipped',
      'query "nulls": row 3 {x="3"}: v is NULL; row skipped',
      'query "nulls": 7 more rows with v NULL skipped',
    ]);
  });

  it('fails a query whose value column name appears twice in the result', async () => {
    const err = await runError(runSql({ ...base(), queries: [{ name: 'twice', sql: 'SELECT 1 AS n, 2 AS n', value_column: 'n' }] }));
    assert.equal(err.message, 'collector shop-db query "twice": the result has more than one column named "n"; alias them apart in the SQL');
  });

  it('fails a query whose rows share their labels, or whose value is text', async () => {
    const err = await runError(runSql({ ...base(), queries: [
      { name: 'dup', sql: 'SELECT country, amount FROM orders WHERE country IS NOT NULL ORDER BY id', value_column: 'amount', label_columns: ['country'] },
      { name: 'text', sql: 'SELECT country AS v FROM orders WHERE id = 1', value_column: 'v' },
    ] }));
    assert.match(err.message, /query "dup": rows 1 and 2 have the same labels \{country="FR"\}; GROUP BY the label columns/);
    assert.match(err.message, /query "text": row 1: v is "FR", not a number/);
  });

  it('refuses statements that write, and the file is unchanged', async () => {
    const before = orderCount();
    // check would refuse these already (the file exists); the run must refuse them on its own too.
    const err = await runError(runSql({ driver: 'sqlite', path: path.join(dir, 'not-yet.db'), queries: [
      { name: 'delete_returning', sql: 'DELETE FROM orders RETURNING id AS n', value_column: 'n' },
      { name: 'cte_insert', sql: 'WITH x AS (SELECT 1) INSERT INTO orders (created_at) SELECT 1 FROM x', value_column: 'n' },
      { name: 'pragma', sql: 'PRAGMA user_version = 7', value_column: 'n' },
      { name: 'ok', sql: 'SELECT count(*) AS n FROM orders', value_column: 'n' },
    ] }, { path: file }));
    assert.equal(err.name, 'PartialCollectError');
    assert.match(err.message, /query "delete_returning": SQLite: refused, it would write/);
    assert.match(err.message, /query "cte_insert": SQLite: returns no rows: it is not a query/);
    assert.match(err.message, /query "pragma": SQLite: returns no rows/);
    assert.equal(orderCount(), before);
    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), 0);
    db.close();
  });

  it('cuts a query that runs past statement_timeout, and the next run works', async () => {
    const scope = new ResourceScope();
    try {
      const err = await runError(runSql({ ...base(), statement_timeout: '300ms', queries: [{ name: 'endless', sql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) AS n FROM c', value_column: 'n' }] }, { resources: scope }));
      assert.match(err.message, /^collector shop-db query "endless": ran longer than statement_timeout \(300 ms\) and was stopped$/);
      const r = await runSql({ ...base(), statement_timeout: '300ms', queries: [{ name: 'n', sql: 'SELECT count(*) AS n FROM orders', value_column: 'n' }] }, { resources: scope });
      assert.equal(r.samples[0]!.value, 5);
    } finally {
      await scope.close();
    }
  });

  it('stops at max_rows and fails the query, naming the cap', async () => {
    const err = await runError(runSql({ ...base(), max_rows: 3, queries: [{ name: 'all', sql: 'SELECT id AS n FROM orders', value_column: 'n', label_columns: [] }] }));
    assert.match(err.message, /query "all": returned more than max_rows \(3\) rows/);
  });

  it('fails the run naming the file when it does not exist, and creates nothing', async () => {
    const missing = path.join(dir, 'nope.db');
    const err = await runError(runSql({ driver: 'sqlite', path: missing, queries: [{ name: 'a', sql: 'SELECT 1 AS n', value_column: 'n' }] }));
    assert.ok(err.message.startsWith(`collector shop-db: cannot open ${missing} read-only:`), err.message);
    assert.equal(fs.existsSync(missing), false);
  });

  it('keeps one reader process across runs and ends it with the scope', async () => {
    const scope = new ResourceScope();
    const raw = { ...base(), queries: [{ name: 'n', sql: 'SELECT count(*) AS n FROM orders', value_column: 'n' }] };
    for (let i = 0; i < 3; i++) await runSql(raw, { resources: scope });
    assert.equal(scope.size, 1);
    await scope.close();
    assert.equal(scope.size, 0);
  });
});
