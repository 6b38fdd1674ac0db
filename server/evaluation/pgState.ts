import type pg from 'pg';
import type { Status } from '../scoring/types.js';
import { checkLimit, DEFAULT_TRANSITIONS_LIMIT, type EvaluationRepository, type StoredEvaluation, type TransitionsBetween } from './backend.js';
import type { EvaluationSnapshot, IndicatorSnapshot } from './snapshot.js';
import { storable, type IndicatorState, type Transition } from './state.js';

/**
 * The evaluation's tables in PostgreSQL (migrations-pg/0002_application.sql), answering as the
 * SQLite stores do (test/evaluation-contract.test.ts). The pool must parse bigint as numbers
 * (`storeTypes`, server/store/pg/pool.ts): share the metric store's.
 *
 * A pass is one round trip whatever the number of indicators: one statement whose CTEs read
 * the stored states (locked), insert the transitions, upsert every state and the last snapshot
 * from arrays (`unnest`). One statement is one transaction, so a pass is stored whole or not at
 * all, and a second writer's pass (only the leader evaluates, issue 14) waits on the row locks
 * instead of comparing against a state that is changing under it.
 */
interface TransitionRow {
  id: number;
  indicator_id: string;
  at: number;
  from_status: Status | null;
  to_status: Status;
  value: number | null;
  score: number | null;
  reason: string;
}
const TCOLS = 'id, indicator_id, at, from_status, to_status, value, score, reason';

function toTransition(r: TransitionRow): Transition {
  return { id: r.id, indicatorId: r.indicator_id, at: r.at, from: r.from_status, to: r.to_status, value: r.value, score: r.score, reason: r.reason };
}

const RECORD_PASS = `WITH input AS (
    SELECT * FROM unnest($2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[]) WITH ORDINALITY AS i(id, status, value, score, reason, ord)
  ), prev AS (
    SELECT s.indicator_id, s.status, s.since FROM indicator_state s WHERE s.indicator_id IN (SELECT id FROM input) FOR UPDATE
  ), changed AS (
    INSERT INTO indicator_transitions (indicator_id, at, from_status, to_status, value, score, reason)
    SELECT i.id, $1::bigint, p.status, i.status, i.value, i.score, i.reason
      FROM input i LEFT JOIN prev p ON p.indicator_id = i.id
     WHERE p.status IS DISTINCT FROM i.status
     ORDER BY i.ord
    RETURNING ${TCOLS}
  ), states AS (
    INSERT INTO indicator_state AS s (indicator_id, status, since, value, score, reason, evaluated_at)
    SELECT i.id, i.status, CASE WHEN p.status = i.status THEN p.since ELSE $1::bigint END, i.value, i.score, i.reason, $1::bigint
      FROM input i LEFT JOIN prev p ON p.indicator_id = i.id
    ON CONFLICT (indicator_id) DO UPDATE SET status = EXCLUDED.status, since = EXCLUDED.since, value = EXCLUDED.value,
      score = EXCLUDED.score, reason = EXCLUDED.reason, evaluated_at = EXCLUDED.evaluated_at
  ), last AS (
    INSERT INTO evaluation_last (id, at, spec_key, snapshot) SELECT 1, $7::bigint, $8::text, $9::text WHERE $8::text IS NOT NULL
    ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at, spec_key = EXCLUDED.spec_key, snapshot = EXCLUDED.snapshot
  )
  SELECT ${TCOLS} FROM changed ORDER BY id`;

const SAVE_LAST = `INSERT INTO evaluation_last (id, at, spec_key, snapshot) VALUES (1, $1, $2, $3)
  ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at, spec_key = EXCLUDED.spec_key, snapshot = EXCLUDED.snapshot`;

export class PgEvaluationStore implements EvaluationRepository {
  readonly backend = 'postgres' as const;

  constructor(private readonly pool: pg.Pool) {}

