import Database from 'better-sqlite3';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** How long a write waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** Open with SQLite's read-only flag (the file must exist and be in WAL mode already). */
  readOnly?: boolean;
}

/**
 * Opens the SQLite file with the pragmas every store connection relies on:
 * WAL (readers never block the writer), synchronous=NORMAL (a committed
 * transaction survives a process crash; only an OS crash may lose the last
 * commits, never corrupt the file), foreign keys enforced, and a busy timeout
 * so a second process (e.g. `pillarboard backup`) waits instead of failing.
 */
export function openDatabase(path: string, opts: OpenDatabaseOptions = {}): Db {
  const db = new Database(path, opts.readOnly ? { readonly: true, fileMustExist: true } : {});
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    if (opts.readOnly) {
      // A reader needs little cache: chunks are read once per query, and the OS page cache
      // holds the file for every connection at once.
      db.pragma('cache_size = -8192');
      return db;
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('temp_store = MEMORY');
    // The page cache holds the head's pages and its index between runs; compressed chunks
    // are written once per compaction, so 16 MiB is enough (64 MiB measured no faster
    // since samples moved into chunks, and cost RSS; see docs/store.md). Checkpointing every
    // ~40 MB of WAL instead of every 4 MB saves an fsync per large commit. The WAL file is
    // trimmed back to journal_size_limit after a checkpoint.
    db.pragma('cache_size = -16384');
    db.pragma('wal_autocheckpoint = 10000');
    db.pragma('journal_size_limit = 67108864');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
