import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import request from './support/api-request.js';
import type { Sample } from '../collectors/types.js';
import { createApp } from '../server/api/app.js';
import { systemClock } from '../server/clock.js';
import { silentLogger } from '../server/log.js';
import { Runtime } from '../server/runtime.js';
import { parseSelector, ROLLUP_SLICE_SERIES } from '../server/store/index.js';
import { ReadWorkers } from '../server/workers/reads.js';
import { Evaluator, evaluationTables } from '../server/evaluation/index.js';
import { tempDir } from './support/tmp.js';
import { FakeClock } from './support/fake-clock.js';
import { recordContract } from './support/api-recorder.js';

/**
 * Reads off the HTTP thread (server/workers), with real worker threads on a real database:
 * the answers are the bytes the HTTP thread gives, compression is negotiated, and a crashed,
 * stuck or overloaded worker answers 503 problem+json while the server goes on.
 */

const T0 = Date.parse('2026-11-20T12:00:00Z');
const MIN = 60_000;
const clock = { ...systemClock, now: () => T0 };

const WORKLOAD = `
workload: { id: shop, title: "Web shop" }
evaluation: { interval: 60s }
indicators:
  - id: latency
    title: "Checkout latency"
    pillar: performance_efficiency
    unit: seconds
    series: app_latency_seconds
    aggregate: avg
    window: 1h
    objective: { max: 0.3, warning: 0.5, critical: 1.0 }
  - id: availability
    title: "Checkout availability"
    pillar: reliability
    slo:
      good: 'requests_total{code!~"5.."}'
      total: requests_total
      objective: 95%
      window: 7d
  - id: restore
    title: "Time to restore"
    pillar: reliability
    unit: seconds
    series: dora_time_to_restore_seconds
    objective: { max: 3600 }
outcomes:
  - id: buy
    title: "Customers can buy"
    indicators: [availability, latency]
`;

const dir = tempDir();
const configPath = path.join(dir, 'workload.yaml');
fs.writeFileSync(configPath, WORKLOAD);
const dbPath = path.join(dir, 'pb.db');
const runtime = new Runtime({ configPath, dbPath, env: {}, log: silentLogger, version: 'test', watch: false, clock, readWorkers: 2 });
after(() => runtime.close(1000));

/** Three days of per-minute samples: latency (one NaN staleness marker, one +Inf), counters by code, 20 host series. */
function seed() {
  const samples: Sample[] = [];
  for (let m = 3 * 24 * 60; m >= 0; m--) {
    const ts = T0 - m * MIN;
    const n = 3 * 24 * 60 - m;
    const latency = m === 30 ? Number.NaN : m === 31 ? Number.POSITIVE_INFINITY : 0.2 + (n % 17) / 100;
    samples.push({ name: 'app_latency_seconds', labels: { collector: 'app', route: '/checkout' }, ts, value: latency });
    samples.push({ name: 'requests_total', labels: { collector: 'app', code: '200' }, ts, value: n * 990 });
    samples.push({ name: 'requests_total', labels: { collector: 'app', code: '500' }, ts, value: n * 10 });
    for (let h = 0; h < 20; h++) samples.push({ name: 'node_load1', labels: { collector: 'node', instance: `host-${h}:9100` }, ts, value: (h + n) % 7 });
  }
  runtime.store.writeSamples(samples);
}

let onWorkers: ReturnType<typeof createApp>;
let onMain: ReturnType<typeof createApp>;

before(() => {
  seed();
  runtime.load(false, { evaluate: true });
  // Passes write score history the history routes read.
  for (let i = 0; i < 3; i++) runtime.evaluator.evaluateNow();
  const deps = runtime.apiDeps();
  assert.ok(deps.offThread, 'the runtime hands reads to its workers');
  onWorkers = createApp(deps);
  onMain = createApp({ ...deps, offThread: undefined });
});

