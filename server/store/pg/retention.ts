import type pg from 'pg';
import { decodeChunk, encodeChunk } from '../chunkCodec.js';
import { DAY_MS, HOUR_MS } from '../rollupCodec.js';
import type { RetentionResult } from '../retention.js';
import type { RetentionPolicy } from '../types.js';
import { inTransaction, LOCK } from './pool.js';
import { raiseBound, readBounds } from './raw.js';
import { updateRollups } from './rollups.js';

/**
 * Retention on PostgreSQL, with the SQLite store's bounds (retention.ts): raw samples below
 * floor((now - rawMs) / 1h) * 1h (whole chunks deleted, a chunk straddling the bound
 * rewritten without its older samples, old head rows deleted), rollup days that ended before
 * floor((now - hourlyMs) / 1d), collector runs started before now - rawMs, then series left
 * with nothing. Rollups are brought up to date in the transaction that raises the horizon, which
 * commits before any raw row goes, so nothing is deleted that the rollups have not absorbed. Each step is one
 * transaction (PostgreSQL readers never wait for a writer, so steps need no batching);
 * `batches` counts the transactions that deleted something.
 */
export async function applyPgRetention(pool: pg.Pool, policy: RetentionPolicy, now: number): Promise<{ result: RetentionResult; removedSeries: number[] }> {
  const result: RetentionResult = { rawDeleted: 0, rollupDeleted: 0, runsDeleted: 0, seriesDeleted: 0, batches: 0 };
  const rawBound = Math.floor((now - policy.rawMs) / HOUR_MS) * HOUR_MS;
  const horizon = await inTransaction(pool, async (c) => {
    // Rollups absorb every dirty hour and the horizon rises in one transaction, with writes held
    // off: a sample written between the two would otherwise be marked in an hour whose raw is
    // about to go, and never reach its rollup. Writes after it below the horizon go into rollups.
    await c.query('SELECT pg_advisory_xact_lock($1)', [LOCK.WRITE]);
    await updateRollups(c);
    await raiseBound(c, 'raw_horizon', rawBound);
    return (await readBounds(c)).rawHorizon;
  });
  const raw = await inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [LOCK.WRITE]);
    let n = 0;
    const whole = await c.query<{ n: number | null }>(
      'WITH d AS (DELETE FROM sample_chunks WHERE last_ts < $1 RETURNING count) SELECT sum(count) AS n FROM d',
      [horizon],
    );
    n += whole.rows[0]!.n ?? 0;
    const straddling = await c.query<{ id: number; data: Buffer }>('SELECT id, data FROM sample_chunks WHERE first_ts < $1 AND last_ts >= $1', [horizon]);
    for (const row of straddling.rows) {
      const { ts, values } = decodeChunk(row.data);
      let k = 0;
      while (k < ts.length && ts[k]! < horizon) k++;
      const rest = encodeChunk(ts.subarray(k), values.subarray(k));
      await c.query('UPDATE sample_chunks SET first_ts = $1, count = $2, data = $3 WHERE id = $4', [ts[k]!, ts.length - k, rest, row.id]);
      n += k;
    }
    n += (await c.query('DELETE FROM samples_head WHERE ts < $1', [horizon])).rowCount ?? 0;
    return n;
  });
  result.rawDeleted = raw;
  if (raw > 0) result.batches++;
  const rollupBoundDay = Math.floor((now - policy.hourlyMs) / DAY_MS);
  result.rollupDeleted = (await pool.query('DELETE FROM rollup_1h WHERE day < $1', [rollupBoundDay])).rowCount ?? 0;
  if (result.rollupDeleted > 0) result.batches++;
  result.runsDeleted = (await pool.query('DELETE FROM collector_runs WHERE started_at < $1', [now - policy.rawMs])).rowCount ?? 0;
  if (result.runsDeleted > 0) result.batches++;
  const removed = await inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [LOCK.WRITE]);
    const r = await c.query<{ id: number }>(
      `DELETE FROM series s WHERE NOT EXISTS (SELECT 1 FROM sample_chunks WHERE series_id = s.id)
         AND NOT EXISTS (SELECT 1 FROM samples_head WHERE series_id = s.id)
         AND NOT EXISTS (SELECT 1 FROM rollup_1h WHERE series_id = s.id)
         AND NOT EXISTS (SELECT 1 FROM rollup_dirty WHERE series_id = s.id)
       RETURNING id`,
    );
    return r.rows.map((row) => row.id);
  });
  result.seriesDeleted = removed.length;
  if (removed.length > 0) result.batches++;
  return { result, removedSeries: removed };
}
