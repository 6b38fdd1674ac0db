import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { createApp } from '../server/api/app.js';
import { otlpTypes } from '../server/otlp/proto.js';
import { testRuntime } from './support/runtime.js';
import { promtoolCheckMetrics } from './support/promtool.js';
import { exportRequest, kv, ns, protobufOf, serveApp } from './support/otlp.js';

/**
 * POST /v1/metrics over HTTP: encodings, auth, caps and the OTLP/HTTP answers (success,
 * partial success, errors in the request's encoding), against a running app.
 */

const NOW = Date.parse('2026-12-01T12:00:00Z');
const { runtime } = testRuntime('workload: { id: shop, title: Shop }\n', {}, { now: () => NOW });
let base = '';
let write = '';
let read = '';
let close = async () => {};
after(() => close());

before(async () => {
  runtime.load(false, { evaluate: false });
  write = runtime.tokens.create('otel', 'write').token;
  read = runtime.tokens.create('wall', 'read').token;
  ({ base, close } = await serveApp(createApp(runtime.apiDeps())));
});

const PROTO = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

function post(body: Buffer | string | object, opts: { type?: string; token?: string | null; encoding?: string } = {}) {
  const headers: Record<string, string> = { 'Content-Type': opts.type ?? JSON_TYPE };
  if (opts.token !== null) headers.Authorization = `Bearer ${opts.token ?? write}`;
  if (opts.encoding) headers['Content-Encoding'] = opts.encoding;
  const data = Buffer.isBuffer(body) ? new Uint8Array(body) : typeof body === 'string' ? body : JSON.stringify(body);
  return fetch(`${base}/v1/metrics`, { method: 'POST', headers, body: data });
}

const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer());
const status = async (res: Response) => otlpTypes().status.toObject(otlpTypes().status.decode(await bytes(res))) as { code?: number; message?: string };
const seriesCount = () => runtime.store.seriesCount();

const gauge = (name: string, value: number, attrs: Record<string, string> = {}, extra: object = {}) => ({
  name,
  gauge: { dataPoints: [{ timeUnixNano: ns(NOW), asDouble: value, attributes: kv(attrs), ...extra }] },
});

/** The latest stored value of the one series `match` selects. */
function latest(match: string): number | undefined {
  const found = runtime.store.findSeries(parseMatch(match));
  assert.equal(found.length, 1, `${match} selects ${found.length} series`);
  return runtime.store.latestSample(found[0]!.id)?.value;
}

function parseMatch(match: string) {
  const m = /^(\w+)\{(.*)\}$/.exec(match) ?? [match, match, ''];
  const matchers = (m[2] ?? '')
    .split(',')
    .filter(Boolean)
    .map((p) => {
      const [label, value] = p.split('=');
      return { label: label!, op: '=' as const, value: JSON.parse(value!) as string };
    });
  return { name: m[1]!, matchers };
}

test('POST /v1/metrics without a token is 401 with a protobuf google.rpc.Status for a protobuf client, and stores nothing', async () => {
  const before = seriesCount();
  const res = await post(protobufOf(exportRequest([gauge('no_token', 1)])), { type: PROTO, token: null });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('content-type'), PROTO);
  assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
  const s = await status(res);
  assert.equal(s.code, 16);
  assert.match(s.message ?? '', /needs a token with scope write/);
  assert.equal(seriesCount(), before);
});

test('a read-scope token is refused 403 with problem+json carrying the Status code and message for a JSON client', async () => {
  const res = await post(exportRequest([gauge('read_token', 1)]), { token: read });
  assert.equal(res.status, 403);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body.type, '/problems/forbidden');
  assert.equal(body.code, 7);
  assert.equal(body.message, body.detail);
  assert.match(String(body.detail), /scope read; this route needs write/);
});

test('a body that is neither protobuf nor JSON is refused 415 naming Content-Type, after the token check', async () => {
  const res = await post('metric 1', { type: 'text/plain' });
  assert.equal(res.status, 415);
  const body = (await res.json()) as { errors: Array<{ name: string }>; code: number };
  assert.deepEqual(body.errors.map((e) => e.name), ['Content-Type']);
  assert.equal(body.code, 3);
  assert.equal((await post('metric 1', { type: 'text/plain', token: null })).status, 401);
});

