/**
 * The evaluation benchmark's data set, shared by bench/evaluation.bench.ts and bench/api.bench.ts:
 * 500 series over 30 days, 500 indicators on all six pillars (50 of them SLOs over 28 d) and 50
 * outcomes, as evaluation specs and as a workload YAML file.
 *
 * Data (documented in docs/evaluation.md, "Benchmark"): 500 series — 300 latency gauges,
 * 100 request counters (50 services × code 200/500), 50 job counters that restart every 5
 * days, 50 0/1 probes — at 60 s resolution for the last 3 days (every raw window an indicator
 * or a burn rate reads is at a realistic scrape density) and 5 min for the 27 days before
 * (what the 28d SLO windows read, through rollups): 6.05 M samples. Bulk-loaded the way the
 * store's own bench does (a bare prepared insert in series order below head_from, every hour
 * marked dirty); the caller then recomputes rollups with updateRollups().
 * Every series carries a `collector` label c0..c9, as samples stored by a collector do.
 */
import { stringify } from 'yaml';
import type { Sample } from '../../collectors/types.js';
import type { AggregateSource, IndicatorSpec, OutcomeSpec } from '../../server/evaluation/spec.js';
import type { CollectorStatus, RunInfo } from '../../server/scheduler/types.js';
import type { Aggregation } from '../../server/scoring/aggregate.js';
import { PILLARS } from '../../server/scoring/types.js';
import { openStore, parseSelector } from '../../server/store/index.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const END = Date.UTC(2025, 5, 30, 9, 17); // not hour-aligned, as a real "now" is
export const T0 = END - 30 * DAY;
export const FINE_FROM = END - 3 * DAY;

// ---- series and their values (pure functions of time, so any resolution is consistent) ----
export interface SeriesDef {
  name: string;
  labels: Record<string, string>;
  value: (ts: number) => number;
}
export const COLLECTOR_IDS = Array.from({ length: 10 }, (_, i) => `c${i}`);
const collectorOf = (i: number) => COLLECTOR_IDS[i % COLLECTOR_IDS.length]!;

export const defs: SeriesDef[] = [];
for (let i = 0; i < 300; i++) {
  defs.push({
    name: 'bench_latency_seconds',
    labels: { service: `s${i % 50}`, instance: `i${i}`, collector: collectorOf(i) },
    value: (ts) => 0.2 + 0.1 * Math.sin(ts / HOUR + i) + (((ts / MINUTE) * 7 + i) % 13) / 100,
  });
}
for (let s = 0; s < 50; s++) {
  // 100 requests a minute; 0.05 errors a minute, and 2 a minute over the last 2 hours for every 7th service.
  const burst = s % 7 === 0;
  const errors = (ts: number) => Math.floor(0.05 * ((ts - T0) / MINUTE) + (burst && ts > END - 2 * HOUR ? (2 * (ts - (END - 2 * HOUR))) / MINUTE : 0));
  defs.push({ name: 'bench_requests_total', labels: { service: `s${s}`, code: '200', collector: collectorOf(s) }, value: (ts) => Math.floor(100 * ((ts - T0) / MINUTE)) });
  defs.push({ name: 'bench_requests_total', labels: { service: `s${s}`, code: '500', collector: collectorOf(s) }, value: errors });
}
for (let q = 0; q < 50; q++) {
  defs.push({ name: 'bench_jobs_total', labels: { queue: `q${q}`, collector: collectorOf(q) }, value: (ts) => Math.floor((10 * ((ts - T0 + q * HOUR) % (5 * DAY))) / MINUTE) });
}
for (let k = 0; k < 50; k++) {
  defs.push({
    name: 'bench_probe_success',
    labels: { target: `t${k}`, group: `g${k % 10}`, collector: collectorOf(k) },
    value: (ts) => ((ts / MINUTE + k * 13) % 997 === 0 ? 0 : 1),
  });
}

/** Samples in the bulk-loaded data set. */
export const SAMPLE_COUNT = defs.length * ((FINE_FROM - T0) / (5 * MINUTE) + (END - FINE_FROM) / MINUTE + 1);

/** One more minute of every series at `ts`, as collectors would write it. */
export function minuteSamples(ts: number): Sample[] {
  return defs.map((d) => ({ name: d.name, labels: d.labels, ts, value: d.value(ts) }));
}

