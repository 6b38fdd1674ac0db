import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFloat, labelName, metricName } from '../server/otlp/naming.js';

/**
 * The naming table of docs/collectors.md ("OTLP metrics"), checked against the names Prometheus's
 * OTLP translator gives (cases from github.com/prometheus/otlptranslator's metric_namer_test.go,
 * strategy UnderscoreEscapingWithSuffixes).
 */
const METRICS: Array<[name: string, unit: string, type: Parameters<typeof metricName>[2], expected: string]> = [
  ['requests', '', 'counter', 'requests_total'],
  ['requests_total', '', 'counter', 'requests_total'],
  ['orders.placed', '{order}', 'counter', 'orders_placed_total'],
  ['cpu_usage', '1', 'gauge', 'cpu_usage_ratio'],
  ['cpu_usage_ratio', '1', 'gauge', 'cpu_usage_ratio'],
  ['items', '1', 'counter', 'items_total'],
  ['cart.items', '1', 'sum', 'cart_items'],
  ['response_time', 'ms', 'gauge', 'response_time_milliseconds'],
  ['response_time_seconds', 's', 'gauge', 'response_time_seconds'],
  ['http.server.request.duration', 's', 'histogram', 'http_server_request_duration_seconds'],
  ['memory_usage', 'By', 'gauge', 'memory_usage_bytes'],
  ['requests', '1/s', 'gauge', 'requests_per_second'],
  ['throughput', 'By/s', 'gauge', 'throughput_bytes_per_second'],
  ['custom_metric', 'custom_unit', 'gauge', 'custom_metric_custom_unit'],
  ['custom_metric', '{custom}', 'gauge', 'custom_metric'],
  ['custom_metric', 'By/{custom}', 'gauge', 'custom_metric_bytes'],
  ['cpu_seconds_total', 's', 'counter', 'cpu_seconds_total'],
  ['otelcol_process_cpu_seconds', 's', 'counter', 'otelcol_process_cpu_seconds_total'],
  ['123_requests', '', 'counter', '_123_requests_total'],
  ['metric@with#special$chars', '', 'gauge', 'metric_with_special_chars'],
  ['queue..depth', '', 'gauge', 'queue_depth'],
  ['temperature', 'Cel', 'gauge', 'temperature_celsius'],
  ['storage', 'KiBy', 'summary', 'storage_kibibytes'],
  ['@#$', '', 'gauge', ''],
];

test('OTLP metric names become the names Prometheus gives them: units as suffixes, _total on counters, _ratio on unit-1 gauges', () => {
  for (const [name, unit, type, expected] of METRICS) {
    assert.equal(metricName(name, unit, type), expected, `${name} [${unit}] ${type}`);
  }
});

test('attribute keys become Prometheus label names: invalid characters to _, key_ before a digit, key before one leading underscore', () => {
  const cases: Array<[string, string]> = [
    ['channel', 'channel'],
    ['deployment.environment', 'deployment_environment'],
    ['http.request.method', 'http_request_method'],
    ['123abc', 'key_123abc'],
    ['_private', 'key_private'],
    ['__reserved__', '__reserved__'],
    ['a/b-c', 'a_b_c'],
    ['a..b', 'a__b'],
    ['...', ''],
    ['', ''],
  ];
  for (const [key, expected] of cases) assert.equal(labelName(key), expected, key);
});

test('bucket bounds and quantiles are written as Go writes them for Prometheus: shortest digits, never an exponent', () => {
  const cases: Array<[number, string]> = [
    [0.005, '0.005'],
    [1, '1'],
    [2.5, '2.5'],
    [1e-7, '0.0000001'],
    [1.5e-7, '0.00000015'],
    [-2.5e-8, '-0.000000025'],
    [1e21, '1000000000000000000000'],
    [1.25e22, '12500000000000000000000'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
  ];
  for (const [x, expected] of cases) assert.equal(formatFloat(x), expected, String(x));
});
