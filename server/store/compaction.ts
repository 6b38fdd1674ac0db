import type Database from 'better-sqlite3';
import type { ChunkStore } from './chunks.js';
import type { Db } from './db.js';
import type { HeadMirror } from './headMirror.js';
import type { StoreBounds } from './meta.js';

/** Head size that triggers a compaction; half of it stays in the head. */
export const DEFAULT_HEAD_MAX_ROWS = 64_000;

/**
 * Head rows per compaction step (HeadCompactor.step). Copying costs most per series (its last
 * chunk is decoded, extended and re-encoded): with 5,000 series of 64 rows each, 16,384 rows a
 * step measured 30–80 ms, so a copy step takes 4,096; deleting measured ~10 ms per 16,384.
 */
export const COMPACTION_STEP_ROWS = { copy: 4_096, drop: 16_384 };

const ALL = { copy: Number.POSITIVE_INFINITY, drop: Number.POSITIVE_INFINITY };

/** A compaction under way (see HeadCompactor). */
interface Pending {
  cut: number;
  /** The head's last seq when it was planned: rows above it were written meanwhile. */
  planSeq: number;
  /** Series with head rows older than `cut` at the plan, in id order; `next` is the first not copied yet. */
  sids: number[];
  next: number;
  phase: 'copy' | 'drop';
  moved: number;
}

/**
 * Moves the oldest rows of samples_head into compressed chunks, keeping the newest
 * `keepRows` (at least) in the head, and raises head_from to the first kept timestamp.
 *
 * Why: chunks are per series, so writing one run of N series into them would rewrite
 * N chunks, whatever the batch size. The head is clustered by time, so a run appends
 * to a few pages; compaction then encodes each series' rows once for many runs,
 * extending the series' last chunk until it is full. Keeping half the head lets
 * collectors that lag behind the newest timestamps still land in the head.
 *
 * In steps, so the thread that writes (serve's HTTP thread) never stops for a whole
 * compaction (5,000 series: ~0.5–1 s at once). Each step is one transaction:
 * 1. copy: the head rows older than `cut` of the next series, up to COMPACTION_STEP_ROWS.copy
 *    rows, are merged into their chunks. head_from does not move, so readers still read
 *    those rows from the head and ignore the copies (a chunk read stops below head_from);
 * 2. the last copy step also copies again every series written below `cut` since the plan
 *    (head rows with a seq above it: a new sample, or a replaced one under a new seq), and
 *    raises head_from to `cut`: from then on readers read the copies;
 * 3. drop: head rows below `cut`, invisible now, are deleted COMPACTION_STEP_ROWS.drop at a time.
 * A crash at any point leaves a consistent store: before step 2 the copies are invisible and
 * every row they hold is still in the head (the next compaction merges the head's value over
 * them); after it, the leftover head rows are below head_from, which readers skip and the next
 * step or compaction deletes.
 */
export class HeadCompactor {
  private readonly cutAt: Database.Statement;
  private readonly drop: Database.Statement;
  private readonly dropSome: Database.Statement;
  private readonly count: Database.Statement;
  private readonly lastSeq: Database.Statement;
  private readonly writtenSince: Database.Statement;
  private pending: Pending | null = null;

  constructor(
    private readonly db: Db,
    private readonly bounds: StoreBounds,
    private readonly chunks: ChunkStore,
    private readonly head: HeadMirror,
  ) {
    this.cutAt = db.prepare('SELECT ts FROM samples_head ORDER BY ts DESC LIMIT 1 OFFSET ?').pluck();
    this.drop = db.prepare('DELETE FROM samples_head WHERE ts < ?');
    this.dropSome = db.prepare('DELETE FROM samples_head WHERE seq IN (SELECT seq FROM samples_head WHERE ts < ? LIMIT ?)');
    this.count = db.prepare('SELECT count(*) FROM samples_head').pluck();
    this.lastSeq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'samples_head'").pluck();
    // `+ts`: search by seq (the rows written since the plan, few), not the ts index (every row below the cut).
    this.writtenSince = db.prepare('SELECT DISTINCT series_id FROM samples_head WHERE seq > ? AND +ts < ? ORDER BY series_id').pluck();
  }

