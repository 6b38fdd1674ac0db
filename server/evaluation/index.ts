/**
 * The evaluation engine: stored samples → indicator results → outcome and pillar health,
 * the evaluation loop, and its history. How and why: docs/evaluation.md.
 */
export type * from './spec.js';
export type { SeriesData } from './data.js';
export { storeSeriesData } from './data.js';
export { readAggregate, readRatio, readSource, combineValues, type SourceReading } from './read.js';
export { aggregateChunks, chunkIncrease, probeSuccesses } from './chunk-aggregate.js';
export { planWindow, MIN_SPLIT_HOURS, type Chunk, type WindowPlan } from './window.js';
export { describeMissing, sourceNames, type MissingDataHint } from './missing.js';
export { countSloEvents, type SloCounts } from './slo-counts.js';
export { evaluateWorkload, type EngineDeps, type WorkloadEvaluationSpec } from './engine.js';
export type { EvaluationSnapshot, IndicatorSnapshot, OutcomeSnapshot, SloSnapshot } from './snapshot.js';
export { HISTORY_SERIES, historySamples, historySelector, type HistorySeriesName } from './history-series.js';
export { EvaluationHistory, historyTargetSelector, readHistory, type HistoryPoints, type HistoryReadStore, type HistoryTarget, type IndicatorHistoryMetric } from './history.js';
export type { IndicatorState, Transition } from './state.js';
export { Evaluator, RESUME_WITHIN_INTERVALS, type EvaluatorOptions } from './evaluator.js';
export { LastEvaluationStore } from './last.js';
export { evaluationTables, type EvaluationTables, type EvaluatorStore, type SyncEvaluationTables } from './tables.js';
export type { EvaluationRepository, StoredEvaluation, TransitionsBetween } from './backend.js';
export { SqliteEvaluationRepository } from './sqliteState.js';
export { PgEvaluationStore } from './pgState.js';
