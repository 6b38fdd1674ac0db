import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './db.js';

/** A migration that failed; the database is left as it was before that file. */
export class MigrationError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`migration ${file} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationError';
  }
}

export interface MigrationFile {
  version: number;
  name: string; // file name, e.g. 0001_init.sql
  file: string; // absolute path
}

const FILE_RE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * The `migrations/` directory of the package. Code runs from source
 * (server/store/) and compiled (dist/server/store/), so walk up to the first
 * directory holding both package.json and migrations/.
 */
export function findMigrationsDir(startDir: string = __dirname): string {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, 'migrations');
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(candidate) && fs.statSync(candidate).isDirectory()) {
      return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no migrations/ directory beside a package.json above ${startDir}`);
    dir = parent;
  }
}

/** Migration files in version order. A misnamed .sql file or a duplicate version is an error, not skipped. */
export function listMigrations(dir: string): MigrationFile[] {
  const out: MigrationFile[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith('.sql')) continue;
    const m = FILE_RE.exec(name);
    if (!m) throw new Error(`migration file ${path.join(dir, name)} is not named NNNN_lowercase_name.sql`);
    out.push({ version: Number(m[1]), name, file: path.join(dir, name) });
  }
  out.sort((a, b) => a.version - b.version);
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.version === out[i - 1]!.version) {
      throw new Error(`migrations ${out[i - 1]!.name} and ${out[i]!.name} share version ${out[i]!.version}`);
    }
  }
  return out;
}

function ensureTable(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
}

export interface AppliedMigration {
  version: number;
  name: string;
  appliedAt: number;
}

export function appliedMigrations(db: Db): AppliedMigration[] {
  ensureTable(db);
  return db
    .prepare('SELECT version, name, applied_at AS appliedAt FROM schema_migrations ORDER BY version')
    .all() as AppliedMigration[];
}

/** Names of files not yet applied, in the order migrate() would apply them. */
export function pendingMigrations(db: Db, dir: string): string[] {
  const done = new Set(appliedMigrations(db).map((m) => m.version));
  return listMigrations(dir)
    .filter((m) => !done.has(m.version))
    .map((m) => m.name);
}

/**
 * Applies pending migrations in version order, each in its own transaction
 * together with its schema_migrations row, and returns the names applied now.
 * A file must not contain BEGIN/COMMIT. A database migrated by a newer release
 * (a recorded version with no file here) is refused rather than guessed at.
 */
export function migrate(db: Db, dir: string, now: () => number): string[] {
  const files = listMigrations(dir);
  const applied = appliedMigrations(db);
  const known = new Set(files.map((f) => f.version));
  const unknown = applied.filter((a) => !known.has(a.version));
  if (unknown.length > 0) {
    const names = unknown.map((u) => u.name).join(', ');
    throw new Error(`database has migrations this release does not know (${names}); it was migrated by a newer Pillarboard`);
  }
  const done = new Set(applied.map((a) => a.version));
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const names: string[] = [];
  for (const f of files) {
    if (done.has(f.version)) continue;
    const sql = fs.readFileSync(f.file, 'utf8');
    try {
      db.transaction(() => {
        db.exec(sql);
        record.run(f.version, f.name, now());
      }).immediate();
    } catch (err) {
      throw new MigrationError(f.name, err);
    }
    names.push(f.name);
  }
  return names;
}