  async recordPass(at: number, indicators: ReadonlyArray<IndicatorSnapshot>, last?: StoredEvaluation): Promise<Transition[]> {
    const seen = new Set<string>();
    for (const i of indicators) {
      if (seen.has(i.id)) throw new RangeError(`indicators: id "${i.id}" appears twice in one pass`);
      seen.add(i.id);
    }
    if (indicators.length === 0 && !last) return [];
    const r = await this.pool.query<TransitionRow>(RECORD_PASS, [
      Math.floor(at),
      indicators.map((i) => i.id),
      indicators.map((i) => i.status),
      indicators.map((i) => storable(i.value)),
      indicators.map((i) => storable(i.score)),
      indicators.map((i) => i.reason),
      last ? Math.floor(last.snapshot.at) : null,
      last?.specKey ?? null,
      last ? JSON.stringify(last.snapshot) : null,
    ]);
    return r.rows.map(toTransition);
  }

  async states(): Promise<Map<string, IndicatorState>> {
    const r = await this.pool.query<{ indicator_id: string; status: Status; since: number; value: number | null; score: number | null; reason: string; evaluated_at: number }>(
      'SELECT indicator_id, status, since, value, score, reason, evaluated_at FROM indicator_state',
    );
    const out = new Map<string, IndicatorState>();
    for (const s of r.rows) {
      out.set(s.indicator_id, { indicatorId: s.indicator_id, status: s.status, since: s.since, value: s.value, score: s.score, reason: s.reason, evaluatedAt: s.evaluated_at });
    }
    return out;
  }

  async retainOnly(keep: ReadonlySet<string>): Promise<number> {
    const r = await this.pool.query('DELETE FROM indicator_state WHERE NOT (indicator_id = ANY($1::text[]))', [[...keep]]);
    return r.rowCount ?? 0;
  }

  async pruneTransitions(before: number): Promise<number> {
    const r = await this.pool.query('DELETE FROM indicator_transitions WHERE at < $1', [Math.floor(before)]);
    return r.rowCount ?? 0;
  }

  async transitions(indicatorId: string, limit: number = DEFAULT_TRANSITIONS_LIMIT): Promise<Transition[]> {
    const r = await this.pool.query<TransitionRow>(
      `SELECT ${TCOLS} FROM indicator_transitions WHERE indicator_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
      [indicatorId, checkLimit(limit)],
    );
    return r.rows.map(toTransition);
  }

  async recentTransitions(limit: number = DEFAULT_TRANSITIONS_LIMIT): Promise<Transition[]> {
    const r = await this.pool.query<TransitionRow>(`SELECT ${TCOLS} FROM indicator_transitions ORDER BY at DESC, id DESC LIMIT $1`, [checkLimit(limit)]);
    return r.rows.map(toTransition);
  }

  async transitionsBetween(from: number, to: number): Promise<TransitionsBetween> {
    // Both reads in one statement: one snapshot, one round trip.
    const r = await this.pool.query<{ part: 'start' | 'during'; indicator_id: string; at: number; to_status: Status }>(
      `(SELECT DISTINCT ON (indicator_id) 'start' AS part, indicator_id, at, to_status, 0::bigint AS id FROM indicator_transitions
         WHERE at < $1 ORDER BY indicator_id, at DESC, id DESC)
       UNION ALL
       (SELECT 'during', indicator_id, at, to_status, id FROM indicator_transitions WHERE at >= $1 AND at < $2)
       ORDER BY part DESC, at, id`,
      [Math.floor(from), Math.floor(to)],
    );
    const atStart: Record<string, Status> = {};
    const during: TransitionsBetween['during'] = [];
    for (const row of r.rows) {
      if (row.part === 'start') atStart[row.indicator_id] = row.to_status;
      else during.push({ indicatorId: row.indicator_id, at: row.at, to: row.to_status });
    }
    return { atStart, during };
  }

  async saveLast(last: StoredEvaluation): Promise<void> {
    await this.pool.query(SAVE_LAST, [Math.floor(last.snapshot.at), last.specKey, JSON.stringify(last.snapshot)]);
  }

  async loadLast(): Promise<StoredEvaluation | null> {
    const r = await this.pool.query<{ spec_key: string; snapshot: string }>('SELECT spec_key, snapshot FROM evaluation_last WHERE id = 1');
    const row = r.rows[0];
    return row ? { snapshot: JSON.parse(row.snapshot) as EvaluationSnapshot, specKey: row.spec_key } : null;
  }

  async lastAt(): Promise<number | null> {
    const r = await this.pool.query<{ at: number }>('SELECT at FROM evaluation_last WHERE id = 1');
    return r.rows[0]?.at ?? null;
  }
}
