import type { EventKind } from '../../collectors/types.js';
import type { DoraKey, Tier } from '../dora/types.js';
import type { StoredEvent } from '../events/types.js';
import type { OutcomeSpec } from '../evaluation/spec.js';
import type { MilestoneSnapshot } from '../review/milestones.js';
import type { PlanItem } from '../review/plan.js';
import type { QuestionRisk } from '../review/risk-rules.js';
import type { Pillar, Status } from '../scoring/types.js';
import type { WeekRange } from './week.js';

/**
 * The weekly report: one JSON object (schema version 1) that every renderer (JSON, Markdown,
 * HTML, PDF) and every delivery channel reads. Field meanings are in docs/reports.md.
 *
 * Units: outcome attainment is a 0–1 ratio (as `pillarboard_outcome_attainment_ratio`),
 * pillar and indicator scores are 0–100 points, SLO budgets are fractions of the error budget
 * (1 = untouched). A number that was not measured is `null`, never 0.
 *
 * Additions that leave every existing field as it was keep the version: `review` and
 * `operations.dora` were added as optional keys under version 1 (absent in reports archived
 * before them). Changing or removing a field bumps it.
 */
export const REPORT_SCHEMA_VERSION = 1;

/** How the week went for an outcome, from the time it spent in each status. */
export type Verdict = 'met' | 'at_risk' | 'missed' | 'no_data';

export interface WeeklyReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  /** ISO week, e.g. "2026-W47". */
  week: string;
  previousWeek: string;
  /** IANA zone the week's days are counted in. */
  timezone: string;
  /** RFC 3339 (UTC): Monday 00:00 local, and the next Monday 00:00 local (exclusive). */
  from: string;
  to: string;
  /** Length of the week: 168, or 167/169 across a daylight-saving change. */
  hours: number;
  /** The seven local dates, Monday first. */
  days: string[];
  generatedAt: string;
  /**
   * True for the week in progress ("so far"): every figure covers `from` to `asOf` only, and the
   * report is not the week's final one (never archived). False for a complete week. Absent in
   * reports archived before it existed (all complete).
   */
  partial?: boolean;
  /** RFC 3339: where a partial report's figures end (when it was generated); null for a complete week. */
  asOf?: string | null;
  workload: { id: string; title: string; owner: string | null };
  summary: { outcomes: number; met: number; atRisk: number; missed: number; noData: number };
  outcomes: OutcomeReport[];
  pillars: PillarReport[];
  operations: OperationsReport;
  highlights: Highlights;
  dataQuality: DataQuality;
  /**
   * The Well-Architected review over the week (weekly milestones at its start and end). Null
   * when no review is configured — no review service connected, or no review milestone at
   * either edge of the week and no plan item due: "not configured", never zero risks. Absent
   * in reports archived before the section existed.
   */
  review?: ReviewWeek | null;
}

export interface Attainment {
  /** Mean over every evaluation sample of the week (0–1). */
  mean: number | null;
  /** The last sample of the week. */
  end: number | null;
  previousMean: number | null;
  previousEnd: number | null;
  /** mean − previousMean (ratio; ×100 for points). */
  change: number | null;
}

export interface OutcomeReport {
  id: string;
  title: string;
  owner: string | null;
  verdict: Verdict;
  /** Status in force at the end of the week (reconstructed from indicator transitions); null if never evaluated. */
  statusAtEnd: Status | null;
  /** Hours of the week (with evaluations running) spent in each status, 0.1 h. */
  hoursInStatus: Record<Status, number>;
  /** Hours in ok / hours in ok, warning or critical; null when none of those. */
  okShare: number | null;
  attainment: Attainment;
  /** Mean attainment per local day, Monday first. */
  byDay: Array<number | null>;
  /** Hours of the week with at least one score sample of this outcome. */
  measuredHours: number;
  /** What the end-of-week attainment spoke for. Absent in reports archived before it was added. */
  coverageAtEnd?: CoverageAtEnd;
  /** Every indicator of the outcome, most points lost first. */
  indicators: IndicatorWeek[];
  /** The SLO indicators of the outcome and how much of their budget the week used. */
  sloBudgets: SloBudgetWeek[];
}

