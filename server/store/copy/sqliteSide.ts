import * as fs from 'node:fs';
import * as path from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase, type Db } from '../db.js';
import { openStore, type Store } from '../index.js';
import type { TablePlan } from './plan.js';
import { ALL_TIME, COPY_BATCH_ROWS, type CopyDestination, type CopySource, type Row } from './side.js';

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

function selectAll(db: Db, plan: TablePlan): Database.Statement {
  // The head is read in arrival order (seq) so a SQLite destination numbers it the same way.
  const order = plan.name === 'samples_head' ? 'seq' : plan.key.map(q).join(', ');
  return db.prepare(`SELECT ${plan.columns.map(q).join(', ')} FROM ${q(plan.name)} ORDER BY ${order}`).raw();
}

function* batches(stmt: Database.Statement, plan: TablePlan): Generator<Row[]> {
  const nanAt = plan.name === 'samples_head' ? plan.columns.indexOf('value') : -1;
  let batch: Row[] = [];
  for (const row of stmt.iterate() as IterableIterator<Row>) {
    if (nanAt >= 0 && row[nanAt] === null) row[nanAt] = Number.NaN;
    batch.push(row);
    if (batch.length === COPY_BATCH_ROWS) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Rows out of a generator, one batch per turn of the event loop so progress can be drawn. */
async function* spaced(gen: Generator<Row[]>): AsyncGenerator<Row[]> {
  for (const b of gen) {
    yield b;
    await new Promise<void>((r) => setImmediate(r));
  }
}

function dirtyHoursOf(db: Db): number[] {
  return db.prepare('SELECT hour FROM rollup_dirty ORDER BY hour').pluck().all() as number[];
}

/**
 * A SQLite store as a copy's source: opened read-only (a running `serve` may keep writing), all
 * reads in one read transaction, so the copy is one consistent snapshot of the file.
 */
export class SqliteCopySource implements CopySource {
  readonly label: string;
  private constructor(private readonly store: Store, file: string) {
    this.label = file;
  }

  static open(file: string, now: () => number): SqliteCopySource {
    if (!fs.existsSync(file)) throw new Error(`no SQLite database at ${path.resolve(file)}`);
    const store = openStore({ path: file, readOnly: true, migrate: false, now });
    try {
      const pending = store.pendingMigrations();
      if (pending.length > 0) {
        throw new Error(`${file} needs migrations this release has (${pending.join(', ')}); run \`pillarboard migrate --db ${file}\` first`);
      }
      store.db.exec('BEGIN');
      store.db.prepare('SELECT count(*) FROM series').get(); // the read snapshot starts here
    } catch (err) {
      store.close();
      throw err;
    }
    return new SqliteCopySource(store, file);
  }

  async count(table: string): Promise<number> {
    return this.store.db.prepare(`SELECT count(*) FROM ${q(table)}`).pluck().get() as number;
  }
  rows(plan: TablePlan): AsyncIterable<Row[]> {
    return spaced(batches(selectAll(this.store.db, plan), plan));
  }
  async dirtyHours(): Promise<number[]> {
    return dirtyHoursOf(this.store.db);
  }
  async meta(): Promise<Array<[string, string]>> {
    return this.store.db.prepare('SELECT key, value FROM meta ORDER BY key').raw().all() as Array<[string, string]>;
  }
  async raw(seriesId: number): Promise<Array<[number, number]>> {
    return this.store.rawPoints(seriesId, ALL_TIME.from, ALL_TIME.to);
  }
  async seriesIds(): Promise<number[]> {
    return this.store.db.prepare('SELECT id FROM series ORDER BY id').pluck().all() as number[];
  }
  async close(): Promise<void> {
    if (this.store.db.inTransaction) this.store.db.exec('ROLLBACK');
    this.store.close();
  }
}

/**
 * A new SQLite file as a copy's destination: created with the current schema, then filled in one
 * write transaction. Aborting deletes the file, so a failed copy can simply be run again.
 */
export class SqliteCopyDestination implements CopyDestination {
  readonly label: string;
  private db: Db | undefined;
  private readonly inserts = new Map<string, Database.Statement>();
  private store: Store | undefined;

  private constructor(
    private readonly file: string,
    private readonly now: () => number,
  ) {
    this.label = file;
  }

  static open(file: string, now: () => number): SqliteCopyDestination {
    if (fs.existsSync(file)) throw new Error(`${file} exists; a copy writes a new SQLite file (move it away or choose another name)`);
    openStore({ path: file, now }).close(); // the schema, migrated
    const d = new SqliteCopyDestination(file, now);
    d.db = openDatabase(file);
    d.db.exec('BEGIN IMMEDIATE');
    return d;
  }

  private writer(): Db {
    if (!this.db) throw new Error('copy destination is closed');
    return this.db;
  }

  async nonEmpty(plans: readonly TablePlan[]): Promise<Array<{ table: string; rows: number }>> {
    const out: Array<{ table: string; rows: number }> = [];
    for (const p of plans) {
      if (p.name === 'meta') continue;
      const n = this.writer().prepare(`SELECT count(*) FROM ${q(p.name)}`).pluck().get() as number;
      if (n > 0) out.push({ table: p.name, rows: n });
    }
    return out;
  }

  async insert(plan: TablePlan, rows: readonly Row[]): Promise<void> {
    const db = this.writer();
    let stmt = this.inserts.get(plan.name);
    if (!stmt) {
      stmt = db.prepare(`INSERT INTO ${q(plan.name)} (${plan.columns.map(q).join(', ')}) VALUES (${plan.columns.map(() => '?').join(', ')})`);
      this.inserts.set(plan.name, stmt);
    }
    for (const row of rows) {
      // SQLite has no booleans and keeps NaN as NULL (a staleness marker in the head).
      stmt.run(row.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' && Number.isNaN(v) ? null : v)));
    }
  }

  async markDirty(hours: readonly number[]): Promise<void> {
    const stmt = this.writer().prepare('INSERT OR IGNORE INTO rollup_dirty (hour) VALUES (?)');
    for (const h of hours) stmt.run(h);
  }

  async replaceMeta(rows: ReadonlyArray<[string, string]>): Promise<void> {
    const db = this.writer();
    db.exec('DELETE FROM meta');
    const stmt = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    for (const [k, v] of rows) stmt.run(k, v);
  }

  async commit(): Promise<void> {
    const db = this.writer();
    db.exec('COMMIT');
    db.close();
    this.db = undefined;
    // Read back through the store itself: it recovers marked hours and reads chunks and head.
    this.store = openStore({ path: this.file, now: this.now });
  }

  async abort(): Promise<void> {
    if (this.db) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.db.close();
      this.db = undefined;
    }
    this.store?.close();
    this.store = undefined;
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(this.file + suffix, { force: true });
  }

  private reader(): Store {
    if (!this.store) throw new Error('copy destination is not committed');
    return this.store;
  }
  async count(table: string): Promise<number> {
    return this.reader().db.prepare(`SELECT count(*) FROM ${q(table)}`).pluck().get() as number;
  }
  rows(plan: TablePlan): AsyncIterable<Row[]> {
    return spaced(batches(selectAll(this.reader().db, plan), plan));
  }
  async dirtyHours(): Promise<number[]> {
    return dirtyHoursOf(this.reader().db);
  }
  async raw(seriesId: number): Promise<Array<[number, number]>> {
    return this.reader().rawPoints(seriesId, ALL_TIME.from, ALL_TIME.to);
  }
  async close(): Promise<void> {
    this.store?.close();
    this.store = undefined;
    if (this.db) await this.abort();
  }
}
