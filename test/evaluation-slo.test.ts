import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storeSeriesData } from '../server/evaluation/data.js';
import { evaluateWorkload } from '../server/evaluation/engine.js';
import { countSloEvents } from '../server/evaluation/slo-counts.js';
import { DAY, every, HOUR, MINUTE, NOW, sel, series, SETTINGS, slo, testStore } from './support/evaluation.js';

function close(actual: number | null | undefined, expected: number, what: string, eps = 1e-9) {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= eps, `${what}: expected ${expected}, got ${actual}`);
}

// ---- counters: 100 requests a minute for 30 days; 5% of them failing in the last hour ----
// Samples every 10 min from now − 30d to now − 3d, then every minute to now (raw retention is
// the default 15 d, so the 28 d SLO window comes from rollups, every burn window from raw).
const T0 = NOW - 30 * DAY;
const badStart = NOW - HOUR;
const minutes = (ts: number) => (ts - T0) / MINUTE;
const bad = (ts: number) => (ts <= badStart ? 0 : (5 * (ts - badStart)) / MINUTE);
const ok = (ts: number) => 100 * minutes(ts) - bad(ts);
const times = [...every(10 * MINUTE, T0, NOW - 3 * DAY - 10 * MINUTE), ...every(MINUTE, NOW - 3 * DAY, NOW)];
const { store } = testStore();
store.writeSamples([
  ...series('http_requests_total', { code: '200', collector: 'prom' }, times, ok),
  ...series('http_requests_total', { code: '500', collector: 'prom' }, times, bad),
  // probes for the probe SLO below: 1 every minute for 7 days, 0 for the last 10 samples
  ...series('probe_success', { target: 'shop', collector: 'site' }, every(MINUTE, NOW - 8 * DAY, NOW), (ts) => (ts > NOW - 10 * MINUTE ? 0 : 1)),
]);

const counters = slo(
  'availability',
  { kind: 'counters', bad: sel('http_requests_total{code=~"5.."}'), total: sel('http_requests_total') },
  0.999,
  28 * DAY,
);

test('SLO on counters: burn windows from raw, each window (now − w, now] counting growth between its samples', () => {
  // 1h: samples at now−59m … now: total 59 min × 100 = 5,900, bad 5 × 59 = 295 → 5% → burn 0.05 / 0.001 = 50.
  // 5m: 400 total, 20 bad → 50. 30m: 2,900 / 145 → 50.
  // 2h: 11,900 total, all 300 bad → 300 / 11,900 / 0.001 = 25.2101. 6h: 35,900 → 8.35655.
  // 1d: 143,900 → 2.08478. 3d: 431,900 → 0.694605.
  const c = countSloEvents(storeSeriesData(store), counters.slo, NOW);
  assert.deepEqual(c.burn['1h'], { bad: 295, total: 5_900 });
  assert.deepEqual(c.burn['5m'], { bad: 20, total: 400 });
  assert.deepEqual(c.burn['30m'], { bad: 145, total: 2_900 });
  assert.deepEqual(c.burn['2h'], { bad: 300, total: 11_900 });
  assert.deepEqual(c.burn['3d'], { bad: 300, total: 431_900 });
  assert.equal(c.series.length, 2);
  assert.equal(c.reason, null);
});

test('SLO on counters: a 28d window beyond raw retention starts at its first whole hour, from rollups', () => {
  // Raw retention is 15 d, so the old edge has no raw samples: the window starts at the first
  // whole hour inside (now − 28d, now], now − 28d + 1h, whose first sample is its min.
  // total = 100/min × (28 × 1,440 − 60) min = 4,026,000; bad = 300 (all in the last hour).
  const c = countSloEvents(storeSeriesData(store), counters.slo, NOW);
  assert.deepEqual(c.window, { bad: 300, total: 4_026_000 });
});

test('SLO on counters: attainment, budget remaining and a page alert from the burn rates', () => {
  // attainment = 1 − 300 / 4,026,000 = 0.99992548; remaining = 1 − (300 / 4,026,000) / 0.001 = 0.925484 → score 92.5.
  // 1h burn 50 > 14.4 and 5m burn 50 > 14.4 → page → critical (the score still follows the budget).
  const snap = evaluateWorkload({ indicators: [counters], outcomes: [], settings: SETTINGS }, { data: storeSeriesData(store), collectors: () => [], now: NOW });
  const i = snap.indicators[0]!;
  close(i.value, 1 - 300 / 4_026_000, 'attainment');
  close(i.slo!.budgetRemaining, 1 - 300 / 4_026_000 / 0.001, 'budget remaining');
  close(i.slo!.burnRates['1h'], 50, '1h burn');
  close(i.slo!.burnRates['5m'], 50, '5m burn');
  close(i.slo!.burnRates['2h'], 300 / 11_900 / 0.001, '2h burn');
  close(i.slo!.burnRates['6h'], 300 / 35_900 / 0.001, '6h burn');
  close(i.slo!.burnRates['1d'], 300 / 143_900 / 0.001, '1d burn');
  assert.equal(i.slo!.alertState, 'page');
  assert.equal(i.status, 'critical');
  assert.equal(i.score, 92.5);
  assert.deepEqual(i.slo!.events, { good: 4_025_700, bad: 300, total: 4_026_000 });
  assert.deepEqual(i.collectors, ['prom']);
});