export interface IndicatorWeek {
  id: string;
  title: string;
  pillar: Pillar | null;
  weight: number;
  key: boolean;
  meanScore: number | null;
  previousMeanScore: number | null;
  /** Points of the outcome's weekly mean lost to this indicator: w·(100 − mean score) / Σw over measured indicators. */
  points: number | null;
  previousPoints: number | null;
  pointsChange: number | null;
  statusAtEnd: Status | null;
}

export interface SloBudgetWeek {
  indicator: string;
  title: string;
  /** Budget remaining when the week began (last sample before it), and at its end. Unclamped. */
  start: number | null;
  end: number | null;
  /** start − end: the share of the error budget the week used (negative: it recovered). */
  consumed: number | null;
}

/** How many indicators with weight > 0 had a score when the week ended (docs/scoring.md, "Coverage"). */
export interface CoverageAtEnd {
  measured: number;
  total: number;
}

export interface PillarReport {
  id: Pillar;
  title: string;
  /** What the pillar covers, in one line. Absent in reports archived before it was added. */
  description?: string;
  /** False when no indicator with weight > 0 is declared on the pillar: "not measured", never 100. */
  measured: boolean;
  /** What the end-of-week score spoke for. Absent in reports archived before it was added. */
  coverageAtEnd?: CoverageAtEnd;
  mean: number | null;
  end: number | null;
  previousMean: number | null;
  /** mean − previousMean, points. */
  change: number | null;
  /** Mean score per local day, Monday first. */
  byDay: Array<number | null>;
}

export interface IncidentWeek {
  id: string;
  title: string;
  service: string | null;
  severity: string | null;
  startedAt: string;
  endedAt: string | null;
  /** Minutes from start to restore; for an incident still open at the end of the week, until then. */
  durationMinutes: number;
  ongoing: boolean;
  /** The status of its review (`completed`, …), or `none` when no review names it. */
  review: string;
}

export interface OperationsReport {
  /** False when no event store is wired: the sections below are then null, not zero. */
  available: boolean;
  /** Why sections are empty, when they are. */
  notes: string[];
  /** Null when no deployment has ever been recorded (unknown, not zero). */
  deployments: {
    total: number;
    succeeded: number;
    failed: number;
    rollbacks: number;
    /** Deployments of the week that an incident names (`attrs.deployment`). */
    causedIncidents: number;
    /** causedIncidents / total; null without deployments. */
    changeFailureRate: number | null;
    byService: Record<string, number>;
  } | null;
  changes: { total: number } | null;
  incidents: IncidentWeek[] | null;
  gamedays: Array<{ id: string; title: string; service: string | null; startedAt: string; findings: number | null }> | null;
  reviews: { total: number; completed: number } | null;
  actionItems: { opened: number; closed: number; openAtWeekEnd: number } | null;
  /**
   * The DORA four keys at the week's end, from the derived `dora_*` series (scope workload,
   * window 7d): what `/api/dora?window=7d` and the indicators on those series said then. Null
   * when the series have no sample in the week; absent in reports archived before it existed.
   */
  dora?: DoraWeek | null;
}

export interface DoraKeyWeek {
  /** Deployments per day, seconds, ratio 0–1, seconds; null: unknown at that run (no sample). */
  value: number | null;
  unit: 'deployments/day' | 'seconds' | 'ratio';
  tier: Tier | null;
}

