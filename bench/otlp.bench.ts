/**
 * OTLP ingest benchmark, the target: "OTLP ingest: data points/s for batches of 1,000
 * (target >= 100k/s)". A real Runtime on a temp database, the real Express app on 127.0.0.1
 * (write token, body read, protobuf decoding, translation, one transaction per batch) and
 * BATCHES sequential POST /v1/metrics of 1,000 data points each (after WARMUP unrecorded ones)
 * over keep-alive, sent from a worker thread (the client is not timed as the server's work): 500 series of counters and 500 of gauges with three attributes and two
 * resource attributes, as an SDK pushes them every interval. Bodies are encoded before timing
 * starts, so the figure is the server's. The same is timed for OTLP JSON and gzip-compressed
 * protobuf, and for explicit-bucket histograms (1,000 points of 10 buckets: 13 samples each).
 *
 * Baseline, in the same run: the store's bare write (Store.writeSamples) of the very samples the
 * protobuf batches turn into, on a fresh database; and decoding + translation alone.
 * `node --import tsx bench/otlp.bench.ts`; prints figures, then `BENCH_JSON {...}`. ~20 s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import type { Sample } from '../collectors/types.js';
import { createApp } from '../server/api/app.js';
import { silentLogger } from '../server/log.js';
import { Runtime } from '../server/runtime.js';
import { openStore } from '../server/store/index.js';
import { decodeRequest } from '../server/otlp/codec.js';
import { DeltaTotals } from '../server/otlp/delta.js';
import { DEFAULT_OTLP_LIMITS } from '../server/otlp/ingest.js';
import { otlpTypes } from '../server/otlp/proto.js';
import { DEFAULT_OTLP_SETTINGS } from '../server/otlp/settings.js';
import { translate } from '../server/otlp/translate.js';

const BATCH = 1000;
const BATCHES = Number(process.env.BENCH_OTLP_BATCHES ?? 200);
const WARMUP = 10;
const TARGET = 100_000;
const INTERVAL_MS = 10_000;
/** Four phases of WARMUP + BATCHES batches, INTERVAL_MS apart and in time order, the last one about now (as an SDK pushes). */
const START = Date.now() - 4 * (WARMUP + BATCHES) * INTERVAL_MS;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const kv = (attrs: Record<string, string>) => Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } }));
const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
const resource = { attributes: kv({ 'service.name': 'checkout', 'service.instance.id': 'checkout-1', 'deployment.environment': 'production' }) };

/** Batch `b` of number points: 10 counters and 10 gauges, 50 attribute sets each, all at the batch's time. */
function numberBatch(b: number) {
  const t = ns(START + b * INTERVAL_MS);
  const metrics = [];
  for (let m = 0; m < 20; m++) {
    const counter = m < 10;
    const dataPoints = [];
    for (let i = 0; i < BATCH / 20; i++) {
      const attributes = kv({ route: `/api/r${i % 25}`, method: i % 2 ? 'GET' : 'POST', status: String(200 + (i % 5)) });
      dataPoints.push(counter ? { attributes, startTimeUnixNano: ns(START), timeUnixNano: t, asInt: String(b * 7 + i) } : { attributes, timeUnixNano: t, asDouble: (b * 13 + i) / 7 });
    }
    metrics.push(counter ? { name: `shop.requests.m${m}`, unit: '{request}', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints } } : { name: `shop.queue.m${m}`, unit: 'By', gauge: { dataPoints } });
  }
  return { resourceMetrics: [{ resource, scopeMetrics: [{ scope: { name: 'bench' }, metrics }] }] };
}

/** Batch `b` of histogram points: 10 histograms × 100 attribute sets, 10 buckets each. */
function histogramBatch(b: number) {
  const t = ns(START + b * INTERVAL_MS);
  const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
  const metrics = [];
  for (let m = 0; m < 10; m++) {
    const dataPoints = [];
    for (let i = 0; i < BATCH / 10; i++) {
      const counts = bounds.map((_, k) => String(b + ((i + k) % 7))).concat(String(b));
      // (b grows from batch to batch, so the cumulative counts do too.)
      const count = counts.reduce((s, c) => s + Number(c), 0);
      dataPoints.push({ attributes: kv({ route: `/api/r${i}` }), startTimeUnixNano: ns(START), timeUnixNano: t, count: String(count), sum: count * 0.1, bucketCounts: counts, explicitBounds: bounds });
    }
    metrics.push({ name: `http.server.duration.h${m}`, unit: 's', histogram: { aggregationTemporality: 2, dataPoints } });
  }
  return { resourceMetrics: [{ resource, scopeMetrics: [{ scope: { name: 'bench' }, metrics }] }] };
}

const protobuf = (req: object) => {
  const { request } = otlpTypes();
  return Buffer.from(request.encode(request.fromObject(req)).finish());
};

interface Run {
  rate: number;
  p50: number;
  p95: number;
  bytes: number;
}

