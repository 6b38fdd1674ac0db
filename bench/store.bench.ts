/**
 * Store benchmark (issue 13): ingest through the collector path and through bulk writes of
 * history, bytes per sample on disk (whole file after a checkpoint, rollups included, and
 * per table from dbstat), range queries, RSS; each ingest figure against a bare prepared
 * insert measured in the same run. Data: issue 13's shape, 100 series × 30 days at 60 s
 * (4.32 M samples), values (a) of bench/support/dataset.ts (every 5th series: latency gauges,
 * request counters, resetting job counters, probes) and (a′) `sin(m/60 + k)·100 + m mod 7`
 * (noise no exact code compresses), plus a real node_exporter page's series.
 * `node --import tsx bench/store.bench.ts` (~2–3 minutes); prints figures, then `BENCH_JSON {...}`.
 * BENCH_QUICK=1 uses 3 days instead of 30.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseExposition } from '../collectors/exposition.js';
import type { Sample } from '../collectors/types.js';
import { openStore, parseSelector, type Store } from '../server/store/index.js';
import { startNodeExporter } from '../test/support/real-binaries.js';
import { defs } from './support/dataset.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const DAYS = process.env.BENCH_QUICK ? 3 : 30;
const END = Date.UTC(2025, 5, 30);
const T0 = END - DAYS * DAY;
const SERIES = 100;
const PER_SERIES = (END - T0) / MINUTE;
const TOTAL = SERIES * PER_SERIES;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-bench-store-'));
const results: Array<{ metric: string; value: number; unit: string; target?: string; pass?: boolean }> = [];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const f2 = (n: number) => n.toFixed(2);
const now = () => performance.now();
const PROMETHEUS_BPS = 7.2; // issue 13, same data shape
const VM_BPS = 6.34;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

type ValueFn = (k: number, ts: number) => number;
const datasetValue: ValueFn = (k, ts) => defs[k * 5]!.value(ts);
const noisyValue: ValueFn = (k, ts) => {
  const m = (ts - T0) / MINUTE;
  return Math.sin(m / 60 + k + 1) * 100 + (m % 7);
};
// Frozen, one object per series, as an importer keeps them: the store resolves them by identity.
const labelsOf = Array.from({ length: SERIES }, (_, k) => Object.freeze({ k: String(k) }));

/** The data set in batches of `size`, series after series (as an exposition dump lists it) or minute after minute. */
function* batches(value: ValueFn, size: number, order: 'series' | 'time'): Generator<Sample[]> {
  let batch: Sample[] = [];
  const push = (k: number, i: number) => {
    const ts = T0 + i * MINUTE;
    batch.push({ name: 'bench_store', labels: labelsOf[k]!, ts, value: value(k, ts) });
    if (batch.length === size) {
      const b = batch;
      batch = [];
      return b;
    }
    return undefined;
  };
  if (order === 'series') {
    for (let k = 0; k < SERIES; k++) for (let i = 0; i < PER_SERIES; i++) {
      const b = push(k, i);
      if (b) yield b;
    }
  } else {
    for (let i = 0; i < PER_SERIES; i++) for (let k = 0; k < SERIES; k++) {
      const b = push(k, i);
      if (b) yield b;
    }
  }
  if (batch.length) yield batch;
}

function tableBytes(store: Store): Map<string, number> {
  const rows = store.db.prepare('SELECT name, sum(pgsize) AS b FROM dbstat GROUP BY name ORDER BY b DESC').raw().all() as Array<[string, number]>;
  return new Map(rows);
}

/** Loads the data set through writeSamples + updateRollups; returns rates and the store (open). */
function load(file: string, value: ValueFn, size: number, order: 'series' | 'time') {
  const store = openStore({ path: file, now: () => END });
  let writeMs = 0;
  for (const b of batches(value, size, order)) {
    const t = now();
    store.writeSamples(b);
    writeMs += now() - t;
  }
  const t = now();
  store.updateRollups();
  const rollupMs = now() - t;
  return { store, writeMs, rollupMs };
}

