import type { Pillar, Status } from '../scoring/types.js';
import { PILLARS } from '../scoring/types.js';
import { PILLAR_DESCRIPTIONS, PILLAR_TITLES } from '../scoring/pillar-info.js';
import type { Coverage } from '../scoring/rollup.js';
import type { EvaluationSnapshot, IndicatorSnapshot, OutcomeSnapshot } from '../evaluation/snapshot.js';
import type { IndicatorSpec, OutcomeSpec } from '../evaluation/spec.js';
import type { CollectorStatus } from '../scheduler/types.js';

export { PILLAR_TITLES };

/**
 * The docs section on coverage and on what measures a pillar, as the server serves it (the
 * dashboard build copies docs/ to /docs/): linked from every "not measured" sentence.
 */
export const COVERAGE_DOCS = '/docs/scoring.md#coverage-what-a-score-speaks-for';

/** `{ measured, total, measuredWeight, totalWeight }` as the API sends it. */
function coverageView(c: Coverage) {
  return { measured: c.measured, total: c.total, measuredWeight: c.measuredWeight, totalWeight: c.totalWeight };
}

export const isPillar = (p: string): p is Pillar => (PILLARS as readonly string[]).includes(p);
export const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

export interface WorkloadMeta {
  id: string;
  title: string;
  owner?: string;
  description?: string;
  /** IANA zone where the workload's days begin (the workload file's default is UTC). */
  timezone?: string;
}

export function pillarView(snap: EvaluationSnapshot, pillar: Pillar) {
  const h = snap.pillars[pillar];
  return {
    id: pillar,
    title: PILLAR_TITLES[pillar],
    description: PILLAR_DESCRIPTIONS[pillar],
    measured: h.measured,
    status: h.status,
    score: h.score,
    coverage: coverageView(h.coverage),
    docs: COVERAGE_DOCS,
    counts: h.counts,
    indicatorCount: h.indicatorIds.length,
    measuredWeight: h.measuredWeight,
    totalWeight: h.totalWeight,
    reasons: h.reasons,
  };
}

/** The lowest SLO budget remaining among an outcome's indicators: what its error-budget bar shows. */
function outcomeBudget(o: OutcomeSnapshot, byId: Map<string, IndicatorSnapshot>) {
  let worst: { indicator: string; budgetRemaining: number; windowSeconds: number; windowCoverage: number | null } | null = null;
  for (const ref of o.indicators) {
    const i = byId.get(ref.ref);
    const slo = i?.slo;
    if (!i || slo?.budgetRemaining == null) continue;
    if (!worst || slo.budgetRemaining < worst.budgetRemaining) {
      worst = { indicator: ref.ref, budgetRemaining: slo.budgetRemaining, windowSeconds: slo.windowMs / 1000, windowCoverage: i.windowCoverage };
    }
  }
  return worst;
}

/** The snapshot's indicators by id (build it once when viewing several outcomes of one snapshot). */
export function indicatorsById(snap: EvaluationSnapshot): Map<string, IndicatorSnapshot> {
  return new Map(snap.indicators.map((i) => [i.id, i]));
}

export function outcomeView(o: OutcomeSnapshot, snap: EvaluationSnapshot, spec?: OutcomeSpec, byId: Map<string, IndicatorSnapshot> = indicatorsById(snap)) {
  return {
    id: o.id,
    title: o.title,
    owner: o.owner,
    description: spec?.description ?? null,
    status: o.status,
    score: o.score,
    attainment: o.attainment,
    coverage: coverageView(o.coverage),
    counts: o.counts,
    measuredWeight: o.measuredWeight,
    totalWeight: o.totalWeight,
    reasons: o.reasons,
    errorBudget: outcomeBudget(o, byId),
    indicators: o.contributions.map((c) => {
      const ref = o.indicators.find((r) => r.ref === c.id);
      const ind = byId.get(c.id);
      return {
        id: c.id,
        title: ind?.title ?? c.id,
        pillar: ind?.pillar ?? null,
        weight: c.weight,
        key: ref?.key ?? c.key,
        status: c.status,
        score: c.score,
        cost: c.cost,
        value: ind?.value ?? null,
        unit: ind?.unit ?? null,
        windowSeconds: ind ? ind.windowMs / 1000 : null,
        windowCoverage: ind?.windowCoverage ?? null,
      };
    }),
  };
}

