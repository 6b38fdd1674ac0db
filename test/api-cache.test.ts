import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import request from './support/api-request.js';
import { Gauge, Registry } from 'prom-client';
import { createApp } from '../server/api/app.js';
import { buildSummary } from '../server/api/routes/evaluation.js';
import { sharedRender } from '../server/api/routes/metrics.js';
import { CachingRegistry } from '../server/telemetry/cachingRegistry.js';
import type { Sample } from '../collectors/types.js';
import { testRuntime } from './support/runtime.js';
import { assertEventConforms } from './support/api-contract.js';

// /api/summary and /metrics keep what they built (per evaluation snapshot, collector state…):
// these tests pin that what they send is exactly what building it on every request would send.

const T0 = Date.parse('2026-11-20T12:00:00Z');
const MIN = 60_000;
let clock = T0;

const WORKLOAD = `
workload: { id: shop, title: "Web shop" }
collectors:
  - { id: app, type: scrape, url: "http://127.0.0.1:9/metrics" }
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
outcomes:
  - id: buy
    title: "Customers can buy"
    indicators:
      - { ref: availability, weight: 3, key: true }
      - latency
`;

const { runtime } = testRuntime(WORKLOAD, {}, { now: () => clock });
let app: ReturnType<typeof createApp>;

function write(ts: number, latency: number, n: number) {
  const samples: Sample[] = [
    { name: 'app_latency_seconds', labels: { collector: 'app' }, ts, value: latency },
    { name: 'requests_total', labels: { collector: 'app', code: '200' }, ts, value: 990 * n },
    { name: 'requests_total', labels: { collector: 'app', code: '500' }, ts, value: 10 * n },
  ];
  runtime.store.writeSamples(samples);
}

before(() => {
  for (let m = 60; m >= 0; m--) write(T0 - m * MIN, 0.4, 60 - m);
  runtime.load(false, { evaluate: true });
  app = createApp(runtime.apiDeps());
});

/** GET /api/summary, checked against the summary built from scratch now. */
async function summary() {
  const res = await request(app).get('/api/summary').expect(200);
  assert.equal(res.text, JSON.stringify(buildSummary(runtime.apiDeps())));
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  return res;
}

test('GET /api/summary is rebuilt on a new evaluation, a collector change and when it turns stale — and only then', async () => {
  const first = await summary();
  const again = await summary();
  assert.equal(again.headers.etag, first.headers.etag);
  await request(app).get('/api/summary').set('If-None-Match', first.headers.etag!).expect(304);

  // A new evaluation with another latency.
  clock += MIN;
  write(clock, 0.9, 61);
  runtime.evaluator.evaluateNow();
  const evaluated = await summary();
  assert.notEqual(evaluated.headers.etag, first.headers.etag);
  assert.equal(evaluated.body.evaluatedAt, new Date(clock).toISOString());

  // A collector run fails: the collectors part changes, the snapshot does not.
  const run = { startedAt: clock, durationMs: 5, ok: false, error: 'connection refused', samplesWritten: 0 };
  runtime.scheduler.seed('app', { last: run, consecutiveFailures: 1 });
  const failing = await summary();
  assert.deepEqual(failing.body.collectors.failing.map((c: { id: string }) => c.id), ['app']);
  assert.notEqual(failing.headers.etag, evaluated.headers.etag);

  // No evaluation for more than three intervals: the same snapshot is now stale.
  assert.equal(failing.body.stale, false);
  clock += 3 * MIN + 1;
  const stale = await summary();
  assert.equal(stale.body.stale, true);
});

