import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scorePillars, type PillarIndicator } from '../server/scoring/pillar.js';
import { PILLARS, type Pillar } from '../server/scoring/types.js';

const INDICATORS: PillarIndicator[] = [
  { id: 'availability', pillar: 'reliability', weight: 2, result: { status: 'ok', score: 90 } },
  { id: 'restore_time', pillar: 'reliability', result: { status: 'warning', score: 60 } },
  { id: 'open_vulns', pillar: 'security', result: { status: 'ok', score: 100 } },
  { id: 'idle_cost', pillar: 'cost_optimization', weight: 0, result: { status: 'ok', score: 50 } },
  { id: 'p95_latency', pillar: 'performance_efficiency', result: { status: 'no_data', score: null, reason: 'no samples' } },
];

test('scorePillars answers all six pillars in the framework order', () => {
  assert.deepEqual(Object.keys(scorePillars(INDICATORS)), [...PILLARS]);
  assert.deepEqual(Object.keys(scorePillars([])), [...PILLARS]);
});

type Case = [Pillar, boolean, string, number | null, string[], string];
const cases: Case[] = [
  ['reliability', true, 'warning', 80, ['availability', 'restore_time'], '(2·90 + 1·60) / 3 = 240/3 = 80; worst status warning'],
  ['security', true, 'ok', 100, ['open_vulns'], 'one indicator at 100'],
  ['performance_efficiency', true, 'no_data', null, ['p95_latency'], 'declared but unmeasured: no_data, not not_measured'],
  ['cost_optimization', false, 'not_measured', null, ['idle_cost'], 'every indicator has weight 0'],
  ['operational_excellence', false, 'not_measured', null, [], 'no indicator: never a made-up 100'],
  ['sustainability', false, 'not_measured', null, [], 'no indicator'],
];
for (const [pillar, measured, status, score, ids, why] of cases) {
  test(`pillar ${pillar} is ${status} with score ${score} (${why})`, () => {
    const h = scorePillars(INDICATORS)[pillar];
    assert.equal(h.measured, measured);
    assert.equal(h.status, status);
    assert.equal(h.score, score);
    assert.deepEqual(h.indicatorIds, ids);
  });
}

test('pillar counts and contributions come from its own indicators', () => {
  // reliability: availability costs 2·10/3 = 6.67 → 6.7; restore_time 1·40/3 = 13.33 → 13.3.
  const h = scorePillars(INDICATORS).reliability;
  assert.deepEqual(h.counts, { ok: 1, warning: 1, critical: 0, no_data: 0, stale: 0 });
  assert.deepEqual(h.contributions.map((c) => [c.id, c.cost]), [['availability', 6.7], ['restore_time', 13.3]]);
});

test('an unmeasured pillar explains why it has no score', () => {
  const health = scorePillars(INDICATORS);
  assert.deepEqual(health.sustainability.reasons, [
    'no indicator is declared on this pillar: declare an indicator with `pillar: sustainability` in the workload file to measure sustainability',
  ]);
  assert.deepEqual(health.cost_optimization.reasons, [
    'every indicator on this pillar has weight 0: give one a weight above 0, or declare an indicator with `pillar: cost_optimization` in the workload file to measure cost optimization',
  ]);
});

test('scorePillars rejects an indicator on an unknown pillar', () => {
  assert.throws(
    () => scorePillars([{ id: 'x', pillar: 'speed' as Pillar, result: { status: 'ok', score: 100 } }]),
    /indicator x: unknown pillar "speed"/,
  );
});