/**
 * The client: sequential POSTs over keep-alive from a worker thread of its own, as an
 * application's SDK is a process of its own; on the server's thread its HTTP client (undici's
 * request building and response parsing) would be timed as the server's work.
 */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { url, token, headers, bodies, warmup } = workerData;
  const post = async (body) => {
    const res = await fetch(url, { method: 'POST', headers: { ...headers, Authorization: 'Bearer ' + token }, body: new Uint8Array(body) });
    const answer = Buffer.from(await res.arrayBuffer());
    // A full success is an empty ExportMetricsServiceResponse: no partial_success.
    if (res.status !== 200 || (answer.length > 0 && answer.toString() !== '{}')) throw new Error('POST answered ' + res.status + ': ' + answer.toString().slice(0, 300));
  };
  for (let b = 0; b < warmup; b++) await post(bodies[b]);
  const latencies = [];
  const t0 = performance.now();
  for (let b = warmup; b < bodies.length; b++) {
    const s = performance.now();
    await post(bodies[b]);
    latencies.push(performance.now() - s);
  }
  parentPort.postMessage({ latencies, ms: performance.now() - t0 });
})().catch((err) => parentPort.postMessage({ error: String(err && err.stack || err) }));
`;

async function postAll(url: string, token: string, bodies: Buffer[], headers: Record<string, string>): Promise<Run> {
  const buffers = bodies.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  const worker = new Worker(CLIENT, { eval: true, workerData: { url, token, headers, bodies: buffers, warmup: WARMUP }, transferList: buffers });
  const reply = await new Promise<{ latencies?: number[]; ms?: number; error?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  if (reply.error) throw new Error(reply.error);
  const latencies = reply.latencies!.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]!;
  return { rate: ((bodies.length - WARMUP) * BATCH) / (reply.ms! / 1000), p50: p(0.5), p95: p(0.95), bytes: bodies.reduce((s, b) => s + b.length, 0) / bodies.length };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-otlp-bench-'));
  try {
    const configPath = path.join(dir, 'workload.yaml');
    fs.writeFileSync(configPath, 'workload: { id: bench, title: OTLP bench }\n');
    const runtime = new Runtime({ configPath, dbPath: path.join(dir, 'pb.db'), env: {}, log: silentLogger, version: 'bench', watch: false });
    runtime.load(false, { evaluate: false });
    const token = runtime.tokens.create('bench', 'write').token;
    const server = createApp(runtime.apiDeps()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;

    const n = WARMUP + BATCHES;
    const proto = Array.from({ length: n }, (_, b) => protobuf(numberBatch(b)));
    const results: Run[] = [];
    results.push(await postAll(url, token, proto, { 'Content-Type': 'application/x-protobuf' }));
    // JSON and gzip go on with later times over the same series.
    const later = (k: number, encode: (req: object) => Buffer) => Array.from({ length: n }, (_, b) => encode(numberBatch(b + k * n)));
    results.push(await postAll(url, token, later(1, (r) => Buffer.from(JSON.stringify(r))), { 'Content-Type': 'application/json' }));
    results.push(await postAll(url, token, later(2, (r) => zlib.gzipSync(protobuf(r))), { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' }));
    const histograms = Array.from({ length: n }, (_, b) => protobuf(histogramBatch(b + 3 * n)));
    results.push(await postAll(url, token, histograms, { 'Content-Type': 'application/x-protobuf' }));
    const [pb, json, gz, hist] = results as [Run, Run, Run, Run];
    const series = runtime.store.seriesCount();
    server.close();
    await runtime.close(1000);
    const line = (label: string, r: Run) =>
      console.log(`otlp.http  ${label.padEnd(28)} ${fmt(r.rate)} points/s; ${fmt(r.bytes / 1024)} KiB a batch; per batch p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms`);
    console.log(`otlp       ${BATCHES} batches of ${BATCH} data points each (after ${WARMUP} warm-up); ${fmt(series)} series stored`);
    line('protobuf', pb);
    line('JSON', json);
    line('protobuf, gzip', gz);
    line('protobuf histograms (x13)', hist);

    // Baselines: decoding + translation alone, and the store's bare write of the same samples
    // (translated again, untimed, batch by batch, so no more than one batch is held at a time).
    const delta = new DeltaTotals();
    const samplesOf = (b: number): Sample[] =>
      translate(decodeRequest(proto[b]!, 'protobuf'), { nowMs: Date.now(), delta: delta.stage(), limits: DEFAULT_OTLP_LIMITS, settings: DEFAULT_OTLP_SETTINGS }).samples;
    const t0 = performance.now();
    for (let b = WARMUP; b < n; b++) samplesOf(b);
    const decodeRate = (BATCHES * BATCH) / ((performance.now() - t0) / 1000);
    const store = openStore({ path: path.join(dir, 'store-only.db'), now: Date.now });
    for (let b = 0; b < WARMUP; b++) store.writeSamples(samplesOf(b));
    let writeMs = 0;
    for (let b = WARMUP; b < n; b++) {
      const samples = samplesOf(b);
      const s0 = performance.now();
      store.writeSamples(samples);
      writeMs += performance.now() - s0;
    }
    const storeRate = (BATCHES * BATCH) / (writeMs / 1000);
    store.close();
    console.log(`otlp.base  decode + translate alone: ${fmt(decodeRate)} points/s; Store.writeSamples of the same samples alone: ${fmt(storeRate)} points/s`);
    console.log(`otlp.ratio POST /v1/metrics (protobuf) runs at ${(pb.rate / storeRate).toFixed(2)}x the bare store write`);

    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    console.log(`otlp.peak_rss  ${peakRssMb} MB`);
    const out = [
      { metric: `POST /v1/metrics protobuf (batches of ${BATCH})`, value: Math.round(pb.rate), unit: 'points/s', target: `>= ${TARGET}`, pass: pb.rate >= TARGET },
      { metric: `POST /v1/metrics JSON (batches of ${BATCH})`, value: Math.round(json.rate), unit: 'points/s' },
      { metric: `POST /v1/metrics protobuf+gzip (batches of ${BATCH})`, value: Math.round(gz.rate), unit: 'points/s' },
      { metric: 'POST /v1/metrics histograms (10 buckets)', value: Math.round(hist.rate), unit: 'points/s' },
      { metric: 'decode + translate alone', value: Math.round(decodeRate), unit: 'points/s' },
      { metric: 'Store.writeSamples alone (baseline)', value: Math.round(storeRate), unit: 'points/s' },
    ];
    console.log(`BENCH_JSON ${JSON.stringify({ name: 'otlp', results: out, peakRssMb })}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
