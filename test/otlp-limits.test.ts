import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createApp } from '../server/api/app.js';
import { OtlpReceiver, sqliteOtlpStore } from '../server/otlp/index.js';
import { findProtoDir } from '../server/otlp/proto.js';
import { silentLogger } from '../server/log.js';
import { testRuntime } from './support/runtime.js';
import { exportRequest, kv, ns, protobufOf, serveApp } from './support/otlp.js';
import { OTLP_MAX_IN_FLIGHT } from '../server/api/routes/otlp.js';
import { tempDir } from './support/tmp.js';

/**
 * The receiver's caps (points per request, new series per request, labels per point, delta
 * series kept) and the workload's storage.series_limit, and where the compiled server finds the
 * protocol definitions.
 */

const NOW = Date.parse('2026-12-01T12:00:00Z');
// storage.series_limit from the workload file: the runtime's own receiver obeys it.
const { runtime } = testRuntime('workload: { id: shop, title: Shop }\nstorage: { series_limit: 3 }\n', {}, { now: () => NOW });
let base = '';
let small = '';
let token = '';
const closers: Array<() => Promise<void>> = [];
after(() => Promise.all(closers.map((c) => c())));

before(async () => {
  runtime.load(false, { evaluate: false });
  token = runtime.tokens.create('otel', 'write').token;
  const served = await serveApp(createApp(runtime.apiDeps()));
  base = served.base;
  closers.push(served.close);
  // The same store behind a receiver with small caps.
  const receiver = new OtlpReceiver({
    store: sqliteOtlpStore(runtime.store),
    clock: runtime.clock,
    seriesLimit: () => 0,
    log: silentLogger,
    limits: { points: 5, newSeries: 2, labels: 4, deltaSeries: 1 },
  });
  const capped = await serveApp(createApp({ ...runtime.apiDeps(), otlp: receiver }));
  small = capped.base;
  closers.push(capped.close);
});

interface Answer {
  partialSuccess?: { rejectedDataPoints: string; errorMessage: string };
}

async function post(url: string, body: object): Promise<{ status: number; body: Answer & Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/metrics`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer & Record<string, unknown> };
}

const point = (value: number, attrs: Record<string, string>, ms = NOW) => ({ timeUnixNano: ns(ms), asDouble: value, attributes: kv(attrs) });
const gauge = (name: string, points: object[]) => ({ name, gauge: { dataPoints: points } });
const values = (name: string) =>
  Object.fromEntries(runtime.store.findSeries({ name, matchers: [] }).map((s) => [JSON.stringify(s.labels), runtime.store.latestSample(s.id)?.value]));

test('storage.series_limit reached: series already stored are still updated, new ones fill the room left and the rest are refused', async () => {
  const first = await post(base, exportRequest([gauge('stock', [point(1, { sku: 'a' }), point(1, { sku: 'b' })])]));
  assert.deepEqual(first.body, {});
  assert.equal(runtime.store.seriesCount(), 2);
  const next = await post(base, exportRequest([gauge('stock', [point(5, { sku: 'a' }, NOW + 1000), point(6, { sku: 'b' }, NOW + 1000), point(7, { sku: 'c' }), point(8, { sku: 'd' })])]));
  assert.equal(next.status, 200);
  assert.equal(next.body.partialSuccess?.rejectedDataPoints, '1');
  assert.match(next.body.partialSuccess?.errorMessage ?? '', /storage\.series_limit reached: the store holds 2 series, the limit is 3; points of series beyond it are refused \(1 point\)/);
  const job = 'api-test';
  assert.deepEqual(values('stock'), { [JSON.stringify({ job, sku: 'a' })]: 5, [JSON.stringify({ job, sku: 'b' })]: 6, [JSON.stringify({ job, sku: 'c' })]: 7 });
  assert.equal(runtime.store.seriesCount(), 3);
});

test('a request with more data points than the cap is refused whole with 413 too-many-points', async () => {
  const before = runtime.store.seriesCount();
  const res = await post(small, exportRequest([gauge('burst', [1, 2, 3, 4, 5, 6].map((i) => point(i, { i: String(i) })))]));
  assert.equal(res.status, 413);
  assert.equal(res.body.type, '/problems/too-many-points');
  assert.match(String(res.body.detail), /carries 6 data points, the limit is 5/);
  assert.equal(runtime.store.seriesCount(), before);
});

test('a request creating more new series than its cap stores the known series and the first new ones, refusing the rest', async () => {
  const res = await post(small, exportRequest([gauge('stock', [point(9, { sku: 'a' }, NOW + 2000), point(1, { sku: 'x' }), point(1, { sku: 'y' }), point(1, { sku: 'z' })])]));
  assert.equal(res.body.partialSuccess?.rejectedDataPoints, '1');
  assert.match(res.body.partialSuccess?.errorMessage ?? '', /would create 3 new series, the limit per request is 2; points of the series beyond the first 2 are refused/);
  const stock = values('stock');
  assert.equal(stock[JSON.stringify({ job: 'api-test', sku: 'a' })], 9);
  assert.deepEqual(Object.keys(stock).map((k) => JSON.parse(k).sku).sort(), ['a', 'b', 'c', 'x', 'y']);
});

test('a point with more labels than label_limit is refused naming the limit', async () => {
  const res = await post(small, exportRequest([gauge('stock', [point(1, { sku: 'a', b: '1', c: '2', d: '3' })])]));
  assert.equal(res.body.partialSuccess?.rejectedDataPoints, '1');
  assert.match(res.body.partialSuccess?.errorMessage ?? '', /stock: 5 labels, the limit \(label_limit\) is 4/);
});

test('delta series beyond the kept totals are refused, asking for cumulative temporality', async () => {
  const delta = (sku: string) => ({
    name: 'sold',
    sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: ns(NOW + 5000), asInt: '1', attributes: kv({ sku }) }] },
  });
  const res = await post(small, exportRequest([delta('a'), delta('b')]));
  assert.equal(res.body.partialSuccess?.rejectedDataPoints, '1');
  assert.match(res.body.partialSuccess?.errorMessage ?? '', /delta temporality is converted for at most 1 series; send cumulative temporality/);
});

test('exports beyond the ones being read at once are answered 503 busy with Retry-After, and the others complete', async () => {
  const body = protobufOf(exportRequest([gauge('slow', [point(1, { sku: 'slow' }, NOW + 9000)])]));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let started = 0;
  // OTLP_MAX_IN_FLIGHT exports whose bodies stall half way.
  const slow = Array.from({ length: OTLP_MAX_IN_FLIGHT }, () => {
    let step = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (step === 0) {
          started++;
          controller.enqueue(new Uint8Array(body.subarray(0, 5)));
        } else if (step === 1) {
          await released;
          controller.enqueue(new Uint8Array(body.subarray(5)));
        } else controller.close();
        step++;
      },
    });
    return fetch(`${base}/v1/metrics`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-protobuf', Authorization: `Bearer ${token}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
  });
  // Once the server holds all of them, one more is refused (bounded wait for the server to take them).
  let busy: Response | undefined;
  for (let i = 0; i < 100 && !busy; i++) {
    const res = await fetch(`${base}/v1/metrics`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: '{}' });
    if (res.status === 503) busy = res;
    else {
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  assert.ok(busy, `no 503 with ${started} exports stalled`);
  assert.equal(busy.headers.get('retry-after'), '1');
  assert.match(((await busy.json()) as { detail: string }).detail, new RegExp(`${OTLP_MAX_IN_FLIGHT} OTLP exports are being read or stored already`));
  release();
  const answers = await Promise.all(slow);
  assert.deepEqual(answers.map((a) => a.status), Array(OTLP_MAX_IN_FLIGHT).fill(200));
  // Room again.
  assert.equal((await post(base, exportRequest([]))).status, 200);
});

