import type Database from 'better-sqlite3';
import type { Db } from './db.js';
import type { StoreBounds } from './meta.js';

/** Head size that triggers a compaction; half of it stays in the head. */
export const DEFAULT_HEAD_MAX_ROWS = 64_000;

/**
 * Moves the oldest rows of samples_head into samples, keeping the newest
 * `keepRows` (at least) in the head, and raises head_from to the first kept
 * timestamp, all in one transaction: a crash leaves either the old or the new
 * split, never a sample in both places or in neither.
 *
 * Why: `samples` is clustered by series, so writing one run of N series there
 * dirties ~N leaf pages (each written to the WAL and checkpointed), whatever the
 * batch size. The head is clustered by time, so a run appends to a few pages;
 * compaction then pays the per-series page cost once for many runs, in series
 * order. Keeping half the head lets collectors that lag behind the newest
 * timestamps still land in the head.
 */
export class HeadCompactor {
  private readonly cutAt: Database.Statement;
  private readonly move: Database.Statement;
  private readonly drop: Database.Statement;
  private readonly count: Database.Statement;

  constructor(
    private readonly db: Db,
    private readonly bounds: StoreBounds,
  ) {
    this.cutAt = db.prepare('SELECT ts FROM samples_head ORDER BY ts DESC LIMIT 1 OFFSET ?').pluck();
    this.move = db.prepare(
      `INSERT INTO samples (series_id, ts, value)
         SELECT series_id, ts, value FROM samples_head WHERE ts < ? ORDER BY series_id, ts
       ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value`,
    );
    this.drop = db.prepare('DELETE FROM samples_head WHERE ts < ?');
    this.count = db.prepare('SELECT count(*) FROM samples_head').pluck();
  }

  /**
   * Moves every head row older than `ts` into samples and raises head_from to `ts`, so a bulk
   * write of data older than `ts` (a backfill) goes straight into samples instead of passing
   * through the head. Nothing happens when head_from is already at or above `ts`.
   */
  compactBefore(ts: number): { moved: number; headRows: number } {
    const moved = this.db
      .transaction(() => {
        if (ts <= this.bounds.refresh().headFrom) return 0;
        const n = this.move.run(ts).changes;
        this.drop.run(ts);
        this.bounds.setHeadFrom(ts);
        return n;
      })
      .immediate();
    return { moved, headRows: this.count.get() as number };
  }

  /** Returns how many rows moved and the exact number of rows left in the head. */
  compact(keepRows: number): { moved: number; headRows: number } {
    const moved = this.db
      .transaction(() => {
        this.bounds.refresh();
        const cut = this.cutAt.get(Math.max(0, Math.floor(keepRows) - 1)) as number | undefined;
        if (cut === undefined || cut <= this.bounds.headFrom) return 0;
        const n = this.move.run(cut).changes;
        this.drop.run(cut);
        this.bounds.setHeadFrom(cut);
        return n;
      })
      .immediate();
    return { moved, headRows: this.count.get() as number };
  }
}
