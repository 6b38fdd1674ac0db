import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreIndicator, validateObjective } from '../server/scoring/indicator.js';
import type { Objective, Status } from '../server/scoring/types.js';

type Case = [value: number, status: Status, score: number, arithmetic: string];

function table(name: string, objective: Objective, cases: Case[]) {
  for (const [value, status, score, arithmetic] of cases) {
    test(`${name}: ${value} is ${status} with score ${score} (${arithmetic})`, () => {
      const r = scoreIndicator(value, objective);
      assert.equal(r.status, status);
      assert.equal(r.score, score);
      assert.equal(typeof r.reason, 'string');
    });
  }
}

// Lower is better: target ≤ 0.3, warning at 0.5, critical at 1.0; score runs 100 → 0 over 0.3 → 1.0.
table('latency ≤ 0.3 (warn 0.5, critical 1)', { direction: 'max', target: 0.3, warning: 0.5, critical: 1 }, [
  [0.2, 'ok', 100, 'better than target'],
  [0.3, 'ok', 100, 'at target'],
  [0.4, 'ok', 85.7, 'missed but under warning; 100·(1−0.4)/(1−0.3) = 60/0.7 = 85.71'],
  [0.5, 'warning', 71.4, 'at the warning bound; 100·0.5/0.7 = 71.43'],
  [0.62, 'warning', 54.3, '100·0.38/0.7 = 54.29'],
  [1, 'critical', 0, 'at the critical bound'],
  [2, 'critical', 0, 'past the critical bound'],
]);

// Higher is better: target ≥ 99, warning at 95, critical at 90; score runs 100 → 0 over 99 → 90.
table('uptime ≥ 99 (warn 95, critical 90)', { direction: 'min', target: 99, warning: 95, critical: 90 }, [
  [100, 'ok', 100, 'better than target'],
  [99, 'ok', 100, 'at target'],
  [97, 'ok', 77.8, '100·(97−90)/(99−90) = 700/9 = 77.78'],
  [95, 'warning', 55.6, 'at the warning bound; 100·5/9 = 55.56'],
  [92, 'warning', 22.2, '100·2/9 = 22.22'],
  [90, 'critical', 0, 'at the critical bound'],
  [80, 'critical', 0, 'past the critical bound'],
]);

// Target only: pass/fail; any miss is a warning (warning defaults to target), never critical.
table('deploys ≥ 1 with no warning or critical', { direction: 'min', target: 1 }, [
  [1.2, 'ok', 100, 'met'],
  [1, 'ok', 100, 'at target'],
  [0.8, 'warning', 0, 'a miss scores 0: no band was declared to grade it'],
  [0, 'warning', 0, 'without a critical bound it is never critical'],
]);

// Warning without critical: the score reaches 0 at the warning bound, the worst level declared.
table('latency ≤ 0.3 warn 0.5 without critical', { direction: 'max', target: 0.3, warning: 0.5 }, [
  [0.4, 'ok', 50, '100·(0.5−0.4)/(0.5−0.3) = 50'],
  [0.5, 'warning', 0, 'at the warning bound, which is the zero bound'],
  [0.7, 'warning', 0, 'past it; still never critical'],
]);

// Critical without warning: warning defaults to target, so any miss is a warning.
table('latency ≤ 0.3 critical 1 without warning', { direction: 'max', target: 0.3, critical: 1 }, [
  [0.4, 'warning', 85.7, 'any miss is a warning; 100·0.6/0.7 = 85.71'],
  [1, 'critical', 0, 'at the critical bound'],
]);

// Zero tolerance: target = critical = 0 (e.g. open critical vulnerabilities).
table('vulnerabilities ≤ 0 critical 0', { direction: 'max', target: 0, critical: 0 }, [
  [0, 'ok', 100, 'met'],
  [1, 'critical', 0, 'any miss is critical'],
]);

