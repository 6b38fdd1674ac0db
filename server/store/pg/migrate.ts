import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { listMigrations, MigrationError, type AppliedMigration } from '../migrate.js';

/**
 * Migrations of the PostgreSQL store (migrations-pg/NNNN_name.sql), with the rules of the
 * SQLite runner (../migrate.ts): append-only numbered files, each applied in its own
 * transaction together with its schema_migrations row, and a database migrated by a newer
 * release refused rather than guessed at. Replicas starting together take a session advisory
 * lock around the whole run, so exactly one applies each file and the others then find it done.
 */

/** Advisory lock key of the migration run ('pillarbo' as a 64-bit number, fixed forever). */
export const MIGRATION_LOCK_KEY = 0x70696c6c6172626fn;

/** The `migrations-pg/` directory of the package: the first beside a package.json above `startDir`. */
export function findPgMigrationsDir(startDir: string = __dirname): string {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, 'migrations-pg');
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(candidate) && fs.statSync(candidate).isDirectory()) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no migrations-pg/ directory beside a package.json above ${startDir}`);
    dir = parent;
  }
}

const ENSURE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at bigint NOT NULL
)`;

export async function appliedPgMigrations(db: pg.Pool | pg.PoolClient): Promise<AppliedMigration[]> {
  const exists = await db.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (exists.rows[0]?.t == null) return [];
  const r = await db.query<{ version: number; name: string; applied_at: string | number }>(
    'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
  );
  return r.rows.map((row) => ({ version: row.version, name: row.name, appliedAt: Number(row.applied_at) }));
}

export async function pendingPgMigrations(db: pg.Pool | pg.PoolClient, dir: string): Promise<string[]> {
  const done = new Set((await appliedPgMigrations(db)).map((m) => m.version));
  return listMigrations(dir).filter((m) => !done.has(m.version)).map((m) => m.name);
}

/** Applies pending migrations in version order under the advisory lock; returns the names applied now. */
export async function migratePg(pool: pg.Pool, dir: string, now: () => number): Promise<string[]> {
  const files = listMigrations(dir);
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      await client.query(ENSURE);
      const applied = await appliedPgMigrations(client);
      const known = new Set(files.map((f) => f.version));
      const unknown = applied.filter((a) => !known.has(a.version));
      if (unknown.length > 0) {
        const names = unknown.map((u) => u.name).join(', ');
        throw new Error(`database has migrations this release does not know (${names}); it was migrated by a newer Pillarboard`);
      }
      const done = new Set(applied.map((a) => a.version));
      const names: string[] = [];
      for (const f of files) {
        if (done.has(f.version)) continue;
        const sql = fs.readFileSync(f.file, 'utf8');
        try {
          await client.query('BEGIN');
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [f.version, f.name, now()]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new MigrationError(f.name, err);
        }
        names.push(f.name);
      }
      return names;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]).catch(() => {
        broken = true; // a connection that may still hold the lock is not given back to the pool
      });
    }
  } finally {
    client.release(broken);
  }
}
