import type Database from 'better-sqlite3';
import type { Db } from './db.js';
import type { WorkloadVersionRecord } from './types.js';

export type WorkloadVersionSummary = Omit<WorkloadVersionRecord, 'source'>;

/** The only reader and writer of workload_versions. "Newest" is the latest saved (highest id). */
export class WorkloadVersionStore {
  private readonly newest: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly byId: Database.Statement;

  constructor(private readonly db: Db) {
    this.newest = db.prepare('SELECT id, hash, applied_at AS appliedAt, path, source FROM workload_versions ORDER BY id DESC LIMIT 1');
    this.insert = db.prepare('INSERT INTO workload_versions (hash, applied_at, path, source) VALUES (?, ?, ?, ?)');
    this.byId = db.prepare('SELECT id, hash, applied_at AS appliedAt, path, source FROM workload_versions WHERE id = ?');
  }

  /** Stores a version unless the newest stored one has the same hash, in which case that one is returned. */
  save(v: Omit<WorkloadVersionRecord, 'id'>): WorkloadVersionRecord {
    return this.db
      .transaction((): WorkloadVersionRecord => {
        const current = this.newest.get() as WorkloadVersionRecord | undefined;
        if (current && current.hash === v.hash) return current;
        const info = this.insert.run(v.hash, v.appliedAt, v.path, v.source);
        return { id: Number(info.lastInsertRowid), hash: v.hash, appliedAt: v.appliedAt, path: v.path, source: v.source };
      })
      .immediate();
  }

  /** Newest first, without the file text. */
  list(limit = 100): WorkloadVersionSummary[] {
    return this.db
      .prepare('SELECT id, hash, applied_at AS appliedAt, path FROM workload_versions ORDER BY id DESC LIMIT ?')
      .all(Math.max(0, Math.floor(limit))) as WorkloadVersionSummary[];
  }

  get(id: number): WorkloadVersionRecord | undefined {
    return this.byId.get(id) as WorkloadVersionRecord | undefined;
  }
}
