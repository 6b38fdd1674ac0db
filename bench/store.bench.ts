/**
 * Store benchmark: ingest through the store's batch path against a bare prepared
 * insert into `samples`, the cost of keeping rollups up to date, and a 30-day
 * range query through packed rollups against a raw scan. Finishes in ~30 s.
 * `node --import tsx bench/store.bench.ts`; prints figures, then `BENCH_JSON {...}`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sample } from '../collectors/types.js';
import { openStore, parseSelector } from '../server/store/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 0, 1);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-bench-store-'));
const results: Array<{ metric: string; value: number; unit: string; target?: string; pass?: boolean }> = [];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => n.toFixed(1);
const now = () => performance.now();

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

// ---- ingest: 2,000 series x 1 sample per run, a collector run every 15 s ----
const SERIES = 2000;
const WARMUP_RUNS = 10;
/** Runs WARMUP..HEADLINE are the headline figure (the brief's setup). */
const HEADLINE_RUNS = 160;
/** Runs HEADLINE..RUNS show the steady state, once every series spans pages of its own. */
const RUNS = 400;
const labelsets = Array.from({ length: SERIES }, (_, i) => ({
  name: `bench_metric_${i % 20}`,
  labels: { instance: `host-${Math.floor(i / 20) % 50}:9100`, job: 'node', shard: String(Math.floor(i / 1000)) },
}));
/** A fresh batch per run, as a collector returns it (objects built outside the timings). */
const batch = (run: number): Sample[] =>
  labelsets.map((l, i) => ({ name: l.name, labels: { ...l.labels }, ts: T0 + run * 15_000, value: (i * 7 + run) % 101 }));
