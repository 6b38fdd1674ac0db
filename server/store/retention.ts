import type Database from 'better-sqlite3';
import { decodeChunk, encodeChunk } from './chunkCodec.js';
import type { Db } from './db.js';
import type { StoreBounds } from './meta.js';
import { DAY_MS, HOUR_MS } from './rollupCodec.js';
import type { RollupStore } from './rollups.js';
import type { SeriesRegistry } from './series.js';
import type { RetentionPolicy } from './types.js';

export const DEFAULT_RETENTION: RetentionPolicy = { rawMs: 15 * DAY_MS, hourlyMs: 400 * DAY_MS };
/** Rows deleted per transaction: keeps each write lock short for other connections. */
export const DEFAULT_RETENTION_BATCH_ROWS = 5_000;

export interface RetentionResult {
  rawDeleted: number;
  rollupDeleted: number;
  runsDeleted: number;
  seriesDeleted: number;
  /** Write transactions used; none deleted more than the batch size. */
  batches: number;
}

export interface RetentionDeps {
  db: Db;
  series: SeriesRegistry;
  rollups: RollupStore;
  policy: RetentionPolicy;
  batchRows: number;
  bounds: StoreBounds;
  /** Drops removed series from in-memory raw state (the head mirror). */
  forgetRaw: (ids: number[]) => void;
}

/**
 * Deletes raw samples below the hour-aligned bound floor((now - rawMs) / 1h) * 1h,
 * rollup days that ended before floor((now - hourlyMs) / 1d) * 1d, collector runs
 * started before now - rawMs, then series left with no samples and no rollups.
 * Bounds are aligned so an hour is either complete in raw or absent from it,
 * which keeps recomputing a rollup from raw exact. Rollups are brought up to
 * date first and the horizon is persisted before any raw row goes, so nothing
 * is deleted that the rollups have not absorbed, even across a crash.
 */
export function applyRetention(deps: RetentionDeps, now: number): RetentionResult {
  const { db, policy, batchRows } = deps;
  const result: RetentionResult = { rawDeleted: 0, rollupDeleted: 0, runsDeleted: 0, seriesDeleted: 0, batches: 0 };
  deps.rollups.update();

  const rawBound = Math.floor((now - policy.rawMs) / HOUR_MS) * HOUR_MS;
  db.transaction(() => deps.bounds.refresh().setRawHorizon(rawBound)).immediate();
  const horizon = deps.bounds.rawHorizon;
  const ids = db.prepare('SELECT id FROM series ORDER BY id').pluck().all() as number[];
  const raw = deleteChunksBounded(db, ids, horizon, batchRows);
  result.rawDeleted = raw.deleted;
  result.batches = raw.batches;
  // The head holds old rows only when ingest is too slow to fill it for days.
  const head = db.prepare(
    'DELETE FROM samples_head WHERE (ts, series_id) IN (SELECT ts, series_id FROM samples_head WHERE ts < ? ORDER BY ts LIMIT ?)',
  );
  result.rawDeleted += repeatBounded(db, () => head.run(horizon, batchRows).changes, batchRows, result);
  const rollupBoundDay = Math.floor((now - policy.hourlyMs) / DAY_MS);
  const rolled = deleteBounded(db, ids, 'rollup_1h', 'day', rollupBoundDay, batchRows);
  result.rollupDeleted = rolled.deleted;
  result.batches += rolled.batches;

  const runs = db.prepare(
    'DELETE FROM collector_runs WHERE id IN (SELECT id FROM collector_runs WHERE started_at < ? ORDER BY id LIMIT ?)',
  );
  result.runsDeleted = repeatBounded(db, () => runs.run(now - policy.rawMs, batchRows).changes, batchRows, result);

  const empty = db
    .prepare(
      `SELECT id FROM series s WHERE NOT EXISTS (SELECT 1 FROM sample_chunks WHERE series_id = s.id)
         AND NOT EXISTS (SELECT 1 FROM samples_head WHERE series_id = s.id)
         AND NOT EXISTS (SELECT 1 FROM rollup_1h WHERE series_id = s.id)`,
    )
    .pluck()
    .all() as number[];
  const dropSeries = db.prepare('DELETE FROM series WHERE id = ?');
  for (let i = 0; i < empty.length; i += batchRows) {
    const chunk = empty.slice(i, i + batchRows);
    db.transaction(() => {
      for (const id of chunk) dropSeries.run(id);
    }).immediate();
    result.batches++;
  }
  deps.series.forget(empty);
  deps.rollups.forget(empty);
  deps.forgetRaw(empty);
  result.seriesDeleted = empty.length;
  return result;
}

