/**
 * Multiwindow, multi-burn-rate alerting, as recommended by the Google SRE workbook,
 * chapter "Alerting on SLOs" (section "Multiwindow, Multi-Burn-Rate Alerts", whose
 * example configuration is for a 99.9% SLO): an alert fires when the burn rate exceeds
 * its factor over BOTH a long window (significant budget spent) and a short window (still
 * happening now, so the alert resets soon after the problem ends).
 *
 * This table is the single source of the constants: evaluation here and, later, the
 * Prometheus alerting rules that `pillarboard rules` generates read the same rows.
 */

export const BURN_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export type BurnWindow = (typeof BURN_WINDOWS)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const BURN_WINDOW_MS: Readonly<Record<BurnWindow, number>> = {
  '5m': 5 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '6h': 6 * HOUR,
  '1d': 24 * HOUR,
  '3d': 72 * HOUR,
};

export type AlertSeverity = 'page' | 'ticket';
export type AlertState = 'ok' | AlertSeverity;

export interface BurnRateRule {
  severity: AlertSeverity;
  long: BurnWindow;
  short: BurnWindow;
  /** Fires when the burn rate is strictly greater than this over both windows. */
  factor: number;
}

/** The workbook's rules, most urgent first. Its budget-spent figures assume a 30-day SLO window. */
export const BURN_RATE_RULES: ReadonlyArray<Readonly<BurnRateRule>> = [
  { severity: 'page', long: '1h', short: '5m', factor: 14.4 }, // 2% of a 30d budget in 1h
  { severity: 'page', long: '6h', short: '30m', factor: 6 }, // 5% in 6h
  { severity: 'ticket', long: '1d', short: '2h', factor: 3 }, // 10% in 1d
  { severity: 'ticket', long: '3d', short: '6h', factor: 1 }, // 10% in 3d
];

/**
 * The share of the SLO window's error budget spent by the time `rule` can fire:
 * factor × long / sloWindow. For 14.4 over 1h of a 30d window: 14.4 × 1 / 720 = 0.02.
 */
export function budgetSpentWhenFiring(rule: BurnRateRule, sloWindowMs: number): number {
  return (rule.factor * BURN_WINDOW_MS[rule.long]) / sloWindowMs;
}

export interface BurnRateAlert extends BurnRateRule {
  longBurnRate: number | null;
  shortBurnRate: number | null;
  firing: boolean;
}

/**
 * Applies BURN_RATE_RULES to the burn rates of each window. A window without a burn rate
 * (null: no events in it) never fires — as in Prometheus, where an absent series makes
 * the `and` empty. The state is the most severe firing alert, or ok.
 */
export function evaluateBurnRateAlerts(burnRates: Readonly<Record<BurnWindow, number | null>>): {
  alerts: BurnRateAlert[];
  alertState: AlertState;
} {
  const alerts = BURN_RATE_RULES.map((rule): BurnRateAlert => {
    const longBurnRate = burnRates[rule.long];
    const shortBurnRate = burnRates[rule.short];
    const firing = longBurnRate !== null && shortBurnRate !== null && longBurnRate > rule.factor && shortBurnRate > rule.factor;
    return { ...rule, longBurnRate, shortBurnRate, firing };
  });
  const firing = (severity: AlertSeverity) => alerts.some((a) => a.firing && a.severity === severity);
  const alertState: AlertState = firing('page') ? 'page' : firing('ticket') ? 'ticket' : 'ok';
  return { alerts, alertState };
}
