import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { openStore } from '../server/store/index.js';
import { findPgMigrationsDir, migratePg, pendingPgMigrations } from '../server/store/pg/migrate.js';
import { requirePostgres, startPostgres, type PostgresServer } from './support/postgres.js';

describe('PostgreSQL migrations', { skip: requirePostgres() }, () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server.stop());
  const now = () => 1_700_000_000_000;
  /** Every file in migrations-pg/, in order: what a fresh database must get, each once. */
  const files = () => fs.readdirSync(findPgMigrationsDir()).filter((f) => f.endsWith('.sql')).sort();

  test('every table of the SQLite store has a PostgreSQL twin with the same columns', async () => {
    const url = await server.createDatabase();
    const pool = new pg.Pool({ connectionString: url });
    try {
      assert.deepEqual(await migratePg(pool, findPgMigrationsDir(), now), files());
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-pg-migrate-'));
      const sqlite = openStore({ path: path.join(dir, 's.db'), now });
      const tables = new Map<string, string[]>();
      for (const t of sqlite.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[]) {
        tables.set(t, (sqlite.db.prepare(`SELECT name FROM pragma_table_info('${t}')`).pluck().all() as string[]).sort());
      }
      sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
      // `samples` only holds rows of databases written before chunks (converted on open); PostgreSQL never had that layout
      tables.delete('samples');
      const r = await pool.query<{ table_name: string; column_name: string }>(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'",
      );
      const pgTables = new Map<string, string[]>();
      for (const row of r.rows) pgTables.set(row.table_name, [...(pgTables.get(row.table_name) ?? []), row.column_name]);
      for (const [t, cols] of tables) {
        assert.ok(pgTables.has(t), `PostgreSQL has table ${t}`);
        if (t === 'samples_head' || t === 'rollup_dirty') continue; // per series-hour markers, no seq column: see 0001_metrics.sql
        assert.deepEqual(pgTables.get(t)!.sort(), cols, `columns of ${t}`);
      }
    } finally {
      await pool.end();
    }
  });

  test('replicas migrating one database at the same time apply each file exactly once', async () => {
    const url = await server.createDatabase();
    const pools = Array.from({ length: 3 }, () => new pg.Pool({ connectionString: url, max: 1 }));
    try {
      const applied = await Promise.all(pools.map((p) => migratePg(p, findPgMigrationsDir(), now)));
      assert.deepEqual(applied.flat().sort(), files());
      assert.deepEqual(await pendingPgMigrations(pools[0]!, findPgMigrationsDir()), []);
      assert.deepEqual(await migratePg(pools[0]!, findPgMigrationsDir(), now), [], 'nothing left to apply');
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  test('a failing migration leaves the database as it was before that file, and a newer database is refused', async () => {
    const url = await server.createDatabase();
    const pool = new pg.Pool({ connectionString: url });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-pg-migrations-'));
    try {
      fs.writeFileSync(path.join(dir, '0001_a.sql'), 'CREATE TABLE a (x int);');
      fs.writeFileSync(path.join(dir, '0002_b.sql'), 'CREATE TABLE b (x int); INSERT INTO nowhere VALUES (1);');
      await assert.rejects(migratePg(pool, dir, now), (e: Error) => e.name === 'MigrationError' && /^migration 0002_b\.sql failed: relation "nowhere"/.test(e.message));
      const t = await pool.query("SELECT to_regclass('a')::text AS a, to_regclass('b')::text AS b");
      assert.deepEqual(t.rows[0], { a: 'a', b: null }, '0001 stays applied, nothing of 0002 is left');
      fs.writeFileSync(path.join(dir, '0002_b.sql'), 'CREATE TABLE b (x int);');
      fs.writeFileSync(path.join(dir, '0003_c.sql'), 'CREATE TABLE c (x int);');
      assert.deepEqual(await migratePg(pool, dir, now), ['0002_b.sql', '0003_c.sql']);
      fs.rmSync(path.join(dir, '0003_c.sql'));
      await assert.rejects(migratePg(pool, dir, now), /database has migrations this release does not know \(0003_c\.sql\); it was migrated by a newer Pillarboard/);
    } finally {
      await pool.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