// ---- indicators (500) and outcomes (50) ----
const sel = (text: string) => ({ text, selector: parseSelector(text) });
const agg = (text: string, aggregation: Aggregation, windowMs: number, combine: AggregateSource['combine']): AggregateSource => ({
  kind: 'aggregate', series: sel(text), aggregation, windowMs, combine,
});
const WINDOWS = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR];
const GAUGE_AGGS: Aggregation[] = ['avg', 'p95', 'p99', 'max', 'last', 'min', 'p50'];
export const indicators: IndicatorSpec[] = [];
const base = (id: string, n: number, unit: string) => ({ id, title: id, pillar: PILLARS[n % PILLARS.length]!, unit, weight: 1 + (n % 3) });
const latency = { direction: 'max' as const, target: 0.3, warning: 0.35, critical: 0.5 };
for (let n = 0; n < 300; n++) {
  const text = n < 200 ? `bench_latency_seconds{instance="i${n}"}` : `bench_latency_seconds{service="s${n % 50}"}`;
  indicators.push({ ...base(`lat_${n}`, n, 'seconds'), kind: 'threshold', objective: latency,
    source: agg(text, GAUGE_AGGS[n % GAUGE_AGGS.length]!, WINDOWS[n % WINDOWS.length]!, n % 2 === 0 ? 'avg' : 'max') });
}
for (let q = 0; q < 50; q++) {
  indicators.push({ ...base(`jobs_rate_${q}`, q, 'jobs/s'), kind: 'threshold', objective: { direction: 'min', target: 0.1, critical: 0 },
    source: agg(`bench_jobs_total{queue="q${q}"}`, 'rate', q % 2 === 0 ? HOUR : 6 * HOUR, 'sum') });
  indicators.push({ ...base(`jobs_day_${q}`, q + 1, 'jobs'), kind: 'threshold', objective: { direction: 'min', target: 10_000 },
    source: agg(`bench_jobs_total{queue="q${q}"}`, 'increase', DAY, 'sum') });
}
for (let s = 0; s < 50; s++) {
  indicators.push({ ...base(`errors_${s}`, s, 'ratio'), kind: 'threshold', objective: { direction: 'max', target: 0.001, warning: 0.005, critical: 0.02 },
    source: { kind: 'ratio',
      numerator: agg(`bench_requests_total{service="s${s}",code="500"}`, 'increase', HOUR, 'sum'),
      denominator: agg(`bench_requests_total{service="s${s}"}`, 'increase', HOUR, 'sum') } });
}
for (let s = 0; s < 40; s++) {
  indicators.push({ ...base(`avail_${s}`, s, 'ratio'), pillar: 'reliability', kind: 'slo', slo: {
    events: { kind: 'counters', bad: sel(`bench_requests_total{service="s${s}",code="500"}`), total: sel(`bench_requests_total{service="s${s}"}`) },
    objective: 0.999, windowMs: 28 * DAY, budgetWarningBelow: 0.25 } });
}
for (let g = 0; g < 10; g++) {
  indicators.push({ ...base(`probe_${g}`, g, 'ratio'), pillar: 'reliability', kind: 'slo', slo: {
    events: { kind: 'probes', success: sel(`bench_probe_success{group="g${g}"}`) }, objective: 0.995, windowMs: 28 * DAY, budgetWarningBelow: 0.25 } });
}
export const outcomes: OutcomeSpec[] = Array.from({ length: 50 }, (_, o) => ({
  id: `outcome_${o}`, title: `Outcome ${o}`, owner: 'bench',
  indicators: Array.from({ length: 10 }, (_, j) => ({ ref: indicators[o * 10 + j]!.id, weight: 1 + (j % 3), key: j === 0 })),
}));

// ---- load ----
/**
 * Creates the database at `file` and bulk-loads every sample (no rollups yet: the caller runs
 * updateRollups() on its own store). Returns the load time in ms.
 */
