import type Database from 'better-sqlite3';
import type { Db } from './db.js';
import type { StoreBounds } from './meta.js';

interface SeriesHead {
  ts: number[];
  values: number[];
}

/**
 * The head (`samples_head`) per series, in memory, on every connection (the writer's and
 * read-only ones alike): the table has no per-series index (one cost ingest ~10x), so
 * per-series reads come from here. `sync()` catches up with what any connection committed:
 * rows are read by `seq` above the last one seen (a replaced sample comes back under a new
 * seq and replaces the value here too), and samples below head_from (moved into chunks) or
 * below the raw horizon (deleted) are dropped. Call it before reading, outside any write
 * transaction that may still roll back.
 */
export class HeadMirror {
  private readonly bySeries = new Map<number, SeriesHead>();
  private lastSeq = 0;
  private droppedBelow = Number.NEGATIVE_INFINITY;
  private readonly since: Database.Statement;

  constructor(
    db: Db,
    private readonly bounds: StoreBounds,
  ) {
    this.since = db.prepare('SELECT seq, series_id, ts, value FROM samples_head WHERE seq > ? ORDER BY seq').raw();
  }

  sync(): void {
    for (const [seq, sid, ts, value] of this.since.iterate(this.lastSeq) as IterableIterator<[number, number, number, number | null]>) {
      this.put(sid, ts, value ?? Number.NaN);
      this.lastSeq = seq;
    }
    const below = Math.max(this.bounds.headFrom, this.bounds.rawHorizon);
    if (below > this.droppedBelow) {
      this.droppedBelow = below;
      for (const [sid, h] of this.bySeries) {
        const k = lowerBound(h.ts, below);
        if (k === h.ts.length) this.bySeries.delete(sid);
        else if (k > 0) {
          h.ts.splice(0, k);
          h.values.splice(0, k);
        }
      }
    }
  }

  /**
   * A committed write of this connection: when the mirror had seen every row up to
   * `seqBefore` (nobody else wrote since), its rows, numbered up to `lastSeq`, are applied
   * directly; otherwise the next sync() reads them like anyone else's.
   */
  applyOwn(seqBefore: number, lastSeq: number, sids: number[], ts: number[], values: number[]): void {
    if (this.lastSeq !== seqBefore) return;
    for (let i = 0; i < sids.length; i++) this.put(sids[i]!, ts[i]!, values[i]!);
    this.lastSeq = lastSeq;
  }

  /**
   * Calls `fn` for each series with samples older than `cut` (only `onlySeries` when given): its
   * arrays and how many of them are. Call sync() first.
   */
  eachBefore(cut: number, fn: (seriesId: number, ts: number[], values: number[], n: number) => void, onlySeries?: number): void {
    const ids = onlySeries !== undefined ? (this.bySeries.has(onlySeries) ? [onlySeries] : []) : [...this.bySeries.keys()].sort((a, b) => a - b);
    for (const sid of ids) {
      const h = this.bySeries.get(sid)!;
      const n = lowerBound(h.ts, cut);
      if (n > 0) fn(sid, h.ts, h.values, n);
    }
  }

  /** Appends the samples with from <= ts <= to to `out`, oldest first. */
  read(seriesId: number, from: number, to: number, out: Array<[number, number]>): void {
    const h = this.bySeries.get(seriesId);
    if (!h) return;
    for (let i = lowerBound(h.ts, from); i < h.ts.length && h.ts[i]! <= to; i++) out.push([h.ts[i]!, h.values[i]!]);
  }

  first(seriesId: number, skipNaN: boolean): number | undefined {
    const h = this.bySeries.get(seriesId);
    if (!h) return undefined;
    if (!skipNaN) return h.ts[0];
    for (let i = 0; i < h.ts.length; i++) if (h.values[i] === h.values[i]) return h.ts[i];
    return undefined;
  }

  latest(seriesId: number): { ts: number; value: number } | undefined {
    const h = this.bySeries.get(seriesId);
    const n = h?.ts.length ?? 0;
    return n > 0 ? { ts: h!.ts[n - 1]!, value: h!.values[n - 1]! } : undefined;
  }

  /** Series ids removed from the store (retention). */
  forget(ids: Iterable<number>): void {
    for (const id of ids) this.bySeries.delete(id);
  }

  private put(sid: number, ts: number, value: number): void {
    if (ts < this.droppedBelow) return;
    let h = this.bySeries.get(sid);
    if (!h) this.bySeries.set(sid, (h = { ts: [], values: [] }));
    const n = h.ts.length;
    if (n === 0 || ts > h.ts[n - 1]!) {
      h.ts.push(ts);
      h.values.push(value);
      return;
    }
    const k = lowerBound(h.ts, ts);
    if (h.ts[k] === ts) h.values[k] = value;
    else {
      h.ts.splice(k, 0, ts);
      h.values.splice(k, 0, value);
    }
  }
}

/** The first index whose ts is >= t. */
function lowerBound(ts: number[], t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
