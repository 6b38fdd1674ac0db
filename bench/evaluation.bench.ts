/**
 * Evaluation benchmark: one full evaluation pass (engine + transitions + score history) over
 * 500 indicators and 50 outcomes against 30 days of data, p50/p95 over 10 passes.
 * `node --import tsx bench/evaluation.bench.ts`; prints figures, then `BENCH_JSON {...}`.
 *
 * Data (documented in docs/evaluation.md, "Benchmark"): 500 series — 300 latency gauges,
 * 100 request counters (50 services × code 200/500), 50 job counters that restart every 5
 * days, 50 0/1 probes — at 60 s resolution for the last 3 days (every raw window an indicator
 * or a burn rate reads is at a realistic scrape density) and 5 min for the 27 days before
 * (what the 28d SLO windows read, through rollups): 6.05 M samples. Bulk-loaded the way the
 * store's own bench does (a bare prepared insert in series order below head_from, every hour
 * marked dirty), then rollups recomputed by updateRollups(). Between passes, one more minute
 * of samples is written through the store, as collectors would, so each pass also brings the
 * current hour's rollups up to date.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sample } from '../collectors/types.js';
import { Evaluator } from '../server/evaluation/evaluator.js';
import type { AggregateSource, IndicatorSpec, OutcomeSpec } from '../server/evaluation/spec.js';
import { silentLogger } from '../server/log.js';
import type { CollectorStatus } from '../server/scheduler/types.js';
import type { Aggregation } from '../server/scoring/aggregate.js';
import { PILLARS } from '../server/scoring/types.js';
import { openStore, parseSelector } from '../server/store/index.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const END = Date.UTC(2025, 5, 30, 9, 17); // not hour-aligned, as a real "now" is
const T0 = END - 30 * DAY;
const FINE_FROM = END - 3 * DAY;
const PASSES = 10;
const TARGET_MS = 500;
const clock = () => performance.now();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// ---- series and their values (pure functions of time, so any resolution is consistent) ----
interface SeriesDef {
  name: string;
  labels: Record<string, string>;
  value: (ts: number) => number;
}
const defs: SeriesDef[] = [];
const collectorOf = (i: number) => `c${i % 10}`;
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

// ---- indicators (500) and outcomes (50) ----
const sel = (text: string) => ({ text, selector: parseSelector(text) });
const agg = (text: string, aggregation: Aggregation, windowMs: number, combine: AggregateSource['combine']): AggregateSource => ({
  kind: 'aggregate', series: sel(text), aggregation, windowMs, combine,
});
const WINDOWS = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR];
const GAUGE_AGGS: Aggregation[] = ['avg', 'p95', 'p99', 'max', 'last', 'min', 'p50'];
const indicators: IndicatorSpec[] = [];
const base = (id: string, n: number) => ({ id, title: id, pillar: PILLARS[n % PILLARS.length]!, unit: '', weight: 1 + (n % 3) });
const latency = { direction: 'max' as const, target: 0.3, warning: 0.35, critical: 0.5 };
for (let n = 0; n < 300; n++) {
  const text = n < 200 ? `bench_latency_seconds{instance="i${n}"}` : `bench_latency_seconds{service="s${n % 50}"}`;
  indicators.push({ ...base(`lat_${n}`, n), kind: 'threshold', objective: latency,
    source: agg(text, GAUGE_AGGS[n % GAUGE_AGGS.length]!, WINDOWS[n % WINDOWS.length]!, n % 2 === 0 ? 'avg' : 'max') });
}
for (let q = 0; q < 50; q++) {
  indicators.push({ ...base(`jobs_rate_${q}`, q), kind: 'threshold', objective: { direction: 'min', target: 0.1, critical: 0 },
    source: agg(`bench_jobs_total{queue="q${q}"}`, 'rate', q % 2 === 0 ? HOUR : 6 * HOUR, 'sum') });
  indicators.push({ ...base(`jobs_day_${q}`, q + 1), kind: 'threshold', objective: { direction: 'min', target: 10_000 },
    source: agg(`bench_jobs_total{queue="q${q}"}`, 'increase', DAY, 'sum') });
}
for (let s = 0; s < 50; s++) {
  indicators.push({ ...base(`errors_${s}`, s), kind: 'threshold', objective: { direction: 'max', target: 0.001, warning: 0.005, critical: 0.02 },
    source: { kind: 'ratio',
      numerator: agg(`bench_requests_total{service="s${s}",code="500"}`, 'increase', HOUR, 'sum'),
      denominator: agg(`bench_requests_total{service="s${s}"}`, 'increase', HOUR, 'sum') } });
}
for (let s = 0; s < 40; s++) {
  indicators.push({ ...base(`avail_${s}`, s), pillar: 'reliability', kind: 'slo', slo: {
    events: { kind: 'counters', bad: sel(`bench_requests_total{service="s${s}",code="500"}`), total: sel(`bench_requests_total{service="s${s}"}`) },
    objective: 0.999, windowMs: 28 * DAY, budgetWarningBelow: 0.25 } });
}
for (let g = 0; g < 10; g++) {
  indicators.push({ ...base(`probe_${g}`, g), pillar: 'reliability', kind: 'slo', slo: {
    events: { kind: 'probes', success: sel(`bench_probe_success{group="g${g}"}`) }, objective: 0.995, windowMs: 28 * DAY, budgetWarningBelow: 0.25 } });
}
const outcomes: OutcomeSpec[] = Array.from({ length: 50 }, (_, o) => ({
  id: `outcome_${o}`, title: `Outcome ${o}`, owner: 'bench',
  indicators: Array.from({ length: 10 }, (_, j) => ({ ref: indicators[o * 10 + j]!.id, weight: 1 + (j % 3), key: j === 0 })),
}));

// ---- load ----
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-bench-eval-'));
const file = path.join(dir, 'eval.db');
const results: Array<{ metric: string; value: number; unit: string; target?: string; pass?: boolean }> = [];
try {
  let t = clock();
  {
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
  }
  const loadMs = clock() - t;
  let now = END;
  const store = openStore({ path: file, now: () => now });
  t = clock();
  store.updateRollups();
  const rollupMs = clock() - t;
  const samples = defs.length * ((FINE_FROM - T0) / (5 * MINUTE) + (END - FINE_FROM) / MINUTE + 1);
  console.log(`evaluation.data  ${fmt(samples)} samples in ${defs.length} series: bare load ${(loadMs / 1000).toFixed(1)} s, rollups ${(rollupMs / 1000).toFixed(1)} s`);

  // ---- passes ----
  const collectors = (): CollectorStatus[] =>
    Array.from({ length: 10 }, (_, i) => {
      const run = { startedAt: now - 30_000, durationMs: 20, ok: true, samplesWritten: 50 };
      return { id: `c${i}`, type: 'scrape', intervalMs: MINUTE, timeoutMs: 10_000, running: false, consecutiveFailures: 0,
        nextRunAt: now + 30_000, lastRun: run, lastSuccess: run, lastError: null };
    });
  const evaluator = new Evaluator({ store, collectors, log: silentLogger, now: () => now });
  t = clock();
  const first = evaluator.setSpec({ indicators, outcomes, settings: { intervalMs: MINUTE, staleAfterFailures: 3 } });
  const firstMs = clock() - t;
  const counts: Record<string, number> = {};
  for (const i of first.indicators) counts[i.status] = (counts[i.status] ?? 0) + 1;
  const failed = first.indicators.filter((i) => i.reason.startsWith('evaluation failed'));
  if (failed.length > 0) throw new Error(`${failed.length} indicators failed, e.g. ${failed[0]!.id}: ${failed[0]!.reason}`);
  console.log(`evaluation.first_pass  ${firstMs.toFixed(0)} ms (cold statement and series caches); statuses ${JSON.stringify(counts)}`);

  const total: number[] = [];
  const engine: number[] = [];
  for (let p = 0; p < PASSES; p++) {
    now += MINUTE;
    const minute: Sample[] = defs.map((d) => ({ name: d.name, labels: d.labels, ts: now, value: d.value(now) }));
    store.writeSamples(minute);
    t = clock();
    const snap = evaluator.evaluateNow();
    total.push(clock() - t);
    engine.push(snap.durationMs);
  }
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
  const p50 = pct(total, 50);
  const p95 = pct(total, 95);
  const e50 = pct(engine, 50);
  console.log(
    `evaluation.pass  500 indicators (50 SLOs over 28d), 50 outcomes: p50 ${p50.toFixed(1)} ms  p95 ${p95.toFixed(1)} ms  ` +
      `(engine alone p50 ${e50.toFixed(1)} ms; the rest is transitions + history samples)  target <= ${TARGET_MS} ms  ${p95 <= TARGET_MS ? 'PASS' : 'MISS'}`,
  );
  results.push(
    { metric: 'evaluation pass p50', value: Number(p50.toFixed(1)), unit: 'ms', target: `<= ${TARGET_MS} ms`, pass: p50 <= TARGET_MS },
    { metric: 'evaluation pass p95', value: Number(p95.toFixed(1)), unit: 'ms', target: `<= ${TARGET_MS} ms`, pass: p95 <= TARGET_MS },
    { metric: 'evaluation engine only p50', value: Number(e50.toFixed(1)), unit: 'ms' },
    { metric: 'evaluation first pass (cold)', value: Number(firstMs.toFixed(1)), unit: 'ms' },
    { metric: 'bench data load (bare insert)', value: Number((loadMs / 1000).toFixed(1)), unit: 's' },
    { metric: 'bench data rollups', value: Number((rollupMs / 1000).toFixed(1)), unit: 's' },
  );
  evaluator.stop();
  store.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(`evaluation.peak_rss  ${peakRssMb} MB`);
console.log(`BENCH_JSON ${JSON.stringify({ name: 'evaluation', results, peakRssMb })}`);
