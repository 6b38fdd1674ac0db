import type { EventKind } from '../../collectors/types.js';
import { EVENT_KINDS } from '../../collectors/types.js';
import { SERIES as DORA_SERIES } from '../dora/series.js';
import { DORA_KEYS, type DoraKey } from '../dora/types.js';
import type { EventReader } from '../events/types.js';
import type { IndicatorSpec, OutcomeSpec } from '../evaluation/spec.js';
import { HISTORY_SERIES, type HistorySeriesName } from '../evaluation/history-series.js';
import { IndicatorStateStore } from '../evaluation/state.js';
import type { ReviewService } from '../review/review-service.js';
import type { HourAggregate, Selector, SeriesInfo, Store } from '../store/index.js';
import type { CollectorRunPoint, HourPoint, ReportDoraInput, ReportEvents, ReportInput, ReportReviewInput, ReportReviewMilestone } from './types.js';
import { coveredRange, HOUR_MS, weekContaining, weekRange, type WeekRange } from './week.js';

/**
 * The report's only reads: score history (hourly rollups of the history series), indicator
 * status transitions, collector runs, operational events, the `dora_*` series at the week's
 * end and the review's milestones and plan, for one week and the week before. Everything is
 * read up front into a `ReportInput`, so the builder stays pure.
 *
 * One write: a report generated during the week after its week makes sure that week's
 * weekly review milestone exists (`ensureWeeklyMilestone`, the same one the evaluation loop
 * takes at that week's first evaluation), because it is the review as the report's week ended.
 */

/** What reports use of the review (ReviewService implements it). */
export type ReportReviewSource = Pick<ReviewService, 'milestones' | 'milestone' | 'ensureWeeklyMilestone' | 'plan' | 'snapshotNow'>;

export interface ReportSources {
  findSeries(selector: Selector): SeriesInfo[];
  /** Non-empty hourly aggregates whose hour start lies in [from, to]. */
  rollupHours(seriesId: number, from: number, to: number): HourAggregate[];
  /** Indicator statuses in force at `from`, and the changes in [from, to), oldest first. */
  transitions(from: number, to: number): ReportInput['transitions'];
  /** A collector's runs in [from, to), oldest first, and its failures in a row just before `from` (at most `streakCap`). */
  collectorRuns(collectorId: string, from: number, to: number, streakCap: number): { streakAtStart: number; during: CollectorRunPoint[] };
  /** Optional: reports work without events, and say so. */
  events: EventReader | null;
  /** Raw samples of one series with from <= ts <= to, oldest first (the DORA keys at the week's end). */
  rawPoints(seriesId: number, from: number, to: number): Array<[number, number]>;
  /** Optional: without a review the report's review section is null ("not configured"). */
  review: ReportReviewSource | null;
}

/** What the report needs of the active workload. */
export interface ReportWorkload {
  meta: { id: string; title: string; owner?: string };
  indicators: IndicatorSpec[];
  outcomes: OutcomeSpec[];
  collectors: Array<{ id: string; type: string; intervalMs: number }>;
  staleAfterFailures: number;
}

const EVENT_LIMIT = 100_000;

