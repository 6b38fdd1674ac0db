import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storeSeriesData } from '../server/evaluation/data.js';
import { evaluateWorkload } from '../server/evaluation/engine.js';
import { readAggregate, readRatio } from '../server/evaluation/read.js';
import { planWindow } from '../server/evaluation/window.js';
import { aggregate, quantile } from '../server/scoring/aggregate.js';
import type { IndicatorSnapshot } from '../server/evaluation/snapshot.js';
import {
  agg, collectorStatus, DAY, every, HOUR, MINUTE, NOW, series, SETTINGS, testStore, threshold,
} from './support/evaluation.js';

function close(actual: number | null | undefined, expected: number, what: string, eps = 1e-9) {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= eps, `${what}: expected ${expected}, got ${actual}`);
}

// ---- one store with raw data for the threshold cases (default raw retention 15 d) ----
const { store } = testStore();
const web = { collector: 'web' };
store.writeSamples([
  // latency: two points outside (now − 1h, now] — 70 min ago and exactly 60 min ago (the window is open there).
  ...series('latency_seconds', { route: '/', ...web }, [NOW - 70 * MINUTE, NOW - 60 * MINUTE], () => 10),
  // …and six inside: 0.1 … 0.6, ten minutes apart, the last one at now.
  ...series('latency_seconds', { route: '/', ...web }, every(10 * MINUTE, NOW - 50 * MINUTE, NOW), (ts) => (6 - (NOW - ts) / (10 * MINUTE)) / 10),
  // a counter that restarts: 100, 160, then 30 (reset), 90, 100 s apart.
  ...[[NOW - 300_000, 100], [NOW - 200_000, 160], [NOW - 100_000, 30], [NOW, 90]].map(([ts, value]) => ({ name: 'requests_total', labels: web, ts: ts!, value: value! })),
  // a series whose only sample is two hours old
  { name: 'old_metric', labels: web, ts: NOW - 2 * HOUR, value: 1 },
  // two queues: the last values are 3 and 5
  ...series('queue_depth', { queue: 'a', ...web }, [NOW - 20 * MINUTE, NOW - MINUTE], (ts) => (ts === NOW - MINUTE ? 3 : 100)),
  ...series('queue_depth', { queue: 'b', ...web }, [NOW - 20 * MINUTE, NOW - 2 * MINUTE], (ts) => (ts === NOW - 2 * MINUTE ? 5 : 100)),
  // for a ratio: 30 errors of 120 requests over the hour (increase 0→30 and 0→120)
  ...series('errors_total', web, [NOW - 30 * MINUTE, NOW], (ts) => (ts === NOW ? 30 : 0)),
  ...series('calls_total', web, [NOW - 30 * MINUTE, NOW], (ts) => (ts === NOW ? 120 : 0)),
]);
const latencyObjective = { direction: 'max' as const, target: 0.3, warning: 0.5, critical: 1 };

const snapshot = evaluateWorkload(
  {
    indicators: [
      threshold('lat_avg', agg('latency_seconds{route="/"}', 'avg', HOUR), latencyObjective, { unit: 's' }),
      threshold('lat_p95', agg('latency_seconds{route="/"}', 'p95', HOUR), latencyObjective, { unit: 's' }),
      threshold('lat_last', agg('latency_seconds{route="/"}', 'last', HOUR), latencyObjective, { unit: 's' }),
      threshold('req_rate', agg('requests_total', 'rate', HOUR), { direction: 'min', target: 1, warning: 0.5, critical: 0 }),
      threshold('nothing', agg('missing_metric', 'avg', HOUR), { direction: 'max', target: 1 }),
      threshold('too_old', agg('old_metric', 'avg', HOUR), { direction: 'max', target: 1 }),
      threshold('queues', agg('queue_depth', 'last', HOUR, 'sum'), { direction: 'max', target: 10 }),
      threshold('error_ratio', {
        kind: 'ratio', numerator: agg('errors_total', 'increase', HOUR), denominator: agg('calls_total', 'increase', HOUR),
      }, { direction: 'max', target: 0.01, critical: 0.5 }),
    ],
    outcomes: [],
    settings: SETTINGS,
  },
  { data: storeSeriesData(store), collectors: () => [collectorStatus('web')], now: NOW },
);
const ind = (id: string): IndicatorSnapshot => snapshot.indicators.find((i) => i.id === id)!;

test('avg over a raw 1h window uses only samples in (now − 1h, now] and scores within the warning bound', () => {
  // (0.1 + 0.2 + 0.3 + 0.4 + 0.5 + 0.6) / 6 = 0.35; the samples at −70 min and exactly −60 min are out.
  // max objective, target 0.3, warning 0.5, critical 1: 0.35 misses the target but is below the warning
  // bound → ok, score = 100 · (1 − 0.35) / (1 − 0.3) = 92.857 → 92.9.
  const i = ind('lat_avg');
  close(i.value, 0.35, 'value');
  assert.equal(i.status, 'ok');
  assert.equal(i.score, 92.9);
  assert.deepEqual(i.collectors, ['web']);
  assert.equal(i.series, 1);
});

