/**
 * Shared vocabulary of the scoring core: pillars, statuses and the shapes every
 * scoring function returns. Everything here is plain data, so results can be
 * stored, sent as JSON and compared in tests without conversion.
 */

/** The six AWS Well-Architected pillars, in the framework's own order (dashboards list them so). */
export const PILLARS = [
  'operational_excellence',
  'security',
  'reliability',
  'performance_efficiency',
  'cost_optimization',
  'sustainability',
] as const;
export type Pillar = (typeof PILLARS)[number];

/**
 * - ok: the objective is met, or missed by less than the warning bound.
 * - warning / critical: at or past the warning / critical bound.
 * - no_data: nothing to evaluate (no samples, a zero denominator, no events).
 * - stale: the collector feeding it is failing; the last good value is deliberately not used.
 * no_data and stale never carry a score: a number would claim a measurement we do not have.
 */
export const STATUSES = ['ok', 'warning', 'critical', 'no_data', 'stale'] as const;
export type Status = (typeof STATUSES)[number];

/**
 * Severity used wherever statuses are combined ("worst status wins"):
 * critical > warning > stale > no_data > ok. Known problems outrank unknowns;
 * stale outranks no_data because a feed that broke is a fault to act on, while
 * no data may simply mean nothing happened yet.
 */
export const STATUS_SEVERITY: Readonly<Record<Status, number>> = {
  ok: 0,
  no_data: 1,
  stale: 2,
  warning: 3,
  critical: 4,
};

/** The more severe of two statuses (ties keep `a`). */
export function worseStatus(a: Status, b: Status): Status {
  return STATUS_SEVERITY[b] > STATUS_SEVERITY[a] ? b : a;
}

/** A fresh `{ ok: 0, warning: 0, … }` for counting statuses. */
export function emptyStatusCounts(): Record<Status, number> {
  return { ok: 0, warning: 0, critical: 0, no_data: 0, stale: 0 };
}

/**
 * What "good" means for one indicator. Bounds are in the indicator's unit.
 * - direction 'min': higher is better; `target` is a floor. Requires target ≥ warning ≥ critical.
 * - direction 'max': lower is better; `target` is a ceiling. Requires target ≤ warning ≤ critical.
 * `warning` defaults to `target` (any miss is a warning). Without `critical` the indicator is
 * never critical, and its score reaches 0 at the warning bound (see docs/scoring.md).
 */
export interface Objective {
  target: number;
  direction: 'min' | 'max';
  warning?: number;
  critical?: number;
}

/**
 * The evaluation of one indicator (plain or SLO).
 * `score` is 0–100 rounded to 0.1, or null exactly when status is no_data or stale.
 * `reason` is a sentence for humans; it is always present, and for every non-ok
 * status it says what is wrong (value, bound, target; or why there is no value).
 */
export interface IndicatorResult {
  status: Status;
  score: number | null;
  reason: string;
}

/** The part of an indicator result that roll-ups (outcomes, pillars) read. */
export interface ScoredResult {
  status: Status;
  score: number | null;
  reason?: string;
}

/** Rounds a score to one decimal, the precision every score is reported at. */
export function roundScore(score: number): number {
  return Math.round(score * 10) / 10;
}
