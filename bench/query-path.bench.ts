/**
 * Where a series answer's time goes after the request arrives (issue 13, goal 2), for the two
 * side-by-side queries of bench/versus.bench.ts on its data (100 series × 30 days at 60 s,
 * bench/support/versus-data.ts, written into a temporary store): 30 d × 100 series hourly
 * (72,000 points from rollups) and raw 24 h × 1 series at 60 s (1,440 points).
 *
 * 1. The read worker's steps, one by one on a read-only store: the store's query, writing the
 *    JSON (server/workers/series-json.ts; joined into one string and encoded, as before, against
 *    written into the thread's reused BodyBuffer), the ETag's hash, and compressing it — with the
 *    settings used before (br quality 4, gzip level 6) as the baseline in the same run against
 *    the current ones (server/workers/tasks.ts BROTLI_OPTIONS, GZIP_OPTIONS).
 * 2. Where a request's time goes outside the store: the same query (gzip) through servers that
 *    each add one layer — node:http running the task on the HTTP thread; node:http handing it to
 *    a read worker (the hop); Express with only the series routes; the whole app — interleaved
 *    request by request, p50 of each and its difference to the first.
 * 3. The whole answer over HTTP: a real Runtime with 2 read workers and the Express app on
 *    127.0.0.1, `Accept-Encoding: gzip` (as the side-by-side bench sends) and identity; p50/p95
 *    of 30 after 3 warm-ups.
 * `node --import tsx bench/query-path.bench.ts`; prints figures, then `BENCH_JSON {...}`. ~1 min.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createApp } from '../server/api/app.js';
import { problemHandler } from '../server/api/problem.js';
import { seriesRoutes } from '../server/api/routes/series.js';
import { systemClock } from '../server/clock.js';
import { silentLogger } from '../server/log.js';
import { Runtime } from '../server/runtime.js';
import { openStore, parseSelector, type RangeQuery } from '../server/store/index.js';
import { seriesQueryJson, writeSeriesQuery } from '../server/workers/series-json.js';
import { BodyBuffer } from '../server/workers/body-buffer.js';
import { ReadWorkers } from '../server/workers/reads.js';
import { BROTLI_OPTIONS, builtFrom, GZIP_OPTIONS, queryJson, type BuiltBody } from '../server/workers/tasks.js';
import { lastTs, MINUTE, HOUR, versusSeries, versusSpan } from './support/versus-data.js';
import { timedGet } from './support/versus-http.js';
import { PB_WORKLOAD } from './support/versus-load.js';

const REPS = 15;
const HTTP_REPS = 30;
const NOW = Date.UTC(2025, 5, 30, 12);
const span = versusSpan(NOW, 30);
const last = lastTs(span);
const QUERIES = [
  {
    key: 'hourly30d100',
    label: '30 d × 100 series hourly avg',
    selector: '{bench="versus"}',
    range: { from: span.start, to: last - 59 * MINUTE, step: HOUR, aggregation: 'avg' } as RangeQuery,
    limit: 1000,
  },
  {
    key: 'raw24h1',
    label: 'raw 24 h × 1 series @60 s',
    selector: 'bench_latency_seconds{instance="i0",bench="versus"}',
    range: { from: last - 1439 * MINUTE, to: last, step: MINUTE, aggregation: 'avg' } as RangeQuery,
    limit: 100,
  },
];
const BEFORE_BR: zlib.BrotliOptions = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT } };
const BEFORE_GZIP: zlib.ZlibOptions = { level: 6 };

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const kb = (n: number) => `${Math.round(n / 1024).toLocaleString('en-US')} KB`;
const f1 = (n: number) => n.toFixed(1);

function time<T>(f: () => T): { ms: number; last: T } {
  const ts: number[] = [];
  let last!: T;
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    last = f();
    ts.push(performance.now() - t);
  }
  return { ms: pct(ts, 50), last };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-query-path-'));
const db = path.join(dir, 'versus.db');
const workload = path.join(dir, 'pillarboard.yaml');
fs.writeFileSync(workload, PB_WORKLOAD);
const out: Record<string, number> = {};

// ---- the data: what `pillarboard import` would load, in batches of one day of every series ----
{
  const t = performance.now();
  const store = openStore({ path: db, now: () => NOW });
  const series = versusSeries();
  const perBatch = 1440;
  for (let c = 0; c < span.count; c += perBatch) {
    const batch = [];
    for (const d of series) {
      for (let k = c; k < Math.min(span.count, c + perBatch); k++) {
        const ts = span.start + k * span.stepMs;
        batch.push({ name: d.name, labels: d.labels, ts, value: d.value(ts) });
      }
    }
    store.writeSamples(batch);
  }
  store.updateRollups();
  store.close();
  console.log(`data: ${series.length} series × ${span.count.toLocaleString('en-US')} samples written in ${Math.round(performance.now() - t)} ms`);
}

// ---- 1. the worker's steps ----
const reader = openStore({ path: db, now: () => NOW, readOnly: true });
reader.setRetention({ rawMs: 40 * 24 * HOUR, hourlyMs: 400 * 24 * HOUR });
for (const q of QUERIES) {
  const selector = parseSelector(q.selector);
  const query = time(() => reader.querySeries(selector, q.range));
  const head = { from: q.range.from, to: q.range.to, step: q.range.step, aggregation: 'avg' };
  // seriesQueryJson consumes its result: fresh ones, read beforehand.
  const results = Array.from({ length: REPS }, () => reader.querySeries(selector, q.range));
  // Before: the pieces joined into one string, then encoded into a new Buffer; now: written into the thread's reused BodyBuffer.
  const joined = time(() => Buffer.from(seriesQueryJson(head, results.pop()!)));
  const results2 = Array.from({ length: REPS }, () => reader.querySeries(selector, q.range));
  const scratch = new BodyBuffer();
  const json = time(() => {
    const b = scratch.reset();
    writeSeriesQuery((t) => b.put(t), head, results2.pop()!);
    return b.view();
  });
  const body = Buffer.from(json.last);
  const etag = time(() => crypto.createHash('sha1').update(body).digest('base64'));
  console.log(
    `${q.label} (${query.last.source}): store ${f1(query.ms)} ms, JSON ${kb(body.length)} joined + encoded ${f1(joined.ms)} ms → ` +
      `into the reused buffer ${f1(json.ms)} ms (${(joined.ms / json.ms).toFixed(1)}×), ETag hash ${f1(etag.ms)} ms`,
  );
  Object.assign(out, {
    [`${q.key}_store_ms`]: query.ms,
    [`${q.key}_json_joined_ms`]: joined.ms,
    [`${q.key}_json_ms`]: json.ms,
    [`${q.key}_json_speedup`]: joined.ms / json.ms,
    [`${q.key}_etag_ms`]: etag.ms,
    [`${q.key}_json_bytes`]: body.length,
  });
  for (const coding of ['gzip', 'br'] as const) {
    const run = (o: zlib.ZlibOptions | zlib.BrotliOptions) => () => (coding === 'br' ? zlib.brotliCompressSync(body, o as zlib.BrotliOptions) : zlib.gzipSync(body, o as zlib.ZlibOptions)).length;
    const b = time(run(coding === 'br' ? BEFORE_BR : BEFORE_GZIP));
    const a = time(run(coding === 'br' ? BROTLI_OPTIONS : GZIP_OPTIONS));
    console.log(
      `  ${coding.padEnd(4)} before ${f1(b.ms)} ms ${kb(b.last)} → now ${f1(a.ms)} ms ${kb(a.last)}: ` +
        `${(b.ms / a.ms).toFixed(1)}× faster, ${((a.last / b.last - 1) * 100).toFixed(0)} % more bytes`,
    );
    Object.assign(out, {
      [`${q.key}_${coding}_before_ms`]: b.ms,
      [`${q.key}_${coding}_now_ms`]: a.ms,
      [`${q.key}_${coding}_before_bytes`]: b.last,
      [`${q.key}_${coding}_now_bytes`]: a.last,
      [`${q.key}_${coding}_speedup`]: b.ms / a.ms,
    });
  }
}
reader.close();

void (async () => {
  // ---- 2. layer by layer, 3. over HTTP ----
  const runtime = new Runtime({
    configPath: workload,
    dbPath: db,
    env: {},
    log: silentLogger,
    version: 'bench',
    watch: false,
    clock: { ...systemClock, now: () => NOW },
    readWorkers: 2,
  });
  runtime.load(false, { evaluate: false });
  const server = createApp(runtime.apiDeps()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Where a request's time goes outside the store: the same query (gzip asked) through servers
  // that each add one layer, interleaved request by request so the machine's load falls on all alike.
  const deps = runtime.apiDeps();
  const reads = new ReadWorkers({ dbPath: db, store: runtime.store, clock: { ...systemClock, now: () => NOW }, log: silentLogger, size: 1 });
  const scratch = new BodyBuffer();
  const taskOf = (u: URL, q: (typeof QUERIES)[number]) => ({
    selector: parseSelector(u.searchParams.get('match')!),
    range: { ...q.range, source: 'auto' as const },
    aggregation: 'avg' as const,
    limit: q.limit,
  });
  const sendRaw = (res: http.ServerResponse, b: BuiltBody) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-encoding': b.encoding, etag: b.etag });
    res.end(b.body);
  };
  const seriesOnly = express();
  seriesOnly.set('query parser', 'simple');
  seriesOnly.use(seriesRoutes(deps));
  seriesOnly.use(problemHandler(silentLogger));
  const layers = (q: (typeof QUERIES)[number]): Array<[string, http.RequestListener]> => [
    ['node:http + the task on the HTTP thread', (req, res) => sendRaw(res, builtFrom(queryJson(runtime.store, taskOf(new URL(req.url!, base), q), scratch), 'gzip'))],
    ['node:http + the task on a read worker', (req, res) => {
      void reads.seriesQuery(taskOf(new URL(req.url!, base), q), 'gzip').then((b) => sendRaw(res, b as BuiltBody));
    }],
    ['Express, the series routes alone', seriesOnly],
    ['the whole app', createApp(deps)],
  ];
  for (const q of QUERIES) {
    const r = q.range;
    const search = `?${new URLSearchParams({ match: q.selector, from: String(r.from / 1000), to: String(r.to / 1000), step: String(r.step / 1000), agg: 'avg', limit: String(q.limit) })}`;
    const servers = await Promise.all(
      layers(q).map(async ([label, handler]) => {
        const s = http.createServer(handler).listen(0, '127.0.0.1');
        await new Promise((resolve) => s.once('listening', resolve));
        return { label, s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/api/series/query${search}`, ts: [] as number[] };
      }),
    );
    const reps = q.key === 'raw24h1' ? 10 * HTTP_REPS : HTTP_REPS;
    for (let i = 0; i < reps + 3; i++) {
      for (const x of servers) {
        const a = await timedGet(x.url, 'gzip');
        if (a.status !== 200) throw new Error(`${x.label}: HTTP ${a.status}`);
        if (i >= 3) x.ts.push(a.ms);
      }
    }
    console.log(`${q.label}, gzip, p50 by layer (${reps} interleaved requests each):`);
    const first = pct(servers[0]!.ts, 50);
    for (const [i, x] of servers.entries()) {
      const p50 = pct(x.ts, 50);
      const delta = p50 - first;
      console.log(`  ${x.label.padEnd(42)} ${p50.toFixed(2).padStart(6)} ms${i > 0 ? `  (${delta >= 0 ? '+' : ''}${delta.toFixed(2)} ms)` : ''}`);
      out[`${q.key}_layer${i}_p50_ms`] = p50;
      x.s.closeAllConnections();
      x.s.close();
    }
  }
  await reads.close();

  for (const q of QUERIES) {
    const r = q.range;
    const url = `${base}/api/series/query?${new URLSearchParams({ match: q.selector, from: String(r.from / 1000), to: String(r.to / 1000), step: String(r.step / 1000), agg: 'avg', limit: String(q.limit) })}`;
    for (const enc of ['gzip', 'identity'] as const) {
      const ts: number[] = [];
      let bytes = 0;
      for (let i = 0; i < HTTP_REPS + 3; i++) {
        const a = await timedGet(url, enc);
        if (a.status !== 200) throw new Error(`${url}: HTTP ${a.status}`);
        if (i >= 3) ts.push(a.ms);
        bytes = a.wireBytes;
      }
      console.log(`${q.label} over HTTP, ${enc}: p50 ${f1(pct(ts, 50))} ms, p95 ${f1(pct(ts, 95))} ms, ${kb(bytes)}`);
      Object.assign(out, { [`${q.key}_http_${enc}_p50_ms`]: pct(ts, 50), [`${q.key}_http_${enc}_p95_ms`]: pct(ts, 95) });
    }
  }
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await runtime.close(1_000);
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`BENCH_JSON ${JSON.stringify(out)}`);
  process.exit(0);
})();
