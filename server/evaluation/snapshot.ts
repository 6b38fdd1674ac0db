import type { AlertState, BurnRateAlert, BurnWindow } from '../scoring/burn-rate.js';
import type { OutcomeResult } from '../scoring/outcome.js';
import type { PillarHealth } from '../scoring/pillar.js';
import type { Objective, Pillar, Status } from '../scoring/types.js';
import type { OutcomeIndicatorRef } from './spec.js';

/**
 * The result of one evaluation pass: plain data (JSON as it is), what the API, `/metrics`,
 * the dashboard and the reports read. Every number obeys docs/scoring.md: a `no_data` or
 * `stale` indicator carries `value: null` and `score: null`, never a last known value.
 */
export interface EvaluationSnapshot {
  /** ms epoch the pass evaluated at (`now`). */
  at: number;
  /** In workload order. */
  indicators: IndicatorSnapshot[];
  /** In workload order. */
  outcomes: OutcomeSnapshot[];
  pillars: Record<Pillar, PillarHealth>;
  /** Wall time the pass took, ms. */
  durationMs: number;
}

export interface IndicatorSnapshot {
  id: string;
  title: string;
  pillar: Pillar;
  unit: string;
  /** Weight in its pillar's health. */
  weight: number;
  kind: 'threshold' | 'slo';
  /**
   * The measured value: the source's value for a threshold indicator, the attainment
   * (good / total over the SLO window, 0–1) for an SLO. Null when no_data or stale.
   */
  value: number | null;
  status: Status;
  /** 0–100, rounded to 0.1; null exactly when status is no_data or stale. */
  score: number | null;
  reason: string;
  /** Threshold indicators only. */
  objective?: Objective;
  /** SLO indicators only. */
  slo?: SloSnapshot;
  /** The window its value is computed over (the SLO window for an SLO, the longer one of a ratio). */
  windowMs: number;
  /** ms epoch of the oldest stored sample of any series it reads; null when none has data. */
  dataSince: number | null;
  /**
   * Share of the window (0–1) that stored data covers: (now − max(dataSince, now − window)) / window.
   * Below 1 while the history is younger than the window; null when dataSince is null.
   */
  windowCoverage: number | null;
  /** Ids of the collectors feeding it (spec.collector, or the `collector` labels of its series). */
  collectors: string[];
  /** Number of series its selectors matched. */
  series: number;
}

export interface SloSnapshot {
  /** Target ratio of good events, e.g. 0.999. */
  objective: number;
  windowMs: number;
  /** 1 − objective. */
  errorBudget: number;
  attainment: number | null;
  /** Not clamped: −0.5 means 150% of the budget is spent. */
  budgetRemaining: number | null;
  burnRates: Record<BurnWindow, number | null>;
  alertState: AlertState;
  alerts: BurnRateAlert[];
  /** Counts over the SLO window; null when unusable. */
  events: { good: number; bad: number; total: number } | null;
  /** Data problems that made a burn window unusable; empty normally. */
  warnings: string[];
}

export interface OutcomeSnapshot extends OutcomeResult {
  id: string;
  title: string;
  owner: string | null;
  /** The refs as declared. */
  indicators: OutcomeIndicatorRef[];
}
