import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../server/store/index.js';
import { silentLogger } from '../server/log.js';
import { ReviewService, ReviewInputError, type ReviewConfig } from '../server/review/index.js';
import { ReviewStore } from '../server/review/store.js';
import { fullLens, indicator, snapshotOf } from './review-support.js';
import { clockAt } from './support/fake-clock.js';

const T0 = Date.parse('2026-11-23T09:00:00Z'); // a Monday
const MIN = 60_000;

/** A review service on a fresh in-memory database, with the built-in lens and the test lens "abc". */
function setup(config: Partial<ReviewConfig> = {}) {
  const store = openStore({ path: ':memory:', now: Date.now });
  let clock = T0;
  const review = new ReviewService({ db: store.db, log: silentLogger, clock: clockAt(() => clock) });
  review.syncBuiltins();
  review.importLens({ body: fullLens(), id: 'abc' });
  review.setConfig({ lenses: null, evidence: [], workload: { id: 'shop', title: 'Shop', timezone: 'UTC' }, ...config });
  return { review, store, tick: (ms = MIN) => (clock += ms), now: () => clock };
}

const SMALL = { lens: 'abc', question: 'abc_deploys', choice: 'abc_deploys_small', when: 'deploys == ok && change_size == ok' };
const ROLLBACK = { lens: 'abc', question: 'abc_deploys', choice: 'abc_deploys_rollback', when: 'rollback_age.value <= 90' };

test('an evidence-bound choice flips when its indicator changes status, and the risk of its question changes with it', () => {
  const { review, now, tick } = setup({ evidence: [SMALL, ROLLBACK] });
  assert.equal(review.question('abc', 'abc_deploys').risk, 'unanswered');

  review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'ok'), indicator('change_size', 'ok'), indicator('rollback_age', 'ok', 30)]));
  let q = review.question('abc', 'abc_deploys');
  assert.deepEqual(q.selected, ['abc_deploys_small', 'abc_deploys_rollback']);
  assert.equal(q.risk, 'none');
  assert.equal(q.source, 'auto');
  const small = q.evidence.find((e) => e.choice === 'abc_deploys_small')!;
  assert.deepEqual(small.indicators, [
    { id: 'deploys', status: 'ok', value: 1, score: 100 },
    { id: 'change_size', status: 'ok', value: 1, score: 100 },
  ]);
  assert.equal(small.since, new Date(now()).toISOString());

  tick();
  review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'ok'), indicator('change_size', 'critical'), indicator('rollback_age', 'ok', 30)]));
  q = review.question('abc', 'abc_deploys');
  assert.deepEqual(q.selected, ['abc_deploys_rollback']);
  assert.equal(q.risk, 'medium');
  assert.deepEqual(q.evidence.find((e) => e.choice === 'abc_deploys_small')!.indicators[1], { id: 'change_size', status: 'critical', value: 1, score: 0 });

  tick();
  review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'critical'), indicator('change_size', 'critical'), indicator('rollback_age', 'warning', 120)]));
  assert.equal(review.question('abc', 'abc_deploys').risk, 'high');
  assert.equal(review.summary().pillars.find((p) => p.id === 'operational_excellence')!.counts.high, 1);
});

test('evidence that cannot tell (no data, stale, a missing indicator) leaves the choice as it was', () => {
  const { review, now, tick } = setup({ evidence: [SMALL] });
  review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'no_data'), indicator('change_size', 'ok')]));
  let q = review.question('abc', 'abc_deploys');
  assert.equal(q.answered, false, 'never told: still unanswered');
  assert.equal(q.evidence[0]!.result, null);

  tick();
  review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'ok'), indicator('change_size', 'ok')]));
  tick();
  review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'stale'), indicator('change_size', 'ok')]));
  q = review.question('abc', 'abc_deploys');
  assert.deepEqual(q.selected, ['abc_deploys_small'], 'a stale feed does not clear the choice');
  assert.equal(q.evidence[0]!.result, null);
  assert.equal(q.evidence[0]!.holds, true);
  review.applyEvaluation(snapshotOf(now(), [indicator('change_size', 'ok')]));
  assert.deepEqual(review.question('abc', 'abc_deploys').selected, ['abc_deploys_small']);
});

