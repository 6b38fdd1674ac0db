import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from './support/api-request.js';
import { validate as validateOpenApi, compileErrors } from '@readme/openapi-parser';
import { createApp } from '../server/api/app.js';
import { testRuntime } from './support/runtime.js';
import { assertEventConforms } from './support/api-contract.js';
import { promtoolCheckMetrics, PROMTOOL_BIN } from './support/promtool.js';
import { requireBinary } from './support/real-binaries.js';
import type { Sample } from '../collectors/types.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');
let clock = T0;
const MIN = 60_000;

const WORKLOAD = `
workload: { id: shop, title: "Web shop", owner: platform-team }
evaluation: { interval: 60s }
indicators:
  - id: latency
    title: "Checkout latency"
    pillar: performance_efficiency
    unit: seconds
    runbook: https://runbooks.example/latency
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
  - id: spend
    title: "Cloud spend"
    pillar: cost_optimization
    unit: dollars
    series: cloud_cost_dollars
    objective: { max: 100 }
outcomes:
  - id: buy
    title: "Customers can buy"
    owner: payments
    indicators:
      - { ref: availability, weight: 3, key: true }
      - latency
  - id: budget
    title: "We stay within budget"
    indicators: [spend]
`;

const { runtime } = testRuntime(WORKLOAD, {}, { now: () => clock });
let app: ReturnType<typeof createApp>;

/** Two hours of per-minute samples ending at T0: latency 0.4 s; 990 good and 10 bad requests a minute. */
function seed() {
  const samples: Sample[] = [];
  for (let m = 120; m >= 0; m--) {
    const ts = T0 - m * MIN;
    const n = 120 - m;
    samples.push({ name: 'app_latency_seconds', labels: { collector: 'app' }, ts, value: 0.4 });
    samples.push({ name: 'requests_total', labels: { collector: 'app', code: '200' }, ts, value: 990 * n });
    samples.push({ name: 'requests_total', labels: { collector: 'app', code: '500' }, ts, value: 10 * n });
  }
  runtime.store.writeSamples(samples);
}

before(() => {
  seed();
  runtime.load(false, { evaluate: true });
  app = createApp(runtime.apiDeps());
});

function assertProblem(res: request.Response, status: number, field?: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
  if (field) assert.ok(res.body.errors?.some((e: { name: string }) => e.name === field), JSON.stringify(res.body));
}