const READS = [
  '/api/series?match=node_load1',
  '/api/series?match=node_load1&limit=5',
  '/api/series?match={collector=~"a.*"}',
  `/api/series/query?match=app_latency_seconds&from=${(T0 - 2 * 3600_000) / 1000}&to=${T0 / 1000}&step=60`,
  `/api/series/query?match=app_latency_seconds&from=${(T0 - 2 * 3600_000) / 1000}&to=${T0 / 1000}&step=300&agg=max&source=raw`,
  `/api/series/query?match=node_load1&from=${(T0 - 3 * 86_400_000) / 1000}&to=${T0 / 1000}&step=3600`,
  `/api/series/query?match=requests_total&from=${(T0 - 86_400_000) / 1000}&to=${T0 / 1000}&step=7200&agg=last&source=rollup`,
  `/api/series/query?match=node_load1&from=${(T0 - 86_400_000) / 1000}&to=${T0 / 1000}&step=1`,
  '/api/series/query?match=node_load1&limit=3',
  '/api/series/query?match=absent_metric',
  '/api/indicators/latency/history?metric=value',
  '/api/indicators/availability/history?metric=budget_remaining&from=now-7d',
  '/api/outcomes/buy/history',
  '/api/pillars/reliability/history?step=60',
  '/api/indicators/latency/history?from=now-3d&step=1',
];

test('every series, query and history read answers from a read worker exactly what the HTTP thread answers', async () => {
  for (const url of READS) {
    const a = await request(onWorkers).get(url).set('Accept-Encoding', 'identity');
    const b = await request(onMain).get(url).set('Accept-Encoding', 'identity');
    assert.equal(a.status, b.status, url);
    assert.equal(a.headers['content-type'], b.headers['content-type'], url);
    assert.equal(a.text, b.text, url);
    if (a.status === 200) assert.equal(a.headers.etag, b.headers.etag, url);
  }
});

test('a range query answer is the documented JSON of the store\'s points (NaN and +Inf as strings)', async () => {
  const from = T0 - 2 * 3600_000;
  const res = await request(onWorkers).get(`/api/series/query?match=app_latency_seconds&from=${from / 1000}&to=${T0 / 1000}&step=60`).expect(200);
  const result = runtime.store.querySeries(parseSelector('app_latency_seconds'), { from, to: T0, step: 60_000, aggregation: 'avg', source: 'auto' });
  const expected = {
    from: new Date(from).toISOString(),
    to: new Date(T0).toISOString(),
    stepSeconds: 60,
    aggregation: 'avg',
    source: result.source,
    series: result.series.map((s) => ({
      name: s.series.name,
      labels: s.series.labels,
      points: s.points.map(([t, v]) => [t / 1000, Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf']),
    })),
  };
  assert.equal(res.text, JSON.stringify(expected));
  assert.ok(res.text.includes('"+Inf"'), 'the +Inf sample is in the answer');
});

/** GET on a listening copy of `app`: status, headers and the bytes as sent (no decoding); the stream's first chunk only. */
async function rawGet(app: ReturnType<typeof createApp>, url: string, headers: Record<string, string>, firstChunkOnly = false) {
  // The answers, decoded, are checked against the OpenAPI document as well.
  const recorded = recordContract(app);
  const server = http.createServer(recorded.handler).listen(0, '127.0.0.1');
  try {
    await new Promise<void>((r) => server.once('listening', () => r()));
    const { port } = server.address() as AddressInfo;
    return await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: url, headers }, (r) => {
        const chunks: Buffer[] = [];
        const done = () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks) });
        r.on('data', (c: Buffer) => {
          chunks.push(c);
          if (firstChunkOnly) {
            done();
            req.destroy();
          }
        });
        r.on('end', done);
      });
      req.on('error', reject);
    });
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    recorded.assertNone();
  }
}

