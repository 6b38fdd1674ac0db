import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { createApp } from '../server/api/app.js';
import { testRuntime } from './support/runtime.js';

/**
 * A running Pillarboard (the app on a free loopback port, real clock) receiving metrics from the
 * real OpenTelemetry SDK through its OTLP/HTTP exporters — protobuf (plain and gzip) and JSON —
 * then read back through the series API.
 */

const { runtime } = testRuntime('workload: { id: shop, title: Shop }\n');
let base = '';
let server: http.Server;
let token = '';
/** Content-Type and Content-Encoding of every export received, to show which encoding each test sent. */
const received: Array<{ type: string; encoding: string }> = [];
const lastReceived = () => received.at(-1);

before(async () => {
  runtime.load(false, { evaluate: false });
  token = runtime.tokens.create('otel', 'write').token;
  server = http.createServer(createApp(runtime.apiDeps()));
  server.on('request', (req: http.IncomingMessage) => {
    if (req.url === '/v1/metrics') received.push({ type: req.headers['content-type'] ?? '', encoding: req.headers['content-encoding'] ?? 'identity' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(
  () =>
    new Promise<void>((resolve) => {
      // The exporters keep their connections alive: drop them rather than wait for the idle timeout.
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

type ExporterOptions = NonNullable<ConstructorParameters<typeof ProtoExporter>[0]>;

function provider(exporter: PushMetricExporter, service: string) {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000, exportTimeoutMillis: 10_000 });
  const mp = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${service}-1`, 'deployment.environment': 'test' }),
    readers: [reader],
  });
  return mp;
}

function exporterOptions(extra: Partial<ExporterOptions> = {}): ExporterOptions {
  return { url: `${base}/v1/metrics`, headers: { Authorization: `Bearer ${token}` }, ...extra };
}

interface SeriesPoints {
  name: string;
  labels: Record<string, string>;
  points: Array<[number, number | string | null]>;
}

/** Every stored series matching `match`, with its raw points of the last ten minutes. */
async function series(match: string): Promise<SeriesPoints[]> {
  const now = Date.now() / 1000;
  const q = new URLSearchParams({ match, from: String(Math.floor(now - 600)), to: String(Math.ceil(now + 60)), step: '1s', agg: 'last', source: 'raw' });
  const res = await fetch(`${base}/api/series/query?${q}`);
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { series: SeriesPoints[] }).series;
}

/** The last value stored of the one series `match` selects. */
async function last(match: string): Promise<number | string | null> {
  const found = await series(match);
  assert.equal(found.length, 1, `${match} selects ${found.length} series: ${JSON.stringify(found.map((s) => s.labels))}`);
  const values = found[0]!.points.map((p) => p[1]).filter((v) => v !== null);
  return values.at(-1) ?? null;
}

/** Records the same instruments on a provider; returns what a query must read back. */
function record(mp: MeterProvider) {
  const meter = mp.getMeter('shop.checkout', '1.0.0');
  const orders = meter.createCounter('orders.placed', { unit: '{order}' });
  orders.add(3, { channel: 'web' });
  orders.add(2, { channel: 'app' });
  orders.add(4, { channel: 'web' });
  const cart = meter.createUpDownCounter('cart.items');
  cart.add(5);
  cart.add(-2);
  const queue = meter.createGauge('queue.depth', { unit: '{job}' });
  queue.record(7, { queue: 'payments' });
  const duration = meter.createHistogram('checkout.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
  for (const v of [0.05, 0.3, 0.7, 2]) duration.record(v, { step: 'pay' });
  const ratio = meter.createGauge('disk.used', { unit: '1' });
  ratio.record(0.25);
}

async function assertRecorded(job: string) {
  const sel = (name: string, labels = '') => `${name}{job="${job}"${labels}}`;
  assert.equal(await last(sel('orders_placed_total', ',channel="web"')), 7);
  assert.equal(await last(sel('orders_placed_total', ',channel="app"')), 2);
  assert.equal(await last(sel('cart_items')), 3);
  assert.equal(await last(sel('queue_depth', ',queue="payments"')), 7);
  assert.equal(await last(sel('disk_used_ratio')), 0.25);
  const buckets = await series(sel('checkout_duration_seconds_bucket', ',step="pay"'));
  const byLe = Object.fromEntries(buckets.map((s) => [s.labels.le, s.points.map((p) => p[1]).filter((v) => v !== null).at(-1)]));
  assert.deepEqual(byLe, { '0.1': 1, '0.5': 2, '1': 3, '+Inf': 4 });
  assert.equal(await last(sel('checkout_duration_seconds_count', ',step="pay"')), 4);
  assert.ok(Math.abs(Number(await last(sel('checkout_duration_seconds_sum', ',step="pay"'))) - 3.05) < 1e-9);
  // Resource attributes: job and instance from service.*, the others as labels, the SDK's own left out.
  const [one] = await series(sel('cart_items'));
  assert.deepEqual(one!.labels, { job, instance: `${job}-1`, deployment_environment: 'test' });
}

test('the OpenTelemetry SDK exporting OTLP protobuf stores counters, up-down counters, gauges and histograms as recorded', async () => {
  const mp = provider(new ProtoExporter(exporterOptions()), 'shop-proto');
  record(mp);
  await mp.forceFlush();
  assert.deepEqual(lastReceived(), { type: 'application/x-protobuf', encoding: 'identity' });
  await assertRecorded('shop-proto');
  await mp.shutdown();
});

test('the OpenTelemetry SDK exporting gzip-compressed OTLP protobuf stores what it recorded', async () => {
  const mp = provider(new ProtoExporter(exporterOptions({ compression: 'gzip' as ExporterOptions['compression'] })), 'shop-gzip');
  record(mp);
  await mp.forceFlush();
  assert.deepEqual(lastReceived(), { type: 'application/x-protobuf', encoding: 'gzip' });
  await assertRecorded('shop-gzip');
  await mp.shutdown();
});

test('the OpenTelemetry SDK exporting OTLP JSON stores counters, up-down counters, gauges and histograms as recorded', async () => {
  const mp = provider(new JsonExporter(exporterOptions()), 'shop-json');
  record(mp);
  await mp.forceFlush();
  assert.deepEqual(lastReceived(), { type: 'application/json', encoding: 'identity' });
  await assertRecorded('shop-json');
  await mp.shutdown();
});

test('delta temporality from the SDK is accumulated into cumulative counters and histograms', async () => {
  const mp = provider(new ProtoExporter({ ...exporterOptions(), temporalityPreference: AggregationTemporalityPreference.DELTA }), 'shop-delta');
  const meter = mp.getMeter('shop.delta');
  const orders = meter.createCounter('orders.placed');
  const duration = meter.createHistogram('checkout.duration', { unit: 'ms', advice: { explicitBucketBoundaries: [100, 500] } });
  orders.add(3);
  duration.record(50);
  await mp.forceFlush();
  assert.equal(await last('orders_placed_total{job="shop-delta"}'), 3);
  // Later points need a later timestamp than the first export's (ms resolution).
  await new Promise((r) => setTimeout(r, 5));
  orders.add(4);
  duration.record(300);
  duration.record(900);
  await mp.forceFlush();
  assert.equal(await last('orders_placed_total{job="shop-delta"}'), 7);
  assert.equal(await last('checkout_duration_milliseconds_count{job="shop-delta"}'), 3);
  assert.equal(await last('checkout_duration_milliseconds_bucket{job="shop-delta",le="500"}'), 2);
  assert.equal(await last('checkout_duration_milliseconds_sum{job="shop-delta"}'), 1250);
  await mp.shutdown();
});
