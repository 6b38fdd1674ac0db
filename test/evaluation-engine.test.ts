import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storeSeriesData, type SeriesData } from '../server/evaluation/data.js';
import { evaluateWorkload } from '../server/evaluation/engine.js';
import {
  agg, collectorStatus, every, HOUR, MINUTE, NOW, outcome, series, SETTINGS, testStore, threshold,
} from './support/evaluation.js';

const { store } = testStore();
const lastHour = every(5 * MINUTE, NOW - 55 * MINUTE, NOW);
store.writeSamples([
  ...series('cpu_ratio', { collector: 'node' }, lastHour, () => 0.5),
  ...series('latency_seconds', { collector: 'web' }, lastHour, () => 0.55),
  ...series('tls_days_left', { collector: 'broken' }, lastHour, () => 90),
  ...series('queue_age_seconds', { collector: 'slow' }, lastHour, () => 1),
]);

const indicators = [
  // 0.5 ≤ 0.6 → ok, 100.
  threshold('a', agg('cpu_ratio', 'avg', HOUR), { direction: 'max', target: 0.6 }, { pillar: 'reliability', weight: 2 }),
  // 0.55: warning (≥ 0.5, < 0.7), score = 100 · (0.7 − 0.55) / (0.7 − 0.3) = 37.5.
  threshold('b', agg('latency_seconds', 'avg', HOUR), { direction: 'max', target: 0.3, warning: 0.5, critical: 0.7 }, { pillar: 'reliability' }),
  // fresh samples (value 90), but its collector failed 3 runs in a row → stale, no value.
  threshold('c', agg('tls_days_left', 'min', HOUR), { direction: 'min', target: 30 }, { pillar: 'security' }),
  threshold('d', agg('missing_metric', 'avg', HOUR), { direction: 'max', target: 1 }),
  // its collector last succeeded 4 intervals ago without failing (hung) → stale by age.
  threshold('e', agg('queue_age_seconds', 'max', HOUR), { direction: 'max', target: 5 }, { pillar: 'operational_excellence', weight: 0 }),
];
const collectors = () => [
  collectorStatus('node'),
  collectorStatus('web'),
  collectorStatus('broken', { consecutiveFailures: 3, lastError: 'connection refused', lastSuccess: { startedAt: NOW - 3 * MINUTE, durationMs: 5, ok: true, samplesWritten: 4 } }),
  collectorStatus('slow', { lastSuccess: { startedAt: NOW - 4 * MINUTE, durationMs: 5, ok: true, samplesWritten: 1 } }),
];
const spec = {
  indicators,
  outcomes: [outcome('buy', [{ ref: 'a', weight: 2 }, { ref: 'b' }, { ref: 'c', key: true }])],
  settings: SETTINGS,
};
const snap = evaluateWorkload(spec, { data: storeSeriesData(store), collectors, now: NOW });
const ind = (id: string) => snap.indicators.find((i) => i.id === id)!;

test('an indicator whose collector failed 3 consecutive runs is stale and never shows its last value', () => {
  const c = ind('c');
  assert.equal(c.status, 'stale');
  assert.equal(c.value, null);
  assert.equal(c.score, null);
  assert.equal(c.reason, 'collector broken has failed 3 consecutive runs (last error: connection refused)');
  assert.deepEqual(c.collectors, ['broken']);
});

test('an indicator whose collector last succeeded more than 3 intervals ago is stale', () => {
  const e = ind('e');
  assert.equal(e.status, 'stale');
  assert.equal(e.reason, 'collector slow last succeeded 4m ago, more than 3 intervals of 1m');
});

test('staleAfterFailures from the settings sets the threshold: 3 failures are not stale at 5', () => {
  const relaxed = evaluateWorkload({ ...spec, settings: { ...SETTINGS, staleAfterFailures: 5 } }, { data: storeSeriesData(store), collectors, now: NOW });
  const c = relaxed.indicators.find((i) => i.id === 'c')!;
  assert.equal(c.status, 'ok');
  assert.equal(c.value, 90);
});

test('a declared collector decides staleness instead of the series labels', () => {
  const declared = threshold('a2', agg('cpu_ratio', 'avg', HOUR), { direction: 'max', target: 0.6 }, { collector: 'broken' });
  const r = evaluateWorkload({ indicators: [declared], outcomes: [], settings: SETTINGS }, { data: storeSeriesData(store), collectors, now: NOW });
  assert.equal(r.indicators[0]!.status, 'stale');
  assert.deepEqual(r.indicators[0]!.collectors, ['broken']);
});

test('an outcome rolls up its indicators: weighted score, key stale counted as warning, costs', () => {
  // a (w 2, 100), b (w 1, 37.5), c (w 1, key, stale → no score, counts as warning).
  // score = (2·100 + 1·37.5) / 3 = 79.17 → 79.2; measured 3 of 4; status warning;
  // cost of b = 1 · (100 − 37.5) / 3 = 20.8.
  const o = snap.outcomes[0]!;
  assert.equal(o.id, 'buy');
  assert.equal(o.owner, 'team');
  assert.equal(o.score, 79.2);
  assert.equal(o.attainment, 0.792);
  assert.equal(o.status, 'warning');
  assert.equal(o.measuredWeight, 3);
  assert.equal(o.totalWeight, 4);
  assert.deepEqual(o.counts, { ok: 1, warning: 1, critical: 0, no_data: 0, stale: 1 });
  assert.deepEqual(o.contributions.map((c) => [c.id, c.cost]), [['a', 0], ['b', 20.8], ['c', null]]);
  assert.deepEqual(o.indicators, [{ ref: 'a', weight: 2, key: false }, { ref: 'b', weight: 1, key: false }, { ref: 'c', weight: 1, key: true }]);
  assert.deepEqual(o.coverage, { measured: 2, total: 3, measuredWeight: 3, totalWeight: 4 });
  // Both count as warning; b first, since it cost more points. Titles name them (the helper's title is the id).
  assert.deepEqual(o.reasons, [
    'b (−20.8 points): 0.55 is above the warning bound 0.5 (target ≤ 0.3)',
    'Key indicator c has no fresh data, which counts as a warning: collector broken has failed 3 consecutive runs (last error: connection refused)',
  ]);
});

