import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { loadWorkloadFile, loadWorkloadText, type LoadResult } from '../server/workload/index.js';
import { lines, tempDir, testRegistry, writeWorkload } from './workload-helpers.js';

const registry = testRegistry();
const DAY = 86_400_000;

function ok(r: LoadResult): Extract<LoadResult, { ok: true }> {
  if (!r.ok) assert.fail(`expected a valid file, got:\n${r.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`).join('\n')}`);
  return r;
}

test('a minimal file gets every default', () => {
  const r = ok(loadWorkloadText(lines('workload: { id: shop, title: Web shop }'), { file: 'w.yaml', registry, env: {} }));
  assert.deepEqual(r.workload, {
    version: 1,
    workload: { id: 'shop', title: 'Web shop', timezone: 'UTC' },
    storage: { retention: { rawMs: 15 * DAY, hourlyMs: 400 * DAY }, seriesLimit: 500_000 },
    collectors: [],
    evaluation: { intervalMs: 60_000, staleAfterFailures: 3 },
    indicators: [],
    outcomes: [],
    reports: {
      weekly: { enabled: true, cron: '0 8 * * MON', formats: ['html', 'pdf'], paper: 'A4', webhooks: [], retryDelaysMs: [60_000, 300_000, 1_800_000] },
    },
    operations: {
      productionEnvironments: ['production', 'prod'],
      dora: { benchmarkYear: 2023 },
      incidentLabels: ['incident'],
      webhooks: {},
      runbooks: [],
    },
    notifications: { channels: [], rules: [], retryDelaysMs: [30_000, 120_000, 600_000, 1_800_000], quietHours: [] },
    review: { lenses: null, evidence: [] },
    otlp: { promoteAllResourceAttributes: true, promoteResourceAttributes: [], ignoreResourceAttributes: ['process.*', 'telemetry.*'], deltaTemporality: 'convert' },
  });
  assert.deepEqual(r.secretPaths, []);
});

test('collector defaults come from the type, then 60s, and the timeout is the smaller of interval and 30s', () => {
  const text = lines(
    'workload: { id: shop, title: Web shop, owner: platform, timezone: Europe/Berlin, description: The shop }',
    'storage: { retention: { raw: 7d } }',
    'collectors:',
    '  - { id: plain, type: dummy, url: "http://a" }',
    '  - { id: typed, type: query, url: "http://b", queries: { up: up } }',
    '  - { id: fast, type: dummy, url: "http://c", interval: 10s, jitter: 0, labels: { team: web } }',
    '  - { id: slow, type: dummy, url: "http://d", interval: 5m, timeout: 1m, keep: [up] }',
  );
  const r = ok(loadWorkloadText(text, { file: 'w.yaml', registry, env: {} }));
  assert.deepEqual(r.workload.workload, { id: 'shop', title: 'Web shop', owner: 'platform', timezone: 'Europe/Berlin', description: 'The shop' });
  assert.deepEqual(r.workload.storage.retention, { rawMs: 7 * DAY, hourlyMs: 400 * DAY });
  assert.deepEqual(r.workload.collectors, [
    { id: 'plain', type: 'dummy', intervalMs: 60_000, timeoutMs: 30_000, jitter: 0.1, labels: {}, limits: { samples: 50_000, labels: 64, labelValueLength: 2_048 }, config: { url: 'http://a' } },
    { id: 'typed', type: 'query', intervalMs: 30_000, timeoutMs: 30_000, jitter: 0.1, labels: {}, limits: { samples: 50_000, labels: 64, labelValueLength: 2_048 }, config: { url: 'http://b', queries: { up: 'up' } } },
    { id: 'fast', type: 'dummy', intervalMs: 10_000, timeoutMs: 10_000, jitter: 0, labels: { team: 'web' }, limits: { samples: 50_000, labels: 64, labelValueLength: 2_048 }, config: { url: 'http://c' } },
    { id: 'slow', type: 'dummy', intervalMs: 300_000, timeoutMs: 60_000, jitter: 0.1, labels: {}, limits: { samples: 50_000, labels: 64, labelValueLength: 2_048 }, config: { url: 'http://d', keep: ['up'] } },
  ]);
});

test('${VAR} and ${VAR:-default} are substituted and their paths reported as secrets', () => {
  const text = lines(
    'workload: { id: shop, title: "Shop in ${REGION}" }',
    'collectors:',
    '  - id: prom',
    '    type: query',
    '    url: ${PROM_URL:-http://localhost:9090}',
    '    interval: ${PROM_INTERVAL:-15s}',
    '    queries:',
    '      up: sum(up{job="$${JOB}"})',
    '    auth:',
    '      username: reader',
    '      password: ${PROM_PASSWORD}',
  );
  const r = ok(loadWorkloadText(text, { file: 'w.yaml', registry, env: { REGION: 'eu', PROM_PASSWORD: 's3cret', PROM_INTERVAL: '' } }));
  assert.equal(r.workload.workload.title, 'Shop in eu');
  const prom = r.workload.collectors[0]!;
  assert.equal(prom.intervalMs, 15_000);
  assert.deepEqual(prom.config, {
    url: 'http://localhost:9090',
    queries: { up: 'sum(up{job="${JOB}"})' },
    auth: { username: 'reader', password: 's3cret' },
  });
  assert.deepEqual(r.secretPaths, [
    ['workload', 'title'],
    ['collectors', 0, 'url'],
    ['collectors', 0, 'interval'],
    ['collectors', 0, 'auth', 'password'],
  ]);
});

test('the source is the text as written and the hash is its sha256', (t) => {
  const text = lines('workload: { id: shop, title: Web shop }', 'collectors:', '  - { id: a, type: dummy, url: "${URL}" }');
  const path = writeWorkload(tempDir(t), text);
  const r = ok(loadWorkloadFile(path, { registry, env: { URL: 'http://secret-host' } }));
  assert.equal(r.source, text);
  assert.equal(r.hash, createHash('sha256').update(text).digest('hex'));
  assert.doesNotMatch(r.source, /secret-host/);
});

test('merge keys let collectors share settings', () => {
  const text = lines(
    'workload: { id: shop, title: Web shop }',
    'collectors:',
    '  - &base { id: a, type: dummy, url: "http://a", interval: 15s }',
    '  - { <<: *base, id: b }',
  );
  const r = ok(loadWorkloadText(text, { file: 'w.yaml', registry, env: {} }));
  assert.deepEqual(
    r.workload.collectors.map((c) => [c.id, c.intervalMs]),
    [
      ['a', 15_000],
      ['b', 15_000],
    ],
  );
});

test('an empty registry still validates the common collector fields', () => {
  const r = loadWorkloadText(lines('workload: { id: shop, title: Web shop }', 'collectors: [ { id: a, type: dummy } ]'), {
    file: 'w.yaml',
    registry: new Map(),
    env: {},
  });
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.errors[0]!.message, /unknown collector type "dummy"; known types: \(none registered\)/);
});
