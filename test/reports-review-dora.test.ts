import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DerivedSeriesJob } from '../server/dora/job.js';
import { silentLogger } from '../server/log.js';
import { buildWeeklyReport } from '../server/reports/build.js';
import { buildReview } from '../server/reports/build-review.js';
import { readReportInput, storeReportSources } from '../server/reports/read.js';
import { renderChatSummary, renderMarkdown } from '../server/reports/render-markdown.js';
import { renderHtml } from '../server/reports/render-html.js';
import type { ReportReviewInput } from '../server/reports/types.js';
import { parseWeek, previousWeek, weekRange } from '../server/reports/week.js';
import { ReviewService } from '../server/review/index.js';
import type { MilestoneSnapshot, SnapshotQuestion } from '../server/review/milestones.js';
import type { Store } from '../server/store/index.js';
import { testStore } from './support/evaluation.js';
import {
  eventReader, HOUR, htmlProblems, REPORT_AT, seedAll, seedDora, seededContext, seededReview, TZ, W47_FROM, W47_TO,
} from './support/reports-fixtures.js';
import { fullLens } from './review-support.js';
import { FakeClock } from './support/fake-clock.js';

/**
 * The review section (weekly milestones at the week's start and end) and the DORA four keys
 * at the week's end. Values worked out by hand below. The week: 2026-W47 in Berlin,
 * 2026-11-15T23:00Z .. 2026-11-22T23:00Z; W48 starts at its end.
 */

const MIN = 60_000;

function build(store: Store, review: ReviewService | null) {
  const week = weekRange(parseWeek('2026-W47'), TZ);
  const sources = storeReportSources(store, () => eventReader(), () => review);
  return buildWeeklyReport(readReportInput(sources, seededContext(), week, weekRange(previousWeek(week), TZ), REPORT_AT));
}

test('the review section compares the milestone of the report\'s week with the next week\'s: exactly the risks that moved', () => {
  const { store } = testStore({ now: () => REPORT_AT });
  seedAll(store);
  const review = seededReview(store);
  assert.deepEqual(review.milestones().map((m) => [m.name, m.week, m.createdAt]), [
    ['Week 2026-W47', '2026-W47', '2026-11-15T23:01:00.000Z'],
    ['Week 2026-W48', '2026-W48', '2026-11-22T23:01:00.000Z'],
  ]);
  const r = build(store, review).review!;
  assert.deepEqual(r.start, { id: 1, name: 'Week 2026-W47', week: '2026-W47', takenAt: '2026-11-15T23:01:00.000Z' });
  assert.deepEqual(r.end, { id: 2, name: 'Week 2026-W48', week: '2026-W48', takenAt: '2026-11-22T23:01:00.000Z' });
  assert.equal(r.compared, true);
  // Start: deploys medium, privacy high → high 1, medium 1. End: deploys high, privacy none → high 1, medium 0.
  assert.deepEqual(r.totals, { start: { high: 1, medium: 1 }, end: { high: 1, medium: 0 }, gained: 0, removed: 1, changed: 1 });
  assert.deepEqual(r.pillars, [
    {
      lens: 'abc', lensName: 'Company Policy ABC', pillarId: 'operationalExcellence', pillarName: 'Operational excellence', pillar: 'operational_excellence',
      start: { high: 0, medium: 1 }, end: { high: 1, medium: 0 },
      gained: [], removed: [], changed: [{ lens: 'abc', question: 'abc_deploys', title: 'How do you deploy?', from: 'medium', to: 'high' }],
    },
    {
      lens: 'abc', lensName: 'Company Policy ABC', pillarId: 'company_privacy', pillarName: 'Privacy', pillar: null,
      start: { high: 1, medium: 0 }, end: { high: 0, medium: 0 },
      gained: [], removed: [{ lens: 'abc', question: 'abc_privacy', title: 'Is personal data minimised?', from: 'high', to: 'none' }], changed: [],
    },
  ]);
  // abc_deploys: the person's "none of these" against evidence that says small changes: drift, begun during the week.
  assert.deepEqual(r.drift, [{ lens: 'abc', question: 'abc_deploys', title: 'How do you deploy?', pillarName: 'Operational excellence', atStart: false }]);
  // Due Fri 20 Nov: inside Mon 16 – Sun 22 Nov.
  assert.deepEqual(r.plan, {
    dueThisWeek: [{ lens: 'abc', question: 'abc_deploys', title: 'How do you deploy?', pillarName: 'Operational excellence', risk: 'high', owner: 'bob', due: '2026-11-20', status: 'in_progress' }],
    overdue: [],
  });
  assert.deepEqual(r.notes, []);

  const md = renderMarkdown(build(store, review));
  const section = md.slice(md.indexOf('## Well-Architected review'), md.indexOf('## Highlights'));
  assert.equal(
    section,
    [
      '## Well-Architected review',
      '',
      'Week start: Week 2026-W47, taken Mon 16 Nov 00:01 · week end: Week 2026-W48, taken Mon 23 Nov 00:01',
      'High risks 1 → 1, medium risks 1 → 0: 0 gained, 1 removed, 1 changed level.',
      '- Company Policy ABC · Operational excellence: high 0 → 1, medium 1 → 0',
      '  - changed level: How do you deploy? (medium → high)',
      '- Company Policy ABC · Privacy: high 1 → 0, medium 0 → 0',
      '  - removed: Is personal data minimised? (high → none)',
      'Drift at week end (a person\'s answer the evidence contradicts):',
      '- How do you deploy? (Operational excellence), new this week',
      'Improvement plan:',
      '- Due this week: How do you deploy? (Operational excellence; high risk; due 2026-11-20; owner bob; in progress)',
      '',
      '',
    ].join('\n'),
  );
  const html = renderHtml(build(store, review));
  assert.deepEqual(htmlProblems(html), []);
  assert.match(html, /<h2>Well-Architected review<\/h2>/);
  assert.match(html, /changed level: How do you deploy\? <span class="muted">\(medium → high\)<\/span>/);
  assert.match(html, /removed: Is personal data minimised\? <span class="muted">\(high → none\)<\/span>/);
  assert.match(renderChatSummary(build(store, review)), /^Review risks: 0 gained, 1 removed, 1 changed level$/m);
});

