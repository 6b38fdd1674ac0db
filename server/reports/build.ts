import { PILLAR_DESCRIPTIONS, PILLAR_TITLES } from '../scoring/pillar-info.js';
import { PILLARS, type Status } from '../scoring/types.js';
import { buildDataQuality, evaluatedSlots } from './build-quality.js';
import { buildOperations } from './build-operations.js';
import { buildReview } from './build-review.js';
import { buildOutcome } from './build-outcomes.js';
import { mapNullable, round1, seriesWeekStats, weekSlots } from './hours.js';
import { coveredRange } from './week.js';
import {
  REPORT_SCHEMA_VERSION, type CoverageAtEnd, type Highlight, type OutcomeReport, type PillarReport, type ReportIndicatorSpec, type ReportInput,
  type WeeklyReport,
} from './types.js';

/**
 * The weekly report builder: plain inputs (read beforehand by read.ts) → one WeeklyReport.
 * Pure: no database, no clock (`generatedAt` is an input), no environment; the same input
 * gives the same report. What each number means is in docs/reports.md.
 */
export function buildWeeklyReport(full: ReportInput): WeeklyReport {
  // A week in progress is built over the part that has passed; its header still names the whole week.
  const input: ReportInput = { ...full, week: coveredRange(full.week) };
  const partial = full.week.asOf !== undefined && full.week.asOf < full.week.to;
  const slots = weekSlots(input.week);
  const previousSlots = weekSlots(input.previous);
  const evaluated = evaluatedSlots(input.history, slots);
  const indicators = new Map<string, ReportIndicatorSpec>(input.indicators.map((i) => [i.id, i]));
  const statusAtEnd = new Map<string, Status>();
  for (const [id, s] of Object.entries(input.transitions.atStart)) statusAtEnd.set(id, s);
  for (const t of input.transitions.during) if (t.at < input.week.to) statusAtEnd.set(t.indicatorId, t.to);

  const ctx = { input, slots, previousSlots, evaluated, indicators, statusAtEnd };
  const outcomes = input.outcomes.map((o) => buildOutcome(o, ctx));
  const pillars = buildPillars(input, slots, previousSlots, statusAtEnd);
  const dataQuality = buildDataQuality(input, slots, evaluated);
  const count = (v: OutcomeReport['verdict']) => outcomes.filter((o) => o.verdict === v).length;

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    week: input.week.id,
    previousWeek: input.previous.id,
    timezone: input.week.timezone,
    from: new Date(input.week.from).toISOString(),
    to: new Date(full.week.to).toISOString(),
    hours: full.week.hours,
    days: full.week.days,
    generatedAt: new Date(input.generatedAt).toISOString(),
    partial,
    asOf: partial ? new Date(input.week.to).toISOString() : null,
    workload: { id: input.workload.id, title: input.workload.title, owner: input.workload.owner ?? null },
    summary: { outcomes: outcomes.length, met: count('met'), atRisk: count('at_risk'), missed: count('missed'), noData: count('no_data') },
    outcomes,
    pillars,
    operations: buildOperations(input.events, input.week, input.dora),
    highlights: buildHighlights(outcomes, pillars, input, slots, previousSlots),
    dataQuality,
    review: buildReview(input.review, input.week),
  };
}

function buildPillars(
  input: ReportInput,
  slots: ReturnType<typeof weekSlots>,
  previousSlots: ReturnType<typeof weekSlots>,
  statusAtEnd: ReadonlyMap<string, Status>,
): PillarReport[] {
  return PILLARS.map((p) => {
    const weighted = input.indicators.filter((i) => i.pillar === p && i.weight > 0);
    const measured = input.indicators.some((i) => i.pillar === p && i.weight > 0);
    const points = measured ? input.history.pillarScore[p] : undefined;
    const now = seriesWeekStats(points, slots);
    const prev = seriesWeekStats(points, previousSlots);
    const mean = mapNullable(now.mean, round1);
    const previousMean = mapNullable(prev.mean, round1);
    return {
      id: p,
      title: PILLAR_TITLES[p],
      description: PILLAR_DESCRIPTIONS[p],
      measured,
      coverageAtEnd: coverageAtEnd(weighted.map((i) => i.id), statusAtEnd),
      mean,
      end: mapNullable(now.end, round1),
      previousMean,
      change: mean !== null && previousMean !== null ? round1(mean - previousMean) : null,
      byDay: now.byDay.map((v) => mapNullable(v, round1)),
    };
  });
}

/** Of the indicators `ids` (weight > 0), how many had a score (ok, warning, critical) when the week ended. */
export function coverageAtEnd(ids: readonly string[], statusAtEnd: ReadonlyMap<string, Status>): CoverageAtEnd {
  const scored = ids.filter((id) => {
    const s = statusAtEnd.get(id);
    return s === 'ok' || s === 'warning' || s === 'critical';
  });
  return { measured: scored.length, total: ids.length };
}

/** Every outcome, pillar and indicator whose weekly mean moved by at least this many points. */
export const HIGHLIGHT_MIN_POINTS = 1;
export const HIGHLIGHT_LIMIT = 5;

function buildHighlights(
  outcomes: OutcomeReport[],
  pillars: PillarReport[],
  input: ReportInput,
  slots: ReturnType<typeof weekSlots>,
  previousSlots: ReturnType<typeof weekSlots>,
): WeeklyReport['highlights'] {
  const all: Highlight[] = [];
  const add = (kind: Highlight['kind'], id: string, title: string, previous: number | null, current: number | null) => {
    if (previous === null || current === null) return;
    all.push({ kind, id, title, previous, current, change: round1(current - previous) });
  };
  for (const o of outcomes) add('outcome', o.id, o.title, mapNullable(o.attainment.previousMean, (v) => round1(v * 100)), mapNullable(o.attainment.mean, (v) => round1(v * 100)));
  for (const p of pillars) add('pillar', p.id, p.title, p.previousMean, p.mean);
  for (const i of input.indicators) {
    const points = input.history.indicatorScore[i.id];
    add('indicator', i.id, i.title, mapNullable(seriesWeekStats(points, previousSlots).mean, round1), mapNullable(seriesWeekStats(points, slots).mean, round1));
  }
  const order: Record<Highlight['kind'], number> = { outcome: 0, pillar: 1, indicator: 2 };
  const tie = (a: Highlight, b: Highlight) => order[a.kind] - order[b.kind] || a.id.localeCompare(b.id);
  return {
    regressions: all.filter((h) => h.change <= -HIGHLIGHT_MIN_POINTS).sort((a, b) => a.change - b.change || tie(a, b)).slice(0, HIGHLIGHT_LIMIT),
    improvements: all.filter((h) => h.change >= HIGHLIGHT_MIN_POINTS).sort((a, b) => b.change - a.change || tie(a, b)).slice(0, HIGHLIGHT_LIMIT),
  };
}