test('a person overriding an evidence-bound choice is flagged as drift while the evidence contradicts it; clearing returns to the evidence', () => {
  const { review, now, tick } = setup({ evidence: [SMALL] });
  review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'critical'), indicator('change_size', 'ok')]));
  assert.deepEqual(review.question('abc', 'abc_deploys').selected, []);

  // The person says small changes are made, against the evidence.
  let q = review.answer('abc', 'abc_deploys', { choices: ['abc_deploys_small', 'abc_deploys_rollback'], note: 'deploy metric is broken' }, 'alice');
  assert.deepEqual(q.selected, ['abc_deploys_small', 'abc_deploys_rollback']);
  assert.deepEqual(q.overrides, ['abc_deploys_small']);
  assert.deepEqual(q.drift, [{ choice: 'abc_deploys_small', evidence: false, selected: true }]);
  assert.equal(q.source, 'manual');
  assert.equal(q.note, 'deploy metric is broken');
  assert.equal(q.answeredBy, 'alice');
  assert.equal(q.risk, 'none');
  assert.equal(review.summary().drift, 1);

  // The evidence comes round: no drift, the override stands.
  tick();
  review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'ok'), indicator('change_size', 'ok')]));
  q = review.question('abc', 'abc_deploys');
  assert.deepEqual(q.drift, []);
  assert.deepEqual(q.selected, ['abc_deploys_small', 'abc_deploys_rollback']);

  // And away again: drift again, the person's answer still stands.
  tick();
  review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'warning'), indicator('change_size', 'ok')]));
  q = review.question('abc', 'abc_deploys');
  assert.equal(q.drift.length, 1);
  assert.equal(q.risk, 'none');

  q = review.clearAnswer('abc', 'abc_deploys');
  assert.deepEqual(q.overrides, []);
  assert.deepEqual(q.selected, []);
  assert.equal(q.source, 'auto');
  assert.equal(q.risk, 'high');
});

test('a person answering in agreement with the evidence does not override it: the bound choice keeps following the evidence', () => {
  const { review, now, tick } = setup({ evidence: [SMALL] });
  review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'ok'), indicator('change_size', 'ok')]));
  let q = review.answer('abc', 'abc_deploys', { choices: ['abc_deploys_small', 'abc_deploys_rollback'] }, 'bob');
  assert.deepEqual(q.overrides, []);
  assert.equal(q.source, 'mixed');
  tick();
  review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'critical'), indicator('change_size', 'ok')]));
  q = review.question('abc', 'abc_deploys');
  assert.deepEqual(q.selected, ['abc_deploys_rollback'], 'evidence cleared the bound choice; the unbound one is the person\'s');
  assert.equal(q.risk, 'medium');
});

test('"None of these" gives way when evidence selects a choice', () => {
  const { review, now, tick } = setup({ evidence: [SMALL] });
  review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'critical'), indicator('change_size', 'ok')]));
  // "None of these" agrees with the evidence (small changes do not hold): no override.
  let q = review.answer('abc', 'abc_deploys', { choices: ['abc_deploys_no'] }, null);
  assert.deepEqual(q.overrides, []);
  assert.equal(q.risk, 'high');
  tick();
  review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'ok'), indicator('change_size', 'ok')]));
  q = review.question('abc', 'abc_deploys');
  assert.deepEqual(q.selected, ['abc_deploys_small']);
  assert.deepEqual(q.drift, []);
  assert.equal(q.risk, 'medium');
});

test('a question marked not applicable counts as not applicable in its pillar, with its reason', () => {
  const { review } = setup();
  const q = review.answer('abc', 'abc_privacy', { notApplicable: true, reason: 'out_of_scope', note: 'no personal data' }, 'carol');
  assert.equal(q.risk, 'not_applicable');
  assert.equal(q.reason, 'out_of_scope');
  const s = review.summary();
  const privacy = s.customPillars.find((p) => p.lens === 'abc' && p.id === 'company_privacy')!;
  assert.deepEqual(privacy.counts, { high: 0, medium: 0, none: 0, unanswered: 0, not_applicable: 1 });
  assert.equal(s.pillars.find((p) => p.id === 'operational_excellence')!.counts.unanswered, 7, 'six built-in questions and one of abc');
  assert.throws(() => review.answer('abc', 'abc_privacy', { notApplicable: true, reason: 'lazy' }, null), (e: unknown) => e instanceof ReviewInputError && e.field === 'reason');
  assert.equal(review.answer('abc', 'abc_privacy', { choices: ['abc_privacy_minimal'] }, null).risk, 'none');
});

test('a person\'s answer with an unknown choice is refused naming it; "None of these" cannot be combined', () => {
  const { review } = setup();
  assert.throws(
    () => review.answer('abc', 'abc_deploys', { choices: ['abc_deploys_small', 'abc_deploys_bogus'] }, null),
    (e: unknown) => e instanceof ReviewInputError && e.field === 'choices[1]' && /unknown choice "abc_deploys_bogus"/.test(e.message) && e.status === 400,
  );
  assert.throws(() => review.answer('abc', 'abc_deploys', { choices: ['abc_deploys_small', 'abc_deploys_no'] }, null), /None of these/);
  assert.throws(() => review.answer('abc', 'abc_deploys', { choices: 'abc_deploys_small' }, null), (e: unknown) => e instanceof ReviewInputError && e.field === 'choices');
  assert.throws(() => review.answer('abc', 'nope', { choices: [] }, null), (e: unknown) => e instanceof ReviewInputError && e.status === 404);
  assert.throws(() => review.answer('zzz', 'abc_deploys', { choices: [] }, null), (e: unknown) => e instanceof ReviewInputError && e.status === 404);
});

