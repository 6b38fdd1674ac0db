import { decodeChunk } from '../chunkCodec.js';
import { chunkTargetBytes, cutChunks, mergeInto } from '../chunks.js';
import type { Queryable } from './pool.js';

/**
 * Raw samples in PostgreSQL: the head (`samples_head`, ts >= head_from) and compressed chunks
 * (`sample_chunks`, older), in the SQLite store's chunk format. A read takes both parts in one
 * statement (one snapshot), so a compaction committing meanwhile never shows a sample twice
 * or not at all.
 */

/**
 * Chunk size: the SQLite store's for 4 KB pages (2,012 bytes). It also keeps a row under
 * PostgreSQL's TOAST threshold (~2 KB), so chunks stay inline instead of being compressed
 * again and stored out of line.
 */
export const PG_CHUNK_TARGET_BYTES = chunkTargetBytes(4096);

export interface Bounds {
  rawHorizon: number;
  headFrom: number;
}

export async function readBounds(db: Queryable): Promise<Bounds> {
  return boundsOf((await db.query<{ key: string; value: string }>("SELECT key, value FROM meta WHERE key IN ('raw_horizon', 'head_from')")).rows);
}

/** Bounds from rows of `SELECT key, value FROM meta WHERE key IN ('raw_horizon', 'head_from')`. */
export function boundsOf(rows: Array<{ key: string; value: string }>): Bounds {
  const b: Bounds = { rawHorizon: Number.NEGATIVE_INFINITY, headFrom: Number.NEGATIVE_INFINITY };
  for (const row of rows) {
    if (row.key === 'raw_horizon') b.rawHorizon = Number(row.value);
    else b.headFrom = Number(row.value);
  }
  return b;
}

/** Persists a bound, only ever forward; call inside the transaction that moves it. */
export async function raiseBound(db: Queryable, key: 'raw_horizon' | 'head_from', ms: number): Promise<void> {
  await db.query(
    `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
     WHERE meta.value::bigint < EXCLUDED.value::bigint`,
    [key, String(ms)],
  );
}

interface RawRow {
  series_id: number;
  data: Buffer | null;
  ts: number | null;
  value: number | null;
}

/** Raw samples of several series with from <= ts <= to, per series oldest first; NaN as NaN. */
export async function readRaw(db: Queryable, ids: readonly number[], from: number, to: number): Promise<Map<number, Array<[number, number]>>> {
  const out = new Map<number, Array<[number, number]>>();
  if (ids.length === 0 || to < from) return out;
  const r = await db.query<RawRow>(
    `SELECT series_id, data, NULL::bigint AS ts, NULL::float8 AS value, 0 AS part, first_ts AS k FROM sample_chunks
       WHERE series_id = ANY($1::bigint[]) AND first_ts <= $3 AND last_ts >= $2
     UNION ALL
     SELECT series_id, NULL, ts, value, 1, ts FROM samples_head WHERE series_id = ANY($1::bigint[]) AND ts >= $2 AND ts <= $3
     ORDER BY series_id, part, k`,
    [ids, from, to],
  );
  for (const row of r.rows) {
    let list = out.get(row.series_id);
    if (!list) out.set(row.series_id, (list = []));
    if (row.data !== null) {
      const { ts, values } = decodeChunk(row.data, { from, to });
      for (let i = 0; i < ts.length; i++) list.push([ts[i]!, values[i]!]);
    } else {
      list.push([row.ts!, row.value!]);
    }
  }
  return out;
}

/** The oldest raw sample of a series (NaN ones too, or only non-NaN ones), or undefined. */
export async function firstRawTs(db: Queryable, sid: number, skipNaN: boolean): Promise<number | undefined> {
  if (!skipNaN) {
    const r = await db.query<{ t: number | null }>(
      `SELECT least((SELECT min(first_ts) FROM sample_chunks WHERE series_id = $1), (SELECT min(ts) FROM samples_head WHERE series_id = $1)) AS t`,
      [sid],
    );
    return r.rows[0]!.t ?? undefined;
  }
  for (let offset = 0; ; offset += 16) {
    const r = await db.query<{ data: Buffer }>('SELECT data FROM sample_chunks WHERE series_id = $1 ORDER BY first_ts LIMIT 16 OFFSET $2', [sid, offset]);
    for (const row of r.rows) {
      const { ts, values } = decodeChunk(row.data);
      for (let i = 0; i < ts.length; i++) if (values[i] === values[i]) return ts[i];
    }
    if (r.rows.length < 16) break;
  }
  // PostgreSQL orders NaN above every number and NaN = NaN, so `<> 'NaN'` leaves numbers only
  const h = await db.query<{ t: number | null }>("SELECT min(ts) AS t FROM samples_head WHERE series_id = $1 AND value <> 'NaN'::float8", [sid]);
  return h.rows[0]!.t ?? undefined;
}

/** The newest raw sample of a series (NaN when it is a staleness marker), or undefined. */
export async function latestRaw(db: Queryable, sid: number): Promise<{ ts: number; value: number } | undefined> {
  const h = await db.query<{ ts: number; value: number }>('SELECT ts, value FROM samples_head WHERE series_id = $1 ORDER BY ts DESC LIMIT 1', [sid]);
  if (h.rows[0]) return { ts: h.rows[0].ts, value: h.rows[0].value };
  const c = await db.query<{ data: Buffer }>('SELECT data FROM sample_chunks WHERE series_id = $1 ORDER BY first_ts DESC LIMIT 1', [sid]);
  if (!c.rows[0]) return undefined;
  const { ts, values } = decodeChunk(c.rows[0].data);
  return { ts: ts[ts.length - 1]!, value: values[values.length - 1]! };
}

