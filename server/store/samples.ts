import type Database from 'better-sqlite3';
import type { Sample } from '../../collectors/types.js';
import type { Db } from './db.js';
import { CHUNK_MAX_TS } from './chunkCodec.js';
import type { ChunkStore } from './chunks.js';
import type { HeadMirror } from './headMirror.js';
import type { StoreBounds } from './meta.js';
import * as codec from './rollupCodec.js';
import type { RollupStore } from './rollups.js';
import { InvalidSampleError, type SeriesRegistry } from './series.js';

const { HOUR_MS } = codec; // module-local: read once per sample on the ingest path
const MAX_TS = CHUNK_MAX_TS;

/**
 * The only writer and reader of raw samples (`samples_head`, and `sample_chunks` through
 * ChunkStore).
 *
 * A (series, ts) lives in exactly one place, chosen by ts: the head when
 * ts >= bounds.headFrom, a compressed chunk below it, and only the hourly rollup below
 * bounds.rawHorizon. Reads stitch the parts together, so callers never see the
 * split.
 *
 * NaN: SQLite cannot store NaN, so the head stores it as NULL and reads it back as NaN;
 * chunks keep every value's exact bits (Prometheus staleness markers survive a round
 * trip: latestSample() shows a series went stale). NaN is never aggregated: rollups and
 * bucketed queries skip it. +Inf and -Inf are stored and aggregated as they are.
 */
export class SampleWriter {
  /** Rows written to the head since it was last counted (an upper bound: replacements count too). */
  headRows: number;
  private readonly upsertHead: Database.Statement;
  private readonly headSeq: Database.Statement;
  /** Head rows written by the transaction in progress, for the mirror once it commits. */
  private pending = newPending();

  constructor(
    db: Db,
    private readonly series: SeriesRegistry,
    private readonly rollups: RollupStore,
    private readonly bounds: StoreBounds,
    private readonly chunks: ChunkStore,
    private readonly head: HeadMirror,
  ) {
    // REPLACE gives a replaced sample a new seq, so every connection's HeadMirror sees it.
    this.upsertHead = db.prepare('INSERT OR REPLACE INTO samples_head (ts, series_id, value) VALUES (?, ?, ?)');
    this.headSeq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'samples_head'").pluck();
    this.headRows = db.prepare('SELECT count(*) FROM samples_head').pluck().get() as number;
  }

