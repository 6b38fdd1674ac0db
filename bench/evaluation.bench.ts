/**
 * Evaluation benchmark: one full evaluation pass (engine + transitions + score history) over
 * 500 indicators and 50 outcomes against 30 days of data, p50/p95 over 10 passes.
 * `node --import tsx bench/evaluation.bench.ts`; prints figures, then `BENCH_JSON {...}`.
 *
 * Data (built by bench/support/dataset.ts, shared with api.bench.ts; documented in
 * docs/evaluation.md, "Benchmark"): 500 series — 300 latency gauges,
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
import { Evaluator } from '../server/evaluation/evaluator.js';
import { evaluationTables } from '../server/evaluation/tables.js';
import { silentLogger } from '../server/log.js';
import { openStore } from '../server/store/index.js';
import { benchCollectors, bulkLoad, defs, END, indicators, MINUTE, minuteSamples, outcomes, SAMPLE_COUNT } from './support/dataset.js';
import { systemClock } from '../server/clock.js';

const PASSES = 10;
const TARGET_MS = 500;
const clock = () => performance.now();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// ---- load ----
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-bench-eval-'));
const file = path.join(dir, 'eval.db');
const results: Array<{ metric: string; value: number; unit: string; target?: string; pass?: boolean }> = [];
try {
  const loadMs = bulkLoad(file);
  let now = END;
  const store = openStore({ path: file, now: () => now });
  let t = clock();
  store.updateRollups();
  const rollupMs = clock() - t;
  console.log(`evaluation.data  ${fmt(SAMPLE_COUNT)} samples in ${defs.length} series: bare load ${(loadMs / 1000).toFixed(1)} s, rollups ${(rollupMs / 1000).toFixed(1)} s`);

  // ---- passes ----
  const collectors = () => benchCollectors(now);
  const evaluator = new Evaluator({ store, tables: evaluationTables(store), collectors, log: silentLogger, clock: { ...systemClock, now: () => now } });
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
    store.writeSamples(minuteSamples(now));
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
