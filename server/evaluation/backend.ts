import type { Status } from '../scoring/types.js';
import type { EvaluationSnapshot, IndicatorSnapshot } from './snapshot.js';
import type { IndicatorState, Transition } from './state.js';

/** Each indicator's status at the start of a range, and the transitions within it. */
export interface TransitionsBetween {
  /** Each indicator's status at the start of the range, by id (absent: no transition before it). */
  atStart: Record<string, Status>;
  during: Array<{ indicatorId: string; at: number; to: Status }>;
}

/** The stored last evaluation with the key of the spec it was evaluated from. */
export interface StoredEvaluation {
  snapshot: EvaluationSnapshot;
  specKey: string;
}

/**
 * The evaluation's own tables — `indicator_state`, `indicator_transitions`, `evaluation_last` —
 * asynchronously (issue 14), so the embedded SQLite store (sqliteState.ts over the synchronous
 * IndicatorStateStore and LastEvaluationStore) and PostgreSQL (pgState.ts) are interchangeable.
 * Both pass test/evaluation-contract.test.ts:
 *
 * - `recordPass` writes one evaluation pass in one transaction: a transition for each indicator
 *   whose status differs from its stored state (or that has none), the new state of every
 *   indicator (`since` kept while the status holds), and — when given — the last snapshot.
 *   It answers the transitions written, in the indicators' order. Indicator ids of one pass are
 *   distinct. NaN values are stored as null (SQLite has no NaN).
 * - Transition reads order newest first by (at, id); `limit` must be a positive integer
 *   (RangeError naming it).
 * - `retainOnly` deletes the state of indicators not kept; their transitions stay as history.
 */
export interface EvaluationRepository {
  readonly backend: 'sqlite' | 'postgres';
  recordPass(at: number, indicators: ReadonlyArray<IndicatorSnapshot>, last?: StoredEvaluation): Promise<Transition[]>;
  /** Every indicator's latest stored evaluation, by id. */
  states(): Promise<Map<string, IndicatorState>>;
  /** Deletes the state of indicators not in `keep`; answers how many. */
  retainOnly(keep: ReadonlySet<string>): Promise<number>;
  /** Deletes transitions older than `before` (ms epoch); answers how many. */
  pruneTransitions(before: number): Promise<number>;
  /** The newest `limit` transitions of one indicator, newest first. */
  transitions(indicatorId: string, limit?: number): Promise<Transition[]>;
  /** The newest `limit` transitions of all indicators, newest first. */
  recentTransitions(limit?: number): Promise<Transition[]>;
  /** Transitions in [from, to), oldest first, and each indicator's status as of `from`. */
  transitionsBetween(from: number, to: number): Promise<TransitionsBetween>;
  saveLast(last: StoredEvaluation): Promise<void>;
  loadLast(): Promise<StoredEvaluation | null>;
  /** When the stored snapshot was evaluated (ms epoch), or null, without reading the snapshot. */
  lastAt(): Promise<number | null>;
}

export const DEFAULT_TRANSITIONS_LIMIT = 100;

export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${String(limit)}`);
  return limit;
}
