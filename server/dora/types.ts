/**
 * Types of the DORA four keys and the operational-excellence design-principle metrics
 * (docs/dora.md). Everything here is plain data: `compute.ts` turns stored events into a
 * `DerivedReport`, `series.ts` turns the report into samples, the API serves it as JSON.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The rolling windows every windowed metric is computed over: (now − w, now]. */
export const WINDOWS = { '7d': 7 * DAY_MS, '30d': 30 * DAY_MS, '90d': 90 * DAY_MS } as const;
export type WindowId = keyof typeof WINDOWS;
export const WINDOW_IDS = Object.keys(WINDOWS) as WindowId[];

export const BENCHMARK_YEARS = [2021, 2022, 2023, 2024] as const;
export type BenchmarkYear = (typeof BENCHMARK_YEARS)[number];
export const DEFAULT_BENCHMARK_YEAR: BenchmarkYear = 2023;

export const TIERS = ['low', 'medium', 'high', 'elite'] as const;
export type Tier = (typeof TIERS)[number];
/** The number a tier is written as in `dora_tier`: low 1 … elite 4. */
export const TIER_VALUE: Record<Tier, number> = { low: 1, medium: 2, high: 3, elite: 4 };

export const DORA_KEYS = ['deployment_frequency', 'lead_time', 'change_failure_rate', 'time_to_restore'] as const;
export type DoraKey = (typeof DORA_KEYS)[number];

/** How people name each key (reports, dashboards): owned here, beside the keys. */
export const DORA_KEY_TITLE: Readonly<Record<DoraKey, string>> = {
  deployment_frequency: 'Deployment frequency',
  lead_time: 'Lead time for changes',
  change_failure_rate: 'Change failure rate',
  time_to_restore: 'Time to restore service',
};

export interface RunbookSpec {
  id: string;
  title?: string;
  owner?: string;
  /** When it was last reviewed according to the workload file (ms epoch). */
  reviewed?: number;
  url?: string;
}

/** What the derived metrics need from the workload file (its `operations` section), with defaults. */
export interface DerivedSettings {
  benchmarkYear: BenchmarkYear;
  /** Environments that count as production. An event without `environment` counts as production. */
  productionEnvironments: readonly string[];
  runbooks: readonly RunbookSpec[];
  /** A post-incident review counts when completed within this long after the incident was restored. */
  reviewDueMs: number;
  /** The fallback incident link looks this far back for the last production deployment. */
  linkLookbackMs: number;
  /** An incident repeats when an earlier one with the same cause started within this long before it. */
  repeatWindowMs: number;
}

export const DEFAULT_DERIVED_SETTINGS: DerivedSettings = {
  benchmarkYear: DEFAULT_BENCHMARK_YEAR,
  productionEnvironments: ['production', 'prod'],
  runbooks: [],
  reviewDueMs: 7 * DAY_MS,
  linkLookbackMs: 90 * DAY_MS,
  repeatWindowMs: 90 * DAY_MS,
};

/** One of the four keys over one window. `value` null: cannot be computed (e.g. no deployments). */
export interface KeyResult {
  value: number | null;
  unit: 'deployments/day' | 'seconds' | 'ratio';
  tier: Tier | null;
  /** How many observations the value is computed from (deployments, commits, incidents). */
  sampleSize: number;
}

export type DoraKeys = Record<DoraKey, KeyResult>;

/** A share with what it was computed from; `value` null when `of` is 0. */
export interface Ratio {
  value: number | null;
  count: number;
  of: number;
}

export interface WindowMetrics {
  window: WindowId;
  keys: DoraKeys;
  /** Successful production deployments that finished in the window. */
  deployments: number;
  /** Of those, the ones linked to an incident or rolled back. */
  failedDeployments: number;
  /** Deployments whose trigger is known: pipeline ÷ (pipeline + manual). */
  pipelineRatio: Ratio;
  /** Median lines changed over the deployments that report it. */
  changeSizeP50: number | null;
  changeSizeSamples: number;
  /** Deployments that are rollbacks ÷ deployments. */
  rollbackRatio: Ratio;
  /** Deployments with a recorded rollback plan ÷ deployments. */
  rollbackPathRatio: Ratio;
  /** Incidents whose review came due in the window, reviewed in time ÷ all of them. */
  incidentReviewRatio: Ratio;
}

export interface ScopeMetrics {
  /** null for the whole workload. */
  service: string | null;
  windows: Record<WindowId, WindowMetrics>;
  daysSinceLastGameday: number | null;
  gamedays90d: number;
  gamedayFindings90d: number;
  openActionItems: number;
  /** Age of the oldest open action item; 0 when none is open (nobody is waiting). */
  actionItemAgeDaysMax: number;
  repeatIncidents90d: number;
}

export interface RunbookAge {
  id: string;
  owner?: string;
  /** When it was last reviewed (file date or review event, whichever is later); null if never. */
  lastReviewed: number | null;
  ageDays: number | null;
}

export interface LinkCounts {
  explicit: number;
  previous: number;
  /** An explicit link that names no known deployment: left unlinked rather than guessed. */
  unresolved: number;
  none: number;
}

export interface DerivedReport {
  at: number;
  benchmarkYear: BenchmarkYear;
  workload: ScopeMetrics;
  services: ScopeMetrics[];
  runbooks: RunbookAge[];
  incidentLinks: LinkCounts;
}