// Warning and critical at the same bound: critical wins there.
table('errors ≤ 0 warn 10 critical 10', { direction: 'max', target: 0, warning: 10, critical: 10 }, [
  [5, 'ok', 50, '100·(10−5)/10 = 50'],
  [10, 'critical', 0, 'critical takes precedence at a shared bound'],
]);

test('scoreIndicator explains a warning with value, bound and target in the given unit', () => {
  const r = scoreIndicator(
    0.62,
    { direction: 'max', target: 0.3, warning: 0.5, critical: 1 },
    { label: 'p95 latency', format: (v) => `${v} s` },
  );
  assert.equal(r.reason, 'p95 latency 0.62 s is above the warning bound 0.5 s (target ≤ 0.3 s)');
});

test('scoreIndicator explains a critical below the bound for a higher-is-better objective', () => {
  const r = scoreIndicator(80, { direction: 'min', target: 99, warning: 95, critical: 90 }, { label: 'uptime' });
  assert.equal(r.reason, 'uptime 80 is below the critical bound 90 (target ≥ 99)');
});

test('scoreIndicator explains a miss within the warning band as ok that misses the target', () => {
  const r = scoreIndicator(0.4, { direction: 'max', target: 0.3, warning: 0.5 });
  assert.equal(r.reason, 'value 0.4 misses the target ≤ 0.3 but is within the warning bound 0.5');
});

test('scoreIndicator is stale with no score when a stale reason is given, whatever the value', () => {
  const reason = 'collector prom has failed 3 consecutive runs (last error: connection refused)';
  assert.deepEqual(scoreIndicator(0.1, { direction: 'max', target: 0.3 }, { staleReason: reason }), {
    status: 'stale',
    score: null,
    reason,
  });
});

test('scoreIndicator is no_data with no score for a null or NaN value', () => {
  const objective: Objective = { direction: 'min', target: 1 };
  assert.deepEqual(scoreIndicator(null, objective, { noDataReason: 'no samples for x in the last 1h' }), {
    status: 'no_data',
    score: null,
    reason: 'no samples for x in the last 1h',
  });
  assert.deepEqual(scoreIndicator(null, objective), { status: 'no_data', score: null, reason: 'no value to evaluate' });
  assert.equal(scoreIndicator(NaN, objective).status, 'no_data');
});

const invalid: Array<[string, Objective, string]> = [
  ['a warning on the good side of a ceiling', { direction: 'max', target: 0.3, warning: 0.2 }, 'warning'],
  ['a warning on the good side of a floor', { direction: 'min', target: 99, warning: 100 }, 'warning'],
  ['a critical on the good side of the warning', { direction: 'min', target: 99, warning: 95, critical: 97 }, 'critical'],
  ['a critical on the good side of the target with no warning', { direction: 'max', target: 0.3, critical: 0.1 }, 'critical'],
  ['a target that is not a number', { direction: 'max', target: NaN }, 'target'],
  ['an infinite critical', { direction: 'max', target: 1, critical: Infinity }, 'critical'],
  ['an unknown direction', { direction: 'up' as 'min', target: 1 }, 'direction'],
];
for (const [name, objective, field] of invalid) {
  test(`validateObjective rejects ${name}, naming the field ${field}`, () => {
    const problems = validateObjective(objective);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(problems[0]!.field, field);
  });
  test(`scoreIndicator throws on ${name}`, () => {
    assert.throws(() => scoreIndicator(1, objective), RangeError);
  });
}

test('validateObjective accepts equal bounds and omitted bounds', () => {
  assert.deepEqual(validateObjective({ direction: 'max', target: 0, warning: 0, critical: 0 }), []);
  assert.deepEqual(validateObjective({ direction: 'min', target: 1 }), []);
  assert.deepEqual(validateObjective({ direction: 'min', target: 99, critical: 90 }), []);
});

test('validateObjective explains the ordering rule of the direction', () => {
  const [problem] = validateObjective({ direction: 'max', target: 0.3, warning: 0.2 });
  assert.equal(
    problem?.message,
    'warning 0.2 is on the good side of the target 0.3; lower is better (direction max), so target ≤ warning ≤ critical',
  );
});
