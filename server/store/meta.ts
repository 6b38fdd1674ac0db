import type Database from 'better-sqlite3';
import type { Db } from './db.js';

/**
 * The two bounds that partition raw samples, persisted in `meta` and only ever
 * moved forward:
 * - rawHorizon: hour-aligned ms below which retention has deleted raw samples.
 *   Hours below it live only in rollups; hours at or above it are complete in
 *   raw, which is what lets a rollup hour be recomputed from raw.
 * - headFrom: samples with ts >= headFrom live in samples_head, older ones in
 *   samples (see docs/store.md). -Infinity until the first head compaction.
 * Re-read at the start of every write transaction, so a second process that
 * moved a bound (e.g. `pillarboard` maintenance) is honoured.
 */
export class StoreBounds {
  rawHorizon = Number.NEGATIVE_INFINITY;
  headFrom = Number.NEGATIVE_INFINITY;
  private readonly read: Database.Statement;
  private readonly write: Database.Statement;

  constructor(db: Db) {
    this.read = db.prepare("SELECT key, value FROM meta WHERE key IN ('raw_horizon', 'head_from')").raw();
    this.write = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.refresh();
  }

  refresh(): this {
    for (const [key, value] of this.read.all() as Array<[string, string]>) {
      if (key === 'raw_horizon') this.rawHorizon = Math.max(this.rawHorizon, Number(value));
      else this.headFrom = Math.max(this.headFrom, Number(value));
    }
    return this;
  }

  /** Persists a new raw horizon; call inside a transaction, then it applies in memory too. */
  setRawHorizon(ms: number): void {
    if (ms <= this.rawHorizon) return;
    this.write.run('raw_horizon', String(ms));
    this.rawHorizon = ms;
  }

  /** Persists a new head bound; call inside the compaction transaction. */
  setHeadFrom(ms: number): void {
    if (ms <= this.headFrom) return;
    this.write.run('head_from', String(ms));
    this.headFrom = ms;
  }
}
