import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import request from './support/api-request.js';
import { loadWorkloadText, type LoadResult } from '../server/workload/index.js';
import { lines, testRegistry } from './workload-helpers.js';
import { eventsApp, fixture, hmacHex } from './fixtures/events-helpers.js';

const registry = testRegistry();
const load = (text: string, env: Record<string, string> = {}): LoadResult => loadWorkloadText(text, { file: 'w.yaml', registry, env });

test('the operations section reads every key, with secrets from the environment', () => {
  const r = load(
    lines(
      'workload: { id: shop, title: Shop }',
      'operations:',
      '  production_environments: [prod-eu, prod-us]',
      '  dora: { benchmark_year: 2024 }',
      '  incident_labels: [incident, outage]',
      '  webhooks:',
      '    github: { secret: "${GH}", deploy_workflows: ["^deploy"], deploy_environment: prod-eu }',
      '    gitlab: { token: "${GL}" }',
      '    pagerduty: { secret: "${PD}" }',
      '  runbooks:',
      '    - { id: restore-db, title: "Restore the database", owner: dba, reviewed: "2026-10-01", url: "https://wiki.example.com/restore" }',
    ),
    { GH: 'gh-secret', GL: 'gl-token', PD: 'pd-secret' },
  );
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  assert.deepEqual(r.workload.operations, {
    productionEnvironments: ['prod-eu', 'prod-us'],
    dora: { benchmarkYear: 2024 },
    incidentLabels: ['incident', 'outage'],
    webhooks: {
      github: { secret: 'gh-secret', deployWorkflows: ['^deploy'], deployEnvironment: 'prod-eu' },
      gitlab: { token: 'gl-token', deployPipelines: [], deployEnvironment: 'production' },
      pagerduty: { secret: 'pd-secret' },
    },
    runbooks: [{ id: 'restore-db', title: 'Restore the database', owner: 'dba', reviewedAt: Date.UTC(2026, 9, 1), url: 'https://wiki.example.com/restore' }],
  });
});

test('the operations section refuses a bad benchmark year, regex, date or duplicate runbook, naming file positions', () => {
  const r = load(
    lines(
      'workload: { id: shop, title: Shop }',
      'operations:',
      '  dora: { benchmark_year: 2020 }',
      '  webhooks:',
      '    github: { secret: s, deploy_workflows: ["(unclosed"] }',
      '    bitbucket: { secret: s }',
      '  runbooks:',
      '    - { id: restore, title: Restore, reviewed: "2026-02-30" }',
      '    - { id: restore, title: Again, reviewed: 2026-10-01 }',
    ),
  );
  assert.equal(r.ok, false);
  const issues = !r.ok ? r.errors.map((e) => `${e.line}:${e.path}: ${e.message}`) : [];
  const has = (re: RegExp) => assert.ok(issues.some((i) => re.test(i)), `${re} in\n${issues.join('\n')}`);
  has(/^3:operations\.dora\.benchmark_year: must be one of 2021, 2022, 2023, 2024/);
  has(/^5:operations\.webhooks\.github\.deploy_workflows\[0\]: not a valid regular expression/);
  has(/^6:operations\.webhooks\.bitbucket: unknown key "bitbucket"/);
  has(/^8:operations\.runbooks\[0\]\.reviewed: not a calendar date/);
  has(/^9:operations\.runbooks\[1\]\.id: duplicate runbook id "restore"/);
});

test('webhook secrets are redacted from GET /api/workload, and a reload applies a new secret to the next delivery', async () => {
  const { app, runtime, configPath } = eventsApp('operations:\n  webhooks:\n    pagerduty: { secret: "${PD}" }\n', { PD: 'first-secret' });
  const shown = await request(app).get('/api/workload').expect(200);
  assert.equal(shown.body.workload.operations.webhooks.pagerduty.secret, '<redacted>');
  const body = fixture('pagerduty', 'incident.triggered');
  const send = (secret: string) =>
    request(app).post('/api/webhooks/pagerduty').set('Content-Type', 'application/json').set('X-PagerDuty-Signature', `v1=${hmacHex(secret, body)}`).send(body.toString('utf8'));
  await send('first-secret').expect(200);
  fs.writeFileSync(configPath, fs.readFileSync(configPath, 'utf8').replace('"${PD}"', 'second-secret'));
  assert.equal(runtime.workload.reload('api').applied, true);
  assert.equal((await send('first-secret')).status, 401);
  await send('second-secret').expect(200);
});