test('p95 over a raw window interpolates between ranks and is a warning past the warning bound', () => {
  // sorted 0.1 … 0.6, rank 0.95 · 5 = 4.75 → 0.5 + 0.75 · 0.1 = 0.575 ≥ 0.5 → warning;
  // score = 100 · (1 − 0.575) / 0.7 = 60.71 → 60.7.
  const i = ind('lat_p95');
  close(i.value, 0.575, 'value');
  assert.equal(i.status, 'warning');
  assert.equal(i.score, 60.7);
  // The dashboard's format for seconds: 575 ms beside a bound of 500 ms, as the headline shows it.
  assert.equal(i.reason, '575 ms is above the warning bound 500 ms (target ≤ 300 ms)');
});

test('last over a raw window takes the newest sample in the window', () => {
  // 0.6 → warning, score = 100 · 0.4 / 0.7 = 57.14 → 57.1.
  const i = ind('lat_last');
  close(i.value, 0.6, 'value');
  assert.equal(i.status, 'warning');
  assert.equal(i.score, 57.1);
});

test('rate of a counter that resets counts the value after the reset as growth', () => {
  // 100 → 160 (+60) → 30 (reset: +30) → 90 (+60) = 150 over 300 s = 0.5/s.
  // min objective, target 1, warning 0.5, critical 0: at the warning bound → warning, score 100 · 0.5 / 1 = 50.
  const i = ind('req_rate');
  close(i.value, 0.5, 'value');
  assert.equal(i.status, 'warning');
  assert.equal(i.score, 50);
});

test('a selector matching no series is no_data saying nothing was collected, and the others are unaffected', () => {
  const i = ind('nothing');
  assert.equal(i.status, 'no_data');
  assert.equal(i.value, null);
  assert.equal(i.score, null);
  assert.equal(i.reason, 'nothing collected yet (no series `missing_metric`); `pillarboard collect --once` shows what the collectors store');
  assert.equal(i.series, 0);
  assert.equal(ind('lat_avg').status, 'ok');
});

test('a series with no sample in the window is no_data saying so for the last 1h, and where to look', () => {
  const i = ind('too_old');
  assert.equal(i.status, 'no_data');
  assert.equal(i.reason, 'no samples for old_metric in the last 1h; `pillarboard collect --once` shows what the collectors store');
  assert.equal(i.series, 1);
});

test('several matched series combine: last of each queue, summed', () => {
  // queue a: 3, queue b: 5 → 8 ≤ 10 → ok.
  const i = ind('queues');
  assert.equal(i.value, 8);
  assert.equal(i.status, 'ok');
  assert.equal(i.series, 2);
  const data = storeSeriesData(store);
  assert.equal(readAggregate(data, agg('queue_depth', 'last', HOUR, 'avg'), NOW).value, 4);
  assert.equal(readAggregate(data, agg('queue_depth', 'last', HOUR, 'max'), NOW).value, 5);
  assert.equal(readAggregate(data, agg('queue_depth', 'last', HOUR, 'min'), NOW).value, 3);
});

test('a ratio source divides the increases of two counters', () => {
  // 30 / 120 = 0.25; max objective target 0.01, critical 0.5: warning, score 100 · (0.5 − 0.25) / 0.49 = 51.02 → 51.
  const i = ind('error_ratio');
  close(i.value, 0.25, 'value');
  assert.equal(i.status, 'warning');
  assert.equal(i.score, 51);
  const none = readRatio(storeSeriesData(store), { kind: 'ratio', numerator: agg('errors_total', 'increase', HOUR), denominator: agg('missing_metric', 'sum', HOUR) }, NOW);
  assert.equal(none.value, null);
  assert.equal(none.reason, 'no series matches missing_metric');
  assert.equal(none.unmatched, 'missing_metric', 'the reader says which selector matched nothing');
});

// ---- a window longer than raw retention is answered from hourly rollups ----

