import type Database from 'better-sqlite3';
import type { Status } from '../scoring/types.js';
import type { IndicatorSnapshot } from './snapshot.js';
import { checkLimit, DEFAULT_TRANSITIONS_LIMIT, type TransitionsBetween } from './backend.js';

type Db = Database.Database;

/**
 * The only writer of `indicator_state` and `indicator_transitions` (migrations/0002).
 * The state table holds each indicator's latest evaluation, so a status change is detected
 * against the last pass even across a restart; the transitions table gets one row per change.
 */

export interface Transition {
  id: number;
  indicatorId: string;
  /** ms epoch of the evaluation that saw the new status. */
  at: number;
  /** null for the first evaluation ever recorded of this indicator. */
  from: Status | null;
  to: Status;
  /** The value and score at the transition; null for no_data and stale. */
  value: number | null;
  score: number | null;
  reason: string;
}

export interface IndicatorState {
  indicatorId: string;
  status: Status;
  /** ms epoch the current status began. */
  since: number;
  value: number | null;
  score: number | null;
  reason: string;
  evaluatedAt: number;
}

type TransitionRow = [number, string, number, Status | null, Status, number | null, number | null, string];
type StateRow = [string, Status, number, number | null, number | null, string, number];

export const TRANSITION_COLUMNS = 'id, indicator_id, at, from_status, to_status, value, score, reason';

export function transitionFromRow(r: TransitionRow): Transition {
  return { id: r[0], indicatorId: r[1], at: r[2], from: r[3], to: r[4], value: r[5], score: r[6], reason: r[7] };
}

export class IndicatorStateStore {
  private readonly selectAll: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly insertTransition: Database.Statement;
  private readonly deleteOne: Database.Statement;
  private readonly prune: Database.Statement;
  private readonly byIndicator: Database.Statement;
  private readonly recent: Database.Statement;
  private readonly atStart: Database.Statement;
  private readonly during: Database.Statement;

  constructor(private readonly db: Db) {
    this.selectAll = db.prepare('SELECT indicator_id, status, since, value, score, reason, evaluated_at FROM indicator_state').raw();
    this.upsert = db.prepare(
      `INSERT INTO indicator_state (indicator_id, status, since, value, score, reason, evaluated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (indicator_id) DO UPDATE SET status = excluded.status, since = excluded.since, value = excluded.value,
         score = excluded.score, reason = excluded.reason, evaluated_at = excluded.evaluated_at`,
    );
    this.insertTransition = db.prepare(
      `INSERT INTO indicator_transitions (indicator_id, at, from_status, to_status, value, score, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${TRANSITION_COLUMNS}`,
    ).raw();
    this.deleteOne = db.prepare('DELETE FROM indicator_state WHERE indicator_id = ?');
    this.prune = db.prepare('DELETE FROM indicator_transitions WHERE at < ?');
    this.byIndicator = db
      .prepare(`SELECT ${TRANSITION_COLUMNS} FROM indicator_transitions WHERE indicator_id = ? ORDER BY at DESC, id DESC LIMIT ?`)
      .raw();
    this.recent = db.prepare(`SELECT ${TRANSITION_COLUMNS} FROM indicator_transitions ORDER BY at DESC, id DESC LIMIT ?`).raw();
    this.atStart = db.prepare(`SELECT indicator_id, to_status, max(at) FROM indicator_transitions WHERE at < ? GROUP BY indicator_id`).raw();
    this.during = db.prepare(`SELECT indicator_id, at, to_status FROM indicator_transitions WHERE at >= ? AND at < ? ORDER BY at, id`).raw();
  }

  /** Transitions in [from, to), oldest first, and each indicator's status as of `from` (its last transition before it). */
  transitionsBetween(from: number, to: number): TransitionsBetween {
    const atStart: Record<string, Status> = {};
    for (const [id, status] of this.atStart.all(from) as Array<[string, Status, number]>) atStart[id] = status;
    const during = (this.during.all(from, to) as Array<[string, number, Status]>).map(([indicatorId, at, s]) => ({ indicatorId, at, to: s }));
    return { atStart, during };
  }

  /** The newest `limit` transitions of one indicator, newest first. */
  transitions(indicatorId: string, limit: number = DEFAULT_TRANSITIONS_LIMIT): Transition[] {
    return (this.byIndicator.all(indicatorId, checkLimit(limit)) as TransitionRow[]).map(transitionFromRow);
  }

  /** The newest `limit` transitions of all indicators, newest first. */
  recentTransitions(limit: number = DEFAULT_TRANSITIONS_LIMIT): Transition[] {
    return (this.recent.all(checkLimit(limit)) as TransitionRow[]).map(transitionFromRow);
  }

  /** Every indicator's latest stored evaluation, by id. */
  states(): Map<string, IndicatorState> {
    const out = new Map<string, IndicatorState>();
    for (const r of this.selectAll.all() as StateRow[]) {
      out.set(r[0], { indicatorId: r[0], status: r[1], since: r[2], value: r[3], score: r[4], reason: r[5], evaluatedAt: r[6] });
    }
    return out;
  }

  /**
   * Records one pass in one transaction: a transition row for each indicator whose status
   * differs from its stored state (or that has none yet), and the new state of every
   * indicator. Returns the transitions written, in the indicators' order.
   */
  record(at: number, indicators: ReadonlyArray<IndicatorSnapshot>): Transition[] {
    return this.db.transaction(() => this.recordInTransaction(at, indicators)).immediate();
  }

  /** record() for a caller that holds a write transaction already (SqliteEvaluationRepository's pass). */
  recordInTransaction(at: number, indicators: ReadonlyArray<IndicatorSnapshot>): Transition[] {
    const ts = Math.floor(at);
    const previous = this.states();
    const written: Transition[] = [];
    for (const i of indicators) {
      const before = previous.get(i.id);
      const value = storable(i.value);
      let since = before?.since ?? ts;
      if (before === undefined || before.status !== i.status) {
        since = ts;
        const row = this.insertTransition.get(i.id, ts, before?.status ?? null, i.status, value, i.score, i.reason) as TransitionRow;
        written.push(transitionFromRow(row));
      }
      this.upsert.run(i.id, i.status, since, value, i.score, i.reason, ts);
    }
    return written;
  }

  /** Deletes the state of indicators not in `keep` (removed from the workload); their transitions stay as history. */
  retainOnly(keep: ReadonlySet<string>): number {
    return this.db
      .transaction(() => {
        let deleted = 0;
        for (const id of this.states().keys()) if (!keep.has(id)) deleted += this.deleteOne.run(id).changes;
        return deleted;
      })
      .immediate();
  }

  /** Deletes transitions older than `before` (ms epoch); returns how many. */
  pruneTransitions(before: number): number {
    return this.db.transaction(() => this.prune.run(Math.floor(before)).changes).immediate();
  }
}

/** SQLite has no NaN (it would read back as NULL anyway): store it as NULL explicitly. */
export function storable(v: number | null): number | null {
  return v === null || Number.isNaN(v) ? null : v;
}
