/**
 * Where a Pillarboard database's bytes are: SQLite's dbstat, per table with its indexes, grouped
 * into raw samples, rollups, series and the rest by table name (so it keeps working when the
 * store's tables change: any table named like samples/chunks/head is raw, like rollup is rollups).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';

export interface DbBytes {
  /** Main file plus -wal (after a checkpoint the WAL is empty). */
  file: number;
  raw: number;
  rollups: number;
  series: number;
  other: number;
  /** Of `raw`: the bytes and rows of the head tables (one row per sample, not yet compressed). */
  headBytes: number;
  headRows: number;
  tables: Record<string, number>;
}

export function groupOf(table: string): 'raw' | 'rollups' | 'series' | 'other' {
  if (/rollup/i.test(table)) return 'rollups';
  if (/sample|chunk|head/i.test(table)) return 'raw';
  if (/^series/i.test(table)) return 'series';
  return 'other';
}

/** Checkpoints the WAL (TRUNCATE) and measures. The database must not be open for writing elsewhere. */
export function dbBytes(file: string): DbBytes {
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const owner = new Map<string, string>();
    for (const r of db.prepare("SELECT name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index')").all() as Array<{ name: string; tbl_name: string }>) {
      owner.set(r.name, r.tbl_name);
    }
    const tables: Record<string, number> = {};
    for (const r of db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as Array<{ name: string; bytes: number }>) {
      const t = owner.get(r.name) ?? r.name;
      tables[t] = (tables[t] ?? 0) + r.bytes;
    }
    const out: DbBytes = { file: 0, raw: 0, rollups: 0, series: 0, other: 0, headBytes: 0, headRows: 0, tables };
    for (const [t, b] of Object.entries(tables)) {
      out[groupOf(t)] += b;
      if (groupOf(t) === 'raw' && /head/i.test(t)) {
        out.headBytes += b;
        out.headRows += db.prepare(`SELECT count(*) FROM "${t.replace(/"/g, '""')}"`).pluck().get() as number;
      }
    }
    db.close();
    out.file = fs.statSync(file).size + (fs.existsSync(file + '-wal') ? fs.statSync(file + '-wal').size : 0);
    return out;
  } finally {
    if (db.open) db.close();
  }
}