test('a 4-day window with 2-day raw retention is read from rollups and equals brute force over raw', () => {
  // Raw retention is 2 d but nothing was deleted, so raw still holds every sample to compare with.
  // now is 30 min past the hour; the old edge has no raw samples, so the window starts at the first
  // whole hour inside it: samples from ceil(now − 4d to the hour) to now.
  const now = NOW + 30 * MINUTE;
  const { store: s } = testStore({ retention: { rawMs: 2 * DAY }, now: () => now });
  const times = every(10 * MINUTE, now - 5 * DAY, now);
  const gauge = (ts: number) => ((ts / MINUTE) * 37) % 101 / 10; // deterministic, jumpy
  const reset = NOW - 2 * DAY + 25 * MINUTE; // inside an hour: the counter restarts at 0
  const counter = (ts: number) => (ts < reset ? 5 * ((ts - times[0]!) / (10 * MINUTE)) + 1000 : 5 * ((ts - reset) / (10 * MINUTE)) + 2);
  s.writeSamples([...series('gauge', {}, times, gauge), ...series('counter', {}, times, counter)]);
  const data = storeSeriesData(s);
  const from = Math.ceil((now - 4 * DAY) / HOUR) * HOUR;
  const raw = (name: string) => s.rawPoints(s.findSeries({ name, matchers: [] })[0]!.id, from, now);

  for (const fn of ['avg', 'min', 'max', 'sum', 'count', 'last'] as const) {
    const r = readAggregate(data, agg('gauge', fn, 4 * DAY), now);
    assert.equal(r.source, 'rollup');
    close(r.value, aggregate(fn, raw('gauge')).value!, fn, 1e-6);
  }
  // Counter increase and rate: exact here, including the reset inside an hour (seen in its min/max).
  for (const fn of ['increase', 'rate'] as const) {
    close(readAggregate(data, agg('counter', fn, 4 * DAY), now).value, aggregate(fn, raw('counter')).value!, fn, 1e-9);
  }
  // Quantiles are the documented approximation: the quantile of the hourly means.
  const hourly = new Map<number, number[]>();
  for (const [ts, v] of raw('gauge')) hourly.set(Math.floor(ts / HOUR), [...(hourly.get(Math.floor(ts / HOUR)) ?? []), v]);
  const means = [...hourly.values()].map((vs) => vs.reduce((a, b) => a + b, 0) / vs.length);
  close(readAggregate(data, agg('gauge', 'p95', 4 * DAY), now).value, quantile(0.95, means)!, 'p95 of hourly means', 1e-6);
  s.close();
});

test('a 1-day window within raw retention, read as raw edges plus hourly rollups, equals raw for every non-quantile aggregation', () => {
  // now is 30 min 7 s past the hour, so both edges are partial hours read from raw samples.
  const now = NOW + 30 * MINUTE + 7_000;
  const { store: s } = testStore({ now: () => now });
  const times = every(MINUTE, now - 2 * DAY, now);
  const reset = NOW - 5 * HOUR + 17 * MINUTE; // a restart inside an hour
  const counter = (ts: number) => (ts < reset ? 3 * ((ts - times[0]!) / MINUTE) + 500 : 3 * ((ts - reset) / MINUTE) + 1);
  const gauge = (ts: number) => ((ts / MINUTE) * 37) % 101 / 10;
  s.writeSamples([...series('counter', {}, times, counter), ...series('gauge', {}, times, gauge)]);
  const data = storeSeriesData(s);
  const raw = (name: string) => s.rawPoints(s.findSeries({ name, matchers: [] })[0]!.id, Math.floor(now - DAY) + 1, now);
  for (const fn of ['avg', 'min', 'max', 'sum', 'count', 'last'] as const) {
    const r = readAggregate(data, agg('gauge', fn, DAY), now);
    assert.equal(r.source, 'rollup');
    close(r.value, aggregate(fn, raw('gauge')).value!, fn, 1e-6);
  }
  for (const fn of ['increase', 'rate'] as const) {
    close(readAggregate(data, agg('counter', fn, DAY), now).value, aggregate(fn, raw('counter')).value!, fn, 1e-9);
  }
  // A quantile within raw retention needs every value: read from raw alone, exact.
  const p95 = readAggregate(data, agg('gauge', 'p95', DAY), now);
  assert.equal(p95.source, 'raw');
  close(p95.value, aggregate('p95', raw('gauge')).value!, 'p95');
  s.close();
});

test('window plans: short windows and quantiles read raw; long ones split at whole hours; beyond raw retention the old edge is cut', () => {
  const now = NOW + 30 * MINUTE; // 12:30
  const raw15d = 15 * DAY;
  assert.deepEqual(planWindow(now, HOUR, raw15d), { kind: 'raw', from: now - HOUR + 1, to: now });
  // 3h: whole hours 10:00 and 11:00 only (2 < 3) → raw.
  assert.equal(planWindow(now, 3 * HOUR, raw15d).kind, 'raw');
  assert.equal(planWindow(now, DAY, raw15d, true).kind, 'raw');
  // 1d: raw (12:30 yesterday, 13:00), hours 13:00 … 11:00 today, raw [12:00, 12:30].
  assert.deepEqual(planWindow(now, DAY, raw15d), {
    kind: 'split',
    head: { from: now - DAY + 1, to: NOW - DAY + HOUR - 1 },
    hours: { from: NOW - DAY + HOUR, to: NOW - HOUR },
    tail: { from: NOW, to: now },
    cut: false,
  });
  // 28d with 15d of raw: no head; the window starts at the first whole hour.
  assert.deepEqual(planWindow(now, 28 * DAY, raw15d), {
    kind: 'split', head: null, hours: { from: NOW - 28 * DAY + HOUR, to: NOW - HOUR }, tail: { from: NOW, to: now }, cut: true,
  });
});