  /** True while a compaction is under way (step() has more to do). */
  get busy(): boolean {
    return this.pending !== null;
  }

  /**
   * Moves every head row older than `ts` into chunks and raises head_from to `ts`, so a bulk
   * write of data older than `ts` (a backfill, an import) goes straight into chunks instead of
   * passing through the head. Nothing happens when head_from is already at or above `ts`.
   * A compaction under way is finished first. One transaction (the commands that call it are
   * not serving anything).
   */
  compactBefore(ts: number): { moved: number; headRows: number } {
    const before = this.finish();
    const moved = this.db
      .transaction(() => {
        if (ts <= this.bounds.refresh().headFrom) return 0;
        const n = this.move(ts);
        this.drop.run(ts);
        this.bounds.setHeadFrom(ts);
        return n;
      })
      .immediate();
    return { moved: before + moved, headRows: this.count.get() as number };
  }

  /** A whole compaction now (a compaction under way is finished first); how many rows moved and the rows left. */
  compact(keepRows: number): { moved: number; headRows: number } {
    const before = this.finish();
    let r = this.step(keepRows, ALL);
    let moved = r.moved;
    while (!r.done) {
      r = this.step(keepRows, ALL);
      moved = r.moved;
    }
    return { moved: before + moved, headRows: this.count.get() as number };
  }

  /** Runs a compaction under way to its end; how many rows it moved (0 when none was). */
  finish(): number {
    let moved = 0;
    while (this.pending) moved = this.step(0, ALL).moved;
    return moved;
  }

  /**
   * One step of the compaction under way, or plans one (keeping the newest `keepRows` in the
   * head) and takes its first step. `moved` counts the rows the compaction has moved so far;
   * `headRows`, once `done`, is the exact number left in the head.
   */
  step(keepRows: number, maxRows: { copy: number; drop: number } = COMPACTION_STEP_ROWS): { done: boolean; moved: number; headRows?: number } {
    const p = this.pending ?? this.plan(keepRows);
    if (!p) return { done: true, moved: 0, headRows: this.count.get() as number };
    if (p.phase === 'copy') {
      let next = p.next;
      let moved = 0;
      this.db
        .transaction(() => {
          this.head.sync();
          while (next < p.sids.length && moved < maxRows.copy) moved += this.copy(p.sids[next++]!, p.cut);
          if (next === p.sids.length) {
            this.head.sync();
            for (const sid of this.writtenSince.all(p.planSeq, p.cut) as number[]) this.copy(sid, p.cut);
            this.bounds.setHeadFrom(p.cut);
          }
        })
        .immediate();
      p.next = next; // only once committed: a failed step is tried again by the next one
      p.moved += moved;
      if (next === p.sids.length) p.phase = 'drop';
      return { done: false, moved: p.moved };
    }
    const limit = Number.isFinite(maxRows.drop) ? Math.max(1, Math.floor(maxRows.drop)) : -1; // LIMIT -1: no limit
    const deleted = this.db.transaction(() => this.dropSome.run(p.cut, limit).changes).immediate();
    if (limit > 0 && deleted >= limit) return { done: false, moved: p.moved };
    this.pending = null;
    return { done: true, moved: p.moved, headRows: this.count.get() as number };
  }

  private plan(keepRows: number): Pending | null {
    const headFrom = this.bounds.refresh().headFrom;
    const cut = this.cutAt.get(Math.max(0, Math.floor(keepRows) - 1)) as number | undefined;
    if (cut === undefined || cut <= headFrom) return null;
    this.head.sync();
    const sids: number[] = [];
    this.head.eachBefore(cut, (sid) => sids.push(sid));
    const planSeq = (this.lastSeq.get() as number | undefined) ?? 0;
    this.pending = { cut, planSeq, sids, next: 0, phase: 'copy', moved: 0 };
    return this.pending;
  }

  /** Merges the head rows of one series older than `cut` into its chunks; how many. Call head.sync() first. */
  private copy(sid: number, cut: number): number {
    let n = 0;
    this.head.eachBefore(cut, (_sid, ts, values, k) => {
      this.chunks.write(sid, Float64Array.from(ts.slice(0, k)), Float64Array.from(values.slice(0, k)));
      n = k;
    }, sid);
    return n;
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
