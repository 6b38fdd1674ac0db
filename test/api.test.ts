import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { testRuntime } from './support/runtime.js';
import { promtoolCheckMetrics, PROMTOOL_BIN } from './support/promtool.js';
import { requireBinary } from './support/real-binaries.js';

const WORKLOAD = `
workload: { id: api-test, title: "API test" }
collectors:
  - id: host
    type: host
    interval: 60s
  - id: prom
    type: prometheus
    url: http://127.0.0.1:9
    interval: 60s
    auth:
      bearer: \${PROM_TOKEN}
    queries:
      up: up
`;

const { runtime, configPath } = testRuntime(WORKLOAD, { PROM_TOKEN: 's3cret-token-value' });
let app: ReturnType<typeof createApp>;

before(async () => {
  runtime.load(false, { evaluate: true });
  app = createApp(runtime.apiDeps());
  await runtime.scheduler.runOnce(['host']);
  runtime.store.updateRollups();
});

function assertProblem(res: request.Response, status: number, field?: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.title, 'string');
  assert.match(res.body.type, /^\/problems\//);
  if (field) assert.ok(res.body.errors?.some((e: { name: string }) => e.name === field), `names ${field}: ${JSON.stringify(res.body)}`);
}

test('GET /healthz answers ok and /readyz reports database and workload ready', async () => {
  assert.deepEqual((await request(app).get('/healthz').expect(200)).body, { status: 'ok' });
  const ready = await request(app).get('/readyz').expect(200);
  assert.deepEqual(ready.body.checks, { database: 'ok', workload: 'ok' });
});

test('GET /readyz answers 503 problem+json when the database is closed', async () => {
  const broken = createApp({
    ...runtime.apiDeps(),
    pingDatabase: () => {
      throw new Error('The database connection is not open');
    },
  });
  const res = await request(broken).get('/readyz');
  assertProblem(res, 503);
  assert.match(res.body.detail, /database: failed: The database connection is not open/);
});

test('GET /api/collectors lists every collector with its last run, last success and next run', async () => {
  const res = await request(app).get('/api/collectors').expect(200);
  const byId = new Map(res.body.collectors.map((c: { id: string }) => [c.id, c]));
  const host = byId.get('host') as Record<string, any>;
  assert.equal(host.type, 'host');
  assert.equal(host.intervalSeconds, 60);
  assert.equal(host.up, true);
  assert.equal(host.lastRun.ok, true);
  assert.ok(host.lastRun.samplesWritten > 0);
  assert.equal(host.lastSuccess.startedAt, host.lastRun.startedAt);
  const prom = byId.get('prom') as Record<string, any>;
  assert.equal(prom.lastRun, null, 'never run');
  assert.equal(prom.up, null);
  assertProblem(await request(app).get('/api/collectors/nope'), 404);
});

test('GET /api/series finds series by a PromQL-style selector', async () => {
  const res = await request(app).get('/api/series').query({ match: '{__name__=~"host_.*", collector!="x"}' }).expect(200);
  const names = new Set(res.body.series.map((s: { name: string }) => s.name));
  assert.ok(names.has('host_load1'), [...names].join(','));
  assert.equal(res.body.truncated, false);
  const one = await request(app).get('/api/series').query({ match: 'host_load1' }).expect(200);
  assert.equal(one.body.series.length, 1);
});

test('GET /api/series rejects a malformed selector naming the match parameter', async () => {
  assertProblem(await request(app).get('/api/series').query({ match: 'host_load1{job="x' }), 400, 'match');
  assertProblem(await request(app).get('/api/series'), 400, 'match');
});

test('GET /api/series/query returns the stored points of the matched series', async () => {
  const res = await request(app)
    .get('/api/series/query')
    .query({ match: 'host_load1', from: 'now-10m', to: 'now', step: '60s' })
    .expect(200);
  assert.equal(res.body.source, 'raw');
  assert.equal(res.body.series.length, 1);
  const pts = res.body.series[0].points;
  assert.equal(pts.length, 1);
  assert.equal(typeof pts[0][1], 'number');
});

