import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, counterIncrease, quantile, ratio, type Aggregation, type Point } from '../server/scoring/aggregate.js';

function close(actual: number | null, expected: number, what: string) {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`);
}

// Five gauge points, one a second: values 3, 1, 4, 1, 5.
const GAUGE: Point[] = [
  [0, 3],
  [1000, 1],
  [2000, 4],
  [3000, 1],
  [4000, 5],
];

const gaugeCases: Array<[Aggregation, number, string]> = [
  ['last', 5, 'the last point'],
  ['avg', 2.8, '(3+1+4+1+5)/5 = 14/5'],
  ['min', 1, 'smallest'],
  ['max', 5, 'largest'],
  ['sum', 14, '3+1+4+1+5'],
  ['count', 5, 'five points'],
  // sorted 1,1,3,4,5; n−1 = 4
  ['p50', 3, 'rank 0.5·4 = 2 → sorted[2] = 3'],
  ['p90', 4.6, 'rank 0.9·4 = 3.6 → 4 + 0.6·(5−4)'],
  ['p95', 4.8, 'rank 3.8 → 4 + 0.8·1'],
  ['p99', 4.96, 'rank 3.96 → 4 + 0.96·1'],
];
for (const [fn, expected, arithmetic] of gaugeCases) {
  test(`aggregate ${fn} of gauge points 3,1,4,1,5 is ${expected} (${arithmetic})`, () => {
    close(aggregate(fn, GAUGE).value, expected, fn);
  });
}

// NaN is Prometheus's staleness marker: 2, NaN, 4 aggregates like 2, 4.
const WITH_NAN: Point[] = [
  [0, 2],
  [1000, NaN],
  [2000, 4],
  [3000, NaN],
];
const nanCases: Array<[Aggregation, number, string]> = [
  ['last', 4, 'the last point that is a number'],
  ['avg', 3, '(2+4)/2'],
  ['count', 2, 'NaN points are not counted'],
  ['sum', 6, '2+4'],
  ['p50', 3, 'sorted 2,4; rank 0.5·1 → 2 + 0.5·2'],
];
for (const [fn, expected, arithmetic] of nanCases) {
  test(`aggregate ${fn} ignores NaN samples: ${expected} (${arithmetic})`, () => {
    close(aggregate(fn, WITH_NAN).value, expected, fn);
  });
}

test('aggregate of no points is no data with a reason naming the series and window, never 0', () => {
  for (const fn of ['count', 'sum', 'avg', 'p95', 'rate'] as const) {
    const r = aggregate(fn, [], { series: 'http_latency{route="/"}', windowMs: 3_600_000 });
    assert.equal(r.value, null, fn);
    assert.equal(r.reason, 'no samples for http_latency{route="/"} in the last 1h', fn);
  }
});

test('aggregate of points that are all NaN is no data', () => {
  const r = aggregate('avg', [[0, NaN], [1, NaN]]);
  assert.deepEqual(r, { value: null, reason: 'no samples in the window' });
});

const quantileCases: Array<[number, number[], number, string]> = [
  [0.5, [10, 20], 15, 'rank 0.5·1 = 0.5 → 10 + 0.5·10'],
  [0.9, [10, 20], 19, 'rank 0.9 → 10 + 0.9·10'],
  [0.95, [7], 7, 'one value is every quantile'],
  [0, [5, 2, 9], 2, 'q = 0 is the minimum'],
  [1, [5, 2, 9], 9, 'q = 1 is the maximum'],
  [0.25, [40, 10, 30, 20], 17.5, 'sorted 10,20,30,40; rank 0.25·3 = 0.75 → 10 + 0.75·10'],
  [0.99, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 10.9, 'rank 0.99·10 = 9.9 → 10 + 0.9·1'],
];
for (const [q, values, expected, arithmetic] of quantileCases) {
  test(`quantile ${q} of [${values.join(',')}] interpolates linearly to ${expected} (${arithmetic})`, () => {
    close(quantile(q, values), expected, `q=${q}`);
  });
}

test('quantile of no values is null and a q outside 0..1 is rejected', () => {
  assert.equal(quantile(0.5, []), null);
  assert.equal(quantile(0.5, [NaN]), null);
  assert.throws(() => quantile(1.5, [1]), RangeError);
});

const counterCases: Array<[string, Point[], number, number, string]> = [
  ['a counter without reset', [[0, 10], [10_000, 15], [20_000, 30]], 20, 1, 'increase 30−10 = 20; rate 20 / 20 s = 1/s'],
  [
    'a counter that resets once',
    [[0, 10], [10_000, 15], [20_000, 3], [30_000, 8]],
    13,
    13 / 30,
    '(15−10) + 3 after the restart + (8−3) = 13; rate 13 / 30 s',
  ],
  ['a counter that resets to 0', [[0, 100], [60_000, 0], [120_000, 6]], 6, 0.05, '0 after the restart + (6−0) = 6; rate 6 / 120 s'],
  ['a counter with a NaN sample', [[0, 10], [10_000, NaN], [20_000, 14]], 4, 0.2, '14−10 = 4; rate 4 / 20 s'],
  ['a flat counter', [[0, 5], [60_000, 5]], 0, 0, 'no growth is a real 0'],
];
for (const [name, points, increase, rate, arithmetic] of counterCases) {
  test(`increase and rate of ${name}: ${arithmetic}`, () => {
    close(aggregate('increase', points).value, increase, 'increase');
    close(aggregate('rate', points).value, rate, 'rate');
    close(counterIncrease(points), increase, 'counterIncrease');
  });
}

test('increase and rate of a single counter sample are no data: growth needs two points', () => {
  const r = aggregate('rate', [[0, 42]], { series: 'requests_total', windowMs: 300_000 });
  assert.deepEqual(r, { value: null, reason: 'only 1 sample for requests_total in the last 5m; rate of a counter needs at least 2' });
});

test('rate of samples sharing one timestamp is no data: there is no time span to divide by', () => {
  assert.equal(aggregate('rate', [[1000, 1], [1000, 2]]).value, null);
});

test('ratio divides two values: 3 / 4 = 0.75', () => {
  assert.deepEqual(ratio(3, 4), { value: 0.75, reason: null });
  assert.deepEqual(ratio({ value: 1, reason: null }, { value: 8, reason: null }), { value: 0.125, reason: null });
});

test('ratio with a zero denominator is no data, for 0/0 as for 5/0', () => {
  for (const numerator of [0, 5]) {
    assert.deepEqual(ratio(numerator, 0, { denominator: 'checkout_requests' }), {
      value: null,
      reason: 'denominator checkout_requests is 0, so the ratio is undefined',
    });
  }
});

test('ratio with a missing side passes that side\'s reason on', () => {
  const none = { value: null, reason: 'no samples for errors in the last 1h' };
  assert.deepEqual(ratio(none, 4), none);
  assert.deepEqual(ratio(4, none), none);
});
