/**
 * `sql` collector run overhead over the bare query (issue 16): the same query, on the same
 * warm connection, run (a) bare through the driver and (b) as one run of the sql collector —
 * read-only transaction, statement timeout, cursor or stream with the row cap, rows turned
 * into samples, the pool kept between runs. Per driver: SQLite (bare: better-sqlite3 in
 * process; the collector: its reader process), a real PostgreSQL (test/support/postgres.ts)
 * and a real MariaDB (test/support/mariadb.ts) when installed. Two queries: an aggregate of
 * 4 rows over 20,000 orders, and 1,000 rows (per-row cost).
 * `node --import tsx bench/sql.bench.ts [--quick]`. Target: overhead <= 2 ms per run of the
 * aggregate (two extra round trips on PostgreSQL, one IPC hop for SQLite); medians of runs
 * interleaved with the bare query, so both see the same load.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { sql } from '../collectors/sql.js';
import { ResourceScope } from '../collectors/resources.js';
import { silentLogger } from '../server/log.js';
import { findPostgresBin, startPostgres } from '../test/support/postgres.js';
import { requireMariadb, startMariadb } from '../test/support/mariadb.js';

const QUICK = process.argv.includes('--quick') || !!process.env.BENCH_QUICK;
const RUNS = QUICK ? 100 : 400;
const WARMUP = 30;
const ORDERS = 20_000;
const TARGET_MS = 2;
const QUERIES = {
  aggregate: 'SELECT country, count(*) AS n FROM orders GROUP BY country',
  rows_1000: 'SELECT id, amount AS n FROM orders WHERE id <= 1000',
};
const results: Array<{ metric: string; value: number; unit: string; target?: string; pass?: boolean }> = [];
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

/** Medians of `a` and `b`, run alternately so both see the same load on a shared machine. */
async function medians(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number, number]> {
  for (let i = 0; i < WARMUP; i++) {
    await a();
    await b();
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t0 = performance.now();
    await a();
    ta.push(performance.now() - t0);
    t0 = performance.now();
    await b();
    tb.push(performance.now() - t0);
  }
  const mid = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return [mid(ta), mid(tb)];
}

async function compare(driver: string, raw: Record<string, unknown>, bare: (text: string) => Promise<unknown>): Promise<void> {
  const scope = new ResourceScope();
  try {
    for (const [name, text] of Object.entries(QUERIES)) {
      const valueColumn = 'n';
      const labelColumns = name === 'aggregate' ? ['country'] : ['id'];
      const config = sql.config.parse({ ...raw, max_rows: 5000, queries: [{ name: `bench_${name}`, sql: text, value_column: valueColumn, label_columns: labelColumns }] });
      const run = () => sql.collect(config, { signal: AbortSignal.timeout(30_000), now: new Date(), log: silentLogger, collectorId: `bench-${driver}`, resources: scope });
      const check = await run();
      if (check.samples.length === 0) throw new Error(`${driver} ${name}: no samples`);
      const [bareMs, runMs] = await medians(() => bare(text), run);
      const overhead = runMs - bareMs;
      console.log(`${driver.padEnd(9)} ${name.padEnd(10)} bare ${bareMs.toFixed(3)} ms, collector run ${runMs.toFixed(3)} ms, overhead ${overhead.toFixed(3)} ms (x${(runMs / bareMs).toFixed(1)})`);
      results.push({ metric: `${driver} ${name}: bare query, median`, value: round(bareMs), unit: 'ms' });
      results.push({ metric: `${driver} ${name}: collector run, median`, value: round(runMs), unit: 'ms' });
      // The target is for the typical business query (an aggregate); 1,000 rows shows the per-row cost.
      const target = name === 'aggregate' ? { target: `<= ${TARGET_MS} ms`, pass: overhead <= TARGET_MS } : {};
      results.push({ metric: `${driver} ${name}: overhead`, value: round(overhead), unit: 'ms', ...target });
    }
  } finally {
    await scope.close();
  }
}

function ordersRows(): Array<[string, number]> {
  const countries = ['FR', 'DE', 'NL', 'ES'];
  return Array.from({ length: ORDERS }, (_, i) => [countries[i % 4]!, (i % 997) / 10]);
}

async function sqlite(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-bench-sql-'));
  try {
    const file = path.join(dir, 'shop.db');
    const db = new Database(file);
    db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, country TEXT, amount REAL)');
    const add = db.prepare('INSERT INTO orders (country, amount) VALUES (?, ?)');
    db.transaction(() => ordersRows().forEach((r) => add.run(...r)))();
    db.close();
    const reader = new Database(file, { readonly: true });
    await compare('sqlite', { driver: 'sqlite', path: file }, async (text) => reader.prepare(text).all());
    reader.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(): Promise<void> {
  if (!findPostgresBin()) return console.log('postgres: not installed, skipped');
  const server = await startPostgres();
  try {
    const dsn = await server.createDatabase();
    const pool = new pg.Pool({ connectionString: dsn, max: 1 });
    await pool.query('CREATE TABLE orders (id serial PRIMARY KEY, country text, amount numeric)');
    await pool.query('INSERT INTO orders (country, amount) SELECT c, a FROM unnest($1::text[], $2::numeric[]) AS t(c, a)', [ordersRows().map((r) => r[0]), ordersRows().map((r) => r[1])]);
    await pool.query('ANALYZE orders');
    await compare('postgres', { driver: 'postgres', dsn, max_connections: 1 }, (text) => pool.query(text));
    await pool.end();
  } finally {
    await server.stop();
  }
}

async function mariadb(): Promise<void> {
  if (requireMariadb() !== false) return console.log('mariadb: not installed, skipped');
  const server = await startMariadb();
  try {
    const reader = await server.createReader('shop');
    await server.admin.query('CREATE TABLE shop.orders (id int PRIMARY KEY AUTO_INCREMENT, country varchar(8), amount decimal(10,2))');
    await server.admin.query('INSERT INTO shop.orders (country, amount) VALUES ?', [ordersRows()]);
    const pool = mysql.createPool({ uri: reader.url, connectionLimit: 1 });
    await compare('mariadb', { driver: 'mysql', dsn: reader.url, max_connections: 1 }, (text) => pool.query(text));
    await pool.end();
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  await sqlite();
  await postgres();
  await mariadb();
  const peakRssMb = round(process.resourceUsage().maxRSS / 1024, 1);
  console.log('BENCH_JSON ' + JSON.stringify({ name: 'sql', results, peakRssMb }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
