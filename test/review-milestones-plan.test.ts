import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../server/store/index.js';
import { silentLogger } from '../server/log.js';
import { planCsv, planMarkdown, ReviewInputError, ReviewService } from '../server/review/index.js';
import { compareSnapshots, type MilestoneSnapshot, type SnapshotQuestion } from '../server/review/milestones.js';
import type { EventReader, StoredEvent } from '../server/events/types.js';
import { fullLens } from './review-support.js';
import { clockAt } from './support/fake-clock.js';

const T0 = Date.parse('2026-11-23T09:00:00Z'); // Monday of 2026-W48
const DAY = 86_400_000;

function setup(events: StoredEvent[] = [], timezone = 'UTC') {
  const store = openStore({ path: ':memory:', now: Date.now });
  let clock = T0;
  const reader: EventReader = {
    listEvents: (f) => events.filter((e) => f.kind === undefined || e.kind === f.kind),
    getEvent: () => undefined,
    services: () => [],
  };
  const review = new ReviewService({ db: store.db, log: silentLogger, clock: clockAt(() => clock), events: reader });
  review.importLens({ body: fullLens(), id: 'abc' });
  review.setConfig({ lenses: ['abc'], evidence: [], workload: { id: 'shop', title: 'Web shop | EU', timezone } });
  return { review, setClock: (ms: number) => (clock = ms) };
}

const sq = (id: string, pillarId: string, risk: SnapshotQuestion['risk']): SnapshotQuestion => ({
  id, title: `Question ${id}`, pillarId, pillarName: pillarId, pillar: null, risk, selected: [], notApplicable: risk === 'not_applicable', source: null, drift: false,
});
const snap = (questions: SnapshotQuestion[]): MilestoneSnapshot => ({ version: 1, takenAt: '', lenses: [{ id: 'l', name: 'L', questions }] });

test('comparing two milestones lists, per pillar, the risks gained, removed and changed in level', () => {
  const from = snap([sq('a', 'p1', 'unanswered'), sq('b', 'p1', 'high'), sq('c', 'p1', 'medium'), sq('d', 'p2', 'high'), sq('gone', 'p2', 'medium'), sq('e', 'p2', 'none')]);
  const to = snap([sq('a', 'p1', 'high'), sq('b', 'p1', 'none'), sq('c', 'p1', 'high'), sq('d', 'p2', 'high'), sq('e', 'p2', 'not_applicable'), sq('new', 'p2', 'medium')]);
  const c = compareSnapshots(from, to);
  const p1 = c.pillars.find((p) => p.pillarId === 'p1')!;
  const p2 = c.pillars.find((p) => p.pillarId === 'p2')!;
  const ids = (xs: Array<{ question: string; from: unknown; to: unknown }>) => xs.map((x) => `${x.question}:${x.from}->${x.to}`);
  assert.deepEqual(ids(p1.gained), ['a:unanswered->high']);
  assert.deepEqual(ids(p1.removed), ['b:high->none']);
  assert.deepEqual(ids(p1.changed), ['c:medium->high']);
  assert.deepEqual(ids(p2.gained), ['new:null->medium']);
  assert.deepEqual(ids(p2.removed), ['gone:medium->null']);
  assert.deepEqual(p2.changed, []);
  assert.deepEqual(p1.from, { high: 1, medium: 1, none: 0, unanswered: 1, not_applicable: 0 });
  assert.deepEqual(p1.to, { high: 2, medium: 0, none: 1, unanswered: 0, not_applicable: 0 });
  assert.deepEqual(p2.from, { high: 1, medium: 1, none: 1, unanswered: 0, not_applicable: 0 });
  assert.deepEqual(c.totals, { gained: 2, removed: 2, changed: 1 });
});

test('milestones snapshot the review; comparing a milestone with now shows what changed since', () => {
  const { review, setClock } = setup();
  review.answer('abc', 'abc_deploys', { choices: ['abc_deploys_small'] }, null); // medium
  const m1 = review.createMilestone('  Before the migration ');
  assert.equal(m1.name, 'Before the migration');
  assert.equal(m1.kind, 'manual');
  setClock(T0 + DAY);
  review.answer('abc', 'abc_deploys', { choices: ['abc_deploys_no'] }, null); // high
  review.answer('abc', 'abc_privacy', { choices: ['abc_privacy_no'] }, null); // high
  const m2 = review.createMilestone('After');
  const c = review.compareMilestones(m1.id, m2.id);
  assert.equal(c.from.name, 'Before the migration');
  const ops = c.pillars.find((p) => p.pillarId === 'operationalExcellence')!;
  assert.deepEqual(ops.changed.map((x) => [x.question, x.from, x.to]), [['abc_deploys', 'medium', 'high']]);
  const privacy = c.pillars.find((p) => p.pillarId === 'company_privacy')!;
  assert.deepEqual(privacy.gained.map((x) => [x.question, x.from, x.to]), [['abc_privacy', 'unanswered', 'high']]);
  review.answer('abc', 'abc_privacy', { choices: ['abc_privacy_minimal'] }, null);
  const now = review.compareMilestones(m2.id, 'current');
  assert.equal(now.to.name, 'current');
  assert.deepEqual(now.pillars.find((p) => p.pillarId === 'company_privacy')!.removed.map((x) => x.question), ['abc_privacy']);
  const stored = review.milestone(m1.id);
  assert.equal(stored.snapshot.lenses[0]!.questions.find((q) => q.id === 'abc_deploys')!.risk, 'medium');
  assert.deepEqual(review.milestones().map((m) => m.name), ['Before the migration', 'After']);
  assert.throws(() => review.createMilestone('  '), (e: unknown) => e instanceof ReviewInputError && e.field === 'name');
  assert.throws(() => review.compareMilestones(99, 'current'), (e: unknown) => e instanceof ReviewInputError && e.status === 404 && e.field === 'from');
});

