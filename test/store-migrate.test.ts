import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { findMigrationsDir } from '../server/store/migrate.js';
import { MigrationError, openStore } from '../server/store/index.js';
import { tempDir } from './fixtures/store-helpers.js';

const REPO_MIGRATIONS = findMigrationsDir();

function tables(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  } finally {
    db.close();
  }
}

test('all migrations apply to an empty database and are recorded in schema_migrations', (t) => {
  const file = path.join(tempDir(t), 'pb.db');
  const store = openStore({ path: file, now: Date.now });
  const files = fs.readdirSync(REPO_MIGRATIONS).filter((f) => f.endsWith('.sql')).sort();
  assert.ok(files.includes('0001_init.sql'));
  assert.deepEqual(store.appliedMigrations().map((m) => m.name), files);
  assert.deepEqual(store.pendingMigrations(), []);
  store.close();
  const names = tables(file);
  for (const table of ['series', 'samples', 'rollup_1h', 'rollup_dirty', 'collector_runs', 'workload_versions', 'meta', 'schema_migrations']) {
    assert.ok(names.includes(table), `table ${table} exists (have ${names.join(', ')})`);
  }
});

test('re-opening a migrated database applies nothing', (t) => {
  const file = path.join(tempDir(t), 'pb.db');
  openStore({ path: file, now: Date.now }).close();
  const store = openStore({ path: file, migrate: false, now: Date.now });
  assert.deepEqual(store.migrate(), []);
  assert.equal(store.appliedMigrations().length, fs.readdirSync(REPO_MIGRATIONS).filter((f) => f.endsWith('.sql')).length);
  store.close();
});

test('the store opens with WAL, synchronous=NORMAL, foreign keys on and a busy timeout', (t) => {
  const file = path.join(tempDir(t), 'pb.db');
  const store = openStore({ path: file, now: Date.now });
  t.after(() => store.close());
  assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(store.db.pragma('synchronous', { simple: true }), 1);
  assert.equal(store.db.pragma('foreign_keys', { simple: true }), 1);
  assert.ok((store.db.pragma('busy_timeout', { simple: true }) as number) > 0);
});

test('migrations run in numeric order and migrate() returns only the ones applied now', (t) => {
  const dir = tempDir(t);
  const migrations = path.join(dir, 'migrations');
  fs.mkdirSync(migrations);
  fs.writeFileSync(path.join(migrations, '0002_second.sql'), 'ALTER TABLE a ADD COLUMN y INTEGER;');
  fs.writeFileSync(path.join(migrations, '0001_first.sql'), 'CREATE TABLE a (x INTEGER);');
  fs.writeFileSync(path.join(migrations, 'README.md'), 'not a migration');
  const file = path.join(dir, 'pb.db');
  const store = openStore({ path: file, migrationsDir: migrations, migrate: false, now: Date.now });
  assert.deepEqual(store.pendingMigrations(), ['0001_first.sql', '0002_second.sql']);
  assert.deepEqual(store.migrate(), ['0001_first.sql', '0002_second.sql']);
  store.close();
  fs.writeFileSync(path.join(migrations, '0003_third.sql'), 'CREATE TABLE b (z TEXT);');
  const again = openStore({ path: file, migrationsDir: migrations, migrate: false, now: Date.now });
  assert.deepEqual(again.migrate(), ['0003_third.sql']);
  again.close();
});

test('a failing migration rolls back entirely and the error names the file', (t) => {
  const dir = tempDir(t);
  const migrations = path.join(dir, 'migrations');
  fs.mkdirSync(migrations);
  fs.writeFileSync(path.join(migrations, '0001_first.sql'), 'CREATE TABLE a (x INTEGER);');
  fs.writeFileSync(
    path.join(migrations, '0002_broken.sql'),
    'CREATE TABLE half_done (x INTEGER);\nINSERT INTO a VALUES (1);\nCREATE TABLE oops (;\n',
  );
  const file = path.join(dir, 'pb.db');
  assert.throws(
    () => openStore({ path: file, migrationsDir: migrations, now: Date.now }),
    (err: unknown) => err instanceof MigrationError && err.file === '0002_broken.sql' && /0002_broken\.sql/.test(err.message),
  );
  assert.ok(!tables(file).includes('half_done'), 'the failed migration left no table behind');
  const db = new Database(file, { readonly: true });
  assert.equal(db.prepare('SELECT count(*) FROM a').pluck().get(), 0, 'the failed migration left no row behind');
  assert.deepEqual(db.prepare('SELECT name FROM schema_migrations').pluck().all(), ['0001_first.sql']);
  db.close();
});

test('a migration file with a malformed name is an error, not skipped', (t) => {
  const dir = tempDir(t);
  const migrations = path.join(dir, 'migrations');
  fs.mkdirSync(migrations);
  fs.writeFileSync(path.join(migrations, '1_first.sql'), 'CREATE TABLE a (x INTEGER);');
  assert.throws(() => openStore({ path: path.join(dir, 'pb.db'), migrationsDir: migrations, now: Date.now }), /1_first\.sql is not named NNNN_/);
});

test('a database migrated by a newer release is refused', (t) => {
  const dir = tempDir(t);
  const migrations = path.join(dir, 'migrations');
  fs.mkdirSync(migrations);
  fs.writeFileSync(path.join(migrations, '0001_first.sql'), 'CREATE TABLE a (x INTEGER);');
  fs.writeFileSync(path.join(migrations, '0002_second.sql'), 'CREATE TABLE b (x INTEGER);');
  const file = path.join(dir, 'pb.db');
  openStore({ path: file, migrationsDir: migrations, now: Date.now }).close();
  fs.rmSync(path.join(migrations, '0002_second.sql'));
  assert.throws(() => openStore({ path: file, migrationsDir: migrations, now: Date.now }), /0002_second\.sql.*newer Pillarboard/);
});

test('the migrations directory is found from the compiled location as well as from source', (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'package.json'), '{}');
  fs.mkdirSync(path.join(dir, 'migrations'));
  const deep = path.join(dir, 'dist', 'server', 'store');
  fs.mkdirSync(deep, { recursive: true });
  assert.equal(findMigrationsDir(deep), path.join(dir, 'migrations'));
  assert.equal(findMigrationsDir(path.join(__dirname, '..', 'server', 'store')), REPO_MIGRATIONS);
});
