/**
 * API benchmark, the target: "500 indicators, 50 outcomes, 30 days of history: one
 * evaluation pass <= 500 ms; GET /api/summary p95 <= 20 ms and /metrics p95 <= 50 ms with 50
 * concurrent clients on loopback, 0 errors; RSS."
 * `node --import tsx bench/api.bench.ts`; prints figures, then `BENCH_JSON {...}`. ~45 s.
 *
 * The data set is the evaluation bench's (bench/support/dataset.ts: 6.05 M samples in 500
 * series, rollups computed), the workload the same 500 indicators and 50 outcomes written as a
 * YAML file with ten collectors. The server runs in a child process (bench/support/api-server.ts):
 * a real Runtime on that database and file, evaluated on load and PASSES more times (one
 * minute of collector runs between passes; the last one has a collector fail once), then the
 * real Express app (`createApp(runtime.apiDeps())`) on 127.0.0.1. This process runs autocannon
 * against it, so the load generator does not take the server's event loop: per endpoint
 * WARMUP_S unrecorded, then DURATION_S with CONNECTIONS keep-alive connections, every response
 * time recorded (autocannon's own percentiles stop at p90 / p97.5) for p50 / p95 / p99, and
 * the server's CPU time per request. Server RSS is read in the child (process.memoryUsage,
 * and its peak from getrusage). On a small shared machine the figures move with whatever
 * else runs: compare the server CPU per request, which moves much less, across runs.
 *
 * BENCH_CPU_PROF=DIR writes a V8 CPU profile of the server process to DIR; BENCH_API_ONLY=PATH
 * loads only that endpoint, BENCH_API_DURATION_S=N measures N s instead of 10.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../server/store/index.js';
import { bulkLoad, defs, END, SAMPLE_COUNT, workloadYaml } from './support/dataset.js';

const PASSES = 10;
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_API_DURATION_S ?? 10);
const WARMUP_S = 2;
const TARGETS = { evaluationMs: 500, summaryP95Ms: 20, metricsP95Ms: 50 };
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

interface AutocannonResult {
  requests: { average: number; total: number };
  throughput: { average: number };
  latency: { p50: number; p90: number; p97_5: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
interface AutocannonInstance extends Promise<AutocannonResult> {
  on(event: 'response', fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
}
// autocannon ships no types: the little used here is declared above.
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => AutocannonInstance;

/**
 * autocannon appends every response body to a string (`req.body += chunk`, for its per-request
 * onResponse hook, unused here). With 130–330 KB bodies that are not pure ASCII, decoding them
 * costs the load generator more CPU than the server spends answering: on two shared cores it
 * then takes the server's CPU and adds its own queueing to every latency. Bodies are still
 * read and counted (bytes, throughput); they are just not kept. BENCH_API_KEEP_BODIES=1 keeps
 * autocannon's stock behaviour.
 */
function dropResponseBodies(): boolean {
  if (process.env.BENCH_API_KEEP_BODIES === '1') return false;
  const queue = require('autocannon/lib/pipelinedRequestsQueue.js') as { prototype?: { addBody?: unknown } };
  if (typeof queue.prototype?.addBody !== 'function') return false;
  queue.prototype.addBody = () => {};
  return true;
}

interface Ready {
  type: 'ready';
  port: number;
  loadMs: number;
  specMismatch: string | null;
  statuses: Record<string, number>;
  failed: number;
  passMs: number[];
  engineMs: number[];
  listenersMs: number[];
  passCpuMs: number[];
  rssAfterEvaluation: number;
}
interface Mem {
  type: 'mem';
  rss: number;
  heapUsed: number;
  maxRss: number;
}

function percentile(xs: number[], p: number): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

