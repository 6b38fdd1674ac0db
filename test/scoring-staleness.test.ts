import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staleReason, type CollectorFreshness } from '../server/scoring/staleness.js';
import { formatDuration, formatNumber, formatPercent } from '../server/scoring/format.js';

const NOW = 1_700_000_000_000;
const base: CollectorFreshness = { collectorId: 'prom', consecutiveFailures: 0, intervalMs: 60_000, lastSuccessAt: NOW - 30_000, now: NOW };

const cases: Array<[string, Partial<CollectorFreshness>, string | null]> = [
  ['a collector that just succeeded', {}, null],
  [
    'a collector that failed 3 consecutive runs',
    { consecutiveFailures: 3, lastSuccessAt: NOW - 150_000, lastError: 'connection refused' },
    'collector prom has failed 3 consecutive runs (last error: connection refused)',
  ],
  ['a collector that failed 2 runs within 3 intervals', { consecutiveFailures: 2, lastSuccessAt: NOW - 120_000 }, null],
  [
    'a collector whose last success is 3m1s old with a 1m interval',
    { consecutiveFailures: 2, lastSuccessAt: NOW - 181_000 },
    'collector prom last succeeded 3m1s ago, more than 3 intervals of 1m',
  ],
  ['a collector whose last success is exactly 3 intervals old', { lastSuccessAt: NOW - 180_000 }, null],
  ['a collector that never succeeded and has not failed yet', { lastSuccessAt: null }, null],
  [
    'a collector that never succeeded and failed 3 runs',
    { lastSuccessAt: null, consecutiveFailures: 3 },
    'collector prom has failed 3 consecutive runs',
  ],
  ['a collector that failed 4 runs under a threshold of 5', { consecutiveFailures: 4, threshold: 5, lastSuccessAt: NOW - 240_000 }, null],
];
for (const [name, change, expected] of cases) {
  test(`staleReason for ${name} is ${expected === null ? 'null (fresh)' : 'stale'}`, () => {
    assert.equal(staleReason({ ...base, ...change }), expected);
  });
}

test('staleReason rejects a threshold below 1 and a non-positive interval', () => {
  assert.throws(() => staleReason({ ...base, threshold: 0 }), RangeError);
  assert.throws(() => staleReason({ ...base, intervalMs: 0 }), RangeError);
});

test('reason formatting writes durations largest unit first and trims binary noise', () => {
  assert.equal(formatDuration(5_400_000), '1h30m');
  assert.equal(formatDuration(28 * 86_400_000), '28d');
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatNumber(0.1 + 0.2), '0.3');
  assert.equal(formatNumber(1_000_000), '1000000');
  assert.equal(formatPercent(0.9996), '99.96%');
  assert.equal(formatPercent(-0.5), '-50%');
});
