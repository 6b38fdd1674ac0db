import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rollUp, type RollupRef } from '../server/scoring/rollup.js';
import { scorePillars } from '../server/scoring/pillar.js';
import { STATUSES, type ScoredResult, type Status } from '../server/scoring/types.js';

/**
 * One meaning per number (docs/scoring.md, "Coverage"): a roll-up's score is the weighted mean
 * of its measured indicators, its coverage says how many of how many that is, and its status
 * judges what is measured — so a status never contradicts the number beside it.
 */

const result = (status: Status, score = 100): ScoredResult =>
  status === 'no_data' || status === 'stale' ? { status, score: null, reason: `${status} reason` } : { status, score, reason: `${status} reason` };

test('coverage counts indicators with weight above 0 and their weights, measured and in total', () => {
  // a (w2, 100) and b (w1, 60) are measured; c (w1) has no data; d (w0) and e (w0, key) are out of the score.
  const r = rollUp([
    { id: 'a', weight: 2, result: result('ok', 100) },
    { id: 'b', weight: 1, result: result('warning', 60) },
    { id: 'c', weight: 1, result: result('no_data') },
    { id: 'd', weight: 0, result: result('ok', 50) },
    { id: 'e', weight: 0, key: true, result: result('ok', 10) },
  ]);
  assert.deepEqual(r.coverage, { measured: 2, total: 3, measuredWeight: 3, totalWeight: 4 });
  // (2·100 + 1·60) / 3 = 260/3 = 86.67 → 86.7; worst measured status warning.
  assert.equal(r.score, 86.7);
  assert.equal(r.status, 'warning');
});

test('a roll-up with some indicators unmeasured and the rest ok is ok with the measured score, not no_data', () => {
  // The example workload's Reliability before any incident: three ok indicators, time to restore without data.
  const r = rollUp([
    { id: 'availability', weight: 2, result: result('ok', 100) },
    { id: 'disk', result: result('ok', 80) },
    { id: 'memory', result: result('ok', 100) },
    { id: 'restore', title: 'Time to restore', result: { status: 'no_data', score: null, reason: 'no incident restored yet' } },
  ]);
  // (2·100 + 80 + 100) / 4 = 380/4 = 95.
  assert.equal(r.status, 'ok');
  assert.equal(r.score, 95);
  assert.deepEqual(r.coverage, { measured: 3, total: 4, measuredWeight: 4, totalWeight: 5 });
  assert.deepEqual(r.reasons, ['Time to restore has no data: no incident restored yet']);
});

test('a roll-up with a stale indicator beside measured ones keeps the measured status and says which feed broke', () => {
  const r = rollUp([
    { id: 'a', result: result('warning', 40) },
    { id: 'b', title: 'Free space on /', result: { status: 'stale', score: null, reason: 'collector host has failed 3 consecutive runs' } },
  ]);
  assert.equal(r.status, 'warning');
  assert.equal(r.score, 40);
  assert.deepEqual(r.coverage, { measured: 1, total: 2, measuredWeight: 1, totalWeight: 2 });
  assert.deepEqual(r.reasons, ['a (−60 points): warning reason', 'Free space on / has no fresh data: collector host has failed 3 consecutive runs']);
});

test('a roll-up with nothing measured has no score and a status that says why', () => {
  assert.deepEqual(
    [rollUp([{ id: 'a', result: result('no_data') }]), rollUp([{ id: 'a', result: result('no_data') }, { id: 'b', result: result('stale') }])].map((r) => [r.status, r.score]),
    [
      ['no_data', null],
      ['stale', null],
    ],
  );
  // A key indicator without data is a gate: warning, still without a number.
  const gated = rollUp([{ id: 'a', key: true, result: result('no_data') }, { id: 'b', result: result('stale') }]);
  assert.equal(gated.status, 'warning');
  assert.equal(gated.score, null);
  assert.deepEqual(gated.coverage, { measured: 0, total: 2, measuredWeight: 0, totalWeight: 2 });
});

test('no combination of indicator statuses gives a score beside a no_data or stale status, or an ok that hides a gate', () => {
  // Every assignment of the five statuses to three indicators (one key, one weight 2, one weight 0): 125 cases.
  let cases = 0;
  for (const a of STATUSES) {
    for (const b of STATUSES) {
      for (const c of STATUSES) {
        const refs: RollupRef[] = [
          { id: 'k', key: true, result: result(a, 70) },
          { id: 'w', weight: 2, result: result(b, 50) },
          { id: 'z', weight: 0, result: result(c, 0) },
        ];
        const r = rollUp(refs);
        const judged = r.status === 'ok' || r.status === 'warning' || r.status === 'critical';
        const label = `${a}/${b}/${c}: ${r.status} ${String(r.score)}`;
        if (r.score !== null) assert.ok(judged, `a score beside a status that does not judge it: ${label}`);
        const measured = [a, b].filter((s) => s === 'ok' || s === 'warning' || s === 'critical').length;
        assert.equal(r.coverage.measured, measured, label);
        assert.equal(r.score === null, measured === 0, label);
        if (r.status === 'ok') assert.ok(a === 'ok', `ok although the key indicator is ${a}: ${label}`);
        cases++;
      }
    }
  }
  assert.equal(cases, 125);
});

test('pillars follow the same rule: partly measured is judged by what is measured, with coverage', () => {
  const health = scorePillars([
    { id: 'availability', title: 'Checkout availability', pillar: 'reliability', weight: 2, result: result('ok', 90) },
    { id: 'restore', title: 'Time to restore', pillar: 'reliability', result: { status: 'no_data', score: null, reason: 'no incident restored yet' } },
    { id: 'vulns', pillar: 'security', result: result('no_data') },
  ]);
  assert.equal(health.reliability.status, 'ok');
  assert.equal(health.reliability.score, 90);
  assert.deepEqual(health.reliability.coverage, { measured: 1, total: 2, measuredWeight: 2, totalWeight: 3 });
  assert.equal(health.security.status, 'no_data');
  assert.equal(health.security.score, null);
  assert.deepEqual(health.security.coverage, { measured: 0, total: 1, measuredWeight: 0, totalWeight: 1 });
  assert.equal(health.sustainability.status, 'not_measured');
  assert.deepEqual(health.sustainability.coverage, { measured: 0, total: 0, measuredWeight: 0, totalWeight: 0 });
});