export function indicatorView(i: IndicatorSnapshot, spec: IndicatorSpec | undefined, extra: { since?: number | null; outcomes: string[] }) {
  return {
    id: i.id,
    title: i.title,
    pillar: i.pillar,
    unit: i.unit,
    kind: i.kind,
    description: spec?.description ?? null,
    runbook: spec?.runbook ?? null,
    weight: i.weight,
    value: i.value,
    status: i.status,
    score: i.score,
    reason: i.reason,
    since: iso(extra.since),
    windowSeconds: i.windowMs / 1000,
    dataSince: iso(i.dataSince),
    windowCoverage: i.windowCoverage,
    objective: i.objective ?? null,
    slo: i.slo
      ? {
          ...i.slo,
          windowSeconds: i.slo.windowMs / 1000,
        }
      : null,
    source: spec ? sourceView(spec) : null,
    collectors: i.collectors,
    series: i.series,
    outcomes: extra.outcomes,
  };
}

function sourceView(spec: IndicatorSpec) {
  if (spec.kind === 'slo') {
    const e = spec.slo.events;
    return e.kind === 'probes'
      ? { kind: 'slo' as const, success: e.success.text }
      : { kind: 'slo' as const, good: e.good?.text ?? null, bad: e.bad?.text ?? null, total: e.total.text };
  }
  const s = spec.source;
  const one = (a: typeof s & { kind: 'aggregate' }) => ({ series: a.series.text, aggregate: a.aggregation, windowSeconds: a.windowMs / 1000, combine: a.combine });
  return s.kind === 'aggregate' ? { kind: 'aggregate' as const, ...one(s) } : { kind: 'ratio' as const, numerator: one(s.numerator), denominator: one(s.denominator) };
}

const SEVERITY: Record<Status, number> = { ok: 0, no_data: 1, stale: 2, warning: 3, critical: 4 };

/** The one payload a wall screen needs: workload, six pillars, outcomes, freshness, failing collectors. */
export function summaryView(
  meta: WorkloadMeta,
  snap: EvaluationSnapshot | null,
  collectors: CollectorStatus[],
  outcomeSpecs: OutcomeSpec[],
  evaluationIntervalMs: number,
  now: number,
) {
  const pillars = snap
    ? PILLARS.map((p) => pillarView(snap, p))
    : PILLARS.map((p) => ({
        id: p,
        title: PILLAR_TITLES[p],
        description: PILLAR_DESCRIPTIONS[p],
        measured: false,
        status: 'not_measured' as const,
        score: null,
        coverage: null,
        docs: COVERAGE_DOCS,
        counts: null,
        indicatorCount: 0,
      }));
  let outcomes: Array<ReturnType<typeof outcomeView>> = [];
  if (snap) {
    const byId = indicatorsById(snap);
    const specs = new Map(outcomeSpecs.map((s) => [s.id, s]));
    outcomes = snap.outcomes.map((o) => outcomeView(o, snap, specs.get(o.id), byId));
  }
  const statuses = [...pillars.map((p) => p.status), ...outcomes.map((o) => o.status)].filter((s): s is Status => s in SEVERITY);
  const overall = statuses.length ? statuses.reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a)) : 'no_data';
  return {
    workload: { id: meta.id, title: meta.title, owner: meta.owner ?? null, description: meta.description ?? null, timezone: meta.timezone ?? 'UTC' },
    status: overall,
    evaluatedAt: iso(snap?.at),
    evaluationDurationMs: snap ? Math.round(snap.durationMs * 10) / 10 : null,
    /** True when the last evaluation is older than three evaluation intervals: the numbers are old. */
    stale: snap ? now - snap.at > 3 * evaluationIntervalMs : true,
    pillars,
    outcomes,
    indicators: snap ? countStatuses(snap) : null,
    collectors: collectorsSummaryView(collectors, snap),
  };
}

/**
 * The summary's `collectors` part: how many, how many up, and the failing ones — each with
 * `feeds`, the titles of the indicators it feeds in `snap` (what goes stale if it keeps failing).
 */
export function collectorsSummaryView(collectors: CollectorStatus[], snap: EvaluationSnapshot | null = null) {
  const feeds = (id: string) => (snap ? snap.indicators.filter((i) => i.collectors.includes(id)).map((i) => i.title) : []);
  return {
    total: collectors.length,
    up: collectors.filter((c) => c.lastRun?.ok).length,
    failing: collectors
      .filter((c) => c.lastRun && !c.lastRun.ok)
      .map((c) => ({
        id: c.id,
        type: c.type,
        error: c.lastError,
        consecutiveFailures: c.consecutiveFailures,
        lastSuccessAt: iso(c.lastSuccess?.startedAt),
        feeds: feeds(c.id),
      })),
  };
}

function countStatuses(snap: EvaluationSnapshot): Record<Status, number> {
  const counts: Record<Status, number> = { ok: 0, warning: 0, critical: 0, no_data: 0, stale: 0 };
  for (const i of snap.indicators) counts[i.status]++;
  return counts;
}