test('a report generated in the week after takes that week\'s milestone itself when the evaluation loop has not yet', () => {
  const { store } = testStore({ now: () => REPORT_AT });
  const review = seededReview(store, { endMilestone: false });
  assert.deepEqual(review.milestones().map((m) => m.week), ['2026-W47']);
  const r = build(store, review).review!;
  // Taken at the report's time (Mon 23 Nov 08:00 Berlin, 07:00Z), the same one the next evaluation would have found.
  assert.deepEqual(r.end, { id: 2, name: 'Week 2026-W48', week: '2026-W48', takenAt: '2026-11-23T07:00:00.000Z' });
  assert.deepEqual(r.totals, { start: { high: 1, medium: 1 }, end: { high: 1, medium: 0 }, gained: 0, removed: 1, changed: 1 });
  assert.deepEqual(r.notes, ['The week-end snapshot (Week 2026-W48) was taken after the week ended, when the review was first evaluated the week after.']);
  // A report of an older week (generated in W50) creates nothing.
  const week = weekRange(parseWeek('2026-W46'), TZ);
  const old = buildWeeklyReport(readReportInput(storeReportSources(store, () => null, () => review), seededContext(), week, weekRange(previousWeek(week), TZ), REPORT_AT)).review!;
  assert.equal(old.start, null);
  assert.equal(old.end!.week, '2026-W47');
  assert.equal(old.compared, false);
  assert.deepEqual(old.totals, { start: null, end: { high: 1, medium: 1 }, gained: null, removed: null, changed: null });
  assert.equal(old.pillars[0]!.gained, null, 'not compared: unknown, not "none gained"');
  assert.deepEqual(review.milestones().map((m) => m.week), ['2026-W47', '2026-W48']);
});

