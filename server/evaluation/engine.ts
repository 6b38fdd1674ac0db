import type { CollectorStatus } from '../scheduler/types.js';
import { formatValue } from '../scoring/format.js';
import { scoreIndicator } from '../scoring/indicator.js';
import { scoreOutcome } from '../scoring/outcome.js';
import { scorePillars } from '../scoring/pillar.js';
import { evaluateSlo } from '../scoring/slo.js';
import { DEFAULT_STALE_AFTER_RUNS } from '../scoring/staleness.js';
import type { ScoredResult } from '../scoring/types.js';
import type { SeriesInfo } from '../store/index.js';
import type { SeriesData } from './data.js';
import { feedingCollectors, feedStaleReason } from './feeds.js';
import { describeMissing, sourceNames, type MissingDataHint } from './missing.js';
import { readSource } from './read.js';
import { countSloEvents } from './slo-counts.js';
import type { EvaluationSnapshot, IndicatorSnapshot, OutcomeSnapshot } from './snapshot.js';
import type { EvaluationSettings, IndicatorSpec, OutcomeSpec, SloIndicator, ThresholdIndicator } from './spec.js';

/**
 * One evaluation pass: stored samples → indicator results → outcome and pillar roll-ups.
 * Reads through SeriesData only and writes nothing; persistence (transitions, history) is the
 * Evaluator's. The scoring itself is server/scoring's; this module decides what to feed it.
 */

export interface WorkloadEvaluationSpec {
  indicators: readonly IndicatorSpec[];
  outcomes: readonly OutcomeSpec[];
  settings: EvaluationSettings;
}

export interface EngineDeps {
  data: SeriesData;
  /** The scheduler's view of each collector, for staleness. */
  collectors: () => CollectorStatus[];
  /** ms epoch to evaluate at. */
  now: number;
  /** Words for a series that has no value (e.g. the DORA job's: "no game day recorded yet: …"). */
  missingDataHint?: MissingDataHint;
}

interface Context {
  data: SeriesData;
  statuses: ReadonlyMap<string, CollectorStatus>;
  now: number;
  threshold: number;
  hint: MissingDataHint | undefined;
}

/**
 * Evaluates every indicator, then the outcomes and pillars over those results. An indicator
 * whose evaluation throws (a store error, a broken selector) is no_data with the error as its
 * reason; the others are unaffected.
 */
export function evaluateWorkload(spec: WorkloadEvaluationSpec, deps: EngineDeps): EvaluationSnapshot {
  const started = performance.now();
  const ctx: Context = {
    data: memoizeFindSeries(deps.data),
    statuses: new Map(deps.collectors().map((c) => [c.id, c])),
    now: deps.now,
    threshold: spec.settings.staleAfterFailures ?? DEFAULT_STALE_AFTER_RUNS,
    hint: deps.missingDataHint,
  };
  const indicators = spec.indicators.map((i) => evaluateIndicator(i, ctx));
  const byId = new Map(indicators.map((i) => [i.id, i]));
  const outcomes = spec.outcomes.map((o) => evaluateOutcome(o, byId));
  const pillars = scorePillars(
    indicators.map((i) => ({ id: i.id, title: i.title, pillar: i.pillar, weight: i.weight, result: { status: i.status, score: i.score, reason: i.reason } })),
  );
  return { at: deps.now, indicators, outcomes, pillars, durationMs: performance.now() - started };
}

/**
 * The same selector often appears in several indicators (an SLO's `bad` inside its `total`, a
 * ratio and a rate on one counter): within one pass each distinct selector is resolved once.
 * Retention is read once too, so every indicator of a pass sees the same raw/rollup split.
 */
function memoizeFindSeries(data: SeriesData): SeriesData {
  const memo = new Map<string, SeriesInfo[]>();
  return {
    rawRetentionMs: data.rawRetentionMs,
    rawPoints: (id, from, to) => data.rawPoints(id, from, to),
    rollupHours: (id, from, to) => data.rollupHours(id, from, to),
    findSeries: (selector) => {
      const key = JSON.stringify(selector);
      let found = memo.get(key);
      if (found === undefined) memo.set(key, (found = data.findSeries(selector)));
      return found;
    },
  };
}