test('GET /api/series/query names the parameter at fault for bad ranges', async () => {
  const q = (query: Record<string, string>) => request(app).get('/api/series/query').query({ match: 'host_load1', ...query });
  assertProblem(await q({ from: 'now', to: 'now-1h' }), 400, 'from');
  assertProblem(await q({ from: 'yesterday' }), 400, 'from');
  assertProblem(await q({ from: 'now-30d', step: '1s' }), 400, 'step');
  assertProblem(await q({ step: '-5m' }), 400, 'step');
  assertProblem(await q({ agg: 'median' }), 400, 'agg');
});

test('GET /api/workload shows the active workload with env-derived secrets redacted', async () => {
  const res = await request(app).get('/api/workload').expect(200);
  const text = JSON.stringify(res.body);
  assert.ok(!text.includes('s3cret-token-value'), 'the token never leaves the server');
  assert.match(text, /<redacted>/);
  assert.equal(res.body.workload.workload.id, 'api-test');
  assert.match(res.body.version.hash, /^[0-9a-f]{64}$/);
});

test('GET /api/workload/versions lists each applied version, the active one marked', async () => {
  const before = (await request(app).get('/api/workload/versions').expect(200)).body.versions;
  assert.equal(before.length, 1);
  assert.equal(before[0].active, true);
  fs.writeFileSync(configPath, WORKLOAD.replace('API test', 'API test, edited'));
  const r = runtime.workload.reload('api');
  assert.equal(r.applied, true);
  const after = (await request(app).get('/api/workload/versions').expect(200)).body.versions;
  assert.equal(after.length, 2);
  assert.equal(after.filter((v: { active: boolean }) => v.active).length, 1);
  assert.notEqual(after[0].hash, after[1].hash);
});

test('GET /metrics exposes collector health and passes promtool check metrics', { skip: requireBinary(PROMTOOL_BIN) }, async () => {
  const res = await request(app).get('/metrics').expect(200);
  assert.match(res.headers['content-type'] ?? '', /^text\/plain; version=0\.0\.4/);
  assert.match(res.text, /^pillarboard_collector_up\{collector="host"\} 1$/m);
  assert.match(res.text, /^pillarboard_collector_last_success_timestamp_seconds\{collector="host"\} \d+/m);
  assert.match(res.text, /^pillarboard_collector_duration_seconds_count\{collector="host"\} 1$/m);
  assert.match(res.text, /^pillarboard_collector_samples_total\{collector="host"\} [1-9]/m);
  assert.match(res.text, /^pillarboard_build_info\{version="0\.0\.0-test"/m);
  assert.match(res.text, /^process_resident_memory_bytes /m);
  assert.doesNotMatch(res.text, /^pillarboard_collector_(up|last_success_timestamp_seconds)\{collector="prom"\}/m, 'no up/last-success before a first run');
  assert.match(res.text, /^pillarboard_collector_consecutive_failures\{collector="prom"\} 0$/m);
  const check = await promtoolCheckMetrics(res.text);
  assert.equal(check.code, 0, check.output);
});

test('unknown routes answer 404 problem+json and errors never leak a stack trace', async () => {
  const res = await request(app).get('/api/nope');
  assertProblem(res, 404);
  assert.doesNotMatch(JSON.stringify(res.body), /at .*\.ts:\d+/);
});

test('responses carry a self-only Content-Security-Policy without upgrade-insecure-requests or HSTS', async () => {
  const res = await request(app).get('/healthz').expect(200);
  const csp = res.headers['content-security-policy'] ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /upgrade-insecure-requests/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
  assert.equal(res.headers['strict-transport-security'], undefined);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
});

test('GET /api/series/query answers 422 when the selector matches more series than the limit', async () => {
  const res = await request(app).get('/api/series/query').query({ match: '{__name__=~"host_.*"}', limit: '2' });
  assertProblem(res, 422, 'match');
  assert.match(res.body.detail, /more than 2 series/);
});
