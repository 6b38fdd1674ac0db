import type { Store } from '../store/index.js';
import type { EvaluationRepository } from './backend.js';
import { EvaluationHistory } from './history.js';
import { SqliteEvaluationRepository } from './sqliteState.js';

/**
 * What the evaluator needs of the sample store: series to read, score history to write,
 * retention. The concrete Store implements it; the evaluator never sees the database.
 */
export type EvaluatorStore = Pick<Store, 'findSeries' | 'rawPoints' | 'rollupHours' | 'firstSampleAt' | 'retentionPolicy' | 'writeSamples'>;

/**
 * The evaluation tables synchronously (SQLite only), for the passes the evaluator runs on the
 * calling thread: setSpec() and evaluateNow(), which Runtime.load() calls synchronously.
 */
export type SyncEvaluationTables = Pick<SqliteEvaluationRepository, 'recordPassSync' | 'state' | 'last'>;

/** The evaluation's own tables, as the evaluator uses them. */
export interface EvaluationTables {
  /** Either backend: timed passes (evaluateSoon) persist through it, the API and reports read it. */
  repository: EvaluationRepository;
  /** The same tables synchronously, on SQLite; absent on PostgreSQL (then setSpec and evaluateNow refuse). */
  sync?: SyncEvaluationTables;
  history: EvaluationHistory;
}

/** The evaluation's tables in the SQLite store's database: the one place that opens them for the evaluator. */
export function evaluationTables(store: Pick<Store, 'db' | 'querySeries' | 'findSeries' | 'firstSampleAt'>): EvaluationTables {
  const repository = new SqliteEvaluationRepository(store.db);
  return { repository, sync: repository, history: new EvaluationHistory(store, repository) };
}