/** One indicator; never throws (see evaluateWorkload). */
function evaluateIndicator(spec: IndicatorSpec, ctx: Context): IndicatorSnapshot {
  try {
    return spec.kind === 'slo' ? evaluateSloIndicator(spec, ctx) : evaluateThreshold(spec, ctx);
  } catch (err) {
    return {
      ...base(spec),
      value: null,
      status: 'no_data',
      score: null,
      reason: `evaluation failed: ${err instanceof Error ? err.message : String(err)}`,
      collectors: spec.collector === undefined ? [] : [spec.collector],
      series: 0,
    };
  }
}

function base(spec: IndicatorSpec) {
  const { id, title, pillar, unit, weight, kind } = spec;
  const extra = spec.kind === 'threshold' ? { objective: spec.objective } : {};
  return { id, title, pillar, unit, weight, kind, ...extra };
}

function evaluateThreshold(spec: ThresholdIndicator, ctx: Context): IndicatorSnapshot {
  const reading = readSource(ctx.data, spec.source, ctx.now);
  const collectors = feedingCollectors(spec.collector, reading.series);
  const stale = feedStaleReason(collectors, ctx.statuses, ctx.now, ctx.threshold);
  const result = scoreIndicator(reading.value, spec.objective, {
    ...(stale === undefined ? {} : { staleReason: stale }),
    ...(reading.reason === null ? {} : { noDataReason: describeMissing({ reason: reading.reason, unmatched: reading.unmatched }, sourceNames(spec.source), ctx.hint, spec.collector) }),
    // The reason starts with the value: views put the indicator's title before it.
    label: '',
    format: (v) => formatValue(v, spec.unit),
  });
  const measured = result.status !== 'stale' && result.status !== 'no_data';
  return { ...base(spec), value: measured ? reading.value : null, ...result, collectors, series: reading.series.length };
}

function evaluateSloIndicator(spec: SloIndicator, ctx: Context): IndicatorSnapshot {
  const counts = countSloEvents(ctx.data, spec.slo, ctx.now);
  const collectors = feedingCollectors(spec.collector, counts.series);
  const stale = feedStaleReason(collectors, ctx.statuses, ctx.now, ctx.threshold);
  const r = evaluateSlo({
    objective: spec.slo.objective,
    windowMs: spec.slo.windowMs,
    counts: { window: counts.window, burn: counts.burn },
    budgetWarningBelow: spec.slo.budgetWarningBelow,
    ...(stale === undefined ? {} : { staleReason: stale }),
  });
  const ev = spec.slo.events;
  const names = (ev.kind === 'probes' ? [ev.success] : [ev.total]).map((s) => s.selector.name).filter((n): n is string => n !== undefined);
  const reason = r.status === 'no_data' && counts.reason !== null ? describeMissing({ reason: counts.reason, unmatched: counts.unmatched }, names, ctx.hint, spec.collector) : r.reason;
  return {
    ...base(spec),
    value: r.attainment,
    status: r.status,
    score: r.score,
    reason,
    slo: {
      objective: r.objective,
      windowMs: spec.slo.windowMs,
      errorBudget: r.errorBudget,
      attainment: r.attainment,
      budgetRemaining: r.budgetRemaining,
      burnRates: r.burnRates,
      alertState: r.alertState,
      alerts: r.alerts,
      events: r.events,
      warnings: r.warnings,
    },
    collectors,
    series: counts.series.length,
  };
}

function evaluateOutcome(spec: OutcomeSpec, byId: ReadonlyMap<string, IndicatorSnapshot>): OutcomeSnapshot {
  const refs = spec.indicators.map((ref) => {
    const i = byId.get(ref.ref);
    // The loader rejects unknown refs; this keeps a hand-built spec from crashing the pass.
    const result: ScoredResult = i ?? { status: 'no_data', score: null, reason: `no indicator has the id ${ref.ref}` };
    const title = i?.title ?? ref.ref;
    return { id: ref.ref, title, weight: ref.weight, key: ref.key, result: { status: result.status, score: result.score, reason: result.reason } };
  });
  return {
    id: spec.id,
    title: spec.title,
    owner: spec.owner ?? null,
    ...scoreOutcome(refs),
    indicators: spec.indicators.map((r) => ({ ref: r.ref, weight: r.weight, key: r.key })),
  };
}