test('without a review, or with one never answered, the section is null and says "not configured" instead of zero risks', () => {
  const { store } = testStore({ now: () => REPORT_AT });
  seedAll(store);
  const none = build(store, null);
  assert.equal(none.review, null);
  const unused = new ReviewService({ db: store.db, log: silentLogger, clock: new FakeClock(REPORT_AT) });
  unused.importLens({ body: fullLens(), id: 'abc' });
  unused.setConfig({ lenses: ['abc'], evidence: [], workload: { id: 'shop', title: 'Web shop', timezone: TZ } });
  const r = build(store, unused);
  assert.equal(r.review, null);
  assert.deepEqual(unused.milestones(), [], 'nothing answered: no empty weekly milestone');
  for (const text of [renderMarkdown(r), renderHtml(r)]) {
    assert.match(text, /No Well-Architected review is configured for this week/);
    assert.doesNotMatch(text, /High risks/);
  }
  assert.doesNotMatch(renderChatSummary(r), /Review/);
});

// -----------------------------------------------------------------------------------------
// The pure builder on hand-made milestones: plan items due and overdue, a missing snapshot.

const q = (id: string, risk: SnapshotQuestion['risk'], drift = false): SnapshotQuestion => ({
  id, title: `Q ${id}`, pillarId: 'reliability', pillarName: 'Reliability', pillar: 'reliability', risk, selected: [], notApplicable: false, source: 'manual', drift,
});
const snap = (questions: SnapshotQuestion[]): MilestoneSnapshot => ({ version: 1, takenAt: '', lenses: [{ id: 'wa', name: 'WA', questions }] });

test('plan items: due during the week or before it and not done; a missing end snapshot leaves drift and changes unknown', () => {
  const week = weekRange(parseWeek('2026-W47'), TZ);
  const item = (question: string, due: string | null, status: 'open' | 'in_progress' | 'done' | 'accepted', risk: 'high' | 'medium' = 'high') => ({
    lens: 'wa', question, title: `Q ${question}`, pillarName: 'Reliability', risk, owner: null, due, status,
  });
  const input: ReportReviewInput = {
    start: { id: 7, name: 'Week 2026-W47', week: '2026-W47', createdAt: W47_FROM + 3 * HOUR, snapshot: snap([q('a', 'high', true), q('b', 'medium')]) },
    end: null,
    plan: [
      item('a', '2026-11-15', 'open'), // Sunday before the week: overdue
      item('b', '2026-11-16', 'open', 'medium'), // Monday: due this week
      item('c', '2026-11-22', 'in_progress'), // Sunday: due this week
      item('d', '2026-11-23', 'open'), // after the week
      item('e', '2026-11-01', 'done'), // done: not listed
      item('f', '2026-11-01', 'accepted'), // accepted: not listed
      item('g', null, 'open'), // no date
    ],
  };
  const r = buildReview(input, week)!;
  assert.deepEqual(r.plan.overdue.map((i) => i.question), ['a']);
  assert.deepEqual(r.plan.dueThisWeek.map((i) => [i.question, i.due]), [['b', '2026-11-16'], ['c', '2026-11-22']]);
  assert.equal(r.compared, false);
  assert.deepEqual(r.totals, { start: { high: 1, medium: 1 }, end: null, gained: null, removed: null, changed: null });
  assert.deepEqual(r.pillars.map((p) => [p.pillarId, p.start, p.end, p.gained]), [['reliability', { high: 1, medium: 1 }, null, null]]);
  assert.equal(r.drift, null);
  assert.deepEqual(r.notes, [
    'The week-start snapshot (Week 2026-W47) was taken after the week began, when the review was first evaluated that week.',
    'No review milestone for the week after yet: risks at the week\'s end are unknown.',
  ]);
  assert.equal(buildReview(null, week), null);
  assert.equal(buildReview({ start: null, end: null, plan: [item('d', '2026-11-23', 'open')] }, week), null, 'nothing at the week\'s edges, nothing due: not configured');
});

// -----------------------------------------------------------------------------------------
// DORA: the four keys at the week's end from the dora_* series.

