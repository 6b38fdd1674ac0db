import { BURN_WINDOWS, evaluateBurnRateAlerts, type AlertState, type BurnRateAlert, type BurnWindow } from './burn-rate.js';
import { formatDuration, formatNumber, formatPercent, formatValue } from './format.js';
import { roundScore, type IndicatorResult } from './types.js';

/**
 * An SLO indicator: events counted good/total (or bad/total) over the SLO window and over
 * the burn-rate windows → attainment, error budget, burn rates, alerts, status and score.
 * Formulas, status rules and a worked example: docs/scoring.md, "SLO indicator".
 */

/** Event counts over one window; `bad/total` is converted with good = total − bad. */
export type EventCounts = { good: number; total: number } | { bad: number; total: number };

export interface SloInput {
  /** Target ratio of good events, strictly between 0 and 1: 99.9% is 0.999. */
  objective: number;
  /** The rolling SLO window, e.g. 28 days in ms. Only used in reasons and validation. */
  windowMs: number;
  counts: {
    /** Counts over the whole SLO window; null or total 0 → no_data. */
    window: EventCounts | null;
    /** Counts over each burn-rate window; a missing or null window has no burn rate. */
    burn: Partial<Record<BurnWindow, EventCounts | null>>;
  };
  /** Set when the feeding collector is failing: the result is stale and shows no numbers. */
  staleReason?: string;
  /** Status is warning when less than this share of the budget remains (default 0.25). */
  budgetWarningBelow?: number;
}

export interface SloResult extends IndicatorResult {
  objective: number;
  /** 1 − objective: the share of events allowed to be bad. */
  errorBudget: number;
  /** Counts over the SLO window after validation; null when unusable. */
  events: { good: number; bad: number; total: number } | null;
  /** good / total over the SLO window; null when total is 0. */
  attainment: number | null;
  /** 1 − (bad/total) / errorBudget. Not clamped: −0.5 means 150% of the budget is spent. */
  budgetRemaining: number | null;
  /** (bad/total over the window) / errorBudget; 1 spends the budget exactly over the SLO window. */
  burnRates: Record<BurnWindow, number | null>;
  alerts: BurnRateAlert[];
  alertState: AlertState;
  /** Data problems that made a window unusable (e.g. good > total); empty normally. */
  warnings: string[];
}

export const DEFAULT_BUDGET_WARNING_BELOW = 0.25;

export interface SloProblem {
  field: 'objective' | 'window';
  message: string;
}

/** Problems with an SLO's declaration, by field, for the workload loader (empty when valid). */
export function validateSlo(slo: { objective: number; windowMs: number }): SloProblem[] {
  const problems: SloProblem[] = [];
  if (!(Number.isFinite(slo.objective) && slo.objective > 0 && slo.objective < 1)) {
    problems.push({
      field: 'objective',
      message: `objective must be above 0% and below 100%, got ${formatPercent(slo.objective)}; 100% leaves no error budget to measure against`,
    });
  }
  if (!(Number.isFinite(slo.windowMs) && slo.windowMs > 0)) {
    problems.push({ field: 'window', message: `window must be a positive duration, got ${formatDuration(slo.windowMs)}` });
  }
  return problems;
}

type Checked = { good: number; bad: number; total: number } | { problem: string };

function check(counts: EventCounts): Checked {
  const [name, part] = 'good' in counts ? (['good', counts.good] as const) : (['bad', counts.bad] as const);
  const { total } = counts;
  const text = `${name} ${formatNumber(part)} / total ${formatNumber(total)}`;
  const isCount = (n: number) => Number.isFinite(n) && n >= 0;
  if (!isCount(part) || !isCount(total)) return { problem: `${text}: counts must be finite and not negative` };
  if (part > total) return { problem: `${text}: ${name} exceeds total` };
  const good = name === 'good' ? part : total - part;
  return { good, bad: total - good, total };
}

