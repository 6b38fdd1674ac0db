import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSecretKey, loadWorkloadText, redactWorkload, REDACTED, type Workload } from '../server/workload/index.js';
import { lines, testRegistry } from './workload-helpers.js';

test('redaction hides values that came from environment variables', () => {
  const text = lines(
    'workload: { id: shop, title: Web shop }',
    'collectors:',
    '  - id: prom',
    '    type: query',
    '    url: ${PROM_URL}',
    '    queries: { up: up }',
    '    auth:',
    '      username: ${PROM_USER}',
    '      password: hunter2',
  );
  const r = loadWorkloadText(text, { file: 'w.yaml', registry: testRegistry(), env: { PROM_URL: 'http://internal:9090', PROM_USER: 'svc' } });
  assert.ok(r.ok);
  const redacted = redactWorkload(r.workload, r.secretPaths) as Workload;
  const config = redacted.collectors[0]!.config as Record<string, any>;
  assert.equal(config.url, REDACTED);
  assert.equal(config.auth.username, REDACTED, 'env-derived, though not secret-named');
  assert.equal(config.auth.password, REDACTED, 'secret-named, though written in the file');
  assert.deepEqual(config.queries, { up: 'up' });
  assert.doesNotMatch(JSON.stringify(redacted), /internal|svc|hunter2/);
});

test('redaction maps renamed common fields: an env-derived interval hides intervalMs', () => {
  const text = lines('workload: { id: shop, title: Web shop }', 'collectors:', '  - { id: a, type: dummy, url: "http://a", interval: "${EVERY}" }');
  const r = loadWorkloadText(text, { file: 'w.yaml', registry: testRegistry(), env: { EVERY: '45s' } });
  assert.ok(r.ok);
  const redacted = redactWorkload(r.workload, r.secretPaths) as Workload;
  assert.equal(redacted.collectors[0]!.intervalMs as unknown, REDACTED);
  assert.equal(redacted.collectors[0]!.timeoutMs, 30_000);
});

test('redaction hides secret-named keys at any depth, whatever the case', () => {
  const workload = {
    version: 1,
    workload: { id: 'shop', title: 'Shop', timezone: 'UTC' },
    storage: { retention: { rawMs: 1, hourlyMs: 2 } },
    collectors: [
      {
        id: 'a',
        type: 'x',
        intervalMs: 1000,
        timeoutMs: 1000,
        jitter: 0,
        labels: {},
        config: {
          headers: { Authorization: 'Bearer abc', 'X-Api-Key': 'k1', Accept: 'text/plain' },
          auth: { bearer: 'tok', basic: { username: 'u', password: 'p' } },
          api_key: 'k2',
          accessToken: 't',
          CLIENT_SECRET: 's',
          tokens_per_run: 5,
          since: new Date(0),
          pattern: /up/,
          limit: Infinity,
        },
      },
    ],
  } as unknown as Workload;
  const config = (redactWorkload(workload, []) as Workload).collectors[0]!.config;
  assert.deepEqual(config, {
    headers: { Authorization: REDACTED, 'X-Api-Key': REDACTED, Accept: 'text/plain' },
    auth: { bearer: REDACTED, basic: { username: 'u', password: REDACTED } },
    api_key: REDACTED,
    accessToken: REDACTED,
    CLIENT_SECRET: REDACTED,
    tokens_per_run: 5,
    since: '1970-01-01T00:00:00.000Z',
    pattern: '/up/',
    limit: null,
  });
});

test('isSecretKey matches whole words, so a count of tokens is not a secret', () => {
  for (const key of ['password', 'db_password', 'Token', 'refresh-token', 'bearer_token', 'api_key', 'apiKey', 'APIKEY', 'authorization', 'secret', 'private_key'])
    assert.equal(isSecretKey(key), true, key);
  for (const key of ['tokens_per_run', 'url', 'username', 'keep', 'key', 'secretary'])
    assert.equal(isSecretKey(key), false, key);
});

test('redaction returns a copy and leaves the workload untouched', () => {
  const r = loadWorkloadText(lines('workload: { id: shop, title: Web shop }', 'collectors: [ { id: a, type: dummy, url: "${U}" } ]'), {
    file: 'w.yaml',
    registry: testRegistry(),
    env: { U: 'http://x' },
  });
  assert.ok(r.ok);
  redactWorkload(r.workload, r.secretPaths);
  assert.deepEqual(r.workload.collectors[0]!.config, { url: 'http://x' });
});