test('a series answer comes br- or gzip-compressed as the client accepts, the same JSON once decoded, and 304 on its ETag, with or without workers', async () => {
  const url = `/api/series/query?match=node_load1&from=${(T0 - 86_400_000) / 1000}&to=${T0 / 1000}&step=60`;
  const plain = await rawGet(onWorkers, url, { 'Accept-Encoding': 'identity' });
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['content-encoding'], undefined);
  const br = await rawGet(onWorkers, url, { 'Accept-Encoding': 'gzip, deflate, br' });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.match(String(br.headers.vary), /Accept-Encoding/);
  assert.equal(zlib.brotliDecompressSync(br.body).toString('utf8'), plain.body.toString('utf8'));
  assert.ok(br.body.length < plain.body.length / 3, `br ${br.body.length} bytes for ${plain.body.length}`);
  const gz = await rawGet(onWorkers, url, { 'Accept-Encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(zlib.gunzipSync(gz.body).toString('utf8'), plain.body.toString('utf8'));
  const again = await rawGet(onWorkers, url, { 'Accept-Encoding': 'br', 'If-None-Match': String(plain.headers.etag) });
  assert.equal(again.status, 304);
  // Without workers the HTTP thread compresses the same body (this one on libuv's pool: it is over 64 KB).
  assert.ok(plain.body.length > 64 * 1024, `${plain.body.length} bytes`);
  const mainGz = await rawGet(onMain, url, { 'Accept-Encoding': 'gzip' });
  assert.equal(mainGz.headers['content-encoding'], 'gzip');
  assert.equal(mainGz.headers.etag, plain.headers.etag);
  assert.equal(zlib.gunzipSync(mainGz.body).toString('utf8'), plain.body.toString('utf8'));
});

test('answers built on the HTTP thread are compressed too, and the event stream is not', async () => {
  const summary = await rawGet(onWorkers, '/api/summary', { 'Accept-Encoding': 'gzip' });
  assert.equal(summary.headers['content-encoding'], 'gzip');
  const plainSummary = await rawGet(onWorkers, '/api/summary', { 'Accept-Encoding': 'identity' });
  assert.equal(plainSummary.headers['content-encoding'], undefined);
  assert.equal(zlib.gunzipSync(summary.body).toString('utf8'), plainSummary.body.toString('utf8'));
  const brSummary = await rawGet(onWorkers, '/api/summary', { 'Accept-Encoding': 'br' });
  assert.equal(brSummary.headers['content-encoding'], 'br');
  assert.equal(zlib.brotliDecompressSync(brSummary.body).toString('utf8'), plainSummary.body.toString('utf8'));
  assert.equal(brSummary.headers.etag, plainSummary.headers.etag);
  const metrics = await rawGet(onWorkers, '/metrics', { 'Accept-Encoding': 'gzip' });
  assert.equal(metrics.headers['content-encoding'], 'gzip');
  assert.match(zlib.gunzipSync(metrics.body).toString('utf8'), /^# HELP /m);
  const stream = await rawGet(onWorkers, '/api/stream', { 'Accept-Encoding': 'gzip, br' }, true);
  assert.equal(stream.headers['content-encoding'], undefined);
  assert.match(stream.body.toString('utf8'), /^retry: 5000/);
});

test('a pass computed on a read worker gives the snapshot a pass on the main thread gives', async () => {
  const onMainThread = runtime.evaluator.evaluateNow();
  const offThread = await runtime.evaluator.evaluateSoon();
  assert.ok(offThread, 'the pass was applied');
  assert.equal(runtime.evaluator.latest(), offThread);
  const strip = (s: typeof onMainThread) => JSON.stringify({ ...s, durationMs: 0 });
  assert.equal(strip(offThread), strip(onMainThread));
  assert.ok(onMainThread.indicators.some((i) => i.status !== 'no_data'), 'the pass measured something');
});

/** An app whose reads go to workers with faults on demand (test/support/read-worker-faults.ts). */
function faultyApp(opts: { size: number; maxQueue: number; timeoutMs?: number }) {
  const reads = new ReadWorkers({
    dbPath,
    store: runtime.store,
    clock,
    log: silentLogger,
    file: path.join(__dirname, 'support', 'read-worker-faults.ts'),
    ...opts,
  });
  after(() => reads.close());
  return { reads, app: createApp({ ...runtime.apiDeps(), offThread: reads }) };
}

function assertProblem(res: request.Response, status: number, slug: string) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
  assert.equal(res.body.type, `/problems/${slug}`);
  assert.ok(Number(res.headers['retry-after']) > 0, 'Retry-After is set');
}

test('a read worker that dies mid-read answers 503 worker-failed, and the next read gets a new worker', async () => {
  const { app, reads } = faultyApp({ size: 1, maxQueue: 4 });
  await request(app).get('/api/series?match=node_load1').expect(200);
  assertProblem(await request(app).get('/api/series?match=crash_worker'), 503, 'worker-failed');
  const again = await request(app).get('/api/series?match=node_load1&limit=2').expect(200);
  assert.equal(again.body.series.length, 2);
  assert.equal(reads.stats().replaced, 1);
  await request(app).get('/healthz').expect(200);
});

test('with every worker busy and the queue full, a read answers 503 server-busy at once; the held ones finish', async () => {
  const { app, reads } = faultyApp({ size: 1, maxQueue: 1 });
  const release = path.join(tempDir(), 'release');
  const blocked = request(app).get(`/api/series?match=block_worker{until="${release}"}`).then((r) => r);
  await waitFor(() => reads.stats().busy === 1);
  const queued = request(app).get('/api/series?match=node_load1&limit=1').then((r) => r);
  await waitFor(() => reads.stats().queued === 1);
  assertProblem(await request(app).get('/api/series?match=node_load1'), 503, 'server-busy');
  await request(app).get('/healthz').expect(200); // the HTTP thread is free meanwhile
  fs.writeFileSync(release, '');
  assert.equal((await blocked).status, 200);
  assert.equal((await queued).status, 200);
});

test('a read past the timeout answers 503 read-timeout and its worker is replaced', async () => {
  const { app, reads } = faultyApp({ size: 1, maxQueue: 4, timeoutMs: 2000 });
  const never = path.join(tempDir(), 'never');
  assertProblem(await request(app).get(`/api/series?match=block_worker{until="${never}"}`), 503, 'read-timeout');
  await request(app).get('/api/series?match=node_load1&limit=1').expect(200);
  assert.equal(reads.stats().replaced, 1);
});

test('closing the workers refuses a waiting read with 503 shutting-down and ends the threads', async () => {
  const { app, reads } = faultyApp({ size: 1, maxQueue: 4 });
  const release = path.join(tempDir(), 'release');
  const blocked = request(app).get(`/api/series?match=block_worker{until="${release}"}`).then((r) => r);
  await waitFor(() => reads.stats().busy === 1);
  const waiting = request(app).get('/api/series?match=node_load1').then((r) => r);
  await waitFor(() => reads.stats().queued === 1);
  await reads.close();
  assertProblem(await blocked, 503, 'shutting-down');
  assertProblem(await waiting, 503, 'shutting-down');
  assert.deepEqual(reads.stats(), { size: 1, live: 0, busy: 0, queued: 0, replaced: 0, heapBytes: 0 });
});

test('a range query reading few points is answered on the HTTP thread while every worker is busy; a larger one waits for a worker', async () => {
  const { app, reads } = faultyApp({ size: 1, maxQueue: 4 });
  const release = path.join(tempDir(), 'release');
  const blocked = request(app).get(`/api/series?match=block_worker{until="${release}"}`).then((r) => r);
  await waitFor(() => reads.stats().busy === 1);
  // 1 series × 2 h of raw samples: a few hundred points.
  const small = `/api/series/query?match=app_latency_seconds&from=${(T0 - 2 * 3600_000) / 1000}&to=${T0 / 1000}&step=60`;
  let settled = false;
  const pending = request(app).get(small).set('Accept-Encoding', 'gzip').then((r) => ((settled = true), r));
  await waitFor(() => settled || reads.stats().queued > 0);
  assert.ok(settled, 'answered without waiting for the worker');
  const answered = await pending;
  const same = await request(onMain).get(small).set('Accept-Encoding', 'gzip').expect(200);
  assert.equal(answered.status, 200);
  assert.equal(answered.text, same.text);
  assert.equal(answered.headers.etag, same.headers.etag);
  // 20 series × 3 days of raw samples at the finest assumed resolution: well over the bound.
  const large = request(app).get(`/api/series/query?match=node_load1&from=${(T0 - 3 * 86_400_000) / 1000}&to=${T0 / 1000}&step=60`).then((r) => r);
  await waitFor(() => reads.stats().queued === 1);
  fs.writeFileSync(release, '');
  assert.equal((await blocked).status, 200);
  assert.equal((await large).status, 200);
});

test('a small range query answered on the HTTP thread first brings rollups up to date a slice at a time, as a worker read does', async () => {
  const ts = T0 - 30 * MIN;
  const n = 3 * ROLLUP_SLICE_SERIES + 10;
  runtime.store.writeSamples(Array.from({ length: n }, (_, i) => ({ name: 'sliced_m', labels: { collector: 'app', i: String(i) }, ts, value: i })));
  const slices: boolean[] = [];
  let turned = false;
  const slice = runtime.store.updateRollupsSlice.bind(runtime.store);
  const watched = Object.assign(Object.create(runtime.store) as typeof runtime.store, {
    updateRollupsSlice: (max: number) => {
      slices.push(turned);
      turned = false;
      return slice(max);
    },
  });
  const reads = new ReadWorkers({ dbPath, store: watched, clock, log: silentLogger, size: 1 });
  after(() => reads.close());
  const app = createApp({ ...runtime.apiDeps(), offThread: reads });
  let ticking = true;
  const tick = () => {
    turned = true;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const res = await request(app).get(`/api/series/query?match=sliced_m{i="7"}&from=${(T0 - 3600_000) / 1000}&to=${T0 / 1000}&step=3600&agg=max`).expect(200);
  ticking = false;
  assert.ok(slices.length >= 4, `${slices.length} slices for ${n} series`);
  assert.ok(slices.slice(1).every(Boolean), `the event loop turned before each slice after the first (${slices.join(',')})`);
  assert.equal(res.body.source, 'rollup');
  assert.deepEqual(res.body.series[0].points.map((p: [number, number]) => p[1]), [7]);
  assert.equal(reads.stats().live, 0, 'no worker was started: the HTTP thread answered');
});

/** Nice values of this process's threads, by thread id (Linux /proc). */
function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return out;
}

test('read worker threads run at a lower CPU priority than the HTTP thread, which keeps its own', { skip: process.platform !== 'linux' && 'per-thread priority is set on Linux only' }, async () => {
  const mainNice = os.getPriority();
  const before = new Set(threadNices().keys());
  const reads = new ReadWorkers({ dbPath, store: runtime.store, clock, log: silentLogger, size: 1, nice: 7 });
  after(() => reads.close());
  await reads.seriesList(parseSelector('node_load1'), 1, 'identity');
  const added = [...threadNices()].filter(([tid]) => !before.has(tid));
  assert.ok(added.some(([, nice]) => nice === 7), `a new thread at nice 7: ${JSON.stringify(added)}`);
  assert.equal(os.getPriority(), mainNice, 'the HTTP thread keeps its priority');
  assert.equal(threadNices().get(process.pid), mainNice);
});

/** Polls `cond` (the pool's own counters) until it holds; fails after ~5 s. */
async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('condition not reached');
}

