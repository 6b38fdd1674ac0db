import type Database from 'better-sqlite3';
import type { ChunkStore } from './chunks.js';
import type { Db } from './db.js';
import type { HeadMirror } from './headMirror.js';
import type { StoreBounds } from './meta.js';

/** Head size that triggers a compaction; half of it stays in the head. */
export const DEFAULT_HEAD_MAX_ROWS = 64_000;

/**
 * Moves the oldest rows of samples_head into compressed chunks, keeping the newest
 * `keepRows` (at least) in the head, and raises head_from to the first kept
 * timestamp, all in one transaction: a crash leaves either the old or the new
 * split, never a sample in both places or in neither.
 *
 * Why: chunks are per series, so writing one run of N series into them would rewrite
 * N chunks, whatever the batch size. The head is clustered by time, so a run appends
 * to a few pages; compaction then encodes each series' rows once for many runs,
 * extending the series' last chunk until it is full. Keeping half the head lets
 * collectors that lag behind the newest timestamps still land in the head.
 */
export class HeadCompactor {
  private readonly cutAt: Database.Statement;
  private readonly drop: Database.Statement;
  private readonly count: Database.Statement;

  constructor(
    private readonly db: Db,
    private readonly bounds: StoreBounds,
    private readonly chunks: ChunkStore,
    private readonly head: HeadMirror,
  ) {
    this.cutAt = db.prepare('SELECT ts FROM samples_head ORDER BY ts DESC LIMIT 1 OFFSET ?').pluck();
    this.drop = db.prepare('DELETE FROM samples_head WHERE ts < ?');
    this.count = db.prepare('SELECT count(*) FROM samples_head').pluck();
  }

  /**
   * Moves every head row older than `ts` into chunks and raises head_from to `ts`, so a bulk
   * write of data older than `ts` (a backfill, an import) goes straight into chunks instead of
   * passing through the head. Nothing happens when head_from is already at or above `ts`.
   */
  compactBefore(ts: number): { moved: number; headRows: number } {
    const moved = this.db
      .transaction(() => {
        if (ts <= this.bounds.refresh().headFrom) return 0;
        const n = this.move(ts);
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
        const n = this.move(cut);
        this.drop.run(cut);
        this.bounds.setHeadFrom(cut);
        return n;
      })
      .immediate();
    return { moved, headRows: this.count.get() as number };
  }

  /**
   * Encodes every head row older than `cut` into its series' chunks; returns how many. The rows
   * come from the head mirror (per series, sorted), brought up to date inside this transaction.
   */
  private move(cut: number): number {
    this.head.sync();
    let moved = 0;
    let ts = new Float64Array(256);
    let vs = new Float64Array(256);
    this.head.eachBefore(cut, (sid, hts, hvs, n) => {
      if (n > ts.length) {
        ts = new Float64Array(2 * n);
        vs = new Float64Array(ts.length);
      }
      for (let k = 0; k < n; k++) {
        ts[k] = hts[k]!;
        vs[k] = hvs[k]!;
      }
      this.chunks.write(sid, ts.subarray(0, n), vs.subarray(0, n));
      moved += n;
    });
    return moved;
  }
}