/** Runs a delete of at most batchRows rows, one transaction each, until one deletes fewer. */
function repeatBounded(db: Db, step: () => number, batchRows: number, result: RetentionResult): number {
  let total = 0;
  for (;;) {
    const n = db.transaction(step).immediate();
    total += n;
    if (n > 0) result.batches++;
    if (n < batchRows) return total;
  }
}

/**
 * Deletes raw samples below `bound` from `sample_chunks`, series by series, at most `batchRows`
 * samples per transaction: a chunk wholly below is deleted, a chunk reaching past the bound
 * (or past the batch's budget) is decoded and rewritten without its oldest samples.
 */
function deleteChunksBounded(db: Db, ids: number[], bound: number, batchRows: number) {
  const below: Database.Statement = db.prepare(
    'SELECT id, count, last_ts, data FROM sample_chunks WHERE series_id = ? AND first_ts < ? ORDER BY first_ts LIMIT 1',
  );
  const remove = db.prepare('DELETE FROM sample_chunks WHERE id = ?');
  const rewrite = db.prepare('UPDATE sample_chunks SET first_ts = ?, count = ?, data = ? WHERE id = ?');
  let deleted = 0;
  let batches = 0;
  let i = 0;
  while (i < ids.length) {
    const n = db
      .transaction(() => {
        let budget = batchRows;
        while (budget > 0 && i < ids.length) {
          const row = below.get(ids[i]!, bound) as { id: number; count: number; last_ts: number; data: Buffer } | undefined;
          if (!row) {
            i++;
            continue;
          }
          if (row.last_ts < bound && row.count <= budget) {
            remove.run(row.id);
            budget -= row.count;
            continue;
          }
          const { ts, values } = decodeChunk(row.data);
          let k = 0;
          while (k < ts.length && ts[k]! < bound && k < budget) k++;
          const rest = encodeChunk(ts.subarray(k), values.subarray(k));
          rewrite.run(ts[k]!, ts.length - k, rest, row.id);
          budget -= k;
        }
        return batchRows - budget;
      })
      .immediate();
    deleted += n;
    if (n > 0) batches++;
  }
  return { deleted, batches };
}

/**
 * Deletes rows with `col < bound` from a (series_id, col) keyed table, series by
 * series, at most `batchRows` rows per transaction. The bundled SQLite has no
 * DELETE ... LIMIT, so each step finds the key of the batch's last row with
 * LIMIT/OFFSET on the primary key and deletes up to it.
 */
function deleteBounded(db: Db, ids: number[], table: string, col: string, bound: number, batchRows: number) {
  const nth: Database.Statement = db
    .prepare(`SELECT ${col} FROM ${table} WHERE series_id = ? AND ${col} < ? ORDER BY ${col} LIMIT 1 OFFSET ?`)
    .pluck();
  const upTo = db.prepare(`DELETE FROM ${table} WHERE series_id = ? AND ${col} <= ?`);
  const below = db.prepare(`DELETE FROM ${table} WHERE series_id = ? AND ${col} < ?`);
  let deleted = 0;
  let batches = 0;
  let i = 0;
  while (i < ids.length) {
    const n = db
      .transaction(() => {
        let budget = batchRows;
        while (budget > 0 && i < ids.length) {
          const sid = ids[i]!;
          const key = nth.get(sid, bound, budget - 1) as number | undefined;
          if (key !== undefined) {
            budget -= upTo.run(sid, key).changes;
          } else {
            budget -= below.run(sid, bound).changes;
            i++;
          }
        }
        return batchRows - budget;
      })
      .immediate();
    deleted += n;
    if (n > 0) batches++;
  }
  return { deleted, batches };
}
