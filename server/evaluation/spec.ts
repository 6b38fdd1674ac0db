import type { Aggregation } from '../scoring/aggregate.js';
import type { Objective, Pillar } from '../scoring/types.js';
import type { Selector } from '../store/types.js';

/**
 * The indicators, outcomes and evaluation settings of a workload, as the workload loader
 * produces them after validation (durations in ms, selectors parsed, percentages as ratios).
 * The evaluation engine and the API read these; nothing else parses the YAML.
 */

/** A series selector with the text it was written as (for messages and the API). */
export interface SelectorSpec {
  text: string;
  selector: Selector;
}

/** `series` + `aggregate` + `window`: one number from the samples of the matched series. */
export interface AggregateSource {
  kind: 'aggregate';
  series: SelectorSpec;
  aggregation: Aggregation;
  windowMs: number;
  /**
   * How values of several matched series combine into one: `sum` (default for rate,
   * increase, sum, count), `avg` (default otherwise), `min`, `max`.
   */
  combine: 'sum' | 'avg' | 'min' | 'max';
}

export interface RatioSource {
  kind: 'ratio';
  numerator: AggregateSource;
  denominator: AggregateSource;
}

export type IndicatorSource = AggregateSource | RatioSource;

/**
 * An SLO: events counted over a rolling window. Either counters (`good` or `bad`, with
 * `total`: events = increase over the window, summed across matched series) or a
 * probe-style series (`success`: every sample is one event, good when its value is > 0).
 */
export type SloEvents =
  | { kind: 'counters'; good?: SelectorSpec; bad?: SelectorSpec; total: SelectorSpec }
  | { kind: 'probes'; success: SelectorSpec };

export interface SloSpec {
  events: SloEvents;
  /** e.g. 0.999 for `99.9%`. */
  objective: number;
  windowMs: number;
  /** Budget fraction below which the SLO is a warning (default 0.25). */
  budgetWarningBelow: number;
}

interface IndicatorBase {
  id: string;
  title: string;
  pillar: Pillar;
  unit: string;
  description?: string;
  runbook?: string;
  /** Weight of this indicator in its pillar's health (default 1). */
  weight: number;
  /**
   * The collector that feeds it, for staleness. When absent, the engine infers it from the
   * `collector` label every stored sample carries.
   */
  collector?: string;
}

export interface ThresholdIndicator extends IndicatorBase {
  kind: 'threshold';
  source: IndicatorSource;
  objective: Objective;
}

export interface SloIndicator extends IndicatorBase {
  kind: 'slo';
  slo: SloSpec;
}

export type IndicatorSpec = ThresholdIndicator | SloIndicator;

export interface OutcomeIndicatorRef {
  ref: string;
  weight: number; // default 1
  key: boolean; // default false
}

export interface OutcomeSpec {
  id: string;
  title: string;
  owner?: string;
  description?: string;
  indicators: OutcomeIndicatorRef[];
}

export interface EvaluationSettings {
  /** How often every indicator is evaluated (default 60 s). */
  intervalMs: number;
  /** Consecutive failed runs after which a feeding collector makes its indicators stale (default 3). */
  staleAfterFailures: number;
}
