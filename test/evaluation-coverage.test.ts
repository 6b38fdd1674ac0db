import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storeSeriesData } from '../server/evaluation/data.js';
import { evaluateWorkload } from '../server/evaluation/engine.js';
import { clipToHistory, EvaluationHistory } from '../server/evaluation/history.js';
import { SqliteEvaluationRepository } from '../server/evaluation/sqliteState.js';
import { HISTORY_SERIES } from '../server/evaluation/history-series.js';
import { agg, DAY, every, HOUR, MINUTE, NOW, sel, series, SETTINGS, slo, testStore, threshold } from './support/evaluation.js';

/**
 * Issue 10, item 2: figures and charts say how much history they rest on. The store knows
 * when a series' history begins; an indicator's evaluation carries its window's coverage; a
 * history read starts at the first sample, at raw resolution, when that is inside the range.
 */

test('firstSampleAt is the oldest raw sample, or the oldest rollup hour beyond raw retention, never a NaN marker', () => {
  const { store } = testStore({ retention: { rawMs: 2 * DAY } });
  store.writeSamples([
    { name: 'young', labels: {}, ts: NOW - 6 * MINUTE, value: Number.NaN },
    ...series('young', {}, every(MINUTE, NOW - 5 * MINUTE, NOW), () => 1),
    { name: 'markers_only', labels: {}, ts: NOW - MINUTE, value: Number.NaN },
  ]);
  // Ten days old: below the raw horizon, so only its hourly rollup keeps it.
  store.writeSamples(series('old', {}, [NOW - 10 * DAY + 17 * MINUTE, NOW - MINUTE], () => 2));
  store.updateRollups();
  store.applyRetention(NOW);
  const id = (name: string) => store.findSeries(sel(name).selector)[0]!.id;
  assert.equal(store.firstSampleAt(id('young')), NOW - 5 * MINUTE);
  assert.equal(store.firstSampleAt(id('markers_only')), undefined);
  assert.equal(store.firstSampleAt(id('old')), NOW - 10 * DAY, 'the start of the oldest rollup hour');
});

test('an SLO six minutes after its first sample covers 6 minutes of its 7-day window and says so in its reason', () => {
  const { store } = testStore();
  const first = NOW - 6 * MINUTE;
  store.writeSamples([
    ...series('requests_total', { code: '200', collector: 'app' }, every(MINUTE, first, NOW), (ts) => 100 * ((ts - first) / MINUTE)),
    ...series('requests_total', { code: '500', collector: 'app' }, every(MINUTE, first, NOW), () => 0),
    ...series('latency_seconds', { collector: 'app' }, every(MINUTE, NOW - 2 * HOUR, NOW), () => 0.2),
  ]);
  const snap = evaluateWorkload(
    {
      indicators: [
        slo('availability', { kind: 'counters', bad: sel('requests_total{code="500"}'), total: sel('requests_total') }, 0.99, 7 * DAY),
        threshold('latency', agg('latency_seconds', 'avg', HOUR), { target: 0.5, direction: 'max' }),
        threshold('missing', agg('nothing_here', 'avg', HOUR), { target: 1, direction: 'max' }),
      ],
      outcomes: [],
      settings: SETTINGS,
    },
    { data: storeSeriesData(store), collectors: () => [], now: NOW },
  );
  const [availability, latency, missing] = snap.indicators;
  assert.equal(availability!.status, 'ok');
  assert.equal(availability!.windowMs, 7 * DAY);
  assert.equal(availability!.dataSince, first);
  assert.ok(Math.abs(availability!.windowCoverage! - (6 * MINUTE) / (7 * DAY)) < 1e-12, String(availability!.windowCoverage));
  assert.match(availability!.reason, /over 6m of 7d/);
  assert.doesNotMatch(availability!.reason, /over 7d/);
  // Two hours of data under a one-hour window: the window is full.
  assert.equal(latency!.windowMs, HOUR);
  assert.equal(latency!.windowCoverage, 1);
  assert.equal(latency!.dataSince, NOW - 2 * HOUR);
  assert.equal(missing!.dataSince, null);
  assert.equal(missing!.windowCoverage, null);
});

test('a history younger than the range is read from its first sample at raw resolution, not as one hourly dot', () => {
  const { store } = testStore();
  const first = NOW - 6 * MINUTE;
  store.writeSamples(series(HISTORY_SERIES.pillarScore, { pillar: 'reliability' }, every(MINUTE, first, NOW), (ts) => 90 + (ts - first) / MINUTE));
  const history = new EvaluationHistory(store, new SqliteEvaluationRepository(store.db));
  // What a 7-day sparkline 300 px wide asks for: hourly buckets (rollups).
  const h = history.pillarHistory('reliability', { from: NOW - 7 * DAY, to: NOW, step: HOUR });
  assert.equal(h.source, 'raw');
  assert.equal(h.dataSince, first);
  assert.ok(h.step < MINUTE, `step ${h.step}`);
  assert.deepEqual(
    h.points.map(([t]) => t),
    every(MINUTE, first, NOW),
    'every raw sample, from the first one',
  );

  // A history older than the range: the range as asked.
  store.writeSamples(series(HISTORY_SERIES.pillarScore, { pillar: 'security' }, every(HOUR, NOW - 30 * DAY, NOW), () => 80));
  const old = history.pillarHistory('security', { from: NOW - 7 * DAY, to: NOW, step: HOUR });
  assert.equal(old.source, 'rollup');
  assert.equal(old.step, HOUR);
  assert.equal(old.dataSince, NOW - 30 * DAY);
  assert.equal(old.points.length, 7 * 24 + 1);

  const none = history.pillarHistory('cost_optimization', { from: NOW - 7 * DAY, to: NOW, step: HOUR });
  assert.equal(none.dataSince, null);
  assert.deepEqual(none.points, []);
});

test('clipToHistory keeps the number of points, rounds the step, and never coarsens it', () => {
  const range = { from: NOW - 7 * DAY, to: NOW, step: HOUR };
  assert.equal(clipToHistory(range, null), range);
  assert.equal(clipToHistory(range, NOW - 8 * DAY), range);
  const twoDays = clipToHistory(range, NOW - 2 * DAY);
  assert.equal(twoDays.from, NOW - 2 * DAY);
  // 168 points over 2 days: 1,028 s each → the next round step, 1,800 s.
  assert.equal(twoDays.step, 1800 * 1000);
  const fine = clipToHistory({ from: NOW - DAY, to: NOW, step: 5 * MINUTE }, NOW - 23 * HOUR);
  assert.equal(fine.step, 5 * MINUTE, 'a clip never makes the step coarser than asked');
});