/** The baseline: a bare prepared insert of the same batches into a (series_id, ts, value) table, one transaction per batch. */
function bareLoad(file: string, value: ValueFn, size: number, order: 'series' | 'time'): number {
  const store = openStore({ path: file, now: () => END });
  const db = store.db;
  const ins = db.prepare('INSERT INTO samples (series_id, ts, value) VALUES (?, ?, ?)');
  const tx = db.transaction((b: Sample[]) => {
    for (const s of b) ins.run(Number(s.labels.k) + 1, s.ts, s.value);
  });
  let ms = 0;
  for (const b of batches(value, size, order)) {
    const t = now();
    tx(b);
    ms += now() - t;
  }
  store.close();
  return ms;
}

function diskReport(label: string, store: Store, file: string, samples: number): number {
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const bytes = fs.statSync(file).size;
  const bps = bytes / samples;
  const tables = tableBytes(store);
  const per = [...tables].filter(([, b]) => b >= 8192).map(([n, b]) => `${n} ${f2(b / samples)}`).join(', ');
  console.log(
    `store.disk ${label}: ${f2(bps)} bytes/sample whole file (${fmt(bytes)} bytes, ${fmt(samples)} samples); vs Prometheus ${PROMETHEUS_BPS} ratio ${f2(bps / PROMETHEUS_BPS)}, vs VictoriaMetrics ${VM_BPS} ratio ${f2(bps / VM_BPS)}`,
  );
  console.log(`store.disk ${label} per table (bytes/sample, dbstat): ${per}`);
  return bps;
}