test('with the DORA series, the operations section shows the four keys and their tiers at the week\'s last run', () => {
  const { store } = testStore({ now: () => REPORT_AT });
  seedAll(store);
  const last = seedDora(store);
  const r = build(store, null);
  assert.deepEqual(r.operations.dora, {
    at: new Date(last).toISOString(),
    resolution: 'raw',
    window: '7d',
    deployments: 4,
    keys: {
      deployment_frequency: { value: 4 / 7, unit: 'deployments/day', tier: 'high' },
      lead_time: { value: 93_600, unit: 'seconds', tier: 'high' },
      change_failure_rate: { value: 0.25, unit: 'ratio', tier: 'low' },
      time_to_restore: { value: null, unit: 'seconds', tier: null },
    },
  });
  // The event-based counts stay as they were.
  assert.deepEqual(r.operations.deployments, { total: 4, succeeded: 3, failed: 1, rollbacks: 1, causedIncidents: 1, changeFailureRate: 0.25, byService: { shop: 3, api: 1 } });
  assert.equal(r.operations.incidents!.length, 2);
  assert.deepEqual(r.operations.actionItems, { opened: 2, closed: 2, openAtWeekEnd: 1 });

  const md = renderMarkdown(r);
  assert.match(
    md,
    new RegExp(
      [
        '^- DORA four keys, 7 days to Sun 22 Nov 23:58, 4 successful production deployments:',
        '  - Deployment frequency: 0\\.57 per day \\(high\\)',
        '  - Lead time for changes: 1 d 2 h \\(high\\)',
        '  - Change failure rate: 25\\.0% \\(low\\)',
        '  - Time to restore service: n/a$',
      ].join('\n'),
      'm',
    ),
  );
  // One failure rate in the report, the DORA one; the deployment counts as before.
  assert.match(md, /^- Deployments: 4 \(3 succeeded, 1 failed, 1 rollback\); 1 caused an incident$/m);
  assert.doesNotMatch(md, /change failure rate 25\.0%/);
  assert.match(md, /Checkout errors \(shop, sev2\): started Wed 18 Nov 03:00, restored after 1 h 30 min; review: completed/);
  const html = renderHtml(r);
  assert.deepEqual(htmlProblems(html), []);
  assert.match(html, /<tr><td>Change failure rate<\/td><td class="num">25\.0%<\/td><td>low<\/td><\/tr>/);
  assert.match(html, /<tr><td>Time to restore service<\/td><td class="num">n\/a<\/td><td><span class="muted">n\/a<\/span><\/td><\/tr>/);
});

test('without DORA series the operations section is as before', () => {
  const { store } = testStore({ now: () => REPORT_AT });
  seedAll(store);
  const r = build(store, null);
  assert.equal(r.operations.dora, null);
  const md = renderMarkdown(r);
  assert.match(md, /^- Deployments: 4 \(3 succeeded, 1 failed, 1 rollback\); change failure rate 25\.0% \(1 caused an incident\)$/m);
  assert.doesNotMatch(md, /DORA/);
});

test('a week whose raw DORA samples are past retention reads the last whole hour of the week from the rollups', () => {
  const { store } = testStore({ now: () => REPORT_AT });
  seedDora(store);
  // Keep one hour of raw samples at REPORT_AT: the week's are gone, their hourly rollups stay.
  store.setRetention({ rawMs: HOUR });
  store.applyRetention(REPORT_AT);
  const d = build(store, null).operations.dora!;
  // Last whole hour of the week: 22 Nov 22:00–23:00Z; its last values are the last run's.
  assert.equal(d.resolution, 'hourly');
  assert.equal(d.at, '2026-11-22T23:00:00.000Z');
  assert.equal(d.deployments, 4);
  assert.deepEqual(d.keys.change_failure_rate, { value: 0.25, unit: 'ratio', tier: 'low' });
  assert.deepEqual(d.keys.time_to_restore, { value: null, unit: 'seconds', tier: null });
});

test('the four keys agree with what the DORA job computed at the week\'s end (as /api/dora?window=7d)', () => {
  const { store } = testStore({ now: () => REPORT_AT });
  const at = W47_TO - 5 * MIN;
  const job = new DerivedSeriesJob({ events: eventReader(), sink: store, log: silentLogger, clock: new FakeClock(at) });
  const computed = job.run().workload.windows['7d'];
  const d = build(store, null).operations.dora!;
  assert.equal(d.at, new Date(at).toISOString());
  assert.equal(d.deployments, computed.deployments);
  for (const k of ['deployment_frequency', 'lead_time', 'change_failure_rate', 'time_to_restore'] as const) {
    assert.deepEqual([d.keys[k].value, d.keys[k].tier], [computed.keys[k].value, computed.keys[k].tier], k);
  }
});
