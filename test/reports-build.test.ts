import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWeeklyReport } from '../server/reports/build.js';
import { readReportInput, storeReportSources } from '../server/reports/read.js';
import { parseWeek, previousWeek, weekRange } from '../server/reports/week.js';
import type { Sample } from '../collectors/types.js';
import { testStore } from './support/evaluation.js';
import { eventReader, HOUR, REPORT_AT, seedAll, seededContext, TZ, W47_FROM } from './support/reports-fixtures.js';

function build(opts: { events?: boolean; week?: string; tz?: string; seed?: boolean } = {}) {
  const { store } = testStore({ now: () => REPORT_AT });
  if (opts.seed !== false) seedAll(store);
  const tz = opts.tz ?? TZ;
  const week = weekRange(parseWeek(opts.week ?? '2026-W47'), tz);
  const prev = weekRange(previousWeek(week), tz);
  const sources = storeReportSources(store, () => (opts.events === false ? null : eventReader()));
  const ctx = { ...seededContext(), timezone: tz };
  return { report: buildWeeklyReport(readReportInput(sources, ctx, week, prev, REPORT_AT)), store };
}

test('the report of a seeded Berlin week has its boundaries at local Monday midnight', () => {
  const { report: r } = build();
  assert.equal(r.schemaVersion, 1);
  assert.equal(r.week, '2026-W47');
  assert.equal(r.previousWeek, '2026-W46');
  assert.equal(r.timezone, 'Europe/Berlin');
  // Monday 16 Nov 00:00 CET = 15 Nov 23:00 UTC; the next Monday likewise.
  assert.equal(r.from, '2026-11-15T23:00:00.000Z');
  assert.equal(r.to, '2026-11-22T23:00:00.000Z');
  assert.equal(r.hours, 168);
  assert.deepEqual(r.days, ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22']);
  assert.equal(r.generatedAt, '2026-11-23T07:00:00.000Z');
  assert.deepEqual(r.workload, { id: 'shop', title: 'Web shop', owner: 'platform-team' });
});

test('an outcome\'s attainment, verdict and time in status come out exactly as worked by hand', () => {
  const { report: r } = build();
  const buy = r.outcomes.find((o) => o.id === 'buy')!;
  // Scores: 84 hours at 85, then 78 hours at 75 (6 hours of the second half missing):
  // (84·85 + 78·75) / 162 = 12990 / 162 = 80.185… → 80.2 → 0.802. Last sample 75 → 0.75.
  // W46: 95 every hour → 0.95. Change 0.802 − 0.95 = −0.148.
  assert.deepEqual(buy.attainment, { mean: 0.802, end: 0.75, previousMean: 0.95, previousEnd: 0.95, change: -0.148 });
  // Statuses: ok [0,84) h; latency warning from 84 h; avail (key) critical [120,122) h; warning after.
  // Hours with evaluations: all but 90–95. ok 84, warning 36 − 6 + 46 = 76, critical 2 (84 + 76 + 2 = 162).
  assert.deepEqual(buy.hoursInStatus, { ok: 84, warning: 76, critical: 2, no_data: 0, stale: 0 });
  assert.equal(buy.verdict, 'missed');
  assert.equal(buy.okShare, 0.519); // 84 / 162 = 0.5185…
  assert.equal(buy.statusAtEnd, 'warning');
  assert.equal(buy.measuredHours, 162);
  // Attainment by local day: Mon–Wed 0.85; Thu 12 h at 85 + 6 h at 75 = 1470/18 = 81.67 → 0.817; Fri–Sun 0.75.
  assert.deepEqual(buy.byDay, [0.85, 0.85, 0.85, 0.817, 0.75, 0.75, 0.75]);
});

test('the indicators that pulled an outcome down are listed with the points each cost, against last week', () => {
  const { report: r } = build();
  const buy = r.outcomes.find((o) => o.id === 'buy')!;
  // Weekly means: avail 80.0; latency (84·100 + 78·60)/162 = 13080/162 = 80.74 → 80.7. Σw = 3 + 1 = 4.
  // Points: avail 3·(100 − 80)/4 = 15.0; latency 1·(100 − 80.7)/4 = 4.825 → 4.8.
  // W46: avail 100 → 0; latency 80 → 1·20/4 = 5.0.
  assert.deepEqual(
    buy.indicators.map((i) => [i.id, i.weight, i.key, i.meanScore, i.previousMeanScore, i.points, i.previousPoints, i.pointsChange, i.statusAtEnd]),
    [
      ['avail', 3, true, 80, 100, 15, 0, 15, 'ok'],
      ['latency', 1, false, 80.7, 80, 4.8, 5, -0.2, 'warning'],
    ],
  );
  // Budget remaining: last sample before the week 0.9, last in the week 0.6 → 0.3 of the budget used.
  assert.deepEqual(buy.sloBudgets, [{ indicator: 'avail', title: 'Checkout availability', start: 0.9, end: 0.6, consumed: 0.3 }]);
});

test('an outcome whose indicators had no data all week says no_data, with last week\'s number but no change', () => {
  const { report: r } = build();
  const budget = r.outcomes.find((o) => o.id === 'budget')!;
  assert.equal(budget.verdict, 'no_data');
  assert.deepEqual(budget.attainment, { mean: null, end: null, previousMean: 0.5, previousEnd: 0.5, change: null });
  assert.deepEqual(budget.hoursInStatus, { ok: 0, warning: 0, critical: 0, no_data: 162, stale: 0 });
  assert.equal(budget.okShare, null);
  assert.deepEqual(budget.byDay, [null, null, null, null, null, null, null]);
  assert.equal(budget.indicators[0]!.points, null);
  assert.deepEqual(r.summary, { outcomes: 2, met: 0, atRisk: 0, missed: 1, noData: 1 });
});

test('pillars report their score by local day, and unmeasured pillars are not measured rather than 100', () => {
  const { report: r } = build();
  const byId = Object.fromEntries(r.pillars.map((p) => [p.id, p]));
  assert.deepEqual(Object.keys(byId), ['operational_excellence', 'security', 'reliability', 'performance_efficiency', 'cost_optimization', 'sustainability']);
  assert.deepEqual(byId.reliability, {
    id: 'reliability', title: 'Reliability', description: 'Doing the intended job correctly, and recovering fast from failure.', measured: true,
    coverageAtEnd: { measured: 1, total: 1 }, mean: 80, end: 80, previousMean: 100, change: -20, byDay: [80, 80, 80, 80, 80, 80, 80],
  });
  // Cloud spend went to no_data before the week: its pillar's week-end score spoke for 0 of 1 indicators.
  assert.deepEqual(byId.cost_optimization!.coverageAtEnd, { measured: 0, total: 1 });
  assert.deepEqual(byId.security!.coverageAtEnd, { measured: 0, total: 0 });
  const outcomes = Object.fromEntries(r.outcomes.map((o) => [o.id, o.coverageAtEnd]));
  assert.deepEqual(outcomes, { buy: { measured: 2, total: 2 }, budget: { measured: 0, total: 1 } });
  // Thu: 12 h at 100, 6 h at 60, 6 h missing → 1560/18 = 86.67 → 86.7.
  assert.deepEqual(byId.performance_efficiency!.byDay, [100, 100, 100, 86.7, 60, 60, 60]);
  assert.equal(byId.performance_efficiency!.mean, 80.7);
  assert.equal(byId.performance_efficiency!.change, 0.7);
  assert.deepEqual([byId.cost_optimization!.mean, byId.cost_optimization!.previousMean, byId.cost_optimization!.change], [null, 50, null]);
  for (const p of ['operational_excellence', 'security', 'sustainability']) {
    assert.equal(byId[p]!.measured, false);
    assert.equal(byId[p]!.mean, null);
  }
});

test('highlights list the biggest regressions first and skip moves under a point', () => {
  const { report: r } = build();
  // reliability −20.0 (pillar), avail −20.0 (indicator), buy 95.0 → 80.2 = −14.8; latency +0.7 is too small.
  assert.deepEqual(
    r.highlights.regressions.map((h) => [h.kind, h.id, h.previous, h.current, h.change]),
    [
      ['pillar', 'reliability', 100, 80, -20],
      ['indicator', 'avail', 100, 80, -20],
      ['outcome', 'buy', 95, 80.2, -14.8],
    ],
  );
  assert.deepEqual(r.highlights.improvements, []);
});

test('data quality counts the hours without any evaluation sample and the collectors that were stale or silent', () => {
  const { report: r } = build();
  const dq = r.dataQuality;
  assert.equal(dq.hasData, true);
  assert.equal(dq.hoursWithData, 162);
  assert.equal(dq.hoursWithoutData, 6);
  // Hours 90–95 of the week: 15 Nov 23:00Z + 90 h = 19 Nov 17:00Z, to 23:00Z.
  assert.deepEqual(dq.gaps, [{ from: '2026-11-19T17:00:00.000Z', to: '2026-11-19T23:00:00.000Z', hours: 6 }]);
  // app failed at hours 30–33 (:10 each): stale from the third failure (32:10) to the next success (34:10) = 2 h.
  assert.deepEqual(dq.staleCollectors, [
    { id: 'app', type: 'scrape', runs: 168, failures: 4, longestFailureStreak: 4, staleHours: 2, noRuns: false, lastError: 'connection refused' },
    { id: 'billing', type: 'http', runs: 0, failures: 0, longestFailureStreak: 0, staleHours: 0, noRuns: true, lastError: null },
  ]);
  assert.match(dq.notes.join(' '), /6 of 168 hours have no evaluation sample/);
});

test('operations come from the events of the week: deployments, change failure rate, incidents with duration and review, game days, action items', () => {
  const { report: r } = build();
  const ops = r.operations;
  assert.equal(ops.available, true);
  // 4 deployments: 3 succeeded, 1 failed, 1 rollback; incident i1 names d2 → CFR 1/4.
  assert.deepEqual(ops.deployments, { total: 4, succeeded: 3, failed: 1, rollbacks: 1, causedIncidents: 1, changeFailureRate: 0.25, byService: { shop: 3, api: 1 } });
  assert.deepEqual(ops.incidents, [
    { id: 'test:i1', title: 'Checkout errors', service: 'shop', severity: 'sev2', startedAt: new Date(W47_FROM + 51 * HOUR).toISOString(), endedAt: new Date(W47_FROM + 52.5 * HOUR).toISOString(), durationMinutes: 90, ongoing: false, review: 'completed' },
    // Still open: counted to the end of the week, 168 − 160 = 8 h.
    { id: 'test:i2', title: 'Slow search', service: 'api', severity: null, startedAt: new Date(W47_FROM + 160 * HOUR).toISOString(), endedAt: null, durationMinutes: 480, ongoing: true, review: 'none' },
  ]);
  assert.deepEqual(ops.gamedays?.map((g) => [g.title, g.findings]), [['Region failover', 3]]);
  assert.deepEqual(ops.reviews, { total: 1, completed: 1 });
  // a1 (opened before, closed in the week), a2 (opened, open), a3 (opened and closed).
  assert.deepEqual(ops.actionItems, { opened: 2, closed: 2, openAtWeekEnd: 1 });
  // No change event was ever recorded: unknown, not zero.
  assert.equal(ops.changes, null);
  assert.deepEqual(ops.notes, ['Never recorded, so unknown rather than zero: changes.']);
});

test('without an event store the operations section says so and holds no zeros', () => {
  const { report: r } = build({ events: false });
  assert.equal(r.operations.available, false);
  assert.equal(r.operations.deployments, null);
  assert.equal(r.operations.incidents, null);
  assert.match(r.operations.notes[0]!, /No event store/);
});

test('a week with no data at all says so instead of showing zeros', () => {
  const { report: r } = build({ seed: false, events: false });
  assert.equal(r.dataQuality.hasData, false);
  assert.equal(r.dataQuality.hoursWithoutData, 168);
  assert.match(r.dataQuality.notes[0]!, /No evaluation sample was stored/);
  for (const o of r.outcomes) {
    assert.equal(o.verdict, 'no_data');
    assert.equal(o.attainment.mean, null);
    assert.equal(o.statusAtEnd, null);
  }
  assert.ok(r.pillars.every((p) => p.mean === null));
  assert.deepEqual(r.dataQuality.staleCollectors, [], 'a silent collector is not news when nothing ran');
});

/** One sample per hour at hh:30 through a week, with the hour's local weekday number as its value (Mon 1 … Sun 7). */
function weekdaySamples(from: number, to: number, tz: string): Sample[] {
  const out: Sample[] = [];
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short' });
  const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  for (let t = from + 30 * 60_000; t < to; t += HOUR) {
    out.push({ name: 'pillarboard_pillar_score', labels: { pillar: 'reliability' }, ts: t, value: days.indexOf(fmt.format(t)) + 1 });
  }
  return out;
}

test('a week with the autumn clock change has 169 hours and a 25-hour Sunday', () => {
  const { store } = testStore({ now: () => REPORT_AT });
  // 2026-W43 in Berlin: Mon 19 Oct 00:00 CEST (18 Oct 22:00Z) to Mon 26 Oct 00:00 CET (25 Oct 23:00Z).
  const week = weekRange(parseWeek('2026-W43'), TZ);
  assert.equal(week.from, Date.parse('2026-10-18T22:00:00Z'));
  assert.equal(week.to, Date.parse('2026-10-25T23:00:00Z'));
  store.writeSamples(weekdaySamples(week.from, week.to, TZ));
  const r = buildWeeklyReport(readReportInput(storeReportSources(store), seededContext(), week, weekRange(previousWeek(week), TZ), REPORT_AT));
  assert.equal(r.hours, 169);
  assert.equal(r.dataQuality.hoursWithData, 169);
  assert.equal(r.dataQuality.hoursWithoutData, 0);
  // Every hour landed on its own local day: the daily means are the weekday numbers exactly.
  assert.deepEqual(r.pillars.find((p) => p.id === 'reliability')!.byDay, [1, 2, 3, 4, 5, 6, 7]);
  // Mean: (24·(1+2+3+4+5+6) + 25·7) / 169 = (504 + 175)/169 = 4.018 → 4.0.
  assert.equal(r.pillars.find((p) => p.id === 'reliability')!.mean, 4);
});

test('a week with the spring clock change has 167 hours, and a sample just before Monday 00:00 local belongs to the week before', () => {
  const { store } = testStore({ now: () => REPORT_AT });
  // 2026-W13: Mon 23 Mar 00:00 CET (22 Mar 23:00Z) to Mon 30 Mar 00:00 CEST (29 Mar 22:00Z).
  const week = weekRange(parseWeek('2026-W13'), TZ);
  assert.equal(week.hours, 167);
  store.writeSamples([
    ...weekdaySamples(week.from, week.to, TZ),
    // Sunday 22 Mar 23:30 CET (22:30Z): the previous week's last hour, not this week's first.
    { name: 'pillarboard_pillar_score', labels: { pillar: 'reliability' }, ts: week.from - 30 * 60_000, value: 99 },
  ]);
  const r = buildWeeklyReport(readReportInput(storeReportSources(store), seededContext(), week, weekRange(previousWeek(week), TZ), REPORT_AT));
  const rel = r.pillars.find((p) => p.id === 'reliability')!;
  assert.deepEqual(rel.byDay, [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(rel.previousMean, 99);
  assert.equal(r.dataQuality.hoursWithData, 167);
  // (24·21 + 23·7)/167 = (504 + 161)/167 = 3.98 → 4.0
  assert.equal(rel.mean, 4);
});

test('the same week in another zone starts at that zone\'s midnight: New York and Kolkata', () => {
  const ny = weekRange(parseWeek('2026-W47'), 'America/New_York');
  assert.equal(new Date(ny.from).toISOString(), '2026-11-16T05:00:00.000Z');
  const kol = weekRange(parseWeek('2026-W47'), 'Asia/Kolkata');
  assert.equal(new Date(kol.from).toISOString(), '2026-11-15T18:30:00.000Z');
  assert.equal(kol.hours, 168);
});