test('a malformed protobuf body is a 400 Status naming the decoding failure, and nothing is stored', async () => {
  const before = seriesCount();
  const res = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { type: PROTO });
  assert.equal(res.status, 400);
  const s = await status(res);
  assert.equal(s.code, 3);
  assert.match(s.message ?? '', /not a protobuf ExportMetricsServiceRequest: .*; nothing was stored/);
  assert.equal(seriesCount(), before);
});

test('malformed JSON and JSON of the wrong shape are 400 problem+json naming what failed', async () => {
  const broken = await post('{"resourceMetrics": [', {});
  assert.equal(broken.status, 400);
  assert.match(((await broken.json()) as { detail: string }).detail, /the body is not JSON/);
  const shape = await post({ resourceMetrics: [{ scopeMetrics: 5 }] });
  assert.equal(shape.status, 400);
  assert.match(((await shape.json()) as { detail: string }).detail, /ResourceMetrics\.scopeMetrics: array expected/);
});

test('a gzip bomb is cut at the decompressed cap: 413, nothing stored, and the server keeps answering', async () => {
  const before = seriesCount();
  const bomb = zlib.gzipSync(Buffer.alloc(40 * 1024 * 1024));
  assert.ok(bomb.length < 100 * 1024, `the bomb is ${bomb.length} bytes on the wire`);
  const res = await post(bomb, { type: PROTO, encoding: 'gzip' });
  assert.equal(res.status, 413);
  assert.match((await status(res)).message ?? '', /decompresses to more than 16777216 bytes/);
  assert.equal(seriesCount(), before);
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
});

test('a body over the received cap is 413 whether it declares its length or streams it chunked', async () => {
  const big = Buffer.alloc(5 * 1024 * 1024, 1);
  const declared = await post(big, { type: PROTO });
  assert.equal(declared.status, 413);
  assert.match((await status(declared)).message ?? '', /the body is 5242880 bytes, the limit is 4194304/);
  let sent = 0;
  const chunks = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ < 5) controller.enqueue(new Uint8Array(1024 * 1024).fill(1));
      else controller.close();
    },
  });
  const streamed = await fetch(`${base}/v1/metrics`, {
    method: 'POST',
    headers: { 'Content-Type': PROTO, Authorization: `Bearer ${write}` },
    body: chunks,
    duplex: 'half',
  } as RequestInit);
  assert.equal(streamed.status, 413);
  assert.match((await status(streamed)).message ?? '', /the body exceeds 4194304 bytes/);
});

test('a Content-Encoding other than gzip is 415; a body that says gzip but is not is 400', async () => {
  const body = protobufOf(exportRequest([gauge('enc', 1)]));
  const br = await post(zlib.brotliCompressSync(body), { type: PROTO, encoding: 'br' });
  assert.equal(br.status, 415);
  assert.match((await status(br)).message ?? '', /Content-Encoding br is not accepted/);
  const fake = await post(body, { type: PROTO, encoding: 'gzip' });
  assert.equal(fake.status, 400);
  assert.match((await status(fake)).message ?? '', /not valid gzip/);
});