test('indicator reasons format the value exactly as the headline does, in the indicator\'s unit', () => {
  const { store: s } = testStore();
  s.writeSamples([
    ...series('load5', { collector: 'node' }, lastHour, () => 2.16357),
    ...series('free_ratio', { collector: 'node' }, lastHour, () => 0.0851234),
  ]);
  const r = evaluateWorkload(
    {
      indicators: [
        threshold('load', agg('load5', 'last', HOUR), { direction: 'max', target: 0.7, warning: 1, critical: 2 }, { title: 'Load per CPU', unit: 'load per CPU' }),
        threshold('disk', agg('free_ratio', 'last', HOUR), { direction: 'min', target: 0.2, warning: 0.1, critical: 0.05 }, { title: 'Free space', unit: 'ratio' }),
      ],
      outcomes: [],
      settings: SETTINGS,
    },
    { data: storeSeriesData(s), collectors, now: NOW },
  );
  assert.equal(r.indicators[0]!.reason, '2.16 load per CPU is above the critical bound 2 load per CPU (target ≤ 0.7 load per CPU)');
  assert.equal(r.indicators[1]!.reason, '8.5% is below the warning bound 10% (target ≥ 20%)');
  // Load: critical, score 0, cost 1·100/2 = 50. Free space: 100·(0.0851234 − 0.05)/(0.2 − 0.05) = 23.4, cost (100 − 23.4)/2 = 38.3.
  assert.deepEqual(r.pillars.performance_efficiency.reasons, [
    'Load per CPU (−50 points): 2.16 load per CPU is above the critical bound 2 load per CPU (target ≤ 0.7 load per CPU)',
    'Free space (−38.3 points): 8.5% is below the warning bound 10% (target ≥ 20%)',
  ]);
});

test('a missing derived series is explained by the hint given, in words and with the command to run', () => {
  const hint = (name: string) => (name === 'ops_days_since_last_gameday' ? 'no game day recorded yet: post one with `pillarboard event add --kind gameday …`' : null);
  const r = evaluateWorkload(
    {
      indicators: [
        threshold('gameday', agg('ops_days_since_last_gameday', 'last', HOUR), { direction: 'max', target: 90 }, { title: 'Days since the last game day' }),
        threshold('other', agg('never_collected', 'last', HOUR), { direction: 'max', target: 1 }, { title: 'Other', collector: 'node' }),
      ],
      outcomes: [],
      settings: SETTINGS,
    },
    { data: storeSeriesData(store), collectors, now: NOW, missingDataHint: hint },
  );
  assert.equal(r.indicators[0]!.reason, 'no game day recorded yet: post one with `pillarboard event add --kind gameday …`');
  assert.equal(r.indicators[1]!.reason, 'nothing collected yet (no series `never_collected`); check collector node (`pillarboard collect --once` shows what it stores)');
  assert.deepEqual(r.pillars.performance_efficiency.reasons, [
    'Days since the last game day has no data: no game day recorded yet: post one with `pillarboard event add --kind gameday …`',
    'Other has no data: nothing collected yet (no series `never_collected`); check collector node (`pillarboard collect --once` shows what it stores)',
  ]);
});

test('pillars roll up the indicators declared on them; a pillar without weight is not measured', () => {
  // reliability: a (w 2, 100) and b (w 1, 37.5) → 79.2, warning. security: only c, stale → no score.
  // performance_efficiency: only d, no_data. operational_excellence: only e with weight 0 → not measured.
  assert.equal(snap.pillars.reliability.score, 79.2);
  assert.equal(snap.pillars.reliability.status, 'warning');
  assert.equal(snap.pillars.security.status, 'stale');
  assert.equal(snap.pillars.security.score, null);
  assert.equal(snap.pillars.performance_efficiency.status, 'no_data');
  assert.equal(snap.pillars.operational_excellence.status, 'not_measured');
  assert.equal(snap.pillars.cost_optimization.measured, false);
  assert.equal(snap.at, NOW);
  assert.ok(snap.durationMs >= 0);
});

test('an indicator whose read throws is no_data with the error, and the others are still evaluated', () => {
  const real = storeSeriesData(store);
  const failing: SeriesData = {
    ...real,
    rawRetentionMs: real.rawRetentionMs,
    findSeries: (s) => {
      if (s.name === 'latency_seconds') throw new Error('database disk image is malformed');
      return real.findSeries(s);
    },
  };
  const r = evaluateWorkload(spec, { data: failing, collectors, now: NOW });
  const b = r.indicators.find((i) => i.id === 'b')!;
  assert.equal(b.status, 'no_data');
  assert.equal(b.reason, 'evaluation failed: database disk image is malformed');
  assert.equal(r.indicators.find((i) => i.id === 'a')!.status, 'ok');
  assert.equal(r.outcomes[0]!.counts.no_data, 1);
});
