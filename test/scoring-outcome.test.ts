import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreOutcome, type OutcomeRef } from '../server/scoring/outcome.js';
import type { ScoredResult, Status } from '../server/scoring/types.js';

const ok = (score = 100): ScoredResult => ({ status: 'ok', score, reason: 'met' });
const warning = (score: number): ScoredResult => ({ status: 'warning', score, reason: 'above the warning bound' });
const critical: ScoredResult = { status: 'critical', score: 0, reason: 'above the critical bound' };
const stale: ScoredResult = { status: 'stale', score: null, reason: 'collector prom has failed 3 consecutive runs' };
const noData: ScoredResult = { status: 'no_data', score: null, reason: 'no samples' };

type Case = [name: string, refs: OutcomeRef[], status: Status, score: number | null, arithmetic: string];
const cases: Case[] = [
  [
    'weights 3 and 1',
    [{ id: 'a', weight: 3, result: ok() }, { id: 'b', weight: 1, result: warning(60) }],
    'warning',
    90,
    '(3·100 + 1·60) / 4 = 360/4 = 90; worst status warning',
  ],
  ['default weights of 1', [{ id: 'a', result: ok(80) }, { id: 'b', result: warning(40) }], 'warning', 60, '(80 + 40) / 2'],
  [
    'a weight-0 critical indicator',
    [{ id: 'a', result: ok() }, { id: 'b', weight: 0, result: critical }],
    'ok',
    100,
    'weight 0 takes no part in score or status',
  ],
  [
    'a key critical indicator with weight 0',
    [{ id: 'a', result: ok() }, { id: 'b', weight: 0, key: true, result: critical }],
    'critical',
    100,
    'a key indicator gates the status even without weight; score 100·1/1',
  ],
  [
    'a key critical indicator with weight 1 beside one of weight 3',
    [{ id: 'a', weight: 3, result: ok() }, { id: 'b', weight: 1, key: true, result: critical }],
    'critical',
    75,
    '(3·100 + 1·0) / 4 = 75',
  ],
  [
    'a non-key critical indicator',
    [{ id: 'a', weight: 9, result: ok() }, { id: 'b', weight: 1, result: critical }],
    'critical',
    90,
    'worst status among weighted indicators; (9·100 + 0) / 10 = 90',
  ],
  [
    'a key stale indicator',
    [{ id: 'a', result: ok() }, { id: 'b', key: true, result: stale }],
    'warning',
    100,
    'blind on a key indicator counts as warning; score over the measured half: 100/1',
  ],
  [
    'a key no_data indicator',
    [{ id: 'a', result: ok(70) }, { id: 'b', key: true, result: noData }],
    'warning',
    70,
    'as for stale; 70/1',
  ],
  [
    'a non-key stale indicator beside an ok one',
    [{ id: 'a', result: ok() }, { id: 'b', result: stale }],
    'ok',
    100,
    'the status judges what is measured (1 of 2); score from the measured weight only',
  ],
  [
    'a non-key no_data indicator beside a warning',
    [{ id: 'a', result: warning(50) }, { id: 'b', result: noData }],
    'warning',
    50,
    'warning outranks no_data; 50/1',
  ],
  ['only no_data indicators', [{ id: 'a', result: noData }, { id: 'b', weight: 2, result: noData }], 'no_data', null, 'nothing scored'],
  ['stale and no_data indicators', [{ id: 'a', result: noData }, { id: 'b', result: stale }], 'stale', null, 'stale outranks no_data'],
  ['no indicators', [], 'no_data', null, 'nothing to measure'],
  [
    'three weighted scores',
    [{ id: 'a', weight: 2, result: ok(90) }, { id: 'b', weight: 1, result: ok(85.5) }, { id: 'c', weight: 1, result: warning(33.3) }],
    'warning',
    74.7,
    '(2·90 + 85.5 + 33.3) / 4 = 298.8/4 = 74.7',
  ],
];
for (const [name, refs, status, score, arithmetic] of cases) {
  test(`outcome with ${name} is ${status} with score ${score} (${arithmetic})`, () => {
    const r = scoreOutcome(refs);
    assert.equal(r.status, status);
    assert.equal(r.score, score);
    assert.equal(r.attainment, score === null ? null : score / 100);
  });
}

test('outcome contributions say how many points each indicator cost, summing to 100 − score', () => {
  // score = (3·100 + 1·60) / 4 = 90; costs: a 3·0/4 = 0, b 1·40/4 = 10; 0 + 10 = 100 − 90.
  const r = scoreOutcome([
    { id: 'a', weight: 3, result: ok() },
    { id: 'b', weight: 1, result: warning(60) },
    { id: 'c', weight: 0, result: critical },
    { id: 'd', result: stale },
  ]);
  assert.deepEqual(
    r.contributions.map((c) => [c.id, c.cost]),
    [['a', 0], ['b', 10], ['c', 0], ['d', null]],
  );
  // a and b scored (3 + 1 = 4); d has weight but no score (total 3 + 1 + 1 = 5); c has none.
  assert.equal(r.measuredWeight, 4);
  assert.equal(r.totalWeight, 5);
});

test('outcome counts the statuses of the indicators taking part, before key promotion', () => {
  const r = scoreOutcome([
    { id: 'a', result: ok() },
    { id: 'b', key: true, result: stale },
    { id: 'c', weight: 0, result: critical },
  ]);
  assert.deepEqual(r.counts, { ok: 1, warning: 0, critical: 0, no_data: 0, stale: 1 });
});

test('outcome reasons name the indicators that pulled it down, worst first, with the points lost', () => {
  // score = (2·100 + 1·60 + 1·0) / 4 = 65; b cost 1·40/4 = 10, c cost 1·100/4 = 25.
  const r = scoreOutcome([
    { id: 'a', weight: 2, result: ok() },
    { id: 'b', result: warning(60) },
    { id: 'c', key: true, result: critical },
  ]);
  assert.equal(r.score, 65);
  assert.deepEqual(r.reasons, [
    'Key indicator c (−25 points): above the critical bound',
    'b (−10 points): above the warning bound',
  ]);
});

test('outcome reasons name indicators by their titles when given', () => {
  const r = scoreOutcome([
    { id: 'a', title: 'Checkout availability', result: ok() },
    { id: 'b', title: 'Checkout latency', result: warning(60) },
  ]);
  assert.deepEqual(r.reasons, ['Checkout latency (−20 points): above the warning bound']);
});

test('outcome with a key stale indicator explains the warning by the key indicator', () => {
  const r = scoreOutcome([{ id: 'a', result: ok() }, { id: 'checkout', title: 'Checkout availability', key: true, result: stale }]);
  assert.deepEqual(r.reasons, ['Key indicator Checkout availability has no fresh data, which counts as a warning: collector prom has failed 3 consecutive runs']);
});

test('outcome with no weighted indicator says so', () => {
  assert.deepEqual(scoreOutcome([{ id: 'a', weight: 0, result: ok() }]).reasons, ['no indicator with a weight above 0']);
});

test('outcome rejects a negative or non-finite weight', () => {
  assert.throws(() => scoreOutcome([{ id: 'a', weight: -1, result: ok() }]), /weight of a must be a finite number ≥ 0/);
  assert.throws(() => scoreOutcome([{ id: 'a', weight: NaN, result: ok() }]), RangeError);
});
