/**
 * Issue 13 item 6, measured and extrapolated: 5,000 series at 15 s with the default retention
 * (15 days raw, 400 days hourly). Method (docs/benchmarks.md, "Scale"):
 *
 * A. Ingest at full series count over a short span (2 h, --scale-hours; --small: 20 min): every 15 s, 50
 *    collector runs of 100 samples each through `recordRun` (the collector path), rollups brought
 *    up to date every 30 s as `serve` does, then the store closed. CPU time (user + system of
 *    this process, around the store calls only) per sample; the database's raw bytes (SQLite
 *    dbstat: the sample tables and their indexes) split into the head (one row per sample,
 *    bounded) and the rest, per sample of the rest; and the series tables' bytes.
 * B. 30 days of hourly rollups at full series count (--small: 5 days): one sample per series and
 *    hour written oldest first, rollups updated, retention applied (raw beyond 15 days deleted).
 *    Rollup bytes per series-day; then `pillarboard serve` on it and, interleaved, 30
 *    repetitions of the 30-day hourly query over 100 of the 5,000 series (one dashboard chart)
 *    and 10 over 1,000 (the API's most): p50 / p95 over HTTP with gzip.
 * Extrapolation: disk = raw B/sample outside the head × 5,000 × 86,400 (15 d at 15 s) + the
 * head as measured + rollup B/series-day × 5,000 × 400 + series bytes. CPU per sample is taken as is (per-sample costs do not grow with
 * the span once series exist; the raw head stays bounded).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Sample } from '../../collectors/types.js';
import { openStore } from '../../server/store/index.js';
import { DAY, HOUR, scaleSeries } from './versus-data.js';
import { dbBytes } from './versus-disk.js';
import { timedGet } from './versus-http.js';
import { pillarboardEnv, startPillarboard } from './versus-load.js';

const SERIES = 5_000;
const STEP = 15_000;
const PER_BATCH = 100;
const RAW_DAYS = 15;
const HOURLY_DAYS = 400;
const TARGET_BYTES = 2e9;
const TARGET_P95_MS = 100;

type Result = { metric: string; value: number; unit: string; target?: string; pass?: boolean };
interface Ctx {
  small: boolean;
  /** Ingest span of part A (hours). */
  hours: number;
  /** Repetitions of the 100-series query (the 1,000-series one gets a third of them). */
  reps: number;
  root: string;
  out: (s?: string) => void;
  results: Result[];
  phase: <T>(name: string, fn: () => Promise<T> | T) => Promise<T>;
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
function pct(xs: number[], p: number): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const cpuMicros = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