test('the SSE stream sends the same summary text', async () => {
  const server = app.listen(0, '127.0.0.1');
  try {
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as { port: number };
    const ctrl = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/api/stream`, { signal: ctrl.signal });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: summary')) text += new TextDecoder().decode((await reader.read()).value);
    while (!/event: summary\ndata: .*\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    ctrl.abort();
    const data = /event: summary\ndata: (.*)\n\n/.exec(text)![1];
    assertEventConforms('/api/stream', 'summary', data!);
    assert.equal(data, JSON.stringify(buildSummary(runtime.apiDeps())));
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

/** The pillarboard_* families of an exposition text other than the HTTP histogram, which every request changes. */
const pillarboardFamilies = (text: string) =>
  text
    .split('\n\n')
    .filter((f) => /^# HELP pillarboard_/.test(f) && !f.startsWith('# HELP pillarboard_http_'))
    .join('\n\n');

test('/metrics renders the evaluation gauges once per snapshot, with the text prom-client renders from scratch', async () => {
  const uncached = new Registry();
  for (const m of runtime.metrics.registry.getMetricsAsArray()) uncached.registerMetric(m as unknown as Gauge<string>);

  const first = await request(app).get('/metrics').expect(200);
  assert.equal(first.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  assert.ok(first.headers.etag);
  assert.equal(pillarboardFamilies(first.text), pillarboardFamilies(await uncached.metrics()));
  assert.match(first.text, /^pillarboard_indicator_status\{indicator="latency",status="critical"\} 0$/m);
  assert.ok(first.text.endsWith('\n') && !first.text.endsWith('\n\n'));

  clock += MIN;
  write(clock, 100, 62); // lifts the hour's average latency past the critical bound
  runtime.evaluator.evaluateNow();
  const second = await request(app).get('/metrics').expect(200);
  assert.match(second.text, /^pillarboard_indicator_status\{indicator="latency",status="critical"\} 1$/m);
  assert.match(second.text, new RegExp(`^pillarboard_evaluation_last_timestamp_seconds ${clock / 1000}$`, 'm'));
  assert.equal(pillarboardFamilies(second.text), pillarboardFamilies(await uncached.metrics()));
});

test('CachingRegistry: metricsBuffer() is metrics() as bytes; a cached metric is rendered again when its key changes', async () => {
  const registry = new CachingRegistry();
  let key = 1;
  let renders = 0;
  const cached = new Gauge({
    name: 'cached_value',
    help: 'A value with a "quote" and a \\ backslash.',
    labelNames: ['k'],
    registers: [registry],
    collect() {
      renders++;
      this.reset();
      this.set({ k: `v${key}` }, key);
    },
  });
  registry.cacheWhile(cached, () => key);
  const live = new Gauge({ name: 'live_value', help: 'Ünïcödé help', registers: [registry] });
  live.set(3);

  const text = await registry.metrics();
  assert.equal((await registry.metricsBuffer()).toString('utf8'), text);
  assert.equal(renders, 1);
  live.set(4);
  assert.match((await registry.metricsBuffer()).toString('utf8'), /^live_value 4$/m);
  assert.equal(renders, 1, 'same key: not rendered again');
  key = 2;
  const after = (await registry.metricsBuffer()).toString('utf8');
  assert.equal(renders, 2);
  assert.match(after, /^cached_value\{k="v2"\} 2$/m);
  assert.equal(after, await registry.metrics());
  registry.setDefaultLabels({ site: 'a' });
  assert.match((await registry.metricsBuffer()).toString('utf8'), /^cached_value\{k="v2",site="a"\} 2$/m);
});

test('sharedRender: callers that arrive together share a render; a caller never gets a render that started before it', async () => {
  let started = 0;
  let release!: () => void;
  const render = sharedRender(async () => {
    const n = ++started;
    await new Promise<void>((r) => (release = r));
    return n;
  });
  const a = render();
  const b = render();
  assert.equal(a, b);
  await new Promise((r) => setImmediate(r));
  assert.equal(started, 1);
  const c = render(); // the first render has started: c waits for the next one
  release();
  assert.equal(await a, 1);
  await new Promise((r) => setImmediate(r));
  release();
  assert.equal(await c, 2);

  const failing = sharedRender(async () => {
    throw new Error('boom');
  });
  await assert.rejects(Promise.all([failing(), failing()]), /boom/);
});
