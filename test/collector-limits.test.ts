import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { parseSelector } from '../server/store/index.js';
import { loadWorkloadText } from '../server/workload/index.js';
import { collectorRegistry } from '../collectors/index.js';
import { testRuntime } from './support/runtime.js';

/**
 * Issue 12, finding 4: a target could create unbounded series. Each path of this real HTTP
 * target answers a Prometheus text page; `/fresh` invents new label values on every request,
 * as the hostile target in the issue did.
 */
let freshRun = 0;
const pages: Record<string, () => string> = {
  '/small': () => 'ok_metric 1\n',
  '/many': () => Array.from({ length: 150 }, (_, i) => `many_metric{i="${i}"} ${i}`).join('\n') + '\n',
  '/wide': () => `wide_metric{${Array.from({ length: 8 }, (_, i) => `l${i}="v"`).join(',')}} 1\n`,
  '/long': () => `long_metric{path="${'x'.repeat(40)}"} 1\n`,
  '/fresh': () => {
    freshRun++;
    return Array.from({ length: 30 }, (_, i) => `fresh_metric{run="${freshRun}",i="${i}"} ${i}`).join('\n') + '\n';
  },
};
const target = http.createServer((req, res) => {
  const page = pages[req.url ?? ''];
  res.writeHead(page ? 200 : 404, { 'content-type': 'text/plain; version=0.0.4' });
  res.end(page ? page() : 'not found');
});
let base = '';

const workload = () => `
workload: { id: limits-test, title: "Limits test" }
storage: { series_limit: 50 }
collectors:
  - { id: small, type: scrape, url: "${base}/small", interval: 60s }
  - { id: many, type: scrape, url: "${base}/many", interval: 60s, sample_limit: 100 }
  - { id: wide, type: scrape, url: "${base}/wide", interval: 60s, label_limit: 5 }
  - { id: long, type: scrape, url: "${base}/long", interval: 60s, label_value_length_limit: 16 }
  - { id: fresh, type: scrape, url: "${base}/fresh", interval: 60s }
`;

const { runtime, configPath } = testRuntime('workload: { id: placeholder, title: P }\n');

before(async () => {
  target.listen(0, '127.0.0.1');
  await new Promise((r) => target.once('listening', r));
  base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  (await import('node:fs')).writeFileSync(configPath, workload());
  runtime.load(false);
});
after(() => target.close());

const seriesOf = (name: string) => runtime.store.findSeries(parseSelector(name));

test('runs over sample_limit, label_limit or label_value_length_limit fail naming the limit and store nothing; the others run', async () => {
  const runs = new Map((await runtime.scheduler.runOnce(['small', 'many', 'wide', 'long'])).map((r) => [r.id, r.run]));
  assert.equal(runs.get('small')?.ok, true);
  assert.equal(seriesOf('ok_metric').length, 1);

  const expectRefused = (id: string, limit: string, message: RegExp, metric: string) => {
    const run = runs.get(id)!;
    assert.equal(run.ok, false, id);
    assert.equal(run.limit, limit);
    assert.match(run.error ?? '', message);
    assert.equal(run.samplesWritten, 0);
    assert.deepEqual(seriesOf(metric), [], `nothing of ${id}'s run was stored`);
    const stored = runtime.store.listRuns({ collectorId: id, limit: 1 })[0];
    assert.equal(stored?.ok, false);
    assert.match(stored?.error ?? '', message, 'the stored run says why');
  };
  expectRefused('many', 'sample_limit', /^sample_limit exceeded: the run returned 150 samples, the limit is 100/, 'many_metric');
  expectRefused('wide', 'label_limit', /^label_limit exceeded: wide_metric has 9 labels, the limit is 5/, 'wide_metric');
  expectRefused('long', 'label_value_length_limit', /^label_value_length_limit exceeded: long_metric label path is 40 characters long, the limit is 16/, 'long_metric');

  const metrics = (await request(createApp(runtime.apiDeps())).get('/metrics').expect(200)).text;
  assert.match(metrics, /^pillarboard_collector_limit_refusals_total\{collector="many",limit="sample_limit"\} 1$/m);
  assert.match(metrics, /^pillarboard_collector_limit_refusals_total\{collector="wide",limit="label_limit"\} 1$/m);
  assert.match(metrics, /^pillarboard_collector_limit_refusals_total\{collector="long",limit="label_value_length_limit"\} 1$/m);
  assert.match(metrics, /^pillarboard_collector_limit_refusals_total\{collector="small",limit="sample_limit"\} 0$/m);
});

test('a run that would take the store past storage.series_limit fails and stores nothing of that run', async () => {
  const before = runtime.store.seriesCount();
  const first = (await runtime.scheduler.runOnce(['fresh']))[0]!.run;
  assert.equal(first.ok, true, first.error);
  assert.equal(seriesOf('fresh_metric').length, 30);
  assert.equal(runtime.store.seriesCount(), before + 30);
  // Run 2 invents 30 new series: 31 + 30 would pass the limit of 50.
  const second = (await runtime.scheduler.runOnce(['fresh']))[0]!.run;
  assert.equal(second.ok, false);
  assert.equal(second.limit, 'series_limit');
  assert.match(second.error ?? '', /^series_limit exceeded: .*the limit is 50; nothing was stored/);
  assert.equal(seriesOf('fresh_metric').length, 30, 'no series of the refused run');
  assert.equal(runtime.store.seriesCount(), before + 30, 'the count is back where it was after the rollback');
  assert.equal(seriesOf('fresh_metric{run="2"}').length, 0);
  // Series already stored keep being written.
  const small = (await runtime.scheduler.runOnce(['small']))[0]!.run;
  assert.equal(small.ok, true);
  const metrics = (await request(createApp(runtime.apiDeps())).get('/metrics').expect(200)).text;
  assert.match(metrics, /^pillarboard_collector_limit_refusals_total\{collector="fresh",limit="series_limit"\} 1$/m);
});

test('limits default to safe values and a negative limit is refused naming the field', () => {
  const ok = loadWorkloadText('workload: { id: w, title: W }\ncollectors:\n  - { id: h, type: host }\n', {
    file: 'w.yaml',
    registry: collectorRegistry,
    env: {},
  });
  assert.ok(ok.ok);
  assert.deepEqual(ok.workload.collectors[0]?.limits, { samples: 50_000, labels: 64, labelValueLength: 2_048 });
  assert.equal(ok.workload.storage.seriesLimit, 500_000);
  const bad = loadWorkloadText('workload: { id: w, title: W }\ncollectors:\n  - { id: h, type: host, sample_limit: -1 }\n', {
    file: 'w.yaml',
    registry: collectorRegistry,
    env: {},
  });
  assert.equal(bad.ok, false);
  const issue = bad.ok ? undefined : bad.errors[0];
  assert.equal(issue?.path, 'collectors[0].sample_limit');
  assert.equal(issue?.line, 3);
  assert.match(issue?.message ?? '', /must be 0 \(no limit\) or more/);
});