export interface DoraWeek {
  /** Time of the samples read: the DORA job's last run in the week (raw), or the end of the last whole hour with samples (hourly). */
  at: string;
  /** `raw`: every value from that one run; `hourly`: each series' last value in that hour (raw samples past retention). */
  resolution: 'raw' | 'hourly';
  window: '7d';
  /** `dora_deployments`: production deployments in the window. */
  deployments: number | null;
  keys: Record<DoraKey, DoraKeyWeek>;
}

/** A weekly (or other) review milestone the week is measured with. */
export interface ReviewMilestoneRef {
  /** Null for the end of a "so far" report: the review when it was generated, not a stored milestone. */
  id: number | null;
  name: string;
  /** ISO week of a weekly milestone. */
  week: string | null;
  takenAt: string;
}

export interface ReviewRiskChange {
  lens: string;
  question: string;
  title: string;
  /** Risk in the week-start / week-end snapshot; null: the question was not in it. */
  from: QuestionRisk | null;
  to: QuestionRisk | null;
}

export interface ReviewPillarWeek {
  lens: string;
  lensName: string;
  pillarId: string;
  pillarName: string;
  /** Pillarboard's pillar, or null for a pillar of the lens's own. */
  pillar: Pillar | null;
  /** High and medium risks at the week's start and end; null when that snapshot is missing. */
  start: { high: number; medium: number } | null;
  end: { high: number; medium: number } | null;
  /** Became high or medium / stopped being either / high ↔ medium. Null unless both snapshots exist. */
  gained: ReviewRiskChange[] | null;
  removed: ReviewRiskChange[] | null;
  changed: ReviewRiskChange[] | null;
}

export interface ReviewDriftWeek {
  lens: string;
  question: string;
  title: string;
  pillarName: string;
  /** Drifting at the week's start too (false: it began during the week; null: no start snapshot). */
  atStart: boolean | null;
}

export interface ReviewPlanDue {
  lens: string;
  question: string;
  title: string;
  pillarName: string;
  risk: 'high' | 'medium';
  owner: string | null;
  /** YYYY-MM-DD */
  due: string;
  status: 'open' | 'in_progress';
}

export interface ReviewWeek {
  /** The weekly milestone of the report's week (taken at its first evaluation: the start) and of the next week (the end). */
  start: ReviewMilestoneRef | null;
  end: ReviewMilestoneRef | null;
  /** Both snapshots exist, so gained / removed / changed are known. */
  compared: boolean;
  totals: {
    start: { high: number; medium: number } | null;
    end: { high: number; medium: number } | null;
    gained: number | null;
    removed: number | null;
    changed: number | null;
  };
  /** Per lens and lens pillar, in lens order. */
  pillars: ReviewPillarWeek[];
  /** Answers the evidence contradicted at the week's end (an override that drifted); null without an end snapshot. */
  drift: ReviewDriftWeek[] | null;
  /** Improvement-plan items not done nor accepted (status when the report was generated) due during the week, and due before it. */
  plan: { dueThisWeek: ReviewPlanDue[]; overdue: ReviewPlanDue[] };
  notes: string[];
}

export interface Highlight {
  kind: 'outcome' | 'pillar' | 'indicator';
  id: string;
  title: string;
  /** Weekly means, in points (outcome attainment × 100). */
  previous: number;
  current: number;
  change: number;
}

export interface Highlights {
  /** Largest falls first (at least 1 point), at most 5. */
  regressions: Highlight[];
  /** Largest rises first (at least 1 point), at most 5. */
  improvements: Highlight[];
}

export interface StaleCollectorWeek {
  id: string;
  type: string;
  runs: number;
  failures: number;
  longestFailureStreak: number;
  /** Hours it spent stale (failing `stale_after_failures` runs in a row) during the week. */
  staleHours: number;
  /** True when it did not run at all while evaluations did. */
  noRuns: boolean;
  lastError: string | null;
}

