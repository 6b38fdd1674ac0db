import type { UiStatus } from './status.js';

/**
 * The API's JSON (server/api/views.ts) as the dashboard uses it, after parse.ts has read it
 * defensively: numbers are finite or null, times are ms epoch or null, statuses are known.
 */

export const PILLARS = [
  ['operational_excellence', 'Operational excellence'],
  ['security', 'Security'],
  ['reliability', 'Reliability'],
  ['performance_efficiency', 'Performance efficiency'],
  ['cost_optimization', 'Cost optimization'],
  ['sustainability', 'Sustainability'],
] as const;
export type PillarId = (typeof PILLARS)[number][0];
export const pillarTitle = (id: string): string => PILLARS.find(([p]) => p === id)?.[1] ?? id;
export const isPillarId = (id: string): id is PillarId => PILLARS.some(([p]) => p === id);

export interface Counts {
  ok: number;
  warning: number;
  critical: number;
  no_data: number;
  stale: number;
}

/** How much a roll-up's score speaks for (docs/scoring.md, "Coverage"). */
export interface Coverage {
  /** Indicators with weight > 0 that have a score. */
  measured: number;
  /** Indicators with weight > 0. */
  total: number;
}

export interface PillarSummary {
  id: string;
  title: string;
  /** What the pillar covers, in one line (null from a server that does not say). */
  description: string | null;
  /** Link to the docs on what a score covers and what measures a pillar. */
  docs: string | null;
  measured: boolean;
  status: UiStatus;
  /** Weighted mean over the measured indicators; null when none is: then no number is shown. */
  score: number | null;
  coverage: Coverage | null;
  counts: Counts | null;
  indicatorCount: number | null;
  reasons: string[];
  /** The API's answer had no entry for this pillar. */
  missing: boolean;
}

export interface OutcomeIndicator {
  id: string;
  title: string;
  pillar: string | null;
  weight: number | null;
  key: boolean;
  status: UiStatus;
  score: number | null;
  cost: number | null;
  value: number | null;
  unit: string | null;
  /** The indicator's window and the share of it stored data covers ("over 6 min of 7 d"). */
  windowSeconds: number | null;
  windowCoverage: number | null;
}

export interface OutcomeSummary {
  id: string;
  title: string;
  owner: string | null;
  description: string | null;
  status: UiStatus;
  score: number | null;
  attainment: number | null;
  coverage: Coverage | null;
  reasons: string[];
  /** The lowest SLO budget, its window and the share of the window the history covers. */
  errorBudget: { indicator: string; budgetRemaining: number; windowSeconds: number | null; windowCoverage: number | null } | null;
  indicators: OutcomeIndicator[];
}

export interface FailingCollector {
  id: string;
  type: string;
  error: string | null;
  consecutiveFailures: number | null;
  lastSuccessAt: number | null;
  /** Titles of the indicators it feeds. */
  feeds: string[];
}

export interface WorkloadFile {
  path: string | null;
  version: number | null;
  appliedAt: number | null;
  refused: { at: number | null; errorCount: number; issues: string[] } | null;
}

/** A silence of notifications (docs/notifications.md). */
export interface SilenceInfo {
  id: number;
  kind: string;
  target: string;
  startsAt: number | null;
  endsAt: number | null;
  state: string;
  reason: string;
  createdBy: string | null;
}

/** A notification channel's health: failing when its last delivery attempt failed. */
export interface ChannelInfo {
  name: string;
  type: string;
  failing: boolean;
  consecutiveFailures: number;
  failingSince: number | null;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  pending: number;
  failed: number;
}

/** The summary's `notifications` part; null when the workload sends none. */
export interface NotificationsSummary {
  silences: SilenceInfo[];
  quietUntil: number | null;
  channels: ChannelInfo[];
  /** `<kind>:<id>` (outcome:buy, pillar:security, indicator:latency) → the silence covering it. */
  silenced: Map<string, SilenceInfo>;
}

export interface Summary {
  /** `timezone`: the workload's IANA zone, null when the server does not say (then the browser's is used). */
  workload: { id: string; title: string; owner: string | null; timezone: string | null };
  status: UiStatus;
  evaluatedAt: number | null;
  stale: boolean;
  pillars: PillarSummary[];
  outcomes: OutcomeSummary[];
  indicatorCounts: Counts | null;
  collectors: { total: number; up: number; failing: FailingCollector[] } | null;
  /** The workload file: the version running and the latest refused reload, if no good one followed it. */
  workloadFile: WorkloadFile | null;
  notifications: NotificationsSummary | null;
  /** What was missing or malformed in the answer, for the page to say. */
  problems: string[];
}

export interface Objective {
  target: number;
  direction: 'min' | 'max';
  warning: number | null;
  critical: number | null;
}

export interface Slo {
  objective: number;
  windowSeconds: number | null;
  attainment: number | null;
  budgetRemaining: number | null;
  burnRates: Array<[string, number | null]>;
  alertState: string | null;
}

export interface IndicatorInfo {
  id: string;
  title: string;
  pillar: string | null;
  unit: string | null;
  kind: string | null;
  description: string | null;
  runbook: string | null;
  weight: number | null;
  value: number | null;
  status: UiStatus;
  score: number | null;
  reason: string | null;
  since: number | null;
  /** The window the value is computed over, and the share of it stored data covers (0–1). */
  windowSeconds: number | null;
  dataSince: number | null;
  windowCoverage: number | null;
  objective: Objective | null;
  slo: Slo | null;
  outcomes: string[];
}

export interface Transition {
  at: number | null;
  from: UiStatus | null;
  to: UiStatus;
  value: number | null;
  reason: string | null;
}

export interface PillarDetail extends PillarSummary {
  evaluatedAt: number | null;
  indicators: IndicatorInfo[];
}
export interface OutcomeDetail extends OutcomeSummary {
  evaluatedAt: number | null;
}
export interface IndicatorDetail extends IndicatorInfo {
  evaluatedAt: number | null;
  transitions: Transition[];
}

export interface History {
  from: number;
  to: number;
  stepSeconds: number;
  /** The series' oldest stored point (ms), or null: later than `from` while the history is younger than the range. */
  dataSince: number | null;
  source: string | null;
  /** [ms, value]; value null where the API sent NaN/Inf. */
  points: Array<[number, number | null]>;
}