export function readReportInput(sources: ReportSources, wl: ReportWorkload, fullWeek: WeekRange, previous: WeekRange, generatedAt: number): ReportInput {
  // The week in progress is read up to its `asOf` only: nothing after it belongs to "so far".
  const week = coveredRange(fullWeek);
  // One hour of margin at each edge: zones offset by half an hour take their edge hours from there.
  const from = previous.from - HOUR_MS;
  const to = week.to;
  const read = (name: HistorySeriesName, label: string, ids: Iterable<string>): Record<string, HourPoint[]> => {
    const wanted = new Set(ids);
    const out: Record<string, HourPoint[]> = {};
    for (const s of sources.findSeries({ name, matchers: [{ label: 'collector', op: '=', value: '' }] })) {
      const id = s.labels[label];
      if (id === undefined || !wanted.has(id)) continue;
      out[id] = sources.rollupHours(s.id, from, to).map((h) => ({ hour: h.hour, count: h.count, sum: h.sum, last: h.last }));
    }
    return out;
  };
  const sloIds = wl.indicators.filter((i) => i.kind === 'slo').map((i) => i.id);
  const indicatorIds = wl.indicators.map((i) => i.id);
  const runs: ReportInput['runs'] = {};
  for (const c of wl.collectors) runs[c.id] = sources.collectorRuns(c.id, week.from, week.to, wl.staleAfterFailures);

  return {
    week: fullWeek,
    previous,
    generatedAt,
    workload: wl.meta,
    outcomes: wl.outcomes,
    indicators: wl.indicators.map((i) => ({ id: i.id, title: i.title, pillar: i.pillar, weight: i.weight, kind: i.kind })),
    collectors: wl.collectors.map((c) => ({ id: c.id, type: c.type, intervalMs: c.intervalMs })),
    staleAfterFailures: wl.staleAfterFailures,
    history: {
      outcomeScore: read(HISTORY_SERIES.outcomeScore, 'outcome', wl.outcomes.map((o) => o.id)),
      pillarScore: read(HISTORY_SERIES.pillarScore, 'pillar', new Set(wl.indicators.map((i) => i.pillar))),
      indicatorScore: read(HISTORY_SERIES.indicatorScore, 'indicator', indicatorIds),
      budgetRemaining: read(HISTORY_SERIES.sloBudgetRemaining, 'indicator', sloIds),
    },
    transitions: sources.transitions(week.from, week.to),
    runs,
    events: sources.events ? readEvents(sources.events, week, generatedAt) : null,
    dora: readDora(sources, week),
    review: sources.review ? (fullWeek.asOf !== undefined ? readReviewSoFar(sources.review, fullWeek, generatedAt) : readReview(sources.review, week, generatedAt)) : null,
  };
}

/** The window the report reads: 7 days, the length of the report's week. */
const DORA_WINDOW = '7d';

/**
 * The four keys at the week's end from the `dora_*` series (scope="workload", window="7d").
 * The DORA job writes every series of a run at the run's time, and writes no sample for an
 * unknown value; `dora_deployments` is a count, written on every run. So: the last
 * `dora_deployments` sample in [from, to) is the job's last run of the week, and each key
 * (and its `dora_tier`) is the sample at exactly that time — none means unknown at that run,
 * not an older value. For a week whose raw samples are past retention, the hourly rollups
 * stand in: the last whole hour of the week with a run, each series' last value in it.
 */
function readDora(sources: ReportSources, week: WeekRange): ReportDoraInput | null {
  const exact = (name: string, extra: Record<string, string> = {}): SeriesInfo | undefined => {
    const want: Record<string, string> = { scope: 'workload', window: DORA_WINDOW, ...extra };
    const matchers: Selector['matchers'] = [{ label: 'collector', op: '=', value: '' }, ...Object.entries(want).map(([label, value]) => ({ label, op: '=' as const, value }))];
    return sources.findSeries({ name, matchers }).find((s) => Object.keys(s.labels).length === Object.keys(want).length);
  };
  const marker = exact(DORA_SERIES.deployments);
  if (!marker) return null;
  const KEY_SERIES: Record<DoraKey, string> = {
    deployment_frequency: DORA_SERIES.deploymentFrequency,
    lead_time: DORA_SERIES.leadTime,
    change_failure_rate: DORA_SERIES.changeFailure,
    time_to_restore: DORA_SERIES.timeToRestore,
  };
  const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  const keysWith = (valueOf: (s: SeriesInfo | undefined) => number | null) => {
    const keys = {} as ReportDoraInput['keys'];
    for (const k of DORA_KEYS) keys[k] = { value: valueOf(exact(KEY_SERIES[k])), tier: valueOf(exact(DORA_SERIES.tier, { key: k })) };
    return keys;
  };

  const last = week.to - 1;
  let points = sources.rawPoints(marker.id, Math.max(week.from, week.to - HOUR_MS), last).filter(([, v]) => Number.isFinite(v));
  if (points.length === 0) points = sources.rawPoints(marker.id, week.from, last).filter(([, v]) => Number.isFinite(v));
  const run = points.at(-1);
  if (run) {
    const [at, deployments] = run;
    const valueAt = (s: SeriesInfo | undefined) => (s ? finite(sources.rawPoints(s.id, at, at).at(-1)?.[1]) : null);
    return { at, resolution: 'raw', deployments, keys: keysWith(valueAt) };
  }
  const whole = (h: HourAggregate) => h.count > 0 && h.hour >= week.from && h.hour + HOUR_MS <= week.to;
  const hour = sources.rollupHours(marker.id, week.from, week.to - HOUR_MS).filter(whole).at(-1);
  if (!hour) return null;
  const lastIn = (s: SeriesInfo | undefined) => (s ? finite(sources.rollupHours(s.id, hour.hour, hour.hour).find((h) => h.hour === hour.hour && h.count > 0)?.last) : null);
  return { at: hour.hour + HOUR_MS, resolution: 'hourly', deployments: finite(hour.last), keys: keysWith(lastIn) };
}