export interface DataQuality {
  /** False when the week has no evaluation sample at all: every number in the report is null. */
  hasData: boolean;
  hoursWithData: number;
  /** Hours of the week in which no evaluation sample was stored (server down, evaluation stopped). */
  hoursWithoutData: number;
  /** Runs of consecutive hours without data. */
  gaps: Array<{ from: string; to: string; hours: number }>;
  staleCollectors: StaleCollectorWeek[];
  /** Plain sentences for readers, e.g. "No evaluation sample was stored this week". */
  notes: string[];
}

// ---------------------------------------------------------------------------------------
// Builder input: plain data read beforehand by read.ts (or made by hand in tests).

/** One hour of a history series: the store's hourly rollup. */
export interface HourPoint {
  /** Hour start, ms epoch (UTC hour). */
  hour: number;
  count: number;
  sum: number;
  last: number;
}

export interface ReportIndicatorSpec {
  id: string;
  title: string;
  pillar: Pillar;
  weight: number;
  kind: 'threshold' | 'slo';
}

export interface CollectorRunPoint {
  at: number;
  ok: boolean;
  error?: string;
}

export interface ReportInput {
  week: WeekRange;
  previous: WeekRange;
  generatedAt: number;
  workload: { id: string; title: string; owner?: string };
  outcomes: OutcomeSpec[];
  indicators: ReportIndicatorSpec[];
  collectors: Array<{ id: string; type: string; intervalMs: number }>;
  staleAfterFailures: number;
  /** Hourly points from previous.from to week.to, per id; ids without samples may be absent. */
  history: {
    outcomeScore: Record<string, HourPoint[]>;
    pillarScore: Partial<Record<Pillar, HourPoint[]>>;
    indicatorScore: Record<string, HourPoint[]>;
    budgetRemaining: Record<string, HourPoint[]>;
  };
  /** Indicator statuses: the one in force when the week began (absent: never evaluated), and the changes during it, oldest first. */
  transitions: {
    atStart: Record<string, Status>;
    during: Array<{ indicatorId: string; at: number; to: Status }>;
  };
  /** Per workload collector: failures in a row just before the week, and its runs during it, oldest first. */
  runs: Record<string, { streakAtStart: number; during: CollectorRunPoint[] }>;
  /** Null when no event store is wired. */
  events: ReportEvents | null;
  /** The `dora_*` series at the week's end; null (or absent) when they have no sample in the week. */
  dora?: ReportDoraInput | null;
  /** The review milestones at the week's edges and the plan; null (or absent) when no review service is wired. */
  review?: ReportReviewInput | null;
}

export interface ReportDoraInput {
  /** ms epoch: the run read (raw), or the end of the hour read (hourly). */
  at: number;
  resolution: 'raw' | 'hourly';
  deployments: number | null;
  /** Per key: the value and `dora_tier` (1 low … 4 elite) at `at`; null when not written. */
  keys: Record<DoraKey, { value: number | null; tier: number | null }>;
}

export interface ReportReviewMilestone {
  /** Null: the review as it stood when a "so far" report was generated (not a stored milestone). */
  id: number | null;
  name: string;
  week: string | null;
  createdAt: number;
  snapshot: MilestoneSnapshot;
}

export interface ReportReviewInput {
  /** Weekly milestone of the report's week (null: none) and of the week after it. */
  start: ReportReviewMilestone | null;
  end: ReportReviewMilestone | null;
  /** The improvement plan when the report is generated (it keeps no history). */
  plan: Array<Pick<PlanItem, 'lens' | 'question' | 'title' | 'pillarName' | 'risk' | 'owner' | 'due' | 'status'>>;
}

export interface ReportEvents {
  /** Every event that started during the week. */
  week: StoredEvent[];
  /** Reviews that started from the week's start until the report was generated (an incident's review often comes later). */
  reviews: StoredEvent[];
  /** Action items that started before the week ended (to count closures and what is still open). */
  actionItems: StoredEvent[];
  /** Kinds that have at least one stored event, ever: a kind never recorded is "unknown", not zero. */
  kindsSeen: EventKind[];
}