test('GET /api/summary gives the six pillars in order, outcomes with scores, and never invents a number', async () => {
  const res = await request(app).get('/api/summary').expect(200);
  const s = res.body;
  assert.equal(s.workload.title, 'Web shop');
  assert.equal(s.workload.timezone, 'UTC', 'the workload file gives no zone: UTC, its default');
  assert.equal(s.evaluatedAt, new Date(T0).toISOString());
  assert.equal(s.stale, false);
  assert.deepEqual(
    s.pillars.map((p: any) => [p.id, p.status, p.score]),
    [
      ['operational_excellence', 'not_measured', null],
      ['security', 'not_measured', null],
      // SLO: 1% errors against a 5% budget → 80% of the budget left → score 80. Time to
      // restore has no data: the status judges the measured one, coverage says 1 of 2.
      ['reliability', 'ok', 80],
      // avg 0.4 s, target 0.3, critical 1.0: 100 × (1 − 0.1/0.7) = 85.714… → 85.7
      ['performance_efficiency', 'ok', 85.7],
      ['cost_optimization', 'no_data', null],
      ['sustainability', 'not_measured', null],
    ],
  );
  const reliability = s.pillars.find((p: any) => p.id === 'reliability');
  assert.deepEqual(reliability.coverage, { measured: 1, total: 2, measuredWeight: 1, totalWeight: 2 });
  assert.equal(reliability.description, 'Doing the intended job correctly, and recovering fast from failure.');
  assert.equal(reliability.docs, '/docs/scoring.md#coverage-what-a-score-speaks-for');
  assert.match(reliability.reasons[0], /^Time to restore has no data: no incident restored in the window yet .*`pillarboard event add --kind incident /);
  const cost = s.pillars.find((p: any) => p.id === 'cost_optimization');
  assert.deepEqual(cost.coverage, { measured: 0, total: 1, measuredWeight: 0, totalWeight: 1 });
  // Nothing says "no data" above a number: every pillar and outcome with a score has a judging status.
  for (const x of [...s.pillars, ...s.outcomes]) if (x.score !== null) assert.ok(['ok', 'warning', 'critical'].includes(x.status), `${x.id}: ${x.status} ${x.score}`);
  const buy = s.outcomes.find((o: any) => o.id === 'buy');
  assert.deepEqual(buy.coverage, { measured: 2, total: 2, measuredWeight: 4, totalWeight: 4 });
  // (3 × 80 + 1 × 85.714) / 4 = 81.43 → 81.4
  assert.equal(buy.score, 81.4);
  assert.equal(buy.status, 'ok');
  assert.equal(buy.owner, 'payments');
  // The SLO's 7-day window is covered by the two hours of seeded counters, and says so.
  assert.deepEqual(buy.errorBudget, { indicator: 'availability', budgetRemaining: buy.errorBudget.budgetRemaining, windowSeconds: 7 * 86_400, windowCoverage: buy.errorBudget.windowCoverage });
  assert.ok(Math.abs(buy.errorBudget.windowCoverage - 2 / 168) < 1e-3, `coverage ${buy.errorBudget.windowCoverage}`);
  assert.ok(Math.abs(buy.errorBudget.budgetRemaining - 0.8) < 1e-9);
  const budget = s.outcomes.find((o: any) => o.id === 'budget');
  assert.equal(budget.score, null);
  assert.equal(budget.status, 'no_data');
  assert.deepEqual(s.indicators, { ok: 2, warning: 0, critical: 0, no_data: 2, stale: 0 });
});

test('GET /api/outcomes/:id lists each indicator with weight, key flag and the points it cost', async () => {
  const res = await request(app).get('/api/outcomes/buy').expect(200);
  const rows = res.body.indicators.map((i: any) => [i.id, i.weight, i.key, i.cost]);
  // availability: 3 × (100 − 80) / 4 = 15; latency: 1 × (100 − 85.714) / 4 = 3.57 → 3.6
  assert.deepEqual(rows, [
    ['availability', 3, true, 15],
    ['latency', 1, false, 3.6],
  ]);
  assertProblem(await request(app).get('/api/outcomes/nope'), 404);
});

test('GET /api/indicators/:id gives value, objective, status, SLO budget, burn rates and transitions', async () => {
  const lat = (await request(app).get('/api/indicators/latency').expect(200)).body;
  assert.ok(Math.abs(lat.value - 0.4) < 1e-9, String(lat.value));
  assert.deepEqual(lat.objective, { target: 0.3, direction: 'max', warning: 0.5, critical: 1 });
  assert.equal(lat.runbook, 'https://runbooks.example/latency');
  assert.deepEqual(lat.outcomes, ['buy']);
  assert.deepEqual(lat.transitions.map((t: any) => [t.from, t.to]), [[null, 'ok']]);
  const slo = (await request(app).get('/api/indicators/availability').expect(200)).body;
  assert.equal(slo.kind, 'slo');
  assert.ok(Math.abs(slo.value - 0.99) < 1e-9, `attainment ${slo.value}`);
  assert.equal(slo.slo.alertState, 'ok');
  // burn rate = error ratio / budget = 0.01 / 0.05 = 0.2 in every window with data
  assert.ok(Math.abs(slo.slo.burnRates['1h'] - 0.2) < 1e-9);
  assert.equal(slo.slo.windowSeconds, 7 * 86400);
  const spend = (await request(app).get('/api/indicators/spend').expect(200)).body;
  assert.equal(spend.status, 'no_data');
  assert.equal(spend.value, null);
  assert.match(spend.reason, /cloud_cost_dollars/);
  assertProblem(await request(app).get('/api/indicators/nope'), 404);
  assertProblem(await request(app).get('/api/indicators').query({ pillar: 'speed' }), 400, 'pillar');
  assertProblem(await request(app).get('/api/indicators/latency').query({ limit: '0' }), 400, 'limit');
});

test('GET /api/pillars/:pillar lists its indicators; an unknown pillar is 404 naming the six', async () => {
  const res = await request(app).get('/api/pillars/reliability').expect(200);
  assert.equal(res.body.title, 'Reliability');
  assert.deepEqual(res.body.indicators.map((i: any) => i.id), ['availability', 'restore']);
  assert.deepEqual([res.body.status, res.body.score, res.body.coverage.measured, res.body.coverage.total], ['ok', 80, 1, 2]);
  const bad = await request(app).get('/api/pillars/speed');
  assertProblem(bad, 404);
  assert.match(bad.body.detail, /operational_excellence, security, reliability/);
});

test('a status change is stored as a transition and history endpoints return the scores over time', async () => {
  // One hour later latency has degraded to 0.8 s (between warning 0.5 and critical 1.0).
  const later: Sample[] = [];
  for (let m = 1; m <= 60; m++) later.push({ name: 'app_latency_seconds', labels: { collector: 'app' }, ts: T0 + m * MIN, value: 0.8 });
  runtime.store.writeSamples(later);
  clock = T0 + 60 * MIN;
  runtime.evaluator.evaluateNow();
  const lat = (await request(app).get('/api/indicators/latency').expect(200)).body;
  assert.equal(lat.status, 'warning');
  assert.deepEqual(lat.transitions.map((t: any) => [t.from, t.to]), [['ok', 'warning'], [null, 'ok']]);
  assert.equal(lat.since, new Date(clock).toISOString());

  const hist = (await request(app).get('/api/indicators/latency/history').query({ from: String(T0 / 1000 - 60), to: 'now', step: '1m' }).expect(200)).body;
  assert.equal(hist.source, 'raw');
  // 100 × (1 − (0.8 − 0.3) / 0.7) = 28.571… → 28.6
  assert.deepEqual(hist.points.map((p: number[]) => p[1]), [85.7, 28.6]);
  const pill = (await request(app).get('/api/pillars/performance_efficiency/history').query({ from: 'now-2h', step: '1m' }).expect(200)).body;
  assert.deepEqual(pill.points.map((p: number[]) => p[1]), [85.7, 28.6]);
  const out = (await request(app).get('/api/outcomes/buy/history').query({ from: 'now-2h', step: '1m' }).expect(200)).body;
  assert.equal(out.points.length, 2);
  assertProblem(await request(app).get('/api/indicators/latency/history').query({ metric: 'mood' }), 400, 'metric');
  assertProblem(await request(app).get('/api/indicators/latency/history').query({ from: 'now-400d', step: '1s' }), 400, 'step');
  assertProblem(await request(app).get('/api/outcomes/nope/history'), 404);
});

test('/metrics publishes pillar, outcome, indicator and SLO gauges from the latest evaluation and passes promtool', { skip: requireBinary(PROMTOOL_BIN) }, async () => {
  const text = (await request(app).get('/metrics').expect(200)).text;
  assert.match(text, /^pillarboard_pillar_health_ratio\{pillar="reliability"\} 0\.8$/m);
  assert.doesNotMatch(text, /^pillarboard_pillar_health_ratio\{pillar="security"\}/m, 'not measured: no number');
  assert.match(text, /^pillarboard_pillar_measured\{pillar="security"\} 0$/m);
  // Coverage: the health ratio of reliability speaks for 1 of its 2 indicators; cost has none measured, so no ratio.
  assert.match(text, /^pillarboard_pillar_indicators\{pillar="reliability",state="measured"\} 1$/m);
  assert.match(text, /^pillarboard_pillar_indicators\{pillar="reliability",state="total"\} 2$/m);
  assert.match(text, /^pillarboard_pillar_indicators\{pillar="cost_optimization",state="measured"\} 0$/m);
  assert.doesNotMatch(text, /^pillarboard_pillar_health_ratio\{pillar="cost_optimization"\}/m, 'nothing measured: no number');
  assert.match(text, /^pillarboard_outcome_indicators\{outcome="budget",state="measured"\} 0$/m);
  assert.match(text, /^pillarboard_outcome_indicators\{outcome="buy",state="total"\} 2$/m);
  assert.match(text, /^pillarboard_outcome_status\{outcome="budget",status="no_data"\} 1$/m);
  assert.match(text, /^pillarboard_outcome_status\{outcome="budget",status="ok"\} 0$/m);
  assert.match(text, /^pillarboard_indicator_status\{indicator="latency",status="warning"\} 1$/m);
  const value = /^pillarboard_indicator_value\{indicator="latency",pillar="performance_efficiency"\} (\S+)$/m.exec(text);
  assert.ok(value && Math.abs(Number(value[1]) - 0.8) < 1e-9, value?.[0]);
  assert.doesNotMatch(text, /^pillarboard_indicator_value\{indicator="spend"/m);
  assert.match(text, /^pillarboard_slo_error_budget_remaining_ratio\{indicator="availability"\} 0\.8/m);
  assert.match(text, /^pillarboard_slo_burn_rate\{indicator="availability",window="6h"\} 0\.2/m);
  // The last hour has no requests: its burn rate is unknown, so absent rather than 0.
  assert.doesNotMatch(text, /^pillarboard_slo_burn_rate\{indicator="availability",window="1h"\}/m);
  const check = await promtoolCheckMetrics(text);
  assert.equal(check.code, 0, check.output);
});

test('GET /api/stream sends the summary at once and again after each evaluation', async () => {
  const server = app.listen(0, '127.0.0.1');
  after(() => server.close());
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  const events: any[] = [];
  const req = http.get({ host: '127.0.0.1', port, path: '/api/stream' });
  const res = await new Promise<http.IncomingMessage>((r) => req.once('response', r));
  assert.match(res.headers['content-type'] ?? '', /^text\/event-stream/);
  let buf = '';
  res.setEncoding('utf8');
  res.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      const name = /^event: (.*)$/m.exec(block)?.[1];
      if (name && data) assertEventConforms('/api/stream', name, data.slice(6));
      if (name === 'summary' && data) events.push(JSON.parse(data.slice(6)));
    }
  });
  const until = async (n: number) => {
    for (let t = 0; t < 200 && events.length < n; t++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(events.length >= n, `got ${events.length} events`);
  };
  await until(1);
  clock += MIN;
  runtime.evaluator.evaluateNow();
  await until(2);
  assert.equal(events[1].evaluatedAt, new Date(clock).toISOString());
  req.destroy();
});

test('GET /api/openapi.json is a valid OpenAPI 3.1 document covering every route the app serves', async () => {
  const doc = (await request(app).get('/api/openapi.json').expect(200)).body;
  assert.equal(doc.openapi, '3.1.0');
  const result = await validateOpenApi(structuredClone(doc));
  assert.equal(result.valid, true, result.valid ? '' : compileErrors(result));
  const documented = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path}`);
  }
  const served = new Set(routesOf(app).map(([m, p]) => `${m} ${p.replace(/:(\w+)/g, '{$1}')}`));
  // The dashboard's static files and its deep-link fallback (routes/index.ts) are not part of the API.
  served.delete('GET /');
  served.delete('GET /{*path}');
  assert.deepEqual([...served].filter((r) => !documented.has(r)).sort(), [], 'served but not documented');
  assert.deepEqual([...documented].filter((r) => !served.has(r)).sort(), [], 'documented but not served');
});