/**
 * Writes samples of many series (per series, ts strictly increasing) into their chunks inside
 * the caller's transaction, as the SQLite ChunkStore does per series: chunks the samples
 * overlap, and the chunk just before them when it is not full, are decoded, merged (the new
 * value wins at an equal ts) and re-cut by size. Three statements whatever the number of
 * series: read the affected chunks, delete them, insert the new pieces.
 */
export async function writeChunks(db: Queryable, groups: Map<number, { ts: Float64Array; values: Float64Array }>): Promise<void> {
  const sids: number[] = [];
  const los: number[] = [];
  const his: number[] = [];
  for (const [sid, g] of groups) {
    if (g.ts.length === 0) continue;
    sids.push(sid);
    los.push(g.ts[0]!);
    his.push(g.ts[g.ts.length - 1]!);
  }
  if (sids.length === 0) return;
  const r = await db.query<{ sid: number; id: number; data: Buffer; before: boolean }>(
    `SELECT u.sid, c.id, c.data, c.before FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS u(sid, lo, hi)
     CROSS JOIN LATERAL (
       (SELECT id, data, first_ts, true AS before FROM sample_chunks WHERE series_id = u.sid AND first_ts < u.lo ORDER BY first_ts DESC LIMIT 1)
       UNION ALL
       (SELECT id, data, first_ts, false FROM sample_chunks WHERE series_id = u.sid AND first_ts >= u.lo AND first_ts <= u.hi)
     ) c
     ORDER BY u.sid, c.first_ts`,
    [sids, los, his],
  );
  const found = new Map<number, Array<{ id: number; data: Buffer; before: boolean }>>();
  for (const row of r.rows) {
    const list = found.get(row.sid);
    if (list) list.push(row);
    else found.set(row.sid, [row]);
  }
  const gone: number[] = [];
  const pSid: number[] = [];
  const pFirst: number[] = [];
  const pLast: number[] = [];
  const pCount: number[] = [];
  const pData: Buffer[] = [];
  for (let n = 0; n < sids.length; n++) {
    // Encoding is the CPU-heavy part (a compaction of 2,000 series held the event loop 323 ms
    // in one piece, measured): let the HTTP thread turn every 64 series.
    if (n > 0 && n % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    const sid = sids[n]!;
    const { ts, values } = groups.get(sid)!;
    const affected: Array<{ id: number; data: Buffer }> = [];
    let prev: Buffer | undefined;
    for (const row of found.get(sid) ?? []) {
      if (row.before) {
        prev = row.data;
        if (row.data.readIntLE(14, 6) >= ts[0]! || row.data.length < PG_CHUNK_TARGET_BYTES * 0.9) affected.push(row);
      } else affected.push(row);
    }
    let mts = ts;
    let mvs = values;
    if (affected.length > 0) [mts, mvs] = mergeInto(affected.map((a) => decodeChunk(a.data)), ts, values);
    const guess = prev ? prev.length / prev.readUInt32LE(4) : undefined;
    for (const a of affected) gone.push(a.id);
    for (const piece of cutChunks(mts, mvs, PG_CHUNK_TARGET_BYTES, guess)) {
      pSid.push(sid);
      pFirst.push(piece.readIntLE(8, 6));
      pLast.push(piece.readIntLE(14, 6));
      pCount.push(piece.readUInt32LE(4));
      pData.push(piece);
    }
  }
  if (gone.length > 0) await db.query('DELETE FROM sample_chunks WHERE id = ANY($1::bigint[])', [gone]);
  // In statements of 256 chunks: the parameters of one go out as hex text built in one piece
  for (let i = 0; i < pSid.length; i += 256) {
    await db.query(
      `INSERT INTO sample_chunks (series_id, first_ts, last_ts, count, data)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::int[], $5::bytea[])`,
      [pSid.slice(i, i + 256), pFirst.slice(i, i + 256), pLast.slice(i, i + 256), pCount.slice(i, i + 256), pData.slice(i, i + 256)],
    );
  }
}

/** Groups (series, ts, value) rows into per-series sorted arrays; of two at one (series, ts) the later row wins. */
export function groupBySeries(sids: ArrayLike<number>, ts: ArrayLike<number>, values: ArrayLike<number>): Map<number, { ts: Float64Array; values: Float64Array }> {
  const idx = new Map<number, number[]>();
  for (let i = 0; i < sids.length; i++) {
    const list = idx.get(sids[i]!);
    if (list) list.push(i);
    else idx.set(sids[i]!, [i]);
  }
  const out = new Map<number, { ts: Float64Array; values: Float64Array }>();
  for (const [sid, list] of idx) {
    let sorted = true;
    for (let k = 1; k < list.length && sorted; k++) sorted = ts[list[k]!]! > ts[list[k - 1]!]!;
    if (!sorted) list.sort((a, b) => ts[a]! - ts[b]! || a - b);
    const ots = new Float64Array(list.length);
    const ovs = new Float64Array(list.length);
    let n = 0;
    for (const i of list) {
      if (n > 0 && ots[n - 1] === ts[i]) n--;
      ots[n] = ts[i]!;
      ovs[n++] = values[i]!;
    }
    out.set(sid, { ts: ots.subarray(0, n), values: ovs.subarray(0, n) });
  }
  return out;
}