/** Bytes this process has written (Linux), to show write amplification; NaN elsewhere. */
const written = (): number => {
  try {
    return Number(/wchar: (\d+)/.exec(fs.readFileSync('/proc/self/io', 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
};

try {
  const store = openStore({ path: path.join(dir, 'ingest.db'), now: () => T0 + DAY });
  const bareStore = openStore({ path: path.join(dir, 'bare.db'), now: () => T0 + DAY });
  // The baseline: a bare prepared insert into `samples` (same schema and pragmas), one transaction per run.
  const bare = bareStore.db;
  const bareInsert = bare.prepare('INSERT INTO samples (series_id, ts, value) VALUES (?, ?, ?)');
  const bareBatch = bare.transaction((samples: Sample[]) => {
    for (let i = 0; i < samples.length; i++) bareInsert.run(i + 1, samples[i]!.ts, samples[i]!.value);
  });
  const phase = () => ({ storeMs: 0, bareMs: 0, storeBytes: 0, bareBytes: 0, runs: 0 });
  const headline = phase();
  const steady = phase();
  let rollupMs = 0;
  let rollupSamples = 0;
  // Interleaved in blocks of 10 runs so both paths see the same machine state.
  for (let block = 0; block < RUNS; block += 10) {
    const runs = Array.from({ length: 10 }, (_, k) => batch(block + k));
    const bareRuns = Array.from({ length: 10 }, (_, k) => batch(block + k));
    let w = written();
    let t = now();
    for (const [k, samples] of runs.entries()) {
      store.recordRun({ collectorId: 'bench', startedAt: T0 + (block + k) * 15_000, durationMs: 3, ok: true, samplesWritten: SERIES }, samples);
    }
    const s = now() - t;
    const sBytes = written() - w;
    w = written();
    t = now();
    for (const samples of bareRuns) bareBatch(samples);
    const b = now() - t;
    const bBytes = written() - w;
    t = now();
    store.updateRollups(); // every 10 runs = every 2.5 min of data
    const r = now() - t;
    const into = block < WARMUP_RUNS ? undefined : block < HEADLINE_RUNS ? headline : steady;
    if (!into) continue;
    into.storeMs += s;
    into.bareMs += b;
    into.storeBytes += sBytes;
    into.bareBytes += bBytes;
    into.runs += 10;
    if (into === headline) {
      rollupMs += r;
      rollupSamples += 10 * SERIES;
    }
  }
  const rate = (runs: number, msTotal: number) => (runs * SERIES) / (msTotal / 1000);
  const storeRate = rate(headline.runs, headline.storeMs);
  const bareRate = rate(headline.runs, headline.bareMs);
  const ratio = storeRate / bareRate;
  const ingestPass = storeRate >= 250_000 && ratio >= 0.6;
  console.log(
    `store.ingest  ${fmt(storeRate)} samples/s  bare ${fmt(bareRate)}  ratio ${ratio.toFixed(2)}  (target >=250k, >=0.6)  ${ingestPass ? 'PASS' : 'MISS'}`,
  );
  const steadyStore = rate(steady.runs, steady.storeMs);
  const steadyBare = rate(steady.runs, steady.bareMs);
  const perSample = (bytes: number, runs: number) => bytes / (runs * SERIES);
  console.log(
    `store.ingest_steady  runs ${HEADLINE_RUNS}-${RUNS}: ${fmt(steadyStore)} samples/s  bare ${fmt(steadyBare)}  ratio ${(steadyStore / steadyBare).toFixed(2)}` +
      `  bytes written/sample ${fmt(perSample(steady.storeBytes, steady.runs))} vs bare ${fmt(perSample(steady.bareBytes, steady.runs))}  (informational)`,
  );
  const rollupRate = rollupSamples / (rollupMs / 1000);
  console.log(`store.rollup_update  ${fmt(rollupRate)} samples/s  (updateRollups every 10 runs of ${SERIES} series; not included in ingest)`);
  results.push(
    { metric: 'ingest samples/s (recordRun)', value: Math.round(storeRate), unit: 'samples/s', target: '>=250000', pass: storeRate >= 250_000 },
    { metric: 'ingest bare insert samples/s', value: Math.round(bareRate), unit: 'samples/s' },
    { metric: 'ingest ratio store/bare', value: Number(ratio.toFixed(3)), unit: 'ratio', target: '>=0.6', pass: ratio >= 0.6 },
    { metric: 'ingest steady samples/s', value: Math.round(steadyStore), unit: 'samples/s' },
    { metric: 'ingest steady bare samples/s', value: Math.round(steadyBare), unit: 'samples/s' },
    { metric: 'ingest steady bytes written/sample', value: Math.round(perSample(steady.storeBytes, steady.runs)), unit: 'bytes' },
    { metric: 'ingest steady bare bytes written/sample', value: Math.round(perSample(steady.bareBytes, steady.runs)), unit: 'bytes' },
    { metric: 'updateRollups samples/s (incremental)', value: Math.round(rollupRate), unit: 'samples/s' },
  );
  store.close();
  bareStore.close();

  // ---- range query: 100 series x 30 days of 60 s samples ----
  const QS = 100;
  const DAYS = 30;
  const file = path.join(dir, 'range.db');
  let build = now();
  {
    const s = openStore({ path: file, now: () => T0 + DAYS * DAY });
    s.writeSamples(Array.from({ length: QS }, (_, i) => ({ name: 'bench_q', labels: { i: String(i) }, ts: T0, value: 0 })));
    s.close(); // series 1..100 exist, hour T0 rolled up
    const db = openStore({ path: file, now: () => T0 + DAYS * DAY }).db;
    const ins = db.prepare('INSERT OR REPLACE INTO samples (series_id, ts, value) VALUES (?, ?, ?)');
    const perSeries = db.transaction((sid: number) => {
      for (let m = 0; m < DAYS * 1440; m++) ins.run(sid, T0 + m * 60_000, Math.sin(m / 60 + sid) * 100 + (m % 7));
    });
    for (let sid = 1; sid <= QS; sid++) perSeries(sid);
    // Bulk-loaded behind the store's back, as an import would: below head_from (so
    // the rows belong in `samples`), and every hour marked dirty, as a crash leaves it.
    const mark = db.prepare('INSERT OR IGNORE INTO rollup_dirty (hour) VALUES (?)');
    db.transaction(() => {
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('head_from', ?)").run(String(T0 + DAYS * DAY));
      db.prepare('DELETE FROM samples_head').run();
      for (let h = 0; h < DAYS * 24; h++) mark.run(T0 / HOUR + h);
    })();
    db.close();
  }
  const loadMs = now() - build;
  build = now();
  const q = openStore({ path: file, now: () => T0 + DAYS * DAY });
  const rebuilt = q.updateRollups();
  const rebuildMs = now() - build;
  const total = QS * DAYS * 1440;
  console.log(
    `store.range_data  ${fmt(total)} samples: bare load ${ms(loadMs / 1000)} s; rollups recomputed from raw in ${ms(rebuildMs / 1000)} s (${fmt(total / (rebuildMs / 1000))} samples/s, ${fmt(rebuilt.seriesDays)} series-days)`,
  );
  results.push({ metric: 'rollup full recompute samples/s', value: Math.round(total / (rebuildMs / 1000)), unit: 'samples/s' });

  const sel = parseSelector('bench_q');
  const range = { from: T0, to: T0 + DAYS * DAY - 1, step: HOUR };
  const check = q.querySeries(sel, { ...range, source: 'rollup' });
  if (check.series.length !== QS || check.series.some((s) => s.points.length !== DAYS * 24)) {
    throw new Error('range query returned the wrong shape');
  }
  for (let i = 0; i < 3; i++) q.querySeries(sel, { ...range, source: 'rollup' });
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = now();
    q.querySeries(sel, { ...range, source: 'rollup' });
    times.push(now() - t);
  }
  const p50 = percentile(times, 50);
  const p95 = percentile(times, 95);
  const rawTimes: number[] = [];
  for (let i = 0; i < 2; i++) {
    const t = now();
    q.querySeries(sel, { ...range, source: 'raw' });
    rawTimes.push(now() - t);
  }
  const rawMs = Math.min(...rawTimes);
  console.log(
    `store.range_query  100 series x 30 d, 1 h step: rollups p50 ${ms(p50)} ms  p95 ${ms(p95)} ms  raw scan ${fmt(rawMs)} ms  (target p50 <=20 ms)  ${p50 <= 20 ? 'PASS' : 'MISS'}`,
  );
  results.push(
    { metric: 'range 100x30d 1h rollup p50', value: Number(p50.toFixed(2)), unit: 'ms', target: '<=20', pass: p50 <= 20 },
    { metric: 'range 100x30d 1h rollup p95', value: Number(p95.toFixed(2)), unit: 'ms' },
    { metric: 'range 100x30d 1h raw scan', value: Math.round(rawMs), unit: 'ms' },
  );
  q.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(`store.peak_rss  ${peakRssMb} MB`);
console.log(`BENCH_JSON ${JSON.stringify({ name: 'store', results, peakRssMb })}`);
