import type { Pillar } from '../scoring/types.js';
import type { RangeQuery, Selector, Store } from '../store/index.js';
import { HISTORY_SERIES, historySelector, type HistorySeriesName } from './history-series.js';
import type { EvaluationRepository, TransitionsBetween } from './backend.js';
import type { IndicatorState, Transition } from './state.js';

/**
 * Read side of the evaluation history: status transitions (EvaluationRepository) and score/value
 * trends (ordinary series, history-series.ts) through the store's range queries, which pick
 * raw samples or hourly rollups and apply the store's limits (RangeTooLargeError, QueryError).
 */

export interface HistoryPoints {
  source: 'raw' | 'rollup';
  /** The bucket width actually used, ms (finer than asked when the history is younger than the range). */
  step: number;
  /** ms epoch of the oldest stored point of the series, or null when it has none. */
  dataSince: number | null;
  /** [bucketStartMs, value], oldest first; buckets without a sample are absent. */
  points: Array<[number, number]>;
}

/** Round bucket widths (seconds) for a clipped range: they align with minutes, hours and rollups. */
const NICE_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/**
 * The range actually read when a series' history begins after `range.from`: it starts at the
 * first sample, and the step shrinks so the same number of points spans the shorter history
 * (never coarser than asked). So six minutes of data on a 7-day chart come back as raw
 * points over those six minutes, not as one hourly-rollup point at the right edge; the
 * store's auto source picks raw samples for a step under an hour within raw retention.
 */
export function clipToHistory(range: RangeQuery, dataSince: number | null): RangeQuery {
  if (dataSince === null || dataSince <= range.from || dataSince > range.to) return range;
  const points = Math.max(1, Math.floor((range.to - range.from) / range.step));
  const wanted = (range.to - dataSince) / points;
  const nice = (NICE_STEPS_S.find((s) => s * 1000 >= wanted) ?? Math.ceil(wanted / 1000)) * 1000;
  return { ...range, from: dataSince, step: Math.min(range.step, nice) };
}

export type IndicatorHistoryMetric = 'score' | 'value' | 'budget_remaining';

const INDICATOR_SERIES: Record<IndicatorHistoryMetric, HistorySeriesName> = {
  score: HISTORY_SERIES.indicatorScore,
  value: HISTORY_SERIES.indicatorValue,
  budget_remaining: HISTORY_SERIES.sloBudgetRemaining,
};

/** Whose history a route reads: what the read workers are sent (server/workers). */
export type HistoryTarget =
  | { of: 'indicator'; id: string; metric: IndicatorHistoryMetric }
  | { of: 'outcome'; id: string }
  | { of: 'pillar'; id: Pillar };

/** The selector of a target's history series. */
export function historyTargetSelector(t: HistoryTarget): Selector {
  if (t.of === 'indicator') return historySelector(INDICATOR_SERIES[t.metric], 'indicator', t.id);
  return historySelector(t.of === 'outcome' ? HISTORY_SERIES.outcomeScore : HISTORY_SERIES.pillarScore, t.of, t.id);
}

/** What reading a history needs of the store: no table of the evaluation's own. */
export type HistoryReadStore = Pick<Store, 'querySeries' | 'findSeries' | 'firstSampleAt'>;

/** One history series over `range`, clipped to where its data begins (clipToHistory). */
export function readHistory(store: HistoryReadStore, selector: Selector, range: RangeQuery): HistoryPoints {
  let dataSince: number | null = null;
  for (const s of store.findSeries(selector)) {
    const t = store.firstSampleAt(s.id);
    if (t !== undefined && (dataSince === null || t < dataSince)) dataSince = t;
  }
  const q = clipToHistory(range, dataSince);
  const result = store.querySeries(selector, q);
  return { source: result.source, step: q.step, dataSince, points: result.series[0]?.points ?? [] };
}

/**
 * What routes and reports read of the evaluation: status transitions and states through the
 * asynchronous EvaluationRepository (either backend), score/value trends through the store's
 * range queries.
 */
export class EvaluationHistory {
  constructor(
    private readonly store: HistoryReadStore,
    private readonly repository: EvaluationRepository,
  ) {}

  /**
   * Transitions in [from, to), oldest first, and each indicator's status as of `from` (its last
   * transition before it): what a report of a past week needs, where `transitions` gives the newest N.
   */
  transitionsBetween(from: number, to: number): Promise<TransitionsBetween> {
    return this.repository.transitionsBetween(from, to);
  }

  /** The newest `limit` transitions of one indicator, newest first. */
  transitions(indicatorId: string, limit?: number): Promise<Transition[]> {
    return this.repository.transitions(indicatorId, limit);
  }

  /** The newest `limit` transitions of all indicators, newest first. */
  recentTransitions(limit?: number): Promise<Transition[]> {
    return this.repository.recentTransitions(limit);
  }

  /** Each indicator's latest stored evaluation (status and since when), by id. */
  states(): Promise<Map<string, IndicatorState>> {
    return this.repository.states();
  }

  /** Score (default), value or SLO budget remaining of one indicator over `range`. */
  indicatorHistory(id: string, range: RangeQuery, metric: IndicatorHistoryMetric = 'score'): HistoryPoints {
    return readHistory(this.store, historyTargetSelector({ of: 'indicator', id, metric }), range);
  }

  outcomeHistory(id: string, range: RangeQuery): HistoryPoints {
    return readHistory(this.store, historyTargetSelector({ of: 'outcome', id }), range);
  }

  pillarHistory(pillar: Pillar, range: RangeQuery): HistoryPoints {
    return readHistory(this.store, historyTargetSelector({ of: 'pillar', id: pillar }), range);
  }
}