test('SLO on counters given as good/total counts the good counter\'s increase', () => {
  // 1h: the code="200" counter grows 100/min minus the 5/min that fail: 5,900 − 295 = 5,605.
  const good = slo('g', { kind: 'counters', good: sel('http_requests_total{code="200"}'), total: sel('http_requests_total') }, 0.999, 28 * DAY);
  const c = countSloEvents(storeSeriesData(store), good.slo, NOW);
  assert.deepEqual(c.burn['1h'], { good: 5_605, total: 5_900 });
  assert.deepEqual(c.window, { good: 4_025_700, total: 4_026_000 });
});

test('SLO on counters: a bad counter matching no series counts 0 bad; a total matching none is no_data', () => {
  const noErrors = slo('a', { kind: 'counters', bad: sel('http_errors_total'), total: sel('http_requests_total') }, 0.999, 28 * DAY);
  const noTotal = slo('b', { kind: 'counters', good: sel('http_requests_total{code="200"}'), total: sel('nope_total') }, 0.999, 28 * DAY);
  const snap = evaluateWorkload({ indicators: [noErrors, noTotal], outcomes: [], settings: SETTINGS }, { data: storeSeriesData(store), collectors: () => [], now: NOW });
  assert.equal(snap.indicators[0]!.status, 'ok');
  assert.equal(snap.indicators[0]!.value, 1);
  assert.equal(snap.indicators[1]!.status, 'no_data');
  assert.equal(snap.indicators[1]!.reason, 'nothing collected yet (no series `nope_total`); `pillarboard collect --once` shows what the collectors store');
  assert.equal(snap.indicators[1]!.value, null);
});

test('probe SLO: every sample is an event, good when > 0; a 7d window with 2d raw retention from rollups', () => {
  // Window: beyond raw retention it starts at the first whole hour, now − 7d + 1h → samples
  // now − 7d + 1h … now = 7 × 1,440 − 60 + 1 = 10,021, of which the last 10 are 0. From rollups
  // good = Σ(sum/max) per mixed hour, exact for 0/1 probes: 10,011.
  // attainment 10,011 / 10,021; budget 1%: remaining = 1 − (10 / 10,021) / 0.01 = 0.900210 → score 90.
  // 5m: samples now−4m … now, all 0 → 100% bad → burn 100. 1h: 10 bad of 60 → 16.667. Both > 14.4 → page.
  const { store: s } = testStore({ retention: { rawMs: 2 * DAY } });
  s.writeSamples(series('probe_success', { target: 'shop', collector: 'site' }, every(MINUTE, NOW - 8 * DAY, NOW), (ts) => (ts > NOW - 10 * MINUTE ? 0 : 1)));
  const probe = slo('probe', { kind: 'probes', success: sel('probe_success{target="shop"}') }, 0.99, 7 * DAY);
  const snap = evaluateWorkload({ indicators: [probe], outcomes: [], settings: SETTINGS }, { data: storeSeriesData(s), collectors: () => [], now: NOW });
  const i = snap.indicators[0]!;
  assert.deepEqual(i.slo!.events, { good: 10_011, bad: 10, total: 10_021 });
  close(i.value, 10_011 / 10_021, 'attainment');
  close(i.slo!.burnRates['5m'], 100, '5m burn');
  close(i.slo!.burnRates['1h'], 10 / 60 / 0.01, '1h burn');
  assert.equal(i.score, 90);
  assert.equal(i.slo!.alertState, 'page');
  assert.equal(i.status, 'critical');
  s.close();
});

test('probe SLO with its window inside raw retention counts the raw samples in (now − 7d, now]', () => {
  // Same data as above, default 15 d raw retention: the 7d window is exact again — raw samples for
  // (now − 7d, now − 7d + 1h), rollups for the whole hours, raw for the current hour:
  // samples now − 7d + 1m … now = 10,080, of which 10 are 0.
  const probe = slo('probe', { kind: 'probes', success: sel('probe_success{target="shop"}') }, 0.99, 7 * DAY);
  const c = countSloEvents(storeSeriesData(store), probe.slo, NOW);
  assert.deepEqual(c.window, { good: 10_070, total: 10_080 });
});
