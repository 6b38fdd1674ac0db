import type { OutcomeSpec } from '../evaluation/spec.js';
import { rollUp } from '../scoring/rollup.js';
import { STATUSES, type Status } from '../scoring/types.js';
import { lastBefore, mapNullable, round1, round3, round4, seriesWeekStats, type WeekSlots } from './hours.js';
import type { IndicatorWeek, OutcomeReport, ReportIndicatorSpec, ReportInput, SloBudgetWeek, Verdict } from './types.js';
import { HOUR_MS } from './week.js';

/**
 * One outcome's week — pure. Numbers come from the score history (hourly rollups); statuses
 * from the indicators' transitions, combined by the same roll-up rule the dashboard uses
 * (worst status, key indicators as gates; docs/scoring.md), so "was it met" here means what
 * the wall screen showed during the week.
 */

interface Segment {
  from: number;
  to: number;
  status: Status | null;
}

/** The outcome's status over [from, to): one segment per change of any of its indicators. */
export function outcomeTimeline(spec: OutcomeSpec, transitions: ReportInput['transitions'], from: number, to: number): Segment[] {
  const refs = new Set(spec.indicators.map((r) => r.ref));
  const current = new Map<string, Status>();
  for (const r of spec.indicators) {
    const s = transitions.atStart[r.ref];
    if (s !== undefined) current.set(r.ref, s);
  }
  const statusNow = (): Status | null => {
    if (current.size === 0) return null;
    // An indicator not evaluated yet (added during the week) counts as no_data, as it would on the dashboard.
    // Only the status is read: any score stands in for "has one", since the roll-up's status
    // depends on which indicators are measured, not on their scores.
    return rollUp(
      spec.indicators.map((r) => {
        const status = current.get(r.ref) ?? 'no_data';
        return { id: r.ref, weight: r.weight, key: r.key, result: { status, score: status === 'no_data' || status === 'stale' ? null : 0 } };
      }),
    ).status;
  };
  const segments: Segment[] = [];
  let start = from;
  let status = statusNow();
  for (const t of transitions.during) {
    if (!refs.has(t.indicatorId) || t.at < from || t.at >= to) continue;
    current.set(t.indicatorId, t.to);
    const next = statusNow();
    if (next === status) continue;
    if (t.at > start) segments.push({ from: start, to: t.at, status });
    start = t.at;
    status = next;
  }
  segments.push({ from: start, to, status });
  return segments;
}

/** Milliseconds of each status, counted only inside hours in which evaluations ran. */
function timeInStatus(segments: Segment[], slots: WeekSlots, evaluated: boolean[]): Record<Status, number> {
  const ms = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (let i = 0; i < slots.starts.length; i++) {
    if (!evaluated[i]) continue;
    const a = Math.max(slots.starts[i]!, slots.from);
    const b = Math.min(slots.starts[i]! + HOUR_MS, slots.to);
    for (const seg of segments) {
      if (seg.status === null) continue;
      const overlap = Math.min(b, seg.to) - Math.max(a, seg.from);
      if (overlap > 0) ms[seg.status] += overlap;
    }
  }
  return ms;
}

function verdictOf(ms: Record<Status, number>): Verdict {
  if (ms.critical > 0) return 'missed';
  if (ms.warning > 0) return 'at_risk';
  if (ms.ok > 0) return 'met';
  return 'no_data';
}

/** Points lost per indicator from weekly mean scores: w·(100 − mean) / Σw over the indicators with a mean. */
function costs(spec: OutcomeSpec, means: Map<string, number | null>): Map<string, number | null> {
  let measuredWeight = 0;
  for (const r of spec.indicators) if (r.weight > 0 && means.get(r.ref) != null) measuredWeight += r.weight;
  const out = new Map<string, number | null>();
  for (const r of spec.indicators) {
    const m = means.get(r.ref) ?? null;
    if (r.weight === 0) out.set(r.ref, 0);
    else out.set(r.ref, m === null || measuredWeight === 0 ? null : round1((r.weight * (100 - m)) / measuredWeight));
  }
  return out;
}

