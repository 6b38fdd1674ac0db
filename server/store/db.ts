import Database from 'better-sqlite3';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** How long a write waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** Open for reading only (a worker thread's connection beside the writer); the file must exist. */
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
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    db.pragma('temp_store = MEMORY');
    // Samples are clustered by series, so a run of N series dirties ~N leaf pages:
    // a larger page cache keeps those tails in memory, and checkpointing every
    // ~40 MB of WAL instead of every 4 MB saves an fsync per large commit
    // (measured: ~1.5-2x ingest; see docs/store.md). The WAL file is trimmed back
    // to journal_size_limit after a checkpoint.
    // A reader (a worker thread beside the writer) keeps a small cache: the OS caches the
    // file for every connection, and each worker's own cache counts in the server's RSS.
    db.pragma(`cache_size = ${opts.readOnly ? -8192 : -65536}`);
    db.pragma('wal_autocheckpoint = 10000');
    db.pragma('journal_size_limit = 67108864');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