/** Every (method, path) Express has a route for, walking nested routers. */
function routesOf(appOrRouter: any): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const stack = appOrRouter.router?.stack ?? appOrRouter.stack ?? [];
  for (const layer of stack) {
    if (layer.route) {
      for (const m of Object.keys(layer.route.methods)) if (m !== '_all') out.push([m.toUpperCase(), layer.route.path]);
    } else if (layer.handle?.stack) {
      out.push(...routesOf(layer.handle));
    }
  }
  return out;
}

test('after a reload that removes an indicator, its series are gone from /metrics and the API', async () => {
  const fs = await import('node:fs');
  const file = runtime.opts.configPath;
  const original = fs.readFileSync(file, 'utf8');
  const edited = original
    .replace(/  - id: spend[\s\S]*?objective: \{ max: 100 \}\n/, '')
    .replace(/  - id: budget\n    title: "We stay within budget"\n    indicators: \[spend\]\n/, '');
  assert.notEqual(edited, original);
  fs.writeFileSync(file, edited);
  try {
    // The reload alone re-wires the evaluator (which evaluates at once).
    assert.equal(runtime.workload.reload('api').applied, true);
    const text = (await request(app).get('/metrics').expect(200)).text;
    assert.doesNotMatch(text, /indicator="spend"/);
    assert.doesNotMatch(text, /outcome="budget"/);
    assert.match(text, /indicator="latency"/);
    assertProblem(await request(app).get('/api/indicators/spend'), 404);
  } finally {
    fs.writeFileSync(file, original);
  }
});