export interface OutcomeContext {
  input: ReportInput;
  slots: WeekSlots;
  previousSlots: WeekSlots;
  /** Per slot of the week: did any evaluation sample land in it? */
  evaluated: boolean[];
  indicators: Map<string, ReportIndicatorSpec>;
  /** Each indicator's status when the week ended (absent: never evaluated). */
  statusAtEnd: Map<string, Status>;
}

export function buildOutcome(spec: OutcomeSpec, ctx: OutcomeContext): OutcomeReport {
  const { input, slots, previousSlots } = ctx;
  const h = input.history;
  const score = seriesWeekStats(h.outcomeScore[spec.id], slots);
  const prev = seriesWeekStats(h.outcomeScore[spec.id], previousSlots);
  // Scores are kept to 0.1 point, so ratios to 0.001 (divided once, to stay exact in binary).
  const ratio = (x: number | null) => mapNullable(x, (v) => Math.round(v * 10) / 1000);
  const attainment = {
    mean: ratio(score.mean),
    end: ratio(score.end),
    previousMean: ratio(prev.mean),
    previousEnd: ratio(prev.end),
    change: null as number | null,
  };
  if (attainment.mean !== null && attainment.previousMean !== null) attainment.change = round3(attainment.mean - attainment.previousMean);

  const segments = outcomeTimeline(spec, input.transitions, input.week.from, input.week.to);
  const ms = timeInStatus(segments, slots, ctx.evaluated);
  const judged = ms.ok + ms.warning + ms.critical;
  const statusAtEnd = segments[segments.length - 1]!.status;

  const means = new Map<string, number | null>();
  const prevMeans = new Map<string, number | null>();
  const endStatus = new Map<string, Status | null>();
  for (const r of spec.indicators) {
    means.set(r.ref, mapNullable(seriesWeekStats(h.indicatorScore[r.ref], slots).mean, round1));
    prevMeans.set(r.ref, mapNullable(seriesWeekStats(h.indicatorScore[r.ref], previousSlots).mean, round1));
    endStatus.set(r.ref, ctx.statusAtEnd.get(r.ref) ?? null);
  }
  const points = costs(spec, means);
  const prevPoints = costs(spec, prevMeans);
  const indicators: IndicatorWeek[] = spec.indicators.map((r) => {
    const ind = ctx.indicators.get(r.ref);
    const p = points.get(r.ref) ?? null;
    const pp = prevPoints.get(r.ref) ?? null;
    return {
      id: r.ref,
      title: ind?.title ?? r.ref,
      pillar: ind?.pillar ?? null,
      weight: r.weight,
      key: r.key,
      meanScore: means.get(r.ref) ?? null,
      previousMeanScore: prevMeans.get(r.ref) ?? null,
      points: p,
      previousPoints: pp,
      pointsChange: p !== null && pp !== null ? round1(p - pp) : null,
      statusAtEnd: endStatus.get(r.ref) ?? null,
    };
  });
  indicators.sort((a, b) => (b.points ?? -1) - (a.points ?? -1));

  const sloBudgets: SloBudgetWeek[] = [];
  for (const r of spec.indicators) {
    const ind = ctx.indicators.get(r.ref);
    if (ind?.kind !== 'slo') continue;
    const pts = h.budgetRemaining[r.ref];
    const start = mapNullable(lastBefore(pts, input.week.from), round4);
    const end = mapNullable(seriesWeekStats(pts, slots).end, round4);
    sloBudgets.push({ indicator: r.ref, title: ind.title, start, end, consumed: start !== null && end !== null ? round4(start - end) : null });
  }

  return {
    id: spec.id,
    title: spec.title,
    owner: spec.owner ?? null,
    verdict: verdictOf(ms),
    statusAtEnd,
    hoursInStatus: Object.fromEntries(STATUSES.map((s) => [s, round1(ms[s] / HOUR_MS)])) as Record<Status, number>,
    okShare: judged > 0 ? round3(ms.ok / judged) : null,
    attainment,
    byDay: score.byDay.map((v) => ratio(v)),
    measuredHours: score.slotsWithData.length,
    coverageAtEnd: {
      measured: spec.indicators.filter((r) => r.weight > 0 && ['ok', 'warning', 'critical'].includes(ctx.statusAtEnd.get(r.ref) ?? 'no_data')).length,
      total: spec.indicators.filter((r) => r.weight > 0).length,
    },
    indicators,
    sloBudgets,
  };
}
