import type Database from 'better-sqlite3';
import type { Pillar } from '../scoring/types.js';
import type { RangeQuery, Store } from '../store/index.js';
import { HISTORY_SERIES, historySelector, type HistorySeriesName } from './history-series.js';
import { IndicatorStateStore, TRANSITION_COLUMNS, transitionFromRow, type IndicatorState, type Transition } from './state.js';

/**
 * Read side of the evaluation history: status transitions (migrations/0002) and score/value
 * trends (ordinary series, history-series.ts) through the store's range queries, which pick
 * raw samples or hourly rollups and apply the store's limits (RangeTooLargeError, QueryError).
 */

export interface HistoryPoints {
  source: 'raw' | 'rollup';
  /** [bucketStartMs, value], oldest first; buckets without a sample are absent. */
  points: Array<[number, number]>;
}

export type IndicatorHistoryMetric = 'score' | 'value' | 'budget_remaining';

const INDICATOR_SERIES: Record<IndicatorHistoryMetric, HistorySeriesName> = {
  score: HISTORY_SERIES.indicatorScore,
  value: HISTORY_SERIES.indicatorValue,
  budget_remaining: HISTORY_SERIES.sloBudgetRemaining,
};

export const DEFAULT_TRANSITIONS_LIMIT = 100;

export class EvaluationHistory {
  private readonly byIndicator: Database.Statement;
  private readonly recent: Database.Statement;
  private readonly stateStore: IndicatorStateStore;

  constructor(private readonly store: Pick<Store, 'db' | 'querySeries'>) {
    this.byIndicator = store.db
      .prepare(`SELECT ${TRANSITION_COLUMNS} FROM indicator_transitions WHERE indicator_id = ? ORDER BY at DESC, id DESC LIMIT ?`)
      .raw();
    this.recent = store.db.prepare(`SELECT ${TRANSITION_COLUMNS} FROM indicator_transitions ORDER BY at DESC, id DESC LIMIT ?`).raw();
    this.stateStore = new IndicatorStateStore(store.db);
  }

  /** The newest `limit` transitions of one indicator, newest first. */
  transitions(indicatorId: string, limit: number = DEFAULT_TRANSITIONS_LIMIT): Transition[] {
    return (this.byIndicator.all(indicatorId, checkLimit(limit)) as Parameters<typeof transitionFromRow>[0][]).map(transitionFromRow);
  }

  /** The newest `limit` transitions of all indicators, newest first. */
  recentTransitions(limit: number = DEFAULT_TRANSITIONS_LIMIT): Transition[] {
    return (this.recent.all(checkLimit(limit)) as Parameters<typeof transitionFromRow>[0][]).map(transitionFromRow);
  }

  /** Each indicator's latest stored evaluation (status and since when), by id. */
  states(): Map<string, IndicatorState> {
    return this.stateStore.states();
  }

  /** Score (default), value or SLO budget remaining of one indicator over `range`. */
  indicatorHistory(id: string, range: RangeQuery, metric: IndicatorHistoryMetric = 'score'): HistoryPoints {
    return this.read(INDICATOR_SERIES[metric], 'indicator', id, range);
  }

  outcomeHistory(id: string, range: RangeQuery): HistoryPoints {
    return this.read(HISTORY_SERIES.outcomeScore, 'outcome', id, range);
  }

  pillarHistory(pillar: Pillar, range: RangeQuery): HistoryPoints {
    return this.read(HISTORY_SERIES.pillarScore, 'pillar', pillar, range);
  }

  private read(name: HistorySeriesName, label: 'indicator' | 'outcome' | 'pillar', id: string, range: RangeQuery): HistoryPoints {
    const result = this.store.querySeries(historySelector(name, label, id), range);
    return { source: result.source, points: result.series[0]?.points ?? [] };
  }
}

function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${String(limit)}`);
  return limit;
}
