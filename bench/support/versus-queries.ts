/**
 * The side-by-side benchmark's queries, written for each system so that all three compute the
 * same numbers, and the parsing of their answers into one shape for the comparison.
 *
 * Conventions (Pillarboard's hour bucket b covers [b, b + 1 h); docs/api.md):
 * - Prometheus 2.42: a range `[d]` includes both ends, so `avg_over_time(m[59m])` evaluated at
 *   b + 59 min averages the 60 samples b, b + 1 min … b + 59 min: the same as the bucket.
 * - VictoriaMetrics: a range `[d]` is (t − d, t], so `avg_over_time(m[1h])` at b + 59 min covers
 *   the same 60 samples. `nocache=1` keeps it from aligning start/end to the step.
 * - Raw at 60 s: every system answers the sample at each step (Pillarboard's 60 s bucket holds
 *   exactly one sample; the others' lookback finds the sample at the step's own timestamp).
 */
import { HOUR, MINUTE, lastTs, type Span } from './versus-data.js';

export type SystemName = 'pillarboard' | 'prometheus' | 'victoriametrics';
export const SYSTEMS: SystemName[] = ['pillarboard', 'prometheus', 'victoriametrics'];

export interface QueryDef {
  id: string;
  title: string;
  /** Per system: the path and query string to GET. */
  path: Record<SystemName, string>;
  /** Pillarboard's point timestamps plus this (s) are the other systems' timestamps. */
  pbShiftS: number;
  /** The source Pillarboard must answer from ('rollup' for hourly, 'raw' for 60 s). */
  pbSource: 'raw' | 'rollup';
  series: number;
}

const ALL = '{bench="versus"}';
const ONE = 'bench_latency_seconds{instance="i0",bench="versus"}';

function qs(params: Record<string, string | number>): string {
  return new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
}

function hourly(id: string, title: string, selector: string, series: number, fromHour: number, toHour: number): QueryDef {
  const evalFrom = (fromHour + 59 * MINUTE) / 1000;
  const evalTo = (toHour + 59 * MINUTE) / 1000;
  return {
    id,
    title,
    series,
    pbShiftS: 59 * 60,
    pbSource: 'rollup',
    path: {
      pillarboard: `/api/series/query?${qs({ match: selector, from: fromHour / 1000, to: toHour / 1000, step: 3600, agg: 'avg', limit: 1000 })}`,
      prometheus: `/api/v1/query_range?${qs({ query: `avg_over_time(${selector}[59m])`, start: evalFrom, end: evalTo, step: 3600 })}`,
      victoriametrics: `/api/v1/query_range?${qs({ query: `avg_over_time(${selector}[1h])`, start: evalFrom, end: evalTo, step: 3600, nocache: 1 })}`,
    },
  };
}

/** The issue's four queries over the span (30 d in the full run; shorter spans shrink the first and last). */
export function versusQueries(span: Span): QueryDef[] {
  const last = lastTs(span);
  const lastHour = last - 59 * MINUTE;
  const days = Math.round((span.count * span.stepMs) / (24 * HOUR));
  const weekHours = Math.min(7 * 24, Math.floor(days / 2) * 24); // 7 d; shorter spans (--small) half of theirs
  const rawFrom = last - 1439 * MINUTE;
  const raw: QueryDef = {
    id: 'raw24h_1',
    title: '24 h × 1 series, raw 60 s',
    series: 1,
    pbShiftS: 0,
    pbSource: 'raw',
    path: {
      pillarboard: `/api/series/query?${qs({ match: ONE, from: rawFrom / 1000, to: last / 1000, step: 60, agg: 'avg' })}`,
      prometheus: `/api/v1/query_range?${qs({ query: ONE, start: rawFrom / 1000, end: last / 1000, step: 60 })}`,
      victoriametrics: `/api/v1/query_range?${qs({ query: ONE, start: rawFrom / 1000, end: last / 1000, step: 60, nocache: 1 })}`,
    },
  };
  return [
    hourly('hourly_all_100', `${days} d × 100 series, hourly avg`, ALL, 100, span.start, lastHour),
    hourly('hourly_week_100', `${weekHours / 24} d × 100 series, hourly avg`, ALL, 100, lastHour - (weekHours - 1) * HOUR, lastHour),
    raw,
    hourly('hourly_all_1', `${days} d × 1 series, hourly avg`, ONE, 1, span.start, lastHour),
  ];
}

/** Points per series, keyed by its labels without the metric name (avg_over_time drops it). */
export type Answer = Map<string, Array<[number, number]>>;

function keyOf(labels: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([k]) => k !== '__name__')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

interface PbBody {
  source: string;
  series: Array<{ name: string; labels: Record<string, string>; points: Array<[number, number | string]> }>;
}
interface PromBody {
  status: string;
  error?: string;
  data: { resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
}

export function parseAnswer(system: SystemName, q: QueryDef, text: string): Answer {
  const out: Answer = new Map();
  if (system === 'pillarboard') {
    const body = JSON.parse(text) as PbBody;
    if (body.source !== q.pbSource) throw new Error(`pillarboard answered ${q.id} from ${body.source}, expected ${q.pbSource}`);
    for (const s of body.series) out.set(keyOf(s.labels), s.points.map(([t, v]) => [t + q.pbShiftS, Number(v)]));
  } else {
    const body = JSON.parse(text) as PromBody;
    if (body.status !== 'success') throw new Error(`${system} answered ${q.id} with ${body.status}: ${body.error ?? ''}`);
    for (const r of body.data.result) out.set(keyOf(r.metric), r.values.map(([t, v]) => [Number(t), Number(v)]));
  }
  return out;
}

export interface Comparison {
  points: number;
  maxRelDiff: number;
  problems: string[];
}

/** Every point of `b` against `a`: same series, same timestamps, values within `relTol`. */
export function compareAnswers(a: Answer, b: Answer, relTol: number): Comparison {
  const problems: string[] = [];
  let points = 0;
  let maxRelDiff = 0;
  if (a.size !== b.size) problems.push(`${a.size} series against ${b.size}`);
  for (const [key, pa] of a) {
    const pb = b.get(key);
    if (!pb) {
      problems.push(`series {${key}} missing`);
      continue;
    }
    if (pa.length !== pb.length) problems.push(`{${key}}: ${pa.length} points against ${pb.length}`);
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      const [ta, va] = pa[i]!;
      const [tb, vb] = pb[i]!;
      points++;
      if (ta !== tb) {
        if (problems.length < 8) problems.push(`{${key}} point ${i}: time ${ta} against ${tb}`);
        continue;
      }
      const diff = va === vb ? 0 : Math.abs(va - vb) / Math.max(Math.abs(va), Math.abs(vb));
      if (!(diff <= relTol)) {
        if (problems.length < 8) problems.push(`{${key}} at ${new Date(ta * 1000).toISOString()}: ${va} against ${vb}`);
      } else if (diff > maxRelDiff) maxRelDiff = diff;
    }
  }
  return { points, maxRelDiff, problems };
}