test('the weekly milestone is taken once per ISO week in the workload time zone, and not while nothing is answered', () => {
  const { review, setClock } = setup([], 'Europe/Berlin');
  assert.equal(review.ensureWeeklyMilestone(T0), null, 'nothing answered yet');
  review.answer('abc', 'abc_deploys', { choices: ['abc_deploys_small'] }, null);
  const w48 = review.ensureWeeklyMilestone(T0)!;
  assert.deepEqual([w48.kind, w48.week, w48.name], ['weekly', '2026-W48', 'Week 2026-W48']);
  assert.equal(review.ensureWeeklyMilestone(T0 + 3 * DAY)!.id, w48.id, 'same week, same milestone');
  // Sunday 23:30 UTC is already Monday in Berlin: the next week.
  const sundayNight = Date.parse('2026-11-29T23:30:00Z');
  setClock(sundayNight);
  const w49 = review.ensureWeeklyMilestone(sundayNight)!;
  assert.equal(w49.week, '2026-W49');
  assert.notEqual(w49.id, w48.id);
  assert.equal(review.milestones().length, 2);
});

const action = (externalId: string, attrs: Record<string, unknown>, extra: Partial<StoredEvent> = {}): StoredEvent => ({
  id: 1, kind: 'action_item', source: 'jira', externalId, startedAt: T0, receivedAt: T0, updatedAt: T0, attrs, ...extra,
});

test('the improvement plan lists every high and medium risk with the improvement plan of each missing practice, owner, due date, status and action items', () => {
  const events = [
    action('OPS-1', { reviewQuestion: 'abc_deploys' }, { title: 'Add rollback', status: 'open' }),
    action('OPS-2', { reviewQuestion: 'abc_deploys', lens: 'other' }), // another lens: not linked
    action('SEC-9', {}, { title: 'Minimise data', endedAt: T0 + DAY }),
  ];
  const { review } = setup(events);
  review.answer('abc', 'abc_deploys', { choices: ['abc_deploys_small'] }, null); // medium: rollback missing
  review.answer('abc', 'abc_privacy', { choices: ['abc_privacy_no'] }, null); // high
  const item = review.updatePlanItem('abc', 'abc_privacy', { owner: 'dpo', due: '2026-12-31', status: 'in_progress', actionItems: ['jira:SEC-9'], note: 'budgeted' })!;
  assert.equal(item.owner, 'dpo');
  const plan = review.plan();
  assert.deepEqual(plan.counts, { high: 1, medium: 1 });
  assert.deepEqual(plan.items.map((i) => [i.question, i.risk]), [['abc_privacy', 'high'], ['abc_deploys', 'medium']]);
  const deploys = plan.items[1]!;
  assert.deepEqual(deploys.improvements.map((m) => [m.choice, m.text]), [['abc_deploys_rollback', 'Practise rollbacks.']]);
  assert.deepEqual(deploys.actionItems, [{ ref: 'jira:OPS-1', title: 'Add rollback', status: 'open', closedAt: null }]);
  assert.equal(deploys.status, 'open');
  const privacy = plan.items[0]!;
  assert.deepEqual([privacy.owner, privacy.due, privacy.status, privacy.note], ['dpo', '2026-12-31', 'in_progress', 'budgeted']);
  assert.deepEqual(privacy.actionItems.map((a) => [a.ref, a.status]), [['jira:SEC-9', 'closed']]);
  assert.equal(privacy.pillar, null);
  assert.equal(privacy.pillarName, 'Privacy');

  for (const [patch, field] of [[{ due: '31.12.2026' }, 'due'], [{ status: 'finished' }, 'status'], [{ actionItems: ['no-colon'] }, 'actionItems[0]'], [{ owner: 42 }, 'owner']] as const) {
    assert.throws(() => review.updatePlanItem('abc', 'abc_privacy', patch), (e: unknown) => e instanceof ReviewInputError && e.field === field, field);
  }
});

test('the improvement plan exports as CSV (RFC 4180, formula-safe), Markdown and JSON', () => {
  const { review } = setup();
  review.answer('abc', 'abc_deploys', { choices: ['abc_deploys_no'] }, null);
  review.updatePlanItem('abc', 'abc_deploys', { owner: '=HYPERLINK("http://evil")', note: 'line one\nline | two' });
  const plan = review.plan();

  const csv = planCsv(plan);
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'lens,pillar,question_id,question,risk,owner,due,status,improvement_plan,action_items,drift');
  assert.ok(csv.endsWith('\r\n'));
  assert.ok(csv.includes(`"'=HYPERLINK(""http://evil"")"`), 'a formula is defused and quotes doubled');
  assert.ok(csv.includes('"Small changes: Split large changes.\nRollback: Practise rollbacks."'), 'a multi-line cell is quoted');
  assert.ok(lines[1]!.startsWith('abc,operational_excellence,abc_deploys,How do you deploy?,high,'));

  const md = planMarkdown(plan);
  assert.match(md, /^# Improvement plan — Web shop \\\| EU\n/);
  assert.match(md, /## High risk\n\n### Operational excellence: How do you deploy\?\n/);
  assert.match(md, /- \*\*Small changes\*\* — Split large changes\. \(\[more\]\(https:\/\/policy\.example\/split\)\)/);
  assert.match(md, /> line one line \\\| two/);
  assert.ok(!md.includes('\n\n\n'));

  const json = JSON.parse(JSON.stringify(plan));
  assert.equal(json.items[0].owner, '=HYPERLINK("http://evil")', 'JSON keeps the value as it is');
  assert.deepEqual(json.workload, { id: 'shop', title: 'Web shop | EU' });
});