function timeQuery(fn: () => unknown, reps = 30): { p50: number; p95: number } {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = now();
    fn();
    times.push(now() - t);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

/**
 * The collector path: one run of `series` samples per minute through recordRun, against the
 * bare prepared inserts of the same rows into the head table and the run row, one
 * transaction per run (the fastest any store of this schema could be).
 */
function collectorPath(series: number, runs: number) {
  const store = openStore({ path: path.join(dir, `collect-${series}.db`), now: () => END });
  const bare = openStore({ path: path.join(dir, `collect-bare-${series}.db`), now: () => END });
  const ins = bare.db.prepare('INSERT INTO samples_head (series_id, ts, value) VALUES (?, ?, ?)');
  const runInsert = bare.db.prepare('INSERT INTO collector_runs (collector_id, started_at, duration_ms, ok, samples_written) VALUES (?, ?, ?, 1, ?)');
  const bareRun = bare.db.transaction((b: Sample[], ts: number) => {
    for (let i = 0; i < b.length; i++) ins.run(i + 1, b[i]!.ts, b[i]!.value);
    runInsert.run('bench', ts, 1, b.length);
  });
  const names = Array.from({ length: series }, (_, i) => ({ name: `bench_c_${i % 20}`, labels: { instance: `host-${i}:9100`, job: 'node' } }));
  const batch = (r: number): Sample[] => names.map((n, i) => ({ name: n.name, labels: { ...n.labels }, ts: T0 + r * MINUTE, value: datasetValue(i % SERIES, T0 + r * MINUTE) }));
  let storeMs = 0;
  let bareMs = 0;
  /** Each run's own time: a write that takes a compaction step holds the writing thread longer. */
  const writes: number[] = [];
  for (let block = 0; block < runs; block += 50) {
    const a = Array.from({ length: 50 }, (_, k) => batch(block + k));
    const b = Array.from({ length: 50 }, (_, k) => batch(block + k));
    let t = now();
    for (const [k, s] of a.entries()) {
      const w = now();
      store.recordRun({ collectorId: 'bench', startedAt: T0 + (block + k) * MINUTE, durationMs: 1, ok: true, samplesWritten: s.length }, s);
      writes.push(now() - w);
    }
    storeMs += now() - t;
    t = now();
    for (const [k, s] of b.entries()) bareRun(s, T0 + (block + k) * MINUTE);
    bareMs += now() - t;
    if (block % 500 === 0) store.updateRollups();
  }
  store.close();
  bare.close();
  const n = series * runs;
  return { rate: n / (storeMs / 1000), bare: n / (bareMs / 1000), p99: percentile(writes, 99), worst: Math.max(...writes) };
}

async function nodeExporterSeries(scrapes: number): Promise<Sample[][]> {
  const ne = await startNodeExporter();
  const runs: Sample[][] = [];
  try {
    const start = Date.now();
    const base = Math.floor(start / 15_000) * 15_000;
    for (let k = 0; k < scrapes; k++) {
      const due = start + k * 250;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      const jitter = Date.now() - due; // the real lateness of this scrape, in ms
      const { samples } = parseExposition(await (await fetch(ne.url)).text());
      runs.push(samples.map((s) => ({ name: s.name, labels: s.labels, ts: base + k * 15_000 + jitter, value: s.value })));
    }
  } finally {
    await ne.stop();
  }
  return runs;
}

async function main(): Promise<void> {
  // ---- collector path ----
  for (const [series, runs] of [[100, 3000], [2000, 300]] as const) {
    const c = collectorPath(series, runs);
    const pass = series === 100 ? c.rate >= 150_000 : undefined;
    console.log(
      `store.collect ${series} series/run: ${fmt(c.rate)} samples/s  bare insert into the head ${fmt(c.bare)}  ratio ${f2(c.rate / c.bare)}` +
        (pass === undefined ? '' : `  (target >=150k)  ${pass ? 'PASS' : 'MISS'}`),
    );
    // Issue 12 item 8: nothing holds serve's HTTP thread (where collectors write) > 50 ms.
    console.log(`store.collect ${series} series/run: one run's write p99 ${f2(c.p99)} ms, worst ${f2(c.worst)} ms (compaction steps included; target <= 50 ms)`);
    results.push(
      { metric: `collector path ${series}-sample runs samples/s`, value: Math.round(c.rate), unit: 'samples/s', ...(pass === undefined ? {} : { target: '>=150000', pass }) },
      { metric: `bare insert ${series}-sample runs samples/s`, value: Math.round(c.bare), unit: 'samples/s' },
      { metric: `collector path ${series}-sample runs, worst single write`, value: Number(f2(c.worst)), unit: 'ms', target: '<=50', pass: c.worst <= 50 },
    );
  }

  // ---- bulk history: the data set through writeSamples + updateRollups ----
  let kept: { store: Store; file: string } | undefined;
  for (const [size, order] of [[10_000, 'series'], [100_000, 'time']] as const) {
    const file = path.join(dir, `import-${size}-${order}.db`);
    const r = load(file, datasetValue, size, order);
    const bareMs = bareLoad(path.join(dir, `bare-${size}-${order}.db`), datasetValue, size, order);
    const rate = TOTAL / ((r.writeMs + r.rollupMs) / 1000);
    const bareRate = TOTAL / (bareMs / 1000);
    console.log(
      `store.import ${fmt(size)}-sample batches (${order} order): ${fmt(rate)} samples/s end to end (writeSamples ${fmt(TOTAL / (r.writeMs / 1000))}/s, updateRollups ${(r.rollupMs / 1000).toFixed(1)} s)  bare insert ${fmt(bareRate)}  ratio ${f2(rate / bareRate)}`,
    );
    results.push(
      { metric: `import ${size / 1000}k ${order}-order samples/s`, value: Math.round(rate), unit: 'samples/s', target: '>=2000000', pass: rate >= 2_000_000 },
      { metric: `bare insert ${size / 1000}k batches samples/s`, value: Math.round(bareRate), unit: 'samples/s' },
    );
    if (!kept) kept = { store: r.store, file };
    else r.store.close();
  }

  // ---- bytes on disk ----
  const bpsA = diskReport('(a) data set values', kept!.store, kept!.file, TOTAL);
  results.push({ metric: 'bytes/sample whole file (a)', value: Number(f2(bpsA)), unit: 'bytes', target: `<=${VM_BPS}`, pass: bpsA <= VM_BPS });
  {
    const file = path.join(dir, 'noisy.db');
    const r = load(file, noisyValue, 10_000, 'series');
    const bps = diskReport("(a') sin noise values", r.store, file, TOTAL);
    results.push({ metric: "bytes/sample whole file (a') noise", value: Number(f2(bps)), unit: 'bytes' });
    r.store.close();
  }

  // ---- queries on (a) ----
  const q = kept!.store;
  const sel = parseSelector('bench_store');
  const one = parseSelector('bench_store{k="7"}');
  const queries: Array<[string, () => unknown]> = [
    ['30 d x 100 series, 1 h', () => q.querySeries(sel, { from: T0, to: END - 1, step: HOUR })],
    ['7 d x 100 series, 1 h', () => q.querySeries(sel, { from: END - 7 * DAY, to: END - 1, step: HOUR })],
    ['24 h x 1 series, raw 60 s', () => q.querySeries(one, { from: END - DAY, to: END - 1, step: MINUTE })],
    ['30 d x 1 series, 1 h', () => q.querySeries(one, { from: T0, to: END - 1, step: HOUR })],
  ];
  const check = q.querySeries(one, { from: END - DAY, to: END - 1, step: MINUTE });
  if (check.series[0]?.points.length !== Math.min(DAY / MINUTE, PER_SERIES)) throw new Error('raw query returned the wrong shape');
  for (const [name, fn] of queries) {
    const { p50, p95 } = timeQuery(fn);
    console.log(`store.query ${name}: p50 ${p50.toFixed(2)} ms  p95 ${p95.toFixed(2)} ms`);
    results.push({ metric: `query ${name} p50`, value: Number(p50.toFixed(3)), unit: 'ms' }, { metric: `query ${name} p95`, value: Number(p95.toFixed(3)), unit: 'ms' });
  }
  q.close();
  // RSS of a fresh process that opens the store and runs the same queries (what a server adds
  // on top of its HTTP layer), so the data generation above does not count.
  const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--rss-child', kept!.file], { encoding: 'utf8' });
  const rss = Number(/RSS_MB (\d+(\.\d+)?)/.exec(child.stdout)?.[1]);
  const before = Number(/RSS_BEFORE_MB (\d+(\.\d+)?)/.exec(child.stdout)?.[1]);
  if (!Number.isFinite(rss)) throw new Error(`the RSS child failed: ${child.stderr}`);
  console.log(
    `store.rss after the queries: ${rss.toFixed(0)} MB (a fresh tsx process: store opened, every query above 30x; ${before.toFixed(0)} MB of it before the store was opened)  Prometheus 108 MB  ratio ${f2(rss / 108)}`,
  );
  results.push({ metric: 'RSS added by the store and queries', value: Math.round(rss - before), unit: 'MB' });
  results.push({ metric: 'RSS after queries (store process)', value: Math.round(rss), unit: 'MB', target: '<=108', pass: rss <= 108 });

  // ---- a real node_exporter page ----
  const runs = await nodeExporterSeries(240);
  const file = path.join(dir, 'node.db');
  const ne = openStore({ path: file, now: () => END });
  let neSamples = 0;
  for (const s of runs) {
    ne.recordRun({ collectorId: 'node', startedAt: s[0]!.ts, durationMs: 1, ok: true, samplesWritten: s.length }, s);
    neSamples += s.length;
  }
  ne.compactHead(0);
  ne.db.pragma('wal_checkpoint(TRUNCATE)');
  const chunkBytes = tableBytes(ne).get('sample_chunks') ?? 0;
  const payload = ne.db.prepare('SELECT sum(length(data)) FROM sample_chunks').pluck().get() as number;
  console.log(
    `store.disk node_exporter: ${runs[0]!.length} series x ${runs.length} scrapes (15 s apart, real timer jitter): chunk payload ${f2(payload / neSamples)} bytes/sample, sample_chunks pages ${f2(chunkBytes / neSamples)} bytes/sample`,
  );
  results.push({ metric: 'node_exporter chunk payload bytes/sample', value: Number(f2(payload / neSamples)), unit: 'bytes' });
  ne.close();
}

function rssChild(file: string): void {
  console.log(`RSS_BEFORE_MB ${(process.memoryUsage().rss / 1e6).toFixed(1)}`);
  const store = openStore({ path: file, now: () => END });
  const sel = parseSelector('bench_store');
  const one = parseSelector('bench_store{k="7"}');
  for (let i = 0; i < 30; i++) {
    store.querySeries(sel, { from: T0, to: END - 1, step: HOUR });
    store.querySeries(sel, { from: END - 7 * DAY, to: END - 1, step: HOUR });
    store.querySeries(one, { from: END - DAY, to: END - 1, step: MINUTE });
    store.querySeries(one, { from: T0, to: END - 1, step: HOUR });
  }
  console.log(`RSS_MB ${(process.memoryUsage().rss / 1e6).toFixed(1)}`);
  store.close();
}

if (process.argv[2] === '--rss-child') rssChild(process.argv[3]!);
else main()
  .finally(() => fs.rmSync(dir, { recursive: true, force: true }))
  .then(() => {
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    console.log(`store.peak_rss  ${peakRssMb} MB`);
    console.log(`BENCH_JSON ${JSON.stringify({ name: 'store', results, peakRssMb })}`);
  });