export function bulkLoad(file: string): number {
  const t = performance.now();
  const s = openStore({ path: file, now: () => END });
  s.writeSamples(defs.map((d) => ({ name: d.name, labels: d.labels, ts: T0, value: d.value(T0) })));
  s.close();
  const db = openStore({ path: file, now: () => END }).db;
  const ids = db.prepare('SELECT id, name FROM series ORDER BY id').raw().all() as Array<[number, string]>;
  if (ids.length !== defs.length || ids.some(([, name], i) => name !== defs[i]!.name)) throw new Error('series ids are not in definition order');
  const ins = db.prepare('INSERT OR REPLACE INTO samples (series_id, ts, value) VALUES (?, ?, ?)');
  const load = db.transaction((sid: number, d: SeriesDef) => {
    for (let ts = T0; ts < FINE_FROM; ts += 5 * MINUTE) ins.run(sid, ts, d.value(ts));
    for (let ts = FINE_FROM; ts <= END; ts += MINUTE) ins.run(sid, ts, d.value(ts));
  });
  ids.forEach(([sid], i) => load(sid, defs[i]!));
  const mark = db.prepare('INSERT OR IGNORE INTO rollup_dirty (hour) VALUES (?)');
  db.transaction(() => {
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('head_from', ?)").run(String(END + 1));
    db.prepare('DELETE FROM samples_head').run();
    for (let h = T0 / HOUR; h <= END / HOUR; h++) mark.run(Math.floor(h));
  })();
  db.close();
  return performance.now() - t;
}

// ---- collectors ----
/** A successful run of a collector, 30 s before `now` (what each of c0..c9 last did). */
export function benchRun(now: number): RunInfo {
  return { startedAt: now - 30_000, durationMs: 20, ok: true, samplesWritten: 50 };
}

/** The scheduler's view of c0..c9 at `now`: each ran successfully 30 s ago, every minute. */
export function benchCollectors(now: number): CollectorStatus[] {
  return COLLECTOR_IDS.map((id) => {
    const run = benchRun(now);
    return { id, type: 'scrape', intervalMs: MINUTE, timeoutMs: 10_000, running: false, consecutiveFailures: 0,
      nextRunAt: now + 30_000, lastRun: run, lastSuccess: run, lastError: null };
  });
}

// ---- the same indicators and outcomes as a workload file ----
function duration(ms: number): string {
  for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function sourceYaml(a: AggregateSource) {
  return { series: a.series.text, aggregate: a.aggregation, window: duration(a.windowMs), combine: a.combine };
}

function indicatorYaml(i: IndicatorSpec): Record<string, unknown> {
  const common = { id: i.id, title: i.title, pillar: i.pillar, unit: i.unit, weight: i.weight };
  if (i.kind === 'slo') {
    const e = i.slo.events;
    const events = e.kind === 'probes' ? { success: e.success.text } : { ...(e.good ? { good: e.good.text } : {}), ...(e.bad ? { bad: e.bad.text } : {}), total: e.total.text };
    return { ...common, slo: { ...events, objective: i.slo.objective, window: duration(i.slo.windowMs), budget_warning_below: `${i.slo.budgetWarningBelow * 100}%` } };
  }
  const o = i.objective;
  const objective = { [o.direction]: o.target, ...(o.warning !== undefined ? { warning: o.warning } : {}), ...(o.critical !== undefined ? { critical: o.critical } : {}) };
  const source = i.source.kind === 'aggregate' ? sourceYaml(i.source) : { ratio: { numerator: sourceYaml(i.source.numerator), denominator: sourceYaml(i.source.denominator) } };
  return { ...common, ...source, objective };
}

/**
 * A workload file with the 500 indicators and 50 outcomes above and the ten collectors c0..c9
 * their samples name (scrape collectors of `collectorUrl`, every minute), evaluated every minute.
 * Retention is left at its defaults, as the evaluation bench's store has it.
 */
export function workloadYaml(collectorUrl: string): string {
  return stringify(
    {
      version: 1,
      workload: { id: 'bench', title: 'Benchmark workload', owner: 'bench', description: '500 indicators, 50 outcomes, 30 days of history' },
      collectors: COLLECTOR_IDS.map((id) => ({ id, type: 'scrape', url: collectorUrl, interval: '60s', timeout: '10s' })),
      evaluation: { interval: '60s', stale_after_failures: 3 },
      indicators: indicators.map(indicatorYaml),
      outcomes: outcomes.map((o) => ({ id: o.id, title: o.title, owner: o.owner, indicators: o.indicators.map((r) => ({ ref: r.ref, weight: r.weight, key: r.key })) })),
    },
    { lineWidth: 0 },
  );
}

/** JSON with sorted keys and no undefined members, to compare specs built two ways. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).filter(([, y]) => y !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}