test('after recycle() the read workers see a series id that retention freed and a new series took', async () => {
  const file = path.join(tempDir(), 'reuse.db');
  const { openStore } = await import('../server/store/index.js');
  const store = openStore({ path: file, now: () => T0 });
  after(() => store.close());
  store.writeSamples([{ name: 'old_metric', labels: { collector: 'a' }, ts: T0 - MIN, value: 1 }]);
  const reads = new ReadWorkers({ dbPath: file, store, clock, log: silentLogger, size: 1 });
  after(() => reads.close());
  const names = async () => JSON.parse(Buffer.from((await reads.seriesList(parseSelector('{collector="a"}'), 10, 'identity')).body).toString('utf8')).series.map((s: { name: string }) => s.name);
  assert.deepEqual(await names(), ['old_metric']);
  // What retention does to a series without data, then a new series taking the freed id.
  store.db.exec('DELETE FROM samples_head; DELETE FROM samples; DELETE FROM series');
  const fresh = openStore({ path: file, now: () => T0 });
  fresh.writeSamples([{ name: 'new_metric', labels: { collector: 'a' }, ts: T0, value: 2 }]);
  fresh.close();
  reads.recycle();
  assert.deepEqual(await names(), ['new_metric']);
});

test('200 open streams and 50 concurrent summaries: one evaluation listener, and every summary is the last evaluation\'s, none evaluated anew', async () => {
  const server = onWorkers.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 300 });
  const listenersBefore = runtime.evaluator.listenerCount('evaluated');
  const streams: http.ClientRequest[] = [];
  try {
    await Promise.all(
      Array.from({ length: 200 }, () =>
        new Promise<void>((resolve, reject) => {
          const req = http.get({ host: '127.0.0.1', port, path: '/api/stream', agent }, (r) => r.once('data', () => resolve()));
          req.on('error', reject);
          streams.push(req);
        }),
      ),
    );
    assert.equal(runtime.evaluator.listenerCount('evaluated'), listenersBefore + 1, 'one fan-out for every stream');
    const latest = runtime.evaluator.latest();
    const bodies = await Promise.all(
      Array.from({ length: 50 }, () =>
        new Promise<string>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port, path: '/api/summary', agent }, (r) => {
            let text = '';
            r.setEncoding('utf8');
            r.on('data', (c: string) => (text += c));
            r.on('end', () => resolve(text));
          }).on('error', reject);
        }),
      ),
    );
    assert.equal(runtime.evaluator.latest(), latest, 'no request evaluated');
    assert.equal(new Set(bodies).size, 1, 'every summary is the same text');
    assert.equal(JSON.parse(bodies[0]!).evaluatedAt, new Date(latest!.at).toISOString());
  } finally {
    for (const s of streams) s.destroy();
    agent.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

/** An Evaluator on the test database whose off-thread passes go to the runtime's read workers, each held until released. */
function gatedEvaluator(fail = false) {
  const held: Array<() => void> = [];
  let sent = 0;
  const evaluator = new Evaluator({
    store: runtime.store,
    tables: evaluationTables(runtime.store),
    collectors: () => runtime.scheduler.status(),
    log: silentLogger,
    clock,
    resume: false,
    offThread: async (spec, collectors, now, hints) => {
      sent++;
      await new Promise<void>((r) => held.push(r));
      if (fail) throw new Error('worker gone');
      return runtime.reads!.evaluate(spec, collectors, now, hints);
    },
  });
  const release = async () => {
    while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
    held.shift()!();
  };
  return { evaluator, release, sent: () => sent };
}

const specOf = () => {
  const wl = runtime.workload.current()!.workload;
  return { indicators: wl.indicators, outcomes: wl.outcomes, settings: wl.evaluation };
};

test('off-thread passes: one asked for during another follows it, and an answer for a spec a reload replaced is dropped', async () => {
  const { evaluator, release, sent } = gatedEvaluator();
  const first = evaluator.setSpec(specOf()); // on this thread, as a load or reload does
  const events: number[] = [];
  evaluator.on('evaluated', (s) => events.push(s.at));
  const a = evaluator.evaluateSoon();
  const b = evaluator.evaluateSoon(); // asked during the first: answered with it, and another follows
  assert.equal(sent(), 1);
  await release();
  assert.equal(await a, await b);
  assert.ok(await a);
  await release(); // the follow-up pass
  while (evaluator.latest() === (await a)) await new Promise((r) => setTimeout(r, 5));
  assert.equal(sent(), 2);
  assert.equal(events.length, 2);
  // A reload while a pass is out: its answer is for the old spec and is dropped.
  const out = evaluator.evaluateSoon();
  const reloaded = evaluator.setSpec({ ...specOf(), outcomes: [] });
  await release();
  assert.equal(await out, null);
  assert.equal(evaluator.latest(), reloaded);
  assert.notEqual(reloaded, first);
  evaluator.stop();
});

test('an off-thread pass whose worker fails runs on the main thread, and the wall still gets it', async () => {
  const { evaluator, release } = gatedEvaluator(true);
  evaluator.setSpec(specOf());
  const soon = evaluator.evaluateSoon();
  await release();
  const snap = await soon;
  assert.ok(snap, 'the pass was applied');
  assert.equal(evaluator.latest(), snap);
  assert.equal(snap.indicators.length, specOf().indicators.length);
  evaluator.stop();
});

test('a worker left with a big heap after a read is ended once idle, and the next read starts a new one', async () => {
  const fake = new FakeClock(T0);
  const reads = new ReadWorkers({ dbPath, store: runtime.store, clock: fake, log: silentLogger, size: 1, fatHeapBytes: 1, fatIdleMs: 10_000 });
  after(() => reads.close());
  const list = async () => JSON.parse(Buffer.from((await reads.seriesList(parseSelector('node_load1'), 2, 'identity')).body).toString('utf8')).series.length;
  assert.equal(await list(), 2);
  assert.equal(reads.stats().live, 1);
  fake.advance(9_999);
  assert.equal(reads.stats().live, 1, 'not before it was idle that long');
  fake.advance(1);
  assert.equal(reads.stats().live, 0);
  assert.equal(await list(), 2);
  assert.equal(reads.stats().live, 1);
  assert.equal(reads.stats().replaced, 0, 'ended on purpose, not replaced after a fault');
});
