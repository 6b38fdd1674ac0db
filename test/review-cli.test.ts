import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runLensExport, runLensImport, runLensList } from '../server/commands/lens.js';
import { runReviewAnswer, runReviewMilestone, runReviewPlan, runReviewShow } from '../server/commands/review.js';
import { loadWorkloadText, formatIssue } from '../server/workload/index.js';
import { collectorRegistry } from '../collectors/index.js';
import { silentLogger } from '../server/log.js';
import { openStore } from '../server/store/index.js';
import { tempDir } from './support/tmp.js';
import { captureIo } from './support/capture-io.js';
import { fullLens } from './review-support.js';

const dir = tempDir('pillarboard-review-cli-');
const db = path.join(dir, 'pb.db');
openStore({ path: db, now: Date.now }).close(); // as `pillarboard migrate` leaves it: these commands refuse a missing database

const io = captureIo;

test('lens import refuses an invalid lens with every fault as file:line:column: $.path and imports nothing', () => {
  const lens = fullLens();
  lens.pillars[0].questions[0].riskRules[0].condition = 'abc_deploys_small &&& x';
  delete lens.name;
  const file = path.join(dir, 'bad.json');
  fs.writeFileSync(file, JSON.stringify(lens, null, 2));
  const c = io();
  assert.equal(runLensImport(db, file, {}, c.io, silentLogger), 2);
  const lines = c.err().trim().split('\n');
  assert.match(lines[0]!, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:1: \\$\\.name: missing required key "name"$`));
  assert.match(lines[1]!, /bad\.json:\d+:\d+: \$\.pillars\[0\]\.questions\[0\]\.riskRules\[0\]\.condition: does not parse at character 21: unexpected "&": write && for "and"/);
  assert.match(lines[2]!, /2 errors; nothing imported/);
  const list = io();
  runLensList(db, list.io, silentLogger);
  assert.doesNotMatch(list.out(), /company/);
});

test('lens import, export and import again give the same lens; the export is the custom-lens JSON', () => {
  const file = path.join(dir, 'abc.json');
  fs.writeFileSync(file, JSON.stringify(fullLens()));
  const a = io();
  assert.equal(runLensImport(db, file, { id: 'abc' }, a.io, silentLogger), 0, a.err());
  assert.match(a.out(), /^imported lens "abc" \(Company Policy ABC\): 2 pillar\(s\), 2 question\(s\)\n$/);
  const out = path.join(dir, 'abc-export.json');
  const b = io();
  assert.equal(runLensExport(db, 'abc', { out }, b.io, silentLogger), 0);
  assert.deepEqual(JSON.parse(fs.readFileSync(out, 'utf8')), fullLens());
  const c = io();
  assert.equal(runLensImport(db, out, { id: 'abc' }, c.io, silentLogger), 0);
  assert.match(c.out(), /^unchanged lens "abc"/);
  const d = io();
  runLensList(db, d.io, silentLogger);
  assert.match(d.out(), /^ID\s+NAME\s+BUILT-IN\s+PILLARS\s+QUESTIONS\s+UPDATED\nwellarchitected\s+Pillarboard Well-Architected\s+yes\s+6\s+19/);
  assert.match(d.out(), /\nabc\s+Company Policy ABC\s+no\s+2\s+2/);
  const e = io();
  assert.equal(runLensExport(db, 'nope', {}, e.io, silentLogger), 2);
  assert.match(e.err(), /no lens "nope"; lenses: wellarchitected, abc/);
});

test('review answer: the lens is inferred, an unknown choice is named, and exactly one of --choices, --na, --auto is given', () => {
  const ok = io();
  assert.equal(runReviewAnswer(db, 'abc_deploys', { choices: 'abc_deploys_small', note: 'ok' }, ok.io, silentLogger), 0, ok.err());
  assert.equal(ok.out(), 'abc/abc_deploys: risk medium; selected: abc_deploys_small (manual)\n');
  const bad = io();
  assert.equal(runReviewAnswer(db, 'abc_deploys', { choices: 'abc_deploys_small,abc_deploys_big' }, bad.io, silentLogger), 2);
  assert.match(bad.err(), /^pillarboard: choices\[1\]: unknown choice "abc_deploys_big" for question "abc_deploys"/);
  const both = io();
  assert.equal(runReviewAnswer(db, 'abc_deploys', { choices: 'x', na: 'other' }, both.io, silentLogger), 2);
  const na = io();
  assert.equal(runReviewAnswer(db, 'abc_privacy', { na: 'business_priorities', note: 'later' }, na.io, silentLogger), 0);
  assert.match(na.out(), /risk not_applicable; not applicable \(business_priorities\)/);
  const unknown = io();
  assert.equal(runReviewAnswer(db, 'no_such_question', { auto: true }, unknown.io, silentLogger), 2);
  assert.match(unknown.err(), /no lens has a question "no_such_question"/);
});

test('review show, milestone and plan work on the stored review', () => {
  const show = io();
  assert.equal(runReviewShow(db, { lens: 'abc' }, show.io, silentLogger), 0);
  assert.match(show.out(), /Lens abc — Company Policy ABC\n {2}high 0 · medium 1 · none 0 · unanswered 0 · not applicable 1/);
  assert.match(show.out(), /medium\s+abc_deploys\s+manual\s+abc_deploys_small/);
  assert.match(show.out(), /Privacy \(lens pillar company_privacy\)/);
  const m = io();
  assert.equal(runReviewMilestone(db, 'After the CLI test', m.io, silentLogger), 0);
  assert.match(m.out(), /^milestone 1 "After the CLI test" taken at /);
  const csv = path.join(dir, 'plan.csv');
  const p = io();
  assert.equal(runReviewPlan(db, { format: 'csv', out: csv, lens: 'abc' }, p.io, silentLogger), 0);
  assert.match(fs.readFileSync(csv, 'utf8'), /^lens,pillar,question_id,question,risk,owner,due,status,improvement_plan,action_items,drift\r\nabc,operational_excellence,abc_deploys,How do you deploy\?,medium,/);
});

test('lens import warns, at their file:line:column, about evidence bindings the new lens version no longer has', () => {
  const config = path.join(dir, 'workload.yaml');
  fs.writeFileSync(
    config,
    [
      'workload: { id: shop, title: Shop }',
      'indicators:',
      '  - { id: deploys, title: D, pillar: operational_excellence, unit: n, series: d, objective: { min: 1 } }',
      'review:',
      '  evidence:',
      '    - lens: abc',
      '      question: abc_deploys',
      '      choice: abc_deploys_rollback',
      '      when: "deploys == ok"',
      '',
    ].join('\n'),
  );
  const next = fullLens();
  const q = next.pillars[0].questions[0];
  q.choices = q.choices.filter((c: { id: string }) => c.id !== 'abc_deploys_rollback');
  q.riskRules = [{ condition: 'default', risk: 'HIGH_RISK' }];
  const file = path.join(dir, 'abc-v2.json');
  fs.writeFileSync(file, JSON.stringify(next));
  const c = io();
  assert.equal(runLensImport(db, file, { id: 'abc', config, env: {} }, c.io, silentLogger), 0);
  assert.match(c.out(), /^re-imported lens "abc"/);
  assert.match(c.err(), new RegExp(`warning: ${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8:15: review\\.evidence\\[0\\]\\.choice: question "abc_deploys" of lens "abc" has no choice "abc_deploys_rollback"`));
});

test('pillarboard check names bad review bindings with file:line:column: unknown indicator, question, choice; a condition that does not parse', () => {
  const text = [
    'workload: { id: shop, title: Shop }',
    'indicators:',
    '  - { id: deploys, title: D, pillar: operational_excellence, unit: n, series: d, objective: { min: 1 } }',
    'review:',
    '  evidence:',
    '    - question: ops_small_changes',
    '      choice: ops_small_changes_frequent',
    '      when: "deploys == ok && change_size == ok"',
    '    - question: ops_smal_changes',
    '      choice: ops_small_changes_frequent',
    '      when: "deploys.value >= 1 ||"',
    '    - question: ops_small_changes',
    '      choice: ops_small_changes_often',
    '      when: "deploys == ok"',
    '',
  ].join('\n');
  const r = loadWorkloadText(text, { registry: collectorRegistry, env: {}, file: 'w.yaml' });
  assert.equal(r.ok, false);
  const lines = !r.ok ? r.errors.map(formatIssue) : [];
  assert.deepEqual(lines, [
    'w.yaml:8:13: review.evidence[0].when: unknown indicator "change_size"; indicators in this file: deploys (at character 18)',
    'w.yaml:9:17: review.evidence[1].question: unknown question "ops_smal_changes"; did you mean "ops_small_changes"?',
    'w.yaml:11:13: review.evidence[1].when: the condition does not parse at character 22: expected a condition, but the expression ended',
    'w.yaml:13:15: review.evidence[2].choice: unknown choice "ops_small_changes_often"; choices of question "ops_small_changes": ops_small_changes_frequent, ops_small_changes_pipeline, ops_small_changes_reversible, ops_small_changes_safe, ops_small_changes_no',
  ]);
});