/**
 * Evaluates one SLO. Throws RangeError on an invalid objective or window (the loader
 * rejects those first with validateSlo). Precedence of the status:
 * stale → no_data (no events in the SLO window) → critical (a page alert fires, or the
 * budget is exhausted: remaining ≤ 0) → warning (a ticket alert fires, or remaining is
 * below budgetWarningBelow) → ok. Score = 100 × remaining, clamped to 0–100.
 */
export function evaluateSlo(input: SloInput): SloResult {
  const problems = validateSlo(input);
  if (problems.length > 0) throw new RangeError(`invalid SLO: ${problems.map((p) => p.message).join('; ')}`);
  const { objective, windowMs } = input;
  // 1 − 0.999 is 0.0010000000000000009 in binary; objectives are decimals, so drop that noise.
  const errorBudget = Number((1 - objective).toPrecision(12));
  const nullRates = Object.fromEntries(BURN_WINDOWS.map((w) => [w, null])) as Record<BurnWindow, number | null>;
  const base = { objective, errorBudget, events: null, attainment: null, budgetRemaining: null, warnings: [] as string[] };

  if (input.staleReason !== undefined) {
    // Never the last good numbers: every figure is withheld and no alert fires.
    const { alerts } = evaluateBurnRateAlerts(nullRates);
    return { ...base, status: 'stale', score: null, reason: input.staleReason, burnRates: nullRates, alerts, alertState: 'ok' };
  }

  const warnings: string[] = [];
  const burnRates = { ...nullRates };
  for (const w of BURN_WINDOWS) {
    const counts = input.counts.burn[w];
    if (counts === undefined || counts === null) continue;
    const c = check(counts);
    if ('problem' in c) warnings.push(`${w} window ignored: ${c.problem}`);
    else if (c.total > 0) burnRates[w] = c.bad / (c.total * errorBudget);
  }
  const { alerts, alertState } = evaluateBurnRateAlerts(burnRates);
  const common = { ...base, warnings, burnRates, alerts, alertState };
  const over = formatDuration(windowMs);

  const windowCounts = input.counts.window;
  const checked = windowCounts === null ? null : check(windowCounts);
  if (checked === null || 'problem' in checked || checked.total === 0) {
    const reason =
      checked !== null && 'problem' in checked
        ? `unusable event counts over the last ${over}: ${checked.problem}`
        : `no events in the last ${over}`;
    return { ...common, status: 'no_data', score: null, reason };
  }

  const attainment = checked.good / checked.total;
  const budgetRemaining = 1 - checked.bad / (checked.total * errorBudget);
  const score = roundScore(100 * Math.min(1, Math.max(0, budgetRemaining)));
  const result = { ...common, events: checked, attainment, budgetRemaining, score };
  const summary = `attainment ${formatPercent(attainment)} over ${over} against the objective ${formatPercent(objective)}`;
  const firingText = (severity: 'page' | 'ticket') =>
    alerts
      .filter((a) => a.firing && a.severity === severity)
      .map(
        (a) =>
          `error budget burning ${formatValue(a.longBurnRate!, '')}× the sustainable rate over ${a.long} and ` +
          `${formatValue(a.shortBurnRate!, '')}× over ${a.short} (${severity} above ${formatNumber(a.factor)}×)`,
      );

  const critical = firingText('page');
  if (budgetRemaining <= 0) critical.push(`error budget exhausted: ${summary} (budget remaining ${formatPercent(budgetRemaining)})`);
  if (critical.length > 0) return { ...result, status: 'critical', reason: critical.join('; ') };

  const warningBelow = input.budgetWarningBelow ?? DEFAULT_BUDGET_WARNING_BELOW;
  const warning = firingText('ticket');
  if (budgetRemaining < warningBelow) {
    warning.push(`only ${formatPercent(budgetRemaining)} of the error budget remains: ${summary}`);
  }
  if (warning.length > 0) return { ...result, status: 'warning', reason: warning.join('; ') };

  return { ...result, status: 'ok', reason: `${summary}; ${formatPercent(budgetRemaining)} of the error budget remains` };
}