test('re-importing a lens keeps the answers of questions that still exist and archives the rest', () => {
  const { review, store } = setup();
  review.answer('abc', 'abc_deploys', { choices: ['abc_deploys_small', 'abc_deploys_rollback'], note: 'kept' }, 'dave');
  review.answer('abc', 'abc_privacy', { choices: ['abc_privacy_minimal'] }, 'dave');
  const next = fullLens();
  next.pillars[1].questions[0].id = 'abc_privacy_v2'; // the privacy question is replaced
  const q = next.pillars[0].questions[0];
  q.choices = q.choices.filter((c: { id: string }) => c.id !== 'abc_deploys_rollback'); // one choice goes
  q.riskRules = [{ condition: 'abc_deploys_small', risk: 'NO_RISK' }, { condition: 'default', risk: 'HIGH_RISK' }];
  const result = review.importLens({ body: next, id: 'abc' });
  assert.equal(result.created, false);
  assert.equal(result.archived, 2);
  const kept = review.question('abc', 'abc_deploys');
  assert.deepEqual(kept.selected, ['abc_deploys_small']);
  assert.equal(kept.note, 'kept');
  assert.equal(review.question('abc', 'abc_privacy_v2').risk, 'unanswered');
  const archived = new ReviewStore(store.db).archivedAnswers('abc');
  assert.deepEqual(archived.map((a) => [a.questionId, a.reason]), [
    ['abc_deploys', 'choices no longer in the question: abc_deploys_rollback'],
    ['abc_privacy', 'the question is no longer in the lens'],
  ].sort((a, b) => a[0]!.localeCompare(b[0]!)));
  assert.deepEqual(archived.find((a) => a.questionId === 'abc_privacy')!.answer.personChoices, ['abc_privacy_minimal']);
  // The same lens again changes nothing.
  assert.equal(review.importLens({ body: next, id: 'abc' }).unchanged, true);
});

test('bindings to questions or choices an imported lens lacks are reported and ignored', () => {
  const bad = { lens: 'abc', question: 'abc_deploys', choice: 'abc_deploys_typo', when: 'deploys == ok' };
  const none = { lens: 'abc', question: 'abc_deploys', choice: 'abc_deploys_no', when: 'deploys == ok' };
  const { review, now } = setup({ evidence: [SMALL, bad, none, { ...SMALL, lens: 'ghost' }] });
  assert.deepEqual(
    review.bindingProblems().map((p) => [p.index, p.problem.replace(/;.*/, '')]),
    [
      [1, 'question "abc_deploys" of lens "abc" has no choice "abc_deploys_typo"'],
      [2, '"abc_deploys_no" is the question\'s "None of these" choice, which evidence cannot select'],
      [3, 'no lens "ghost" is stored (import it with pillarboard lens import)'],
    ],
  );
  assert.equal(review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'ok'), indicator('change_size', 'ok')])), 1);
  assert.deepEqual(review.question('abc', 'abc_deploys').selected, ['abc_deploys_small']);
});

test('a binding removed from the workload drops its evidence: the choice is the person\'s again', () => {
  const { review, now, tick } = setup({ evidence: [SMALL] });
  review.applyEvaluation(snapshotOf(now(), [indicator('deploys', 'ok'), indicator('change_size', 'ok')]));
  assert.deepEqual(review.question('abc', 'abc_deploys').selected, ['abc_deploys_small']);
  review.setConfig({ lenses: null, evidence: [], workload: null });
  tick();
  assert.equal(review.applyEvaluation(snapshotOf(now(), [])), 1);
  const q = review.question('abc', 'abc_deploys');
  assert.deepEqual(q.evidence, []);
  assert.equal(q.risk, 'unanswered');
  // Nothing changes: nothing is written.
  assert.equal(review.applyEvaluation(snapshotOf(now(), [])), 0);
});

test('review.lenses limits the review (and its summary) to the lenses listed', () => {
  const { review } = setup({ lenses: ['abc'] });
  assert.deepEqual(review.review().map((r) => r.id), ['abc']);
  assert.equal(review.summary().totals.unanswered, 2);
  assert.deepEqual(review.lensInfos().map((l) => [l.id, l.active]), [['wellarchitected', false], ['abc', true]]);
});
