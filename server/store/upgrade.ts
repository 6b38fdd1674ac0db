import type { Logger } from '../../collectors/types.js';
import type { ChunkStore } from './chunks.js';
import type { Db } from './db.js';
import { decodeDay, encodeDay } from './rollupCodec.js';

/** Rows converted per transaction: keeps each write lock short for other connections. */
const ROWS_PER_TRANSACTION = 200_000;

/**
 * Brings a database written by an earlier release to the current layout, once, when the
 * store first opens it for writing:
 * - raw rows of the old `samples` table become compressed chunks, whole series per
 *   transaction (read, encoded, written, deleted from `samples` together), so a crash leaves
 *   every sample in exactly one of the two tables and the next open carries on;
 * - rollup days of the first format (1,152 bytes of float64) are rewritten packed.
 * Returns what was converted; nothing to do costs two index probes.
 */
export function upgradeLayout(db: Db, chunks: ChunkStore, log?: Logger): { samples: number; rollupDays: number } {
  const nextSeries = db.prepare('SELECT series_id FROM samples WHERE series_id > ? ORDER BY series_id LIMIT 1').pluck();
  const rows = db.prepare('SELECT ts, value FROM samples WHERE series_id = ? ORDER BY ts').raw();
  const drop = db.prepare('DELETE FROM samples WHERE series_id = ?');
  let samples = 0;
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const moved = db
      .transaction(() => {
        let n = 0;
        while (n < ROWS_PER_TRANSACTION) {
          const sid = nextSeries.get(after) as number | undefined;
          if (sid === undefined) return n;
          const list = rows.all(sid) as Array<[number, number | null]>;
          const ts = new Float64Array(list.length);
          const vs = new Float64Array(list.length);
          for (let i = 0; i < list.length; i++) {
            ts[i] = list[i]![0];
            vs[i] = list[i]![1] ?? Number.NaN;
          }
          chunks.write(sid, ts, vs);
          drop.run(sid);
          n += list.length;
          after = sid;
        }
        return n;
      })
      .immediate();
    samples += moved;
    if (moved < ROWS_PER_TRANSACTION) break;
    log?.info('store: converting raw samples into compressed chunks', { samples });
  }

  const oldDays = db
    .prepare("SELECT series_id, day, data FROM rollup_1h WHERE length(data) = 1152 AND substr(data, 1, 1) = x'00' LIMIT 5000")
    .raw();
  const rewrite = db.prepare('UPDATE rollup_1h SET data = ? WHERE series_id = ? AND day = ?');
  let rollupDays = 0;
  for (;;) {
    const n = db
      .transaction(() => {
        const list = oldDays.all() as Array<[number, number, Buffer]>;
        for (const [sid, day, data] of list) rewrite.run(encodeDay(decodeDay(data, day)), sid, day);
        return list.length;
      })
      .immediate();
    rollupDays += n;
    if (n === 0) break;
  }
  if (samples > 0 || rollupDays > 0) log?.info('store: converted to compressed chunks', { samples, rollupDays });
  return { samples, rollupDays };
}