function nextMessage<T extends { type: string }>(child: ChildProcess, type: T['type'], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`the server sent no "${type}" within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: { type: string }) => {
      if (m.type === type) done(null, m as T);
    };
    const onExit = (code: number | null) => done(new Error(`the server exited (${code}) before "${type}"`));
    function done(err: Error | null, m?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

interface EndpointFigures {
  path: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  requests: number;
  errors: number;
  non2xx: number;
  bodyBytes: number;
  mbPerS: number;
  /** Server CPU time (user + system, all its threads) per request answered. */
  serverCpuPerRequestUs: number;
  /** Server CPU time over wall time: 1 = one core busy. */
  serverCpuShare: number;
}

async function load(url: string, seconds: number, record: boolean): Promise<{ result: AutocannonResult; latencies: number[] }> {
  const latencies: number[] = [];
  const instance = autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1, timeout: 10 });
  if (record) instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  return { result: await instance, latencies };
}

async function serverCpuMicros(child: ChildProcess): Promise<number> {
  child.send({ cmd: 'cpu' });
  return (await nextMessage<{ type: 'cpu'; micros: number }>(child, 'cpu', 10_000)).micros;
}

async function measure(child: ChildProcess, base: string, urlPath: string, bodyBytes: number): Promise<EndpointFigures> {
  await load(base + urlPath, WARMUP_S, false);
  const cpuBefore = await serverCpuMicros(child);
  const { result, latencies } = await load(base + urlPath, DURATION_S, true);
  const cpu = (await serverCpuMicros(child)) - cpuBefore;
  return {
    path: urlPath,
    rps: result.requests.total / result.duration,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: result.latency.max,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    bodyBytes,
    mbPerS: result.throughput.average / 1024 / 1024,
    serverCpuPerRequestUs: cpu / Math.max(1, result.requests.total),
    serverCpuShare: cpu / 1e6 / result.duration,
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-bench-api-'));
  const dbFile = path.join(dir, 'api.db');
  const workloadFile = path.join(dir, 'workload.yaml');
  const results: Array<{ metric: string; value: number; unit: string; target?: string; pass?: boolean }> = [];
  let child: ChildProcess | undefined;
  let serverPeakRss = 0;
  try {
    // ---- data and workload ----
    const loadMs = bulkLoad(dbFile);
    let t = performance.now();
    const store = openStore({ path: dbFile, now: () => END });
    store.updateRollups();
    store.close();
    const rollupMs = performance.now() - t;
    fs.writeFileSync(workloadFile, workloadYaml('http://127.0.0.1:9/metrics'));
    console.log(`api.data  ${fmt(SAMPLE_COUNT)} samples in ${defs.length} series: bare load ${(loadMs / 1000).toFixed(1)} s, rollups ${(rollupMs / 1000).toFixed(1)} s; workload file ${fmt(fs.statSync(workloadFile).size)} bytes`);

    // ---- the server: load, evaluate, listen ----
    const profDir = process.env.BENCH_CPU_PROF;
    t = performance.now();
    child = fork(path.join(__dirname, 'support', 'api-server.ts'), [dbFile, workloadFile, String(PASSES)], {
      execArgv: ['--import', 'tsx', ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profDir)}`] : [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await nextMessage<Ready>(child, 'ready', 90_000);
    const startMs = performance.now() - t;
    if (ready.specMismatch) throw new Error(`the workload file's ${ready.specMismatch} differ from the bench specs`);
    if (ready.failed > 0) throw new Error(`${ready.failed} indicators failed to evaluate`);
    const p50 = percentile(ready.passMs, 50);
    const p95 = percentile(ready.passMs, 95);
    console.log(`api.server  started in ${(startMs / 1000).toFixed(1)} s; workload load + first evaluation ${fmt(ready.loadMs)} ms; statuses ${JSON.stringify(ready.statuses)}`);
    console.log(
      `api.evaluation_pass  ${PASSES} passes in the server's Runtime: p50 ${p50.toFixed(1)} ms  p95 ${p95.toFixed(1)} ms  ` +
        `(CPU time p50 ${percentile(ready.passCpuMs, 50).toFixed(1)} ms; engine alone p50 ${percentile(ready.engineMs, 50).toFixed(1)} ms, 'evaluated' listeners p50 ${percentile(ready.listenersMs, 50).toFixed(1)} ms; ` +
        `the rest is transitions + history samples)  target <= ${TARGETS.evaluationMs} ms  ${p95 <= TARGETS.evaluationMs ? 'PASS' : 'MISS'}`,
    );
    results.push(
      { metric: 'evaluation pass p50 (Runtime)', value: Number(p50.toFixed(1)), unit: 'ms', target: `<= ${TARGETS.evaluationMs} ms`, pass: p50 <= TARGETS.evaluationMs },
      { metric: 'evaluation pass p95 (Runtime)', value: Number(p95.toFixed(1)), unit: 'ms', target: `<= ${TARGETS.evaluationMs} ms`, pass: p95 <= TARGETS.evaluationMs },
      { metric: 'evaluation pass CPU time p50 (Runtime)', value: Number(percentile(ready.passCpuMs, 50).toFixed(1)), unit: 'ms' },
      { metric: 'evaluation engine only p50 (Runtime)', value: Number(percentile(ready.engineMs, 50).toFixed(1)), unit: 'ms' },
      { metric: "evaluation 'evaluated' listeners p50", value: Number(percentile(ready.listenersMs, 50).toFixed(1)), unit: 'ms' },
    );

    // ---- what the endpoints answer ----
    const base = `http://127.0.0.1:${ready.port}`;
    const summaryRes = await fetch(`${base}/api/summary`);
    const summaryText = await summaryRes.text();
    const summary = JSON.parse(summaryText) as { pillars: unknown[]; outcomes: unknown[]; collectors: { failing: unknown[] }; stale: boolean };
    if (summaryRes.status !== 200 || summary.pillars.length !== 6 || summary.outcomes.length !== 50 || summary.collectors.failing.length !== 1 || summary.stale) {
      throw new Error(`unexpected /api/summary: ${summaryRes.status} ${summaryText.slice(0, 200)}`);
    }
    const metricsRes = await fetch(`${base}/metrics`);
    const metricsText = await metricsRes.text();
    const seriesLines = metricsText.split('\n').filter((l) => l && !l.startsWith('#'));
    const statusSeries = seriesLines.filter((l) => l.startsWith('pillarboard_indicator_status{')).length;
    if (metricsRes.status !== 200 || statusSeries !== 500 * 5) throw new Error(`unexpected /metrics: ${metricsRes.status}, ${statusSeries} indicator status series`);
    const summaryBytes = Buffer.byteLength(summaryText);
    const metricsBytes = Buffer.byteLength(metricsText);
    console.log(`api.payloads  /api/summary ${fmt(summaryBytes)} bytes; /metrics ${fmt(metricsBytes)} bytes, ${fmt(seriesLines.length)} series`);

    // ---- load: 50 connections per endpoint ----
    const bodiesDropped = dropResponseBodies();
    console.log(`api.load_generator  autocannon in this process, ${CONNECTIONS} keep-alive connections, ${WARMUP_S} s warm-up + ${DURATION_S} s per endpoint; response bodies ${bodiesDropped ? 'read, not kept' : 'kept (stock autocannon)'}`);
    const endpoints: Array<{ path: string; bytes: number; target: number }> = [
      { path: '/api/summary', bytes: summaryBytes, target: TARGETS.summaryP95Ms },
      { path: '/metrics', bytes: metricsBytes, target: TARGETS.metricsP95Ms },
    ];
    const only = process.env.BENCH_API_ONLY; // e.g. /metrics, to profile one endpoint
    for (const e of endpoints.filter((x) => !only || x.path === only)) {
      const f = await measure(child, base, e.path, e.bytes);
      const pass = f.p95 <= e.target && f.errors === 0 && f.non2xx === 0;
      console.log(
        `api.load  GET ${e.path.padEnd(13)} ${CONNECTIONS} conns ${DURATION_S} s: ${fmt(f.rps)} req/s  p50 ${f.p50.toFixed(1)} ms  p95 ${f.p95.toFixed(1)} ms  ` +
          `p99 ${f.p99.toFixed(1)} ms  max ${f.max} ms  ${fmt(f.requests)} requests, ${f.errors} errors, ${f.non2xx} non-2xx, ${f.mbPerS.toFixed(1)} MB/s, ` +
          `server CPU ${fmt(f.serverCpuPerRequestUs)} µs/request (${f.serverCpuShare.toFixed(2)} cores)  ` +
          `target p95 <= ${e.target} ms, 0 errors  ${pass ? 'PASS' : 'MISS'}`,
      );
      const label = `GET ${e.path}`;
      results.push(
        { metric: `${label} p95 (${CONNECTIONS} conns)`, value: Number(f.p95.toFixed(2)), unit: 'ms', target: `<= ${e.target} ms`, pass: f.p95 <= e.target },
        { metric: `${label} p50 (${CONNECTIONS} conns)`, value: Number(f.p50.toFixed(2)), unit: 'ms' },
        { metric: `${label} p99 (${CONNECTIONS} conns)`, value: Number(f.p99.toFixed(2)), unit: 'ms' },
        { metric: `${label} throughput`, value: Math.round(f.rps), unit: 'req/s' },
        { metric: `${label} server CPU per request`, value: Math.round(f.serverCpuPerRequestUs), unit: 'µs' },
        { metric: `${label} errors + non-2xx`, value: f.errors + f.non2xx, unit: 'count', target: '0', pass: f.errors + f.non2xx === 0 },
      );
    }

    // ---- server memory ----
    child.send({ cmd: 'mem' });
    const mem = await nextMessage<Mem>(child, 'mem', 10_000);
    serverPeakRss = mem.maxRss;
    console.log(
      `api.server_rss  after evaluation ${mb(ready.rssAfterEvaluation)} MB, after load ${mb(mem.rss)} MB (heap used ${mb(mem.heapUsed)} MB), peak ${mb(mem.maxRss)} MB`,
    );
    results.push(
      { metric: 'server RSS after load test', value: mb(mem.rss), unit: 'MB' },
      { metric: 'server peak RSS', value: mb(mem.maxRss), unit: 'MB' },
    );
    child.send({ cmd: 'stop' });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child!.kill(), 10_000);
      child!.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    child = undefined;
  } finally {
    if (child && child.exitCode === null) child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const peakRssMb = mb(serverPeakRss);
  console.log(`api.peak_rss  server ${peakRssMb} MB; this process (data load, autocannon) ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  console.log(`BENCH_JSON ${JSON.stringify({ name: 'api', results, peakRssMb })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