  /**
   * Writes samples; must run inside the caller's write transaction, which it
   * leaves to roll back on the first invalid sample. A sample at an existing
   * (series, ts) replaces the value. A sample older than the raw horizon goes
   * straight into its hourly rollup. Returns the number of samples accepted
   * (all of them, or it throws).
   */
  write(samples: readonly Sample[]): number {
    const { rawHorizon, headFrom } = this.bounds.refresh();
    if (this.pending.seqBefore === undefined) this.pending.seqBefore = (this.headSeq.get() as number | undefined) ?? 0;
    const hours = new Set<number>();
    let curHour = Number.NaN;
    let cur: Map<number, number> | undefined;
    let late: Map<number, Array<[number, number]>> | undefined;
    let cold: Map<number, number[]> | undefined;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      const ts = s.ts;
      const value = s.value;
      if (!Number.isSafeInteger(ts) || ts > MAX_TS || ts < -MAX_TS) {
        // ±2^47 ms (±4,400 years) is what a compressed chunk holds
        throw new InvalidSampleError(`sample ${i} (${String(s.name)}): ts must be an integer ms epoch within ±2^47, got ${String(ts)}`);
      }
      if (typeof value !== 'number') {
        throw new InvalidSampleError(`sample ${i} (${String(s.name)}): value must be a number, got ${typeof value}`);
      }
      let sid: number;
      try {
        sid = this.series.resolve(s.name, s.labels);
      } catch (err) {
        if (err instanceof InvalidSampleError) throw new InvalidSampleError(`sample ${i}: ${err.message}`);
        throw err;
      }
      if (ts < rawHorizon) {
        late ??= new Map();
        const list = late.get(sid);
        if (list) list.push([ts, value]);
        else late.set(sid, [[ts, value]]);
        continue;
      }
      if (ts >= headFrom) {
        this.pending.lastSeq = Number(this.upsertHead.run(ts, sid, value).lastInsertRowid);
        this.pending.sids.push(sid);
        this.pending.ts.push(ts);
        // SQLite keeps a REAL -0 as 0: this connection's mirror holds what every other reads back.
        this.pending.values.push(value === 0 ? 0 : value);
        this.headRows++;
      } else {
        cold ??= new Map();
        const list = cold.get(sid);
        if (list) list.push(i);
        else cold.set(sid, [i]);
      }
      const hour = Math.floor(ts / HOUR_MS);
      if (hour !== curHour) {
        cur = this.rollups.hourMap(hour);
        curHour = hour;
        hours.add(hour);
      }
      const prev = cur!.get(sid);
      if (prev === undefined || ts < prev) cur!.set(sid, ts);
    }
    if (late) for (const [sid, points] of late) this.rollups.mergeLate(sid, points);
    if (cold) for (const [sid, idx] of cold) this.writeCold(sid, samples, idx);
    this.rollups.markHours(hours);
    return samples.length;
  }

  /**
   * Samples of one series older than the head go into its chunks, sorted; of two at one ts
   * in the batch the later wins, as it would written one by one.
   */
  private writeCold(sid: number, samples: readonly Sample[], idx: number[]): void {
    let sorted = true;
    for (let k = 1; k < idx.length && sorted; k++) sorted = samples[idx[k]!]!.ts > samples[idx[k - 1]!]!.ts;
    if (!sorted) idx.sort((a, b) => samples[a]!.ts - samples[b]!.ts || a - b);
    const ts = new Float64Array(idx.length);
    const vs = new Float64Array(idx.length);
    let n = 0;
    for (const i of idx) {
      const s = samples[i]!;
      if (n > 0 && ts[n - 1] === s.ts) n--;
      ts[n] = s.ts;
      vs[n++] = s.value;
    }
    this.chunks.write(sid, ts.subarray(0, n), vs.subarray(0, n));
  }

  /** Raw samples of one series with from <= ts <= to, oldest first; NaN as NaN. */
  rows(seriesId: number, from: number, to: number): Array<[number, number]> {
    this.head.sync();
    const split = this.bounds.headFrom;
    const out: Array<[number, number]> = [];
    if (from < split) this.chunks.read(seriesId, from, Math.min(to, split - 1), out);
    if (to >= split) this.head.read(seriesId, Math.max(from, split), to, out);
    return out;
  }

  /** Raw samples of one series with from <= ts <= to, oldest first; NaN reads back as NaN. */
  rawPoints(seriesId: number, from: number, to: number): Array<[number, number]> {
    return this.rows(seriesId, from, to);
  }

  /** The ts of the oldest raw sample of a series (NaN ones included), or undefined. */
  firstTs(seriesId: number): number | undefined {
    this.head.sync();
    return this.chunks.firstTs(seriesId, false) ?? this.head.first(seriesId, false);
  }

  /** The newest raw sample of a series (NaN if it is a staleness marker), or undefined. */
  latestSample(seriesId: number): { ts: number; value: number } | undefined {
    this.head.sync();
    return this.head.latest(seriesId) ?? this.chunks.latest(seriesId);
  }

  /** Timestamp of the oldest raw non-NaN sample of one series still kept, or undefined. */
  firstRawTs(seriesId: number): number | undefined {
    this.head.sync();
    return this.chunks.firstTs(seriesId, true) ?? this.head.first(seriesId, true);
  }

  /**
   * The write transaction ended. When it committed and the mirror had seen every row before
   * it, its own head rows go into the mirror directly instead of being read back.
   */
  endTransaction(committed: boolean): void {
    const p = this.pending;
    this.pending = newPending();
    if (committed && p.seqBefore !== undefined && p.sids.length > 0) this.head.applyOwn(p.seqBefore, p.lastSeq, p.sids, p.ts, p.values);
  }

  /** Series removed by retention. */
  forget(ids: Iterable<number>): void {
    this.head.forget(ids);
  }
}

function newPending() {
  return { seqBefore: undefined as number | undefined, lastSeq: 0, sids: [] as number[], ts: [] as number[], values: [] as number[] };
}