test('OTLP JSON with int64 strings, enum numbers, hex ids and unknown fields is stored; success is an empty response', async () => {
  const res = await post({
    resourceMetrics: [
      {
        resource: { attributes: kv({ 'service.name': 'json-shop', 'service.namespace': 'retail', 'host.name': 'web-1', 'process.pid': 4242 }) },
        futureField: { ignored: true },
        scopeMetrics: [
          {
            scope: { name: 'json' },
            metrics: [
              {
                name: 'payments.settled',
                unit: '{payment}',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [
                    {
                      startTimeUnixNano: ns(NOW - 60_000),
                      timeUnixNano: ns(NOW),
                      asInt: '9007199254740993',
                      attributes: kv({ 'payment.method': 'card', retries: 2, ok: true }),
                      exemplars: [{ timeUnixNano: ns(NOW), asDouble: 1, traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174' }],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('content-type')?.split(';')[0], JSON_TYPE);
  assert.deepEqual(await res.json(), {});
  const [series] = runtime.store.findSeries({ name: 'payments_settled_total', matchers: [] });
  assert.deepEqual(series!.labels, { job: 'retail/json-shop', host_name: 'web-1', payment_method: 'card', retries: '2', ok: 'true' });
  assert.equal(runtime.store.latestSample(series!.id)?.value, 9007199254740992);
});

test('a protobuf export with an exponential histogram gets partial_success naming it, and its other points are stored', async () => {
  const request = exportRequest([
    gauge('temperature', 21.5, { room: 'lab' }),
    {
      name: 'latency',
      exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(NOW), count: '2', scale: 1, positive: { offset: 0, bucketCounts: ['2'] } }] },
    },
  ]);
  const res = await post(protobufOf(request), { type: PROTO });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), PROTO);
  const { response } = otlpTypes();
  const answer = response.toObject(response.decode(await bytes(res)), { longs: Number }) as { partialSuccess?: { rejectedDataPoints: number; errorMessage: string } };
  assert.equal(answer.partialSuccess?.rejectedDataPoints, 1);
  assert.match(answer.partialSuccess?.errorMessage ?? '', /^1 data point refused: exponential histogram "latency" is not supported/);
  assert.equal(latest('temperature{room="lab"}'), 21.5);
});

test('a point flagged NO_RECORDED_VALUE is stored as a staleness marker (NaN) after the last value', async () => {
  await post(exportRequest([gauge('queue_len', 4, { q: 'a' })]));
  const res = await post(exportRequest([{ name: 'queue_len', gauge: { dataPoints: [{ timeUnixNano: ns(NOW + 1000), flags: 1, attributes: kv({ q: 'a' }) }] } }]));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {});
  const [s] = runtime.store.findSeries(parseMatch('queue_len{q="a"}'));
  const points = runtime.store.rawPoints(s!.id, NOW - 1, NOW + 1000);
  assert.equal(points.length, 2);
  assert.equal(points[0]![1], 4);
  assert.ok(Number.isNaN(points[1]![1]));
});

test('a summary becomes {quantile} series with _sum and _count, as Prometheus names them', async () => {
  const res = await post(
    exportRequest([
      {
        name: 'rpc.duration',
        unit: 'ms',
        summary: {
          dataPoints: [{ timeUnixNano: ns(NOW), count: '10', sum: 123.5, quantileValues: [{ quantile: 0.5, value: 11 }, { quantile: 0.99, value: 40 }] }],
        },
      },
    ]),
  );
  assert.equal(res.status, 200);
  assert.equal(latest('rpc_duration_milliseconds{quantile="0.5"}'), 11);
  assert.equal(latest('rpc_duration_milliseconds{quantile="0.99"}'), 40);
  assert.equal(latest('rpc_duration_milliseconds_sum{job="api-test"}'), 123.5);
  assert.equal(latest('rpc_duration_milliseconds_count{job="api-test"}'), 10);
});

test('a delta point sent twice (a retried export) is refused the second time and not counted twice', async () => {
  const delta = (ms: number, v: number) =>
    exportRequest([{ name: 'signups', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ startTimeUnixNano: ns(ms - 1000), timeUnixNano: ns(ms), asInt: String(v) }] } }]);
  assert.deepEqual(await (await post(delta(NOW - 2000, 5))).json(), {});
  assert.deepEqual(await (await post(delta(NOW - 1000, 3))).json(), {});
  const again = (await (await post(delta(NOW - 1000, 3))).json()) as { partialSuccess: { rejectedDataPoints: string; errorMessage: string } };
  assert.equal(again.partialSuccess.rejectedDataPoints, '1');
  assert.match(again.partialSuccess.errorMessage, /signups_total: a delta point ends at .*not after the last one stored/);
  assert.equal(latest('signups_total'), 8);
});

test('a sum with unspecified temporality is refused naming the metric; points without a time are stamped now', async () => {
  const res = await post(
    exportRequest([
      { name: 'mystery', sum: { isMonotonic: true, dataPoints: [{ timeUnixNano: ns(NOW), asInt: '1' }] } },
      { name: 'untimed', gauge: { dataPoints: [{ asDouble: 2 }] } },
    ]),
  );
  const body = (await res.json()) as { partialSuccess: { rejectedDataPoints: string; errorMessage: string } };
  assert.equal(body.partialSuccess.rejectedDataPoints, '1');
  assert.match(body.partialSuccess.errorMessage, /metric "mystery": aggregation_temporality is unspecified/);
  const [s] = runtime.store.findSeries({ name: 'untimed', matchers: [] });
  assert.deepEqual(runtime.store.latestSample(s!.id), { ts: NOW, value: 2 });
});

test('a point with a label value over label_value_length_limit or stamped far ahead is refused; the others are stored', async () => {
  const res = await post(
    exportRequest([
      gauge('labelled', 1, { note: 'x'.repeat(3000) }),
      gauge('labelled', 2, { note: 'short' }),
      { name: 'labelled', gauge: { dataPoints: [{ timeUnixNano: ns(NOW + 2 * 3_600_000), asDouble: 3, attributes: kv({ note: 'future' }) }] } },
    ]),
  );
  const body = (await res.json()) as { partialSuccess: { rejectedDataPoints: string; errorMessage: string } };
  assert.equal(body.partialSuccess.rejectedDataPoints, '2');
  assert.match(body.partialSuccess.errorMessage, /label note is 3000 characters long, the limit \(label_value_length_limit\) is 2048/);
  assert.match(body.partialSuccess.errorMessage, /more than 60 minutes ahead of the server's clock/);
  assert.equal(latest('labelled{note="short"}'), 2);
  assert.equal(runtime.store.findSeries({ name: 'labelled', matchers: [] }).length, 1);
});

test('nested attribute values are stored as JSON up to the protobuf nesting limit and refused 400 beyond it', async () => {
  const nestedRequest = (levels: number) => {
    let nested: object = { stringValue: 'leaf' };
    for (let i = 0; i < levels; i++) nested = { kvlistValue: { values: [{ key: 'k', value: nested }] } };
    return exportRequest([{ name: 'nested', gauge: { dataPoints: [{ timeUnixNano: ns(NOW), asDouble: 1, attributes: [{ key: 'v', value: nested }] }] } }]);
  };
  assert.equal((await post(protobufOf(nestedRequest(2)), { type: PROTO })).status, 200);
  const [stored] = runtime.store.findSeries({ name: 'nested', matchers: [] });
  assert.equal(stored!.labels.v, '{"k":{"k":"leaf"}}');
  const deep = await post(nestedRequest(200));
  assert.equal(deep.status, 400);
  assert.match(((await deep.json()) as { detail: string }).detail, /maximum nesting depth exceeded/);
});

test('generated protobuf bytes and OTLP-shaped JSON are never answered 5xx', async () => {
  const otlpish = fc.record({
    resourceMetrics: fc.array(
      fc.record({
        resource: fc.record({ attributes: fc.array(fc.record({ key: fc.string(), value: fc.jsonValue() }), { maxLength: 3 }) }, { requiredKeys: [] }),
        scopeMetrics: fc.array(fc.record({ metrics: fc.array(fc.dictionary(fc.constantFrom('name', 'unit', 'gauge', 'sum', 'histogram', 'summary', 'exponentialHistogram'), fc.jsonValue()), { maxLength: 3 }) }), { maxLength: 2 }),
      }, { requiredKeys: [] }),
      { maxLength: 2 },
    ),
  });
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }), otlpish), async (input) => {
      const res = input instanceof Uint8Array ? await post(Buffer.from(input), { type: PROTO }) : await post(input);
      await res.arrayBuffer();
      return res.status < 500;
    }),
    { numRuns: 300, seed: 16 },
  );
});

test('/metrics counts OTLP data points stored and refused and samples written, and passes promtool', async () => {
  const scrape = async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    return {
      text,
      stored: value(/^pillarboard_otlp_data_points_total\{result="stored"\} (\S+)$/m),
      refused: value(/^pillarboard_otlp_data_points_total\{result="refused"\} (\S+)$/m),
      samples: value(/^pillarboard_otlp_samples_written_total (\S+)$/m),
    };
  };
  const before = await scrape();
  const res = await post(
    exportRequest([
      gauge('scraped', 1, { n: '1' }),
      { name: 'scraped_hist', histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(NOW), count: '1', sum: 1, bucketCounts: ['1', '0'], explicitBounds: [5] }] } },
      { name: 'scraped_exp', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(NOW), count: '1' }] } },
    ]),
  );
  assert.equal(res.status, 200);
  const after = await scrape();
  assert.equal(after.stored - before.stored, 2);
  assert.equal(after.refused - before.refused, 1);
  assert.equal(after.samples - before.samples, 5); // the gauge, two buckets, _sum and _count
  const check = await promtoolCheckMetrics(after.text);
  assert.equal(check.code, 0, check.output);
});
