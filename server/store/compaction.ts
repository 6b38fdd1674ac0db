import type Database from 'better-sqlite3';
import type { ChunkStore } from './chunks.js';
import type { Db } from './db.js';
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
  private readonly moving: Database.Statement;
  private readonly drop: Database.Statement;
  private readonly count: Database.Statement;

  constructor(
    private readonly db: Db,
    private readonly bounds: StoreBounds,
    private readonly chunks: ChunkStore,
  ) {
    this.cutAt = db.prepare('SELECT ts FROM samples_head ORDER BY ts DESC LIMIT 1 OFFSET ?').pluck();
    this.moving = db.prepare('SELECT series_id, ts, value FROM samples_head WHERE ts < ? ORDER BY series_id, ts').raw();
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

  /** Encodes every head row older than `cut` into its series' chunks; returns how many. */
  private move(cut: number): number {
    const rows = this.moving.all(cut) as Array<[number, number, number | null]>;
    let ts = new Float64Array(256);
    let vs = new Float64Array(256);
    for (let i = 0; i < rows.length; ) {
      const sid = rows[i]![0];
      let j = i;
      while (j < rows.length && rows[j]![0] === sid) j++;
      if (j - i > ts.length) {
        ts = new Float64Array(2 * (j - i));
        vs = new Float64Array(ts.length);
      }
      for (let k = i; k < j; k++) {
        const r = rows[k]!;
        ts[k - i] = r[1];
        vs[k - i] = r[2] ?? Number.NaN;
      }
      this.chunks.write(sid, ts.subarray(0, j - i), vs.subarray(0, j - i));
      i = j;
    }
    return rows.length;
  }
}
