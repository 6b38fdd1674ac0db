/**
 * Backfill benchmark: 100 series × 30 days at 60 s (4.32 million samples) from a real
 * Prometheus into a fresh store, as `pillarboard backfill --since 30d` does it — query_range
 * in bounded chunks, samples labelled and written with their progress, rollups built.
 * Baseline, measured in the same run: the bare fetch of the same data (same requests,
 * fetch + JSON.parse, nothing stored), i.e. what Prometheus and HTTP alone cost.
 * Setup (not timed): the history is written as OpenMetrics and turned into TSDB blocks by
 * `promtool tsdb create-blocks-from openmetrics`. Target: under 60 s on the 2-core CI machine.
 * `node --import tsx bench/backfill.bench.ts`; prints figures, then `BENCH_JSON {...}`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { collectorRegistry } from '../collectors/index.js';
import { prometheus } from '../collectors/prometheus.js';
import { POINTS_PER_REQUEST } from '../collectors/prometheus-backfill.js';
import { Backfiller } from '../server/backfill/index.js';
import { silentLogger } from '../server/log.js';
import type { ScheduledCollector } from '../server/scheduler/index.js';
import { openStore } from '../server/store/index.js';
import { createPrometheusHistory } from '../test/support/prometheus-history.js';
import { startPrometheus } from '../test/support/real-binaries.js';
import { systemClock } from '../server/clock.js';

const SERIES = 100;
const STEP = 60_000;
const DAY = 86_400_000;
const SPAN = 30 * DAY;
const TARGET_S = 60;
const results: Array<{ metric: string; value: number; unit: string; target?: string; pass?: boolean }> = [];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sec = (ms: number) => (ms / 1000).toFixed(2);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-bench-backfill-'));
  const end = Math.floor(Date.now() / STEP) * STEP;
  let prom: Awaited<ReturnType<typeof startPrometheus>> | undefined;
  try {
    let t = performance.now();
    const { dataDir, points } = await createPrometheusHistory(
      dir,
      Array.from({ length: SERIES }, (_, k) => ({
        name: 'bench_metric',
        type: 'gauge' as const,
        labels: { instance: `host-${k}` },
        value: (i: number) => (i * 7 + k) % 101,
      })),
      { from: end - SPAN - DAY, to: end, stepMs: STEP },
    );
    console.log(`backfill.setup  ${fmt(points)} points written by promtool in ${sec(performance.now() - t)} s (not timed below)`);
    prom = await startPrometheus({ scrapeTargets: [], dataDir });

    // Baseline: the same requests the backfill makes (100 series → 1,000 points per series each), fetched and parsed only.
    const perRequest = Math.floor(POINTS_PER_REQUEST / SERIES) * STEP;
    const from = Math.ceil((Date.now() - SPAN) / STEP) * STEP;
    t = performance.now();
    let fetched = 0;
    for (let start = from; start <= end; start += perRequest) {
      const params = new URLSearchParams({ query: 'bench_metric', start: String(start / 1000), end: String(Math.min(end, start + perRequest - STEP) / 1000), step: '60' });
      const res = await fetch(`${prom.url}/api/v1/query_range`, { method: 'POST', body: params });
      const body = (await res.json()) as { data: { result: Array<{ values: unknown[] }> } };
      for (const r of body.data.result) fetched += r.values.length;
    }
    const baselineMs = performance.now() - t;
    console.log(`backfill.baseline  bare query_range fetch + JSON.parse: ${fmt(fetched)} points in ${sec(baselineMs)} s (${fmt(fetched / (baselineMs / 1000))} points/s)`);

    const store = openStore({ path: path.join(dir, 'pb.db'), now: Date.now });
    store.applyRetention(); // raw retention 15 d, as serve sets it: the older half goes straight into hourly rollups
    const collector: ScheduledCollector = {
      id: 'prom',
      type: 'prometheus',
      intervalMs: STEP,
      timeoutMs: 10_000,
      jitter: 0,
      labels: {},
      config: prometheus.config.parse({ url: prom.url, queries: { bench: 'bench_metric' } }),
    };
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    t = performance.now();
    const [r] = await new Backfiller({ store, registry: collectorRegistry, log: silentLogger, clock: systemClock }).run([collector], [], { sinceMs: SPAN });
    const wallMs = performance.now() - t;
    loop.disable();
    if (r?.error) throw new Error(`backfill failed: ${r.error}`);
    const samples = r!.samples;
    const rate = samples / (wallMs / 1000);
    const maxBlockMs = loop.max / 1e6;
    const pass = wallMs / 1000 < TARGET_S;
    console.log(
      `backfill.run  ${SERIES} series x 30 d at 60 s: ${fmt(samples)} samples in ${sec(wallMs)} s = ${fmt(rate)} samples/s ` +
        `(${(wallMs / baselineMs).toFixed(2)}x the bare fetch)  longest event-loop stall ${maxBlockMs.toFixed(0)} ms  (target < ${TARGET_S} s)  ${pass ? 'PASS' : 'MISS'}`,
    );
    const [series] = store.findSeries({ name: 'bench', matchers: [] });
    const hours = store.rollupHours(series!.id, from, end);
    console.log(`backfill.check  ${store.findSeries({ name: 'bench', matchers: [] }).length} series stored; ${hours.length} hourly rollups for one of them`);
    store.close();
    results.push(
      { metric: 'backfill 100x30d@60s wall', value: Number(sec(wallMs)), unit: 's', target: `<${TARGET_S}`, pass },
      { metric: 'backfill samples/s', value: Math.round(rate), unit: 'samples/s' },
      { metric: 'backfill / bare fetch', value: Number((wallMs / baselineMs).toFixed(2)), unit: 'ratio' },
      { metric: 'bare query_range fetch (baseline)', value: Number(sec(baselineMs)), unit: 's' },
      { metric: 'longest event-loop stall', value: Math.round(maxBlockMs), unit: 'ms' },
    );
  } finally {
    await prom?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(`backfill.peak_rss  ${peakRssMb} MB`);
  console.log(`BENCH_JSON ${JSON.stringify({ name: 'backfill', results, peakRssMb })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
