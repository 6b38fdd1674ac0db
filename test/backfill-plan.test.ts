import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectorRegistry } from '../collectors/index.js';
import { autoSpanMs, BACKFILL_MAX_MS, BACKFILL_MIN_MS, DAY_MS, planRange } from '../server/backfill/plan.js';
import { backfillStatus } from '../server/backfill/status.js';
import type { BackfillRow } from '../server/backfill/log.js';
import { longestWindowReading } from '../server/evaluation/windows.js';
import { loadWorkloadText } from '../server/workload/index.js';

const loaded = loadWorkloadText(
  `
workload: { id: w, title: W }
collectors:
  - { id: prom, type: prometheus, url: "http://127.0.0.1:9090", queries: { probe_ok: up, lat: up, reqs: up } }
  - { id: other, type: prometheus, url: "http://127.0.0.1:9091", queries: { probe_ok: up } }
indicators:
  - { id: a, title: A, pillar: reliability, slo: { success: probe_ok, objective: 99%, window: 28d } }
  - { id: b, title: B, pillar: performance_efficiency, unit: s, series: 'lat{collector="prom"}', aggregate: avg, window: 1h, objective: { max: 1 } }
  - { id: c, title: C, pillar: performance_efficiency, unit: s, series: 'lat{collector="other"}', aggregate: avg, window: 40d, objective: { max: 1 } }
  - id: d
    title: D
    pillar: reliability
    ratio: { numerator: { series: reqs, aggregate: increase, window: 3d }, denominator: { series: '{__name__=~"re.*"}', aggregate: increase, window: 9d } }
    objective: { max: 0.1 }
  - { id: e, title: E, pillar: reliability, collector: other, slo: { success: probe_ok, objective: 99%, window: 60d } }
`,
  { file: 'w.yaml', registry: collectorRegistry, env: {} },
);
assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
const { indicators } = loaded.workload;

test('the longest window counts only indicators whose selectors can read the series as that collector stores them', () => {
  assert.equal(longestWindowReading(indicators, 'prom', ['probe_ok']), 28 * DAY_MS); // e names collector other
  assert.equal(longestWindowReading(indicators, 'other', ['probe_ok']), 60 * DAY_MS);
  assert.equal(longestWindowReading(indicators, 'prom', ['lat']), 3_600_000); // c matches collector="other" only
  assert.equal(longestWindowReading(indicators, 'prom', ['reqs']), 9 * DAY_MS); // both sides of the ratio, __name__ regex included
  assert.equal(longestWindowReading(indicators, 'prom', ['nothing_reads_me']), undefined);
});

test('serve reaches back the longest window, at least 15 days and at most 35', () => {
  assert.equal(autoSpanMs(indicators, 'prom', ['probe_ok']), 28 * DAY_MS);
  assert.equal(autoSpanMs(indicators, 'prom', ['lat']), BACKFILL_MIN_MS);
  assert.equal(autoSpanMs(indicators, 'other', ['probe_ok']), BACKFILL_MAX_MS);
});

test('a planned range starts on a step, ends on the last step before stored data, and is empty when data covers it', () => {
  const now = 1_000_000_123;
  assert.deepEqual(planRange(now, 600_000, 60_000, Infinity), { from: 999_420_000, to: 999_960_000 });
  assert.deepEqual(planRange(now, 600_000, 60_000, 999_700_000), { from: 999_420_000, to: 999_660_000 });
  const empty = planRange(now, 600_000, 60_000, 999_000_000);
  assert.ok(empty.to < empty.from);
});

test('status: progress is the share of planned time stored; an empty range counts as done; a failure shows until the retry', () => {
  const row = (over: Partial<BackfillRow>): BackfillRow => ({
    id: 1, collectorId: 'prom', part: 'p', from: 0, to: 99 * 60_000, stepMs: 60_000, doneTo: -1, samples: 0, state: 'pending',
    error: null, createdAt: 0, updatedAt: 0, ...over,
  });
  const parts = [{ key: 'p', series: ['x'] }, { key: 'q', series: ['y'] }];
  const half = backfillStatus(parts, [row({ doneTo: 50 * 60_000 - 1, samples: 50 }), row({ id: 2, part: 'q', from: 10, to: 9, state: 'done' })], { running: true, error: null, nextAttemptAt: null });
  assert.equal(half.state, 'running');
  assert.equal(half.progress, 0.5);
  assert.equal(half.parts[0]!.through, 50 * 60_000 - 1);
  assert.equal(half.parts[1]!.state, 'done');
  assert.equal(half.parts[1]!.from, null);
  const failed = backfillStatus(parts, [row({ state: 'failed', error: 'boom' }), row({ id: 2, part: 'q', state: 'done', doneTo: 99 * 60_000 })], { running: false, error: 'boom', nextAttemptAt: 5 });
  assert.equal(failed.state, 'failed');
  assert.equal(failed.error, 'boom');
  assert.equal(failed.nextAttemptAt, 5);
  assert.equal(failed.progress, 0.5);
  const unplanned = backfillStatus(parts, [], null);
  assert.equal(unplanned.state, 'pending');
  assert.equal(unplanned.progress, 0);
});
