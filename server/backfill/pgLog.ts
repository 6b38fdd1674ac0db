import type pg from 'pg';
import type { Queryable } from '../store/pg/pool.js';
import type { BackfillRepository } from './backend.js';
import type { BackfillRow } from './log.js';

/**
 * `backfills` in PostgreSQL (migrations-pg/0002_application.sql), answering as the SQLite
 * BackfillLog does (test/backfill-contract.test.ts). The pool must parse bigint as numbers
 * (`storeTypes`, server/store/pg/pool.ts): share the metric store's. Every method is one
 * statement; `advance` only moves forward, so a replayed or concurrent advance never undoes one.
 */
const COLS = `id, collector_id AS "collectorId", part, from_ts AS "from", to_ts AS "to", step_ms AS "stepMs", done_to AS "doneTo", samples,
  state, error, created_at AS "createdAt", updated_at AS "updatedAt"`;

export class PgBackfillLog implements BackfillRepository {
  readonly backend = 'postgres' as const;

  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => number,
  ) {}

  async rows(collectorId?: string): Promise<BackfillRow[]> {
    const r = collectorId === undefined
      ? await this.pool.query<BackfillRow>(`SELECT ${COLS} FROM backfills ORDER BY id`)
      : await this.pool.query<BackfillRow>(`SELECT ${COLS} FROM backfills WHERE collector_id = $1 ORDER BY id`, [collectorId]);
    return r.rows;
  }

  async plan(p: { collectorId: string; part: string; from: number; to: number; stepMs: number }): Promise<BackfillRow> {
    const now = Math.round(this.now());
    const r = await this.pool.query<BackfillRow>(
      `INSERT INTO backfills (collector_id, part, from_ts, to_ts, step_ms, done_to, samples, state, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $8) RETURNING ${COLS}`,
      [p.collectorId, p.part, p.from, p.to, p.stepMs, p.from - 1, p.to < p.from ? 'done' : 'pending', now],
    );
    return r.rows[0]!;
  }

  /** `db`: the transaction writing the samples it covers, when the caller has one. */
  async advance(id: number, doneTo: number, samples: number, db: Queryable = this.pool): Promise<void> {
    await db.query('UPDATE backfills SET done_to = $1, samples = samples + $2, updated_at = $3 WHERE id = $4 AND done_to < $1', [
      doneTo, samples, Math.round(this.now()), id,
    ]);
  }

  async doneTo(id: number): Promise<number> {
    const r = await this.pool.query<{ done_to: number }>('SELECT done_to FROM backfills WHERE id = $1', [id]);
    return r.rows[0]?.done_to ?? Number.NEGATIVE_INFINITY;
  }

  async finish(id: number): Promise<void> {
    await this.pool.query('UPDATE backfills SET state = $1, error = NULL, updated_at = $2 WHERE id = $3', ['done', Math.round(this.now()), id]);
  }

  async fail(id: number, error: string): Promise<void> {
    await this.pool.query('UPDATE backfills SET state = $1, error = $2, updated_at = $3 WHERE id = $4', ['failed', error, Math.round(this.now()), id]);
  }
}