/**
 * The review at the week's edges: the weekly milestone of the report's week (taken at its first
 * evaluation: the start) and of the week after (the end), matched by their ISO week label. A
 * report generated during the week after makes sure that week's milestone exists first. The
 * plan is the one of now: it keeps no history.
 */
function readReview(review: ReportReviewSource, week: WeekRange, generatedAt: number): ReportReviewInput {
  const next = weekRange(weekContaining(week.to, week.timezone), week.timezone);
  if (generatedAt >= next.from && generatedAt < next.to) {
    try {
      review.ensureWeeklyMilestone(generatedAt);
    } catch {
      // Another writer holding the database: the milestone is then simply missing, and the report says so.
    }
  }
  const weekly = review.milestones().filter((m) => m.kind === 'weekly');
  const pick = (id: string): ReportReviewMilestone | null => {
    const m = weekly.find((x) => x.week === id);
    if (!m) return null;
    return { id: m.id, name: m.name, week: m.week, createdAt: Date.parse(m.createdAt), snapshot: review.milestone(m.id).snapshot };
  };
  return {
    start: pick(week.id),
    end: pick(next.id),
    plan: review.plan().items.map((i) => ({
      lens: i.lens, question: i.question, title: i.title, pillarName: i.pillarName, risk: i.risk, owner: i.owner, due: i.due, status: i.status,
    })),
  };
}

/**
 * The review of the week in progress: its weekly milestone (the start; made now if the
 * evaluation loop has not yet) against the review as it is when the report is generated.
 */
function readReviewSoFar(review: ReportReviewSource, week: WeekRange, generatedAt: number): ReportReviewInput {
  try {
    review.ensureWeeklyMilestone(generatedAt);
  } catch {
    // Another writer holding the database: the start snapshot is then missing, and the report says so.
  }
  const m = review.milestones().find((x) => x.kind === 'weekly' && x.week === week.id);
  return {
    start: m ? { id: m.id, name: m.name, week: m.week, createdAt: Date.parse(m.createdAt), snapshot: review.milestone(m.id).snapshot } : null,
    end: { id: null, name: 'now', week: null, createdAt: generatedAt, snapshot: review.snapshotNow() },
    plan: review.plan().items.map((i) => ({
      lens: i.lens, question: i.question, title: i.title, pillarName: i.pillarName, risk: i.risk, owner: i.owner, due: i.due, status: i.status,
    })),
  };
}

function readEvents(reader: EventReader, week: WeekRange, generatedAt: number): ReportEvents {
  const last = week.to - 1; // EventFilter bounds are inclusive
  return {
    week: reader.listEvents({ from: week.from, to: last, limit: EVENT_LIMIT }),
    reviews: reader.listEvents({ kind: 'review', from: week.from, to: Math.max(last, generatedAt), limit: EVENT_LIMIT }),
    actionItems: reader.listEvents({ kind: 'action_item', to: last, limit: EVENT_LIMIT }),
    kindsSeen: EVENT_KINDS.filter((k: EventKind) => reader.listEvents({ kind: k, limit: 1 }).length > 0),
  };
}

/**
 * The store seen as ReportSources. Transitions are read through the evaluation's state store and
 * collector runs through the store, the owners of those tables (docs/store.md "Who owns which table").
 */
export function storeReportSources(
  store: Store,
  events: () => EventReader | null = () => null,
  review: () => ReportReviewSource | null = () => null,
): ReportSources {
  // Synchronously from SQLite while the report's reads are synchronous (EvaluationRepository is the async form).
  const history = new IndicatorStateStore(store.db);
  return {
    findSeries: (selector) => store.findSeries(selector),
    rollupHours: (id, from, to) => store.rollupHours(id, from, to),
    transitions: (from, to) => history.transitionsBetween(from, to),
    collectorRuns: (id, from, to, streakCap) => store.collectorRunsBetween(id, from, to, streakCap),
    rawPoints: (id, from, to) => store.rawPoints(id, from, to),
    get events() {
      return events();
    },
    get review() {
      return review();
    },
  };
}