export async function runScale(dir: string, ctx: Ctx): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const { out, results } = ctx;
  const defs = scaleSeries(SERIES);
  const spanMs = ctx.small ? 20 * 60_000 : ctx.hours * HOUR;
  const ticks = spanMs / STEP;

  // ---- A: ingest ----
  const a = await ctx.phase(`scale A: ${fmt(SERIES)} series × ${spanMs / 60_000} min at 15 s through recordRun`, () => {
    const file = path.join(dir, 'ingest.db');
    const start = Math.floor(Date.now() / HOUR) * HOUR - spanMs;
    let now = start;
    const store = openStore({ path: file, now: () => now });
    let cpu = 0;
    let wall = 0;
    let samples = 0;
    try {
      for (let k = 0; k < ticks; k++) {
        now = start + k * STEP;
        const batches: Sample[][] = [];
        for (let b = 0; b < SERIES / PER_BATCH; b++) {
          const batch: Sample[] = [];
          for (let j = b * PER_BATCH; j < (b + 1) * PER_BATCH; j++) {
            const d = defs[j]!;
            batch.push({ name: d.name, labels: { ...d.labels }, ts: now, value: d.value(now) });
          }
          batches.push(batch);
        }
        const c0 = cpuMicros();
        const t0 = performance.now();
        batches.forEach((batch, b) => store.recordRun({ collectorId: `c${b}`, startedAt: now, durationMs: 5, ok: true, samplesWritten: batch.length }, batch));
        if (k % 2 === 1) store.updateRollups();
        wall += performance.now() - t0;
        cpu += cpuMicros() - c0;
        samples += SERIES;
      }
      const c0 = cpuMicros();
      const t0 = performance.now();
      store.close();
      wall += performance.now() - t0;
      cpu += cpuMicros() - c0;
    } finally {
      store.close();
    }
    const disk = dbBytes(file);
    // The head (one row per sample) is bounded; what grows with the span is the rest of raw.
    const settled = samples - disk.headRows;
    const settledBytesPerSample = settled > 0 ? (disk.raw - disk.headBytes) / settled : disk.raw / samples;
    out(`  ${fmt(samples)} samples in ${fmt(wall / 1000, 1)} s of store calls (${fmt(samples / (wall / 1000))} samples/s); CPU ${fmt(cpu / samples, 2)} µs/sample`);
    out(`  database ${fmt(disk.file / 1e6, 1)} MB: raw ${fmt(disk.raw / samples, 2)} B/sample overall — head ${fmt(disk.headRows)} rows in ${fmt(disk.headBytes / 1e6, 1)} MB, the other ${fmt(settled)} samples ${fmt(settledBytesPerSample, 2)} B each; rollups ${fmt(disk.rollups / 1e6, 2)} MB, series ${fmt(disk.series / 1e6, 2)} MB, other ${fmt(disk.other / 1e6, 2)} MB`);
    fs.rmSync(file, { force: true });
    return { samples, cpuUsPerSample: cpu / samples, rawBytesPerSample: settledBytesPerSample, headBytes: disk.headBytes, seriesBytes: disk.series, otherBytes: disk.other, wall };
  });

  // ---- B: 30 days of rollups, and the 30-day query ----
  const days = ctx.small ? 5 : 30;
  const b = await ctx.phase(`scale B: ${fmt(SERIES)} series × ${days} d of hourly rollups, default retention`, () => {
    const file = path.join(dir, 'rollups.db');
    const end = Math.floor(Date.now() / DAY) * DAY;
    const start = end - days * DAY;
    const store = openStore({ path: file, now: () => end });
    const t0 = performance.now();
    try {
      for (let h = start; h < end; h += HOUR) {
        store.writeSamples(defs.map((d) => ({ name: d.name, labels: d.labels, ts: h, value: d.value(h) })));
        if ((h - start) % DAY === DAY - HOUR) store.updateRollups();
      }
      store.updateRollups();
      store.applyRetention(Date.now());
    } finally {
      store.close();
    }
    const disk = dbBytes(file);
    const perSeriesDay = disk.rollups / (SERIES * days);
    out(`  written in ${fmt((performance.now() - t0) / 1000, 1)} s; rollups ${fmt(disk.rollups / 1e6, 1)} MB = ${fmt(perSeriesDay, 1)} B per series-day (${fmt(perSeriesDay / 24, 1)} B per series-hour)`);
    return { file, perSeriesDay, start, end };
  });

  const pb = pillarboardEnv(ctx.root, b.file, path.join(dir, 'workload.yaml'));
  fs.writeFileSync(pb.env.PILLARBOARD_CONFIG!, 'version: 1\nworkload: { id: scale, title: Scale run, owner: bench }\n');
  const REPS = ctx.reps;
  const q = await ctx.phase(`scale B: 30-day queries over HTTP, ${REPS} repetitions (1,000 series: ${Math.ceil(REPS / 3)}) interleaved`, async () => {
    const server = await startPillarboard(pb);
    try {
      const params = (match: string) =>
        `/api/series/query?${new URLSearchParams({ match, from: String(b.start / 1000), to: String((b.end - HOUR) / 1000), step: '3600', agg: 'avg', limit: '1000' })}`;
      const paths = { '100 series': params('{shard="1",collector=~"c0|c1"}'), '1,000 series': params('{shard=~"1|2"}') };
      const times: Record<string, number[]> = { '100 series': [], '1,000 series': [] };
      for (const [name, p] of Object.entries(paths)) {
        const r = await timedGet(server.base + p);
        const body = JSON.parse(r.body().toString('utf8')) as { series?: unknown[]; source?: string };
        const want = name === '100 series' ? 100 : 1000;
        if (r.status !== 200 || body.series?.length !== want || body.source !== 'rollup') {
          throw new Error(`scale query (${name}) answered ${r.status} with ${body.series?.length} series from ${body.source}; expected ${want} from rollups`);
        }
      }
      for (let rep = 0; rep < REPS + 3; rep++) {
        for (const [name, p] of Object.entries(paths)) {
          if (name === '1,000 series' && rep % 3 !== 0) continue;
          const r = await timedGet(server.base + p);
          if (rep >= 3) times[name]!.push(r.ms);
        }
      }
      return Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, { p50: pct(xs, 50), p95: pct(xs, 95) }]));
    } finally {
      await server.stop();
    }
  });

  const rawSamples = SERIES * ((RAW_DAYS * DAY) / STEP);
  const rawBytes = a.rawBytesPerSample * rawSamples + a.headBytes;
  const rollupBytes = b.perSeriesDay * SERIES * HOURLY_DAYS;
  const total = rawBytes + rollupBytes + a.seriesBytes;
  const perSecond = SERIES / (STEP / 1000);
  out('');
  out(`scale, ${fmt(SERIES)} series at 15 s, retention 15 d raw / 400 d hourly (extrapolated; method in docs/benchmarks.md):`);
  out(`  disk: raw ${fmt(a.rawBytesPerSample, 2)} B/sample × ${fmt(rawSamples)} + head ${fmt(a.headBytes / 1e6, 1)} MB = ${fmt(rawBytes / 1e9, 2)} GB; rollups ${fmt(b.perSeriesDay, 1)} B/series-day × ${fmt(SERIES * HOURLY_DAYS)} = ${fmt(rollupBytes / 1e9, 2)} GB; series ${fmt(a.seriesBytes / 1e6, 1)} MB; total ${fmt(total / 1e9, 2)} GB (target < 2 GB)`);
  out(`  ingest CPU: ${fmt(a.cpuUsPerSample, 2)} µs/sample = ${fmt((a.cpuUsPerSample * perSecond) / 1e4, 2)} % of one core at ${fmt(perSecond)} samples/s`);
  for (const [name, x] of Object.entries(q)) out(`  30-day hourly query, ${name} of ${fmt(SERIES)}: p50 ${fmt(x.p50, 1)} ms, p95 ${fmt(x.p95, 1)} ms${name === '100 series' ? ' (target p95 < 100 ms)' : ''}`);
  results.push({ metric: 'scale 5k@15s disk, 15d raw + 400d hourly', value: Math.round(total / 1e6), unit: 'MB', target: '< 2000', pass: total < TARGET_BYTES });
  results.push({ metric: 'scale ingest CPU per sample', value: Math.round(a.cpuUsPerSample * 100) / 100, unit: 'µs' });
  results.push({ metric: 'scale 30d query 100 of 5k series p95', value: Math.round(q['100 series']!.p95 * 10) / 10, unit: 'ms', target: `< ${TARGET_P95_MS}`, pass: q['100 series']!.p95 < TARGET_P95_MS });
  results.push({ metric: 'scale 30d query 1000 of 5k series p95', value: Math.round(q['1,000 series']!.p95 * 10) / 10, unit: 'ms' });
}