test('npm run build:proto puts the protocol definitions where the compiled server (dist/server/otlp) finds them', () => {
  const root = path.resolve(__dirname, '..');
  const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  assert.match(scripts.build!, /npm run build:proto/);
  const dir = tempDir();
  fs.cpSync(path.join(root, 'vendor'), path.join(dir, 'vendor'), { recursive: true });
  execSync(scripts['build:proto']!, { cwd: dir, stdio: 'pipe' });
  fs.rmSync(path.join(dir, 'vendor'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'dist', 'server', 'otlp'), { recursive: true });
  assert.equal(findProtoDir(path.join(dir, 'dist', 'server', 'otlp')), path.join(dir, 'dist', 'vendor', 'opentelemetry-proto'));
  assert.throws(() => findProtoDir(path.join(dir, 'elsewhere')), /protocol definitions .* are not found above/);
});

test('the workload file\'s otlp: section chooses the resource attributes that become labels and can refuse delta temporality', async () => {
  const { runtime: rt } = testRuntime(
    [
      'workload: { id: shop, title: Shop }',
      'otlp:',
      '  promote_all_resource_attributes: false',
      '  promote_resource_attributes: [deployment.environment, "k8s.*"]',
      '  delta_temporality: refuse',
    ].join('\n') + '\n',
    {},
    { now: () => NOW },
  );
  rt.load(false, { evaluate: false });
  const writeToken = rt.tokens.create('otel', 'write').token;
  const served = await serveApp(createApp(rt.apiDeps()));
  closers.push(served.close);
  const resource = { 'service.name': 'shop', 'deployment.environment': 'prod', 'k8s.pod.name': 'shop-7f', 'host.name': 'node-1' };
  const res = await fetch(`${served.base}/v1/metrics`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${writeToken}` },
    body: JSON.stringify(
      exportRequest(
        [
          gauge('temp', [point(20, { room: 'a' })]),
          { name: 'sold', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: ns(NOW), asInt: '1' }] } },
        ],
        resource,
      ),
    ),
  });
  const body = (await res.json()) as Answer;
  assert.equal(body.partialSuccess?.rejectedDataPoints, '1');
  assert.match(body.partialSuccess?.errorMessage ?? '', /metric "sold": delta temporality is refused \(otlp\.delta_temporality: refuse\)/);
  const [temp] = rt.store.findSeries({ name: 'temp', matchers: [] });
  assert.deepEqual(temp!.labels, { job: 'shop', deployment_environment: 'prod', k8s_pod_name: 'shop-7f', room: 'a' });
  assert.equal(rt.store.findSeries({ name: 'sold_total', matchers: [] }).length, 0);
});

test('an otlp: section with a wrong value is a workload error naming the key', () => {
  const { runtime: rt } = testRuntime('workload: { id: shop, title: Shop }\notlp: { delta_temporality: drop }\n', {}, { now: () => NOW });
  assert.throws(() => rt.load(false, { evaluate: false }), /otlp\.delta_temporality/);
});
