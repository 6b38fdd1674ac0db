import type Database from 'better-sqlite3';
import { decodeChunk, encodeChunk } from './chunkCodec.js';
import type { Db } from './db.js';

/** Most samples one chunk holds, so a read of a short range never decodes a week of a flat series. */
export const CHUNK_MAX_SAMPLES = 2048;

/**
 * The chunk size to cut at for a database page size: two chunks and their row overhead
 * (~32 bytes each: cell pointer, rowid, record header, series_id, first_ts, last_ts,
 * count) fill a leaf page, so full chunks pack pages with almost no waste and no row ever
 * spills onto an overflow page. 2,012 bytes for 4 KB pages.
 */
export function chunkTargetBytes(pageSize: number): number {
  return Math.floor((pageSize - 8) / 2) - 32;
}

interface ChunkRow {
  id: number;
  data: Buffer;
}

/**
 * The only reader and writer of `sample_chunks`: raw samples older than the head, as
 * compressed chunks (chunkCodec.ts), one series' run of samples per row, chunks of a
 * series never overlapping in time. Every write goes through `write`, which merges new
 * samples into the chunks they touch (a sample at an existing ts replaces the value) and
 * re-cuts them by encoded size; a chunk just before the new samples that is smaller than a
 * full one is extended rather than followed by another small chunk. Rewritten chunks keep
 * their rowids where possible, so they stay in their pages.
 */
export class ChunkStore {
  readonly targetBytes: number;
  private readonly pick: Database.Statement;
  private readonly before: Database.Statement;
  private readonly overlapping: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly insertAt: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly first: Database.Statement;
  private readonly last: Database.Statement;
  private readonly ascending: Database.Statement;

  constructor(db: Db) {
    this.targetBytes = chunkTargetBytes(db.pragma('page_size', { simple: true }) as number);
    // Chunks never overlap, so only the one starting at or before `from` can reach into the range from below.
    this.pick = db
      .prepare(
        `SELECT data FROM sample_chunks WHERE series_id = @sid AND first_ts <= @to AND first_ts >=
           coalesce((SELECT max(first_ts) FROM sample_chunks WHERE series_id = @sid AND first_ts <= @from), @from)
         ORDER BY first_ts`,
      )
      .pluck();
    this.before = db.prepare(
      'SELECT id, data FROM sample_chunks WHERE series_id = ? AND first_ts < ? ORDER BY first_ts DESC LIMIT 1',
    );
    this.overlapping = db.prepare(
      'SELECT id, data FROM sample_chunks WHERE series_id = ? AND first_ts >= ? AND first_ts <= ? ORDER BY first_ts',
    );
    this.insert = db.prepare('INSERT INTO sample_chunks (series_id, first_ts, last_ts, count, data) VALUES (?, ?, ?, ?, ?)');
    this.insertAt = db.prepare('INSERT INTO sample_chunks (id, series_id, first_ts, last_ts, count, data) VALUES (?, ?, ?, ?, ?, ?)');
    this.remove = db.prepare('DELETE FROM sample_chunks WHERE id = ?');
    this.first = db.prepare('SELECT data FROM sample_chunks WHERE series_id = ? ORDER BY first_ts LIMIT 1').pluck();
    this.last = db.prepare('SELECT data FROM sample_chunks WHERE series_id = ? ORDER BY first_ts DESC LIMIT 1').pluck();
    this.ascending = db.prepare('SELECT data FROM sample_chunks WHERE series_id = ? ORDER BY first_ts').pluck();
  }

  /** Appends the samples with from <= ts <= to to `out`, oldest first; NaN stays NaN. Decodes only the chunks overlapping the range. */
  read(seriesId: number, from: number, to: number, out: Array<[number, number]>): void {
    if (to < from) return;
    for (const blob of this.pick.iterate({ sid: seriesId, from, to }) as IterableIterator<Buffer>) {
      const { ts, values } = decodeChunk(blob, { from, to });
      for (let i = 0; i < ts.length; i++) out.push([ts[i]!, values[i]!]);
    }
  }

  /** The oldest sample of a series (NaN included) and the oldest non-NaN one, or undefined. */
  firstTs(seriesId: number, skipNaN: boolean): number | undefined {
    if (!skipNaN) {
      const blob = this.first.get(seriesId) as Buffer | undefined;
      return blob ? blob.readIntLE(8, 6) : undefined;
    }
    for (const blob of this.ascending.iterate(seriesId) as IterableIterator<Buffer>) {
      const { ts, values } = decodeChunk(blob);
      for (let i = 0; i < ts.length; i++) if (values[i] === values[i]) return ts[i];
    }
    return undefined;
  }

