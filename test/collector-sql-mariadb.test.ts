import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceScope } from '../collectors/resources.js';
import { requireMariadb, startMariadb, type MariadbServer } from './support/mariadb.js';
import { closedPortUrl } from './support/local-server.js';
import { startFreezableProxy } from './support/freezable-proxy.js';
import { runError, runSql } from './support/sql-collector.js';

/**
 * The sql collector against a real MariaDB (Debian's mariadb-server, started by the test with
 * grants on; the collector connects as an account that may only SELECT and EXECUTE).
 */

describe('sql collector on MariaDB', { skip: requireMariadb() }, () => {
  let server: MariadbServer;
  let reader: { url: string; user: string; password: string };
  const base = () => ({ driver: 'mysql', dsn: reader.url });

  before(async () => {
    server = await startMariadb();
    reader = await server.createReader('shop');
    await server.admin.query(`
      CREATE TABLE shop.orders (id int PRIMARY KEY AUTO_INCREMENT, country varchar(8) NOT NULL, amount decimal(10,2) NOT NULL, created_at datetime(3) NOT NULL);
      INSERT INTO shop.orders (country, amount, created_at) VALUES
        ('FR', 10.50, UTC_TIMESTAMP(3) - INTERVAL 10 MINUTE), ('FR', 20, UTC_TIMESTAMP(3) - INTERVAL 20 MINUTE),
        ('DE', 5, UTC_TIMESTAMP(3) - INTERVAL 30 MINUTE), ('DE', 7, UTC_TIMESTAMP(3) - INTERVAL 3 HOUR);
      CREATE TABLE shop.audit (n int);
      CREATE DEFINER = 'root'@'localhost' FUNCTION shop.bump() RETURNS int MODIFIES SQL DATA SQL SECURITY DEFINER
        BEGIN INSERT INTO shop.audit VALUES (1); RETURN 1; END;
    `);
  });
  after(async () => {
    await server?.stop();
  });

  const count = async (table: string) => Number(((await server.admin.query(`SELECT count(*) AS n FROM shop.${table}`))[0] as Array<{ n: number }>)[0]!.n);

  it('stores one sample per row with labels, bigint and decimal values', async () => {
    const r = await runSql({
      ...base(),
      queries: [
        { name: 'shop_orders', sql: 'SELECT country, count(*) AS n FROM orders GROUP BY country ORDER BY country', value_column: 'n', label_columns: ['country'] },
        { name: 'shop_revenue', sql: 'SELECT sum(amount) AS total FROM orders', value_column: 'total' },
      ],
    });
    assert.deepEqual(r.samples.map((s) => [s.name, s.labels, s.value]), [
      ['shop_orders', { country: 'DE' }, 2],
      ['shop_orders', { country: 'FR' }, 2],
      ['shop_revenue', {}, 42.5],
    ]);
  });

  it('binds ? to last_success and now (UTC)', async () => {
    const now = new Date();
    const r = await runSql(
      { ...base(), queries: [{ name: 'orders_since', sql: 'SELECT count(*) AS n FROM orders WHERE created_at > ? AND created_at <= ?', value_column: 'n', params: ['last_success', 'now'] }] },
      { now, lastSuccess: new Date(now.getTime() - 15 * 60_000) },
    );
    assert.equal(r.samples[0]!.value, 1);
  });

  it('refuses writes dressed as reads (a side-effect function run as its definer, DDL, INTO OUTFILE) and leaves the data unchanged', async () => {
    const before = await count('orders');
    const writes = {
      side_effect_function: 'SELECT bump() AS n',
      ddl: 'CREATE TABLE copied AS SELECT * FROM orders',
      delete: 'DELETE FROM orders',
      outfile: "SELECT count(*) AS n FROM orders INTO OUTFILE '/tmp/pillarboard-outfile-test'",
    };
    const queries = Object.entries(writes).map(([name, text]) => ({ name, sql: text, value_column: 'n' }));
    const err = await runError(runSql({ ...base(), queries: [...queries, { name: 'ok', sql: 'SELECT 1 AS n', value_column: 'n' }] }));
    assert.equal(err.name, 'PartialCollectError', err.message);
    for (const name of Object.keys(writes)) assert.match(err.message, new RegExp(`collector shop-db query "${name}": `), `no error for ${name}`);
    assert.match(err.message, /query "side_effect_function": refused, it tries to write/);
    assert.equal(await count('orders'), before);
    assert.equal(await count('audit'), 0);
    const [tables] = await server.admin.query("SHOW TABLES FROM shop LIKE 'copied'");
    assert.equal((tables as unknown[]).length, 0);
  });

  it('cuts a slow query at statement_timeout on the server (MariaDB max_statement_time)', async () => {
    const err = await runError(runSql({ ...base(), statement_timeout: '300ms', queries: [{ name: 'slow', sql: 'SELECT SLEEP(30) AS n', value_column: 'n' }, { name: 'slow_scan', sql: 'SELECT count(*) AS n FROM orders a, orders b, orders c, orders d, orders e, orders f, orders g, orders h, orders i, orders j, orders k, orders l, orders m, orders n2', value_column: 'n' }] }));
    // SLEEP() interrupted returns 1 rather than an error on MariaDB; the scan is cancelled.
    assert.match(err.message, /query "slow_scan": ran longer than statement_timeout \(300 ms\) and was cancelled by the server/);
  });

  it('gives up 1 s after statement_timeout when the network stops delivering, dropping the connection', async () => {
    const proxy = await startFreezableProxy({ host: '127.0.0.1', port: server.port });
    try {
      const via = new URL(reader.url);
      via.port = String(proxy.port);
      const scope = new ResourceScope();
      const raw = { driver: 'mysql', dsn: via.toString(), statement_timeout: '300ms', max_connections: 1, queries: [{ name: 'q', sql: 'SELECT 1 AS n', value_column: 'n' }] };
      await runSql(raw, { resources: scope });
      assert.equal(proxy.openSockets(), 1);
      proxy.freeze();
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
    const err = await runError(runSql({ ...base(), max_rows: 100, queries: [{ name: 'big', sql: 'SELECT seq AS n FROM seq_1_to_100000000', value_column: 'n' }] }));
    assert.match(err.message, /query "big": returned more than max_rows \(100\) rows/);
  });

  it('reuses one pooled connection across runs and closes it with the scope', async () => {
    const scope = new ResourceScope();
    const raw = { ...base(), max_connections: 1, queries: [{ name: 'conn', sql: 'SELECT CONNECTION_ID() AS id, 1 AS n', value_column: 'n', label_columns: ['id'] }] };
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await runSql(raw, { resources: scope })).samples[0]!.labels.id!);
    assert.equal(ids.size, 1, `5 runs used ${ids.size} connections`);
    const open = async () => {
      const [rows] = await server.admin.query('SELECT count(*) AS n FROM information_schema.processlist WHERE user = ? AND id = ?', [reader.user, Number([...ids][0])]);
      return Number((rows as Array<{ n: number }>)[0]!.n);
    };
    assert.equal(await open(), 1);
    await scope.close();
    for (let i = 0; i < 50 && (await open()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await open(), 0);
  });

  it('reports a wrong password and a server that is down without repeating the password', async () => {
    const wrong = await runError(runSql({ ...base(), password: 'wrong-secret-123', queries: [{ name: 'a', sql: 'SELECT 1 AS n', value_column: 'n' }] }));
    assert.match(wrong.message, new RegExp(`^collector shop-db: cannot connect to mysql://${reader.user}:\\*\\*\\*@127\\.0\\.0\\.1:${server.port}/shop: Access denied`));
    assert.ok(!wrong.message.includes('wrong-secret-123') && !wrong.message.includes(reader.password));
    const port = new URL(await closedPortUrl()).port;
    const down = await runError(runSql({ driver: 'mysql', dsn: `mysql://reader:hidden-pw@127.0.0.1:${port}/shop`, queries: [{ name: 'a', sql: 'SELECT 1 AS n', value_column: 'n' }] }));
    assert.match(down.message, new RegExp(`connection refused \\(is anything listening on 127\\.0\\.0\\.1:${port}\\?\\)`));
    assert.ok(!down.message.includes('hidden-pw'));
  });
});
