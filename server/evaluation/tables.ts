import type { Store } from '../store/index.js';
import { EvaluationHistory } from './history.js';
import { LastEvaluationStore } from './last.js';
import { IndicatorStateStore } from './state.js';

/**
 * What the evaluator needs of the sample store: series to read, score history to write,
 * retention. The concrete Store implements it; the evaluator never sees the database.
 */
export type EvaluatorStore = Pick<Store, 'findSeries' | 'rawPoints' | 'rollupHours' | 'firstSampleAt' | 'retentionPolicy' | 'writeSamples'>;

/** Status transitions and per-indicator state (indicator_transitions, indicator_state). */
export type TransitionLog = Pick<IndicatorStateStore, 'record' | 'retainOnly' | 'pruneTransitions'>;

/** The last evaluation, kept so a restart resumes it (evaluation_last). */
export type LastSnapshot = Pick<LastEvaluationStore, 'load' | 'save'>;

/** The evaluation's own tables, as the evaluator uses them. */
export interface EvaluationTables {
  state: TransitionLog;
  last: LastSnapshot;
  history: EvaluationHistory;
}

/** The evaluation's tables in the store's database: the one place that opens them for the evaluator. */
export function evaluationTables(store: Pick<Store, 'db' | 'querySeries' | 'findSeries' | 'firstSampleAt'>): EvaluationTables {
  return {
    state: new IndicatorStateStore(store.db),
    last: new LastEvaluationStore(store.db),
    history: new EvaluationHistory(store),
  };
}