  /** The newest sample of a series, or undefined. */
  latest(seriesId: number): { ts: number; value: number } | undefined {
    const blob = this.last.get(seriesId) as Buffer | undefined;
    if (!blob) return undefined;
    const { ts, values } = decodeChunk(blob);
    return { ts: ts[ts.length - 1]!, value: values[values.length - 1]! };
  }

  /**
   * Writes samples of one series (ts strictly increasing) into its chunks; call inside a write
   * transaction. Chunks the samples overlap are decoded and merged (the new value wins at an
   * equal ts), and so is the chunk just before them when it is not full, then re-cut by size.
   */
  write(seriesId: number, ts: Float64Array, values: Float64Array): void {
    const n = ts.length;
    if (n === 0) return;
    const affected: ChunkRow[] = [];
    const prev = this.before.get(seriesId, ts[0]!) as ChunkRow | undefined;
    if (prev && (prev.data.readIntLE(14, 6) >= ts[0]! || prev.data.length < this.targetBytes * 0.9)) affected.push(prev);
    for (const row of this.overlapping.iterate(seriesId, ts[0]!, ts[n - 1]!) as IterableIterator<ChunkRow>) affected.push(row);
    let mts = ts;
    let mvs = values;
    if (affected.length > 0) [mts, mvs] = mergeInto(affected.map((r) => decodeChunk(r.data)), ts, values);
    // The chunk before the new samples tells how many bytes a sample of this series takes.
    const guess = prev ? prev.data.length / prev.data.readUInt32LE(4) : undefined;
    const pieces = cutChunks(mts, mvs, this.targetBytes, guess);
    // Deleted first (the new pieces' first_ts may equal an old chunk's), then re-inserted
    // under the old rowids: a rowid puts the row back where it was, so pages stay filled.
    for (const r of affected) this.remove.run(r.id);
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      const first = p.readIntLE(8, 6);
      const last = p.readIntLE(14, 6);
      const count = p.readUInt32LE(4);
      if (i < affected.length) this.insertAt.run(affected[i]!.id, seriesId, first, last, count, p);
      else this.insert.run(seriesId, first, last, count, p);
    }
  }
}

/** Merges decoded chunks (in time order, non-overlapping) with new samples; new values win at an equal ts. */
export function mergeInto(chunks: Array<{ ts: Float64Array; values: Float64Array }>, ts: Float64Array, values: Float64Array): [Float64Array, Float64Array] {
  let total = ts.length;
  for (const c of chunks) total += c.ts.length;
  const ots = new Float64Array(total);
  const ovs = new Float64Array(total);
  let o = 0;
  let j = 0;
  for (const c of chunks) {
    for (let i = 0; i < c.ts.length; i++) {
      const t = c.ts[i]!;
      while (j < ts.length && ts[j]! < t) {
        ots[o] = ts[j]!;
        ovs[o++] = values[j++]!;
      }
      if (j < ts.length && ts[j] === t) {
        ots[o] = t;
        ovs[o++] = values[j++]!;
      } else {
        ots[o] = t;
        ovs[o++] = c.values[i]!;
      }
    }
  }
  while (j < ts.length) {
    ots[o] = ts[j]!;
    ovs[o++] = values[j++]!;
  }
  return [ots.subarray(0, o), ovs.subarray(0, o)];
}

/**
 * Encodes samples into chunks of at most `target` bytes (and CHUNK_MAX_SAMPLES samples), each
 * as close to `target` as the samples allow; the last one holds the remainder. The size of
 * the next piece is estimated from the bytes per sample of the previous one (of the series'
 * previous chunk, for the first), then corrected.
 */
export function cutChunks(ts: Float64Array, values: Float64Array, target: number, bytesPerSample = 4): Buffer[] {
  const n = ts.length;
  const out: Buffer[] = [];
  let perSample = Math.max(0.1, bytesPerSample);
  for (let i = 0; i < n; ) {
    const left = n - i;
    let m = Math.min(left, CHUNK_MAX_SAMPLES, Math.max(1, Math.floor(target / perSample)));
    let piece = encodeChunk(ts.subarray(i, i + m), values.subarray(i, i + m));
    while (piece.length > target && m > 1) {
      m = Math.max(1, Math.min(m - 1, Math.floor((m * target) / piece.length) - 1));
      piece = encodeChunk(ts.subarray(i, i + m), values.subarray(i, i + m));
    }
    // Grow once when well under target and there is more to take.
    if (piece.length < target * 0.94 && m < left && m < CHUNK_MAX_SAMPLES) {
      const m2 = Math.min(left, CHUNK_MAX_SAMPLES, Math.floor((m * target * 0.98) / piece.length));
      if (m2 > m) {
        const bigger = encodeChunk(ts.subarray(i, i + m2), values.subarray(i, i + m2));
        if (bigger.length <= target) [piece, m] = [bigger, m2];
      }
    }
    out.push(piece);
    perSample = Math.max(0.1, piece.length / m);
    i += m;
  }
  return out;
}
