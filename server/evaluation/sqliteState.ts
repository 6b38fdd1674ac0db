import type Database from 'better-sqlite3';
import type { EvaluationRepository, StoredEvaluation, TransitionsBetween } from './backend.js';
import { LastEvaluationStore } from './last.js';
import type { IndicatorSnapshot } from './snapshot.js';
import { IndicatorStateStore, type IndicatorState, type Transition } from './state.js';

/**
 * The SQLite evaluation tables behind the asynchronous EvaluationRepository: each method calls
 * the synchronous stores and resolves with their answer (a throw becomes a rejection). `state`
 * and `last` stay reachable for the synchronous passes Runtime.load() still runs (evaluator.ts).
 */
export class SqliteEvaluationRepository implements EvaluationRepository {
  readonly backend = 'sqlite' as const;
  readonly state: IndicatorStateStore;
  readonly last: LastEvaluationStore;
  private readonly pass: Database.Transaction<(at: number, indicators: ReadonlyArray<IndicatorSnapshot>, last?: StoredEvaluation) => Transition[]>;

  constructor(db: Database.Database) {
    this.state = new IndicatorStateStore(db);
    this.last = new LastEvaluationStore(db);
    this.pass = db.transaction((at: number, indicators: ReadonlyArray<IndicatorSnapshot>, last?: StoredEvaluation) => {
      const written = this.state.recordInTransaction(at, indicators);
      if (last) this.last.save(last.snapshot, last.specKey);
      return written;
    });
  }

  /** The pass as one transaction (synchronously): state, transitions and the last snapshot. */
  recordPassSync(at: number, indicators: ReadonlyArray<IndicatorSnapshot>, last?: StoredEvaluation): Transition[] {
    return this.pass.immediate(at, indicators, last);
  }

  async recordPass(at: number, indicators: ReadonlyArray<IndicatorSnapshot>, last?: StoredEvaluation): Promise<Transition[]> {
    return this.recordPassSync(at, indicators, last);
  }
  async states(): Promise<Map<string, IndicatorState>> { return this.state.states(); }
  async retainOnly(keep: ReadonlySet<string>): Promise<number> { return this.state.retainOnly(keep); }
  async pruneTransitions(before: number): Promise<number> { return this.state.pruneTransitions(before); }
  async transitions(indicatorId: string, limit?: number): Promise<Transition[]> { return this.state.transitions(indicatorId, limit); }
  async recentTransitions(limit?: number): Promise<Transition[]> { return this.state.recentTransitions(limit); }
  async transitionsBetween(from: number, to: number): Promise<TransitionsBetween> { return this.state.transitionsBetween(from, to); }
  async saveLast(last: StoredEvaluation): Promise<void> { this.last.save(last.snapshot, last.specKey); }
  async loadLast(): Promise<StoredEvaluation | null> { return this.last.load(); }
  async lastAt(): Promise<number | null> { return this.last.lastAt(); }
}
