import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { parseSelector } from '../server/store/index.js';
import { testRuntime } from './support/runtime.js';
import { ago, DAY, HOUR, NOW } from './support/dora-events.js';

/**
 * GET /api/dora and the runtime's wiring: events stored before the workload loads are turned
 * into DORA series before the first evaluation, so an indicator on them has a value at once.
 *
 * Events: shop deploys at −20d (commit −21d) and −3d (commit −3d6h); search at −2d; an incident
 * on shop at −1d, restored after 2 h, links to the −3d deployment.
 */
const WORKLOAD = `
workload: { id: shop, title: "Web shop" }
operations:
  dora: { benchmark_year: 2024 }
  runbooks:
    - { id: restart, title: "Restart the shop", owner: ops, reviewed: "2026-02-19" }
indicators:
  - id: deploy_frequency
    title: "Deployments per day"
    unit: deployments/day
    pillar: operational_excellence
    series: 'dora_deployment_frequency_per_day{scope="workload",window="30d"}'
    objective: { min: 0.1, critical: 0.01 }
`;

const { runtime } = testRuntime(WORKLOAD, {}, { now: () => NOW });
let app: ReturnType<typeof createApp>;

before(() => {
  runtime.events.upsertEvents([
    { kind: 'deployment', source: 'ci', externalId: 'd1', service: 'shop', environment: 'production', status: 'success', startedAt: ago(20 * DAY), attrs: { commits: [{ sha: 'a1', at: ago(21 * DAY) }] } },
    { kind: 'deployment', source: 'ci', externalId: 'd2', service: 'shop', environment: 'production', status: 'success', startedAt: ago(3 * DAY), attrs: { commits: [{ sha: 'a2', at: ago(3 * DAY + 6 * HOUR) }] } },
    { kind: 'deployment', source: 'ci', externalId: 'd3', service: 'search', environment: 'prod', status: 'success', startedAt: ago(2 * DAY) },
    { kind: 'incident', source: 'pd', externalId: 'i1', service: 'shop', startedAt: ago(1 * DAY), endedAt: ago(1 * DAY) + 2 * HOUR },
  ]);
  runtime.load(false, { evaluate: true });
  app = createApp(runtime.apiDeps());
});

test('the derived series exist before the first evaluation, so an indicator on them has a value', () => {
  const ind = runtime.evaluator.latest()!.indicators.find((i) => i.id === 'deploy_frequency')!;
  assert.equal(ind.value, 3 / 30); // 3 production deployments in 30 days ("prod" is production by default)
  assert.equal(ind.status, 'ok');
});

test('writes the runbook review age from the operations section, labelled with its owner', () => {
  const [s] = runtime.store.findSeries(parseSelector('ops_runbook_review_age_days{runbook="restart"}'));
  assert.deepEqual(s?.labels, { runbook: 'restart', owner: 'ops' });
  assert.equal(runtime.store.latestSample(s!.id)?.value, 10); // reviewed 2026-02-19, now 2026-03-01
});

test('GET /api/dora gives the four keys for the workload and every service over 30 days by default', async () => {
  const res = await request(app).get('/api/dora').expect(200);
  assert.equal(res.body.window, '30d');
  assert.deepEqual(res.body.benchmark, { year: 2024, source: 'https://dora.dev/research/2024/dora-report/' });
  assert.deepEqual(res.body.scopes.map((s: { service: string | null }) => s.service), [null, 'search', 'shop']);
  const shop = res.body.scopes[2];
  assert.equal(shop.scope, 'service');
  assert.equal(shop.deployments, 2);
  assert.equal(shop.failedDeployments, 1);
  // shop 30d: 2/30 per day → between weekly and monthly: medium; lead times 1 d and 6 h → 15 h: elite (< 1 day);
  // CFR 1/2 → low; restored after 2 h → high (< 1 day)
  assert.deepEqual(shop.keys, {
    deployment_frequency: { value: 2 / 30, unit: 'deployments/day', tier: 'medium', sampleSize: 2 },
    lead_time: { value: 54000, unit: 'seconds', tier: 'elite', sampleSize: 2 },
    change_failure_rate: { value: 0.5, unit: 'ratio', tier: 'low', sampleSize: 2 },
    time_to_restore: { value: 7200, unit: 'seconds', tier: 'high', sampleSize: 1 },
  });
  assert.deepEqual(res.body.incidentLinks, { explicit: 0, previous: 1, unresolved: 0, none: 0 });
});

test('GET /api/dora?service=&window= gives one service over the window asked for', async () => {
  const res = await request(app).get('/api/dora?service=search&window=7d').expect(200);
  assert.equal(res.body.scopes.length, 1);
  assert.equal(res.body.scopes[0].keys.deployment_frequency.value, 1 / 7);
  assert.equal(res.body.scopes[0].keys.lead_time.value, null, 'no commits: unknown, not 0');
});

test('GET /api/dora answers 404 for a service without events and 400 naming a window it does not know', async () => {
  const missing = await request(app).get('/api/dora?service=billing').expect(404);
  assert.match(missing.headers['content-type'] ?? '', /^application\/problem\+json/);
  const bad = await request(app).get('/api/dora?window=1d').expect(400);
  assert.deepEqual(bad.body.errors, [{ name: 'window', in: 'query', message: 'must be one of 7d, 30d, 90d' }]);
});
