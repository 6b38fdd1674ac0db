import { formatNumber } from './format.js';
import { roundScore, type IndicatorResult, type Objective } from './types.js';

/**
 * One indicator's value against its objective → status, score 0–100 and a reason.
 *
 * Bounds (docs/scoring.md, "Indicator"): with lower-is-better (`max`) a value is
 * - met            when value ≤ target                    → ok, score 100
 * - within warning when target < value < warning          → ok, score below 100
 * - warning        when warning ≤ value (< critical)      → warning
 * - critical       when critical ≤ value                  → critical, score 0
 * and the mirror image for higher-is-better (`min`). Defaults: warning = target (any miss
 * is a warning); no critical = never critical. The score falls linearly from 100 at the
 * target to 0 at the "zero bound": critical if declared, else warning — the worst level the
 * owner declared. With neither, the objective is pass/fail and so is the score (100 or 0).
 */

export type ObjectiveField = 'target' | 'direction' | 'warning' | 'critical';

/** A problem with an objective, named by field so the workload loader can point at it. */
export interface ObjectiveProblem {
  field: ObjectiveField;
  message: string;
}

/** Every problem with `objective` (empty when valid). The workload loader reports these. */
export function validateObjective(objective: Objective): ObjectiveProblem[] {
  const problems: ObjectiveProblem[] = [];
  const { direction, target, warning, critical } = objective;
  if (direction !== 'min' && direction !== 'max') {
    problems.push({ field: 'direction', message: `direction must be "min" (higher is better) or "max" (lower is better), got ${JSON.stringify(direction)}` });
  }
  const finite = (field: ObjectiveField, v: unknown): void => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      problems.push({ field, message: `${field} must be a finite number, got ${String(v)}` });
    }
  };
  finite('target', target);
  if (warning !== undefined) finite('warning', warning);
  if (critical !== undefined) finite('critical', critical);
  if (problems.length > 0) return problems; // ordering is meaningless until every field is sound

  const lowerIsBetter = direction === 'max';
  const rule = lowerIsBetter
    ? 'lower is better (direction max), so target ≤ warning ≤ critical'
    : 'higher is better (direction min), so target ≥ warning ≥ critical';
  // notBetter(a, b): a is on the bad side of b, or equal to it.
  const notBetter = (a: number, b: number) => (lowerIsBetter ? a >= b : a <= b);
  if (warning !== undefined && !notBetter(warning, target)) {
    problems.push({ field: 'warning', message: `warning ${formatNumber(warning)} is on the good side of the target ${formatNumber(target)}; ${rule}` });
  }
  const floor = warning ?? target;
  if (critical !== undefined && !notBetter(critical, floor)) {
    const what = warning === undefined ? `the target ${formatNumber(target)}` : `the warning bound ${formatNumber(warning)}`;
    problems.push({ field: 'critical', message: `critical ${formatNumber(critical)} is on the good side of ${what}; ${rule}` });
  }
  return problems;
}

/** Everything the scoring needs besides the value; only `staleReason`/`noDataReason` change the result. */
export interface IndicatorContext {
  /** Set when the feeding collector is failing (see staleness.ts): the result is stale whatever the value. */
  staleReason?: string;
  /** Why `value` is null, e.g. the reason from aggregate(); used as the no_data reason. */
  noDataReason?: string;
  /** What the value is, for the reason: "p95 latency". Default "value"; '' starts the reason with the value itself. */
  label?: string;
  /** Renders a value with its unit: v => `${v} s`. Default: the plain number. */
  format?: (value: number) => string;
}

/**
 * Scores `value` against `objective`. Precedence: stale (never the last good value),
 * then no_data (null or NaN), then the bounds above. Throws RangeError on an invalid
 * objective: the workload loader rejects those with validateObjective first, so reaching
 * here with one is a programming error, not a user's.
 */
export function scoreIndicator(value: number | null, objective: Objective, context: IndicatorContext = {}): IndicatorResult {
  const problems = validateObjective(objective);
  if (problems.length > 0) {
    throw new RangeError(`invalid objective: ${problems.map((p) => p.message).join('; ')}`);
  }
  if (context.staleReason !== undefined) return { status: 'stale', score: null, reason: context.staleReason };
  if (value === null) return { status: 'no_data', score: null, reason: context.noDataReason ?? 'no value to evaluate' };
  if (Number.isNaN(value)) return { status: 'no_data', score: null, reason: 'the value is not a number (NaN)' };

  const label = context.label ?? 'value';
  const show = context.format ?? formatNumber;
  const subject = label === '' ? show(value) : `${label} ${show(value)}`;
  const { target, direction } = objective;
  const warning = objective.warning ?? target;
  const critical = objective.critical;
  // Work in "badness": larger is worse for both directions, so one set of comparisons serves both.
  const sign = direction === 'max' ? 1 : -1;
  const bad = (v: number) => sign * v;
  const side = direction === 'max' ? 'above' : 'below';
  const targetText = `${direction === 'max' ? '≤' : '≥'} ${show(target)}`;
  const at = (bound: number) => (value === bound ? 'at' : side);

  if (bad(value) <= bad(target)) {
    return { status: 'ok', score: 100, reason: `${subject} meets the target ${targetText}` };
  }
  const zeroAt = critical ?? warning;
  const score = zeroAt === target ? 0 : roundScore(clamp((100 * (bad(zeroAt) - bad(value))) / (bad(zeroAt) - bad(target))));

  if (critical !== undefined && bad(value) >= bad(critical)) {
    return {
      status: 'critical',
      score: 0,
      reason: `${subject} is ${at(critical)} the critical bound ${show(critical)} (target ${targetText})`,
    };
  }
  if (bad(value) >= bad(warning)) {
    const reason =
      warning === target
        ? `${subject} misses the target ${targetText}`
        : `${subject} is ${at(warning)} the warning bound ${show(warning)} (target ${targetText})`;
    return { status: 'warning', score, reason };
  }
  return {
    status: 'ok',
    score,
    reason: `${subject} misses the target ${targetText} but is within the warning bound ${show(warning)}`,
  };
}

function clamp(score: number): number {
  return Math.min(100, Math.max(0, score));
}
