import type { EventKind } from '../../collectors/types.js';
import { EVENT_KINDS } from '../../collectors/types.js';
import type { EventReader } from '../events/types.js';
import type { IndicatorSpec, OutcomeSpec } from '../evaluation/spec.js';
import { HISTORY_SERIES, type HistorySeriesName } from '../evaluation/history-series.js';
import type { Status } from '../scoring/types.js';
import type { HourAggregate, Selector, SeriesInfo, Store } from '../store/index.js';
import type { CollectorRunPoint, HourPoint, ReportEvents, ReportInput } from './types.js';
import { HOUR_MS, type WeekRange } from './week.js';

/**
 * The report's only reads: score history (hourly rollups of the history series), indicator
 * status transitions, collector runs and operational events, for one week and the week
 * before. Everything is read up front into a `ReportInput`, so the builder stays pure.
 */

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

export function readReportInput(sources: ReportSources, wl: ReportWorkload, week: WeekRange, previous: WeekRange, generatedAt: number): ReportInput {
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
    week,
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
 * The store seen as ReportSources. Transitions and collector runs are read with two range
 * queries of their own: EvaluationHistory and the store only offer "newest N", and a report
 * of an older week needs a range. Read-only; the evaluation module and the store remain the
 * only writers of those tables (STYLE.md §5).
 */
export function storeReportSources(store: Store, events: () => EventReader | null = () => null): ReportSources {
  const db = store.db;
  const atStart = db.prepare(
    `SELECT indicator_id, to_status, max(at) FROM indicator_transitions WHERE at < ? GROUP BY indicator_id`,
  ).raw();
  const during = db.prepare(`SELECT indicator_id, at, to_status FROM indicator_transitions WHERE at >= ? AND at < ? ORDER BY at, id`).raw();
  const runsDuring = db
    .prepare(`SELECT started_at, ok, error FROM collector_runs WHERE collector_id = ? AND started_at >= ? AND started_at < ? ORDER BY started_at, id`)
    .raw();
  const runsBefore = db
    .prepare(`SELECT ok FROM collector_runs WHERE collector_id = ? AND started_at < ? ORDER BY started_at DESC, id DESC LIMIT ?`)
    .pluck();
  return {
    findSeries: (selector) => store.findSeries(selector),
    rollupHours: (id, from, to) => store.rollupHours(id, from, to),
    transitions(from, to) {
      const start: Record<string, Status> = {};
      for (const [id, status] of atStart.all(from) as Array<[string, Status, number]>) start[id] = status;
      const list = (during.all(from, to) as Array<[string, number, Status]>).map(([indicatorId, at, s]) => ({ indicatorId, at, to: s }));
      return { atStart: start, during: list };
    },
    collectorRuns(id, from, to, streakCap) {
      let streakAtStart = 0;
      for (const ok of runsBefore.all(id, from, Math.max(1, streakCap)) as number[]) {
        if (ok === 1) break;
        streakAtStart += 1;
      }
      const list = (runsDuring.all(id, from, to) as Array<[number, number, string | null]>).map(([at, ok, error]) => {
        const run: CollectorRunPoint = { at, ok: ok === 1 };
        if (error !== null) run.error = error;
        return run;
      });
      return { streakAtStart, during: list };
    },
    get events() {
      return events();
    },
  };
}
