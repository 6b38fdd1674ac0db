import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { testRuntime } from './support/runtime.js';
import { promtoolCheckMetrics, PROMTOOL_BIN } from './support/promtool.js';
import { requireBinary } from './support/real-binaries.js';
import type { Sample } from '../collectors/types.js';
import { fullLens } from './review-support.js';

const T0 = Date.parse('2026-11-24T12:00:00Z');
let clock = T0;
const MIN = 60_000;

const WORKLOAD = `
workload: { id: shop, title: "Web shop", timezone: Europe/Berlin }
evaluation: { interval: 60s }
indicators:
  - id: deploy_frequency
    title: "Deployments per day"
    pillar: operational_excellence
    unit: per day
    series: deploys_per_day
    aggregate: last
    window: 1h
    objective: { min: 1 }
  - id: gameday_age
    title: "Days since the last game day"
    pillar: operational_excellence
    unit: days
    series: days_since_gameday
    aggregate: last
    window: 1h
    objective: { max: 90 }
review:
  evidence:
    - question: ops_small_changes
      choice: ops_small_changes_frequent
      when: "deploy_frequency == ok"
    - question: ops_anticipate_failure
      choice: ops_anticipate_failure_gamedays
      when: "gameday_age.value <= 90"
`;

const { runtime } = testRuntime(WORKLOAD, {}, { now: () => clock });
let app: ReturnType<typeof createApp>;
let readToken: string, writeToken: string, adminToken: string;

function write(deploys: number, gamedayAge: number) {
  const samples: Sample[] = [];
  for (let m = 5; m >= 0; m--) {
    samples.push({ name: 'deploys_per_day', labels: { collector: 'ci' }, ts: clock - m * MIN, value: deploys });
    samples.push({ name: 'days_since_gameday', labels: { collector: 'ci' }, ts: clock - m * MIN, value: gamedayAge });
  }
  runtime.store.writeSamples(samples);
}

before(() => {
  write(3, 30);
  runtime.load(false, { evaluate: true });
  app = createApp(runtime.apiDeps());
  readToken = runtime.tokens.create('wall', 'read').token;
  writeToken = runtime.tokens.create('ops', 'write').token;
  adminToken = runtime.tokens.create('admin', 'admin').token;
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

function assertProblem(res: request.Response, status: number, field?: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
  if (field) assert.ok(res.body.errors?.some((e: { name: string }) => e.name === field), JSON.stringify(res.body));
}

test('evidence from live indicators answers choices: a choice flips with its indicator, and its question\'s risk with it (through the runtime and the API)', async () => {
  const path = '/api/review/lenses/wellarchitected/questions/ops_small_changes';
  let q = (await request(app).get(path).expect(200)).body;
  assert.deepEqual(q.selected, ['ops_small_changes_frequent']);
  assert.equal(q.source, 'auto');
  assert.equal(q.risk, 'high', 'frequent alone is not reversible');
  assert.deepEqual(q.evidence[0].indicators, [{ id: 'deploy_frequency', status: 'ok', value: 3, score: 100 }]);

  // A person adds what the evidence cannot see; agreeing with the evidence on the bound choice.
  q = (await request(app).put(`${path}/answer`).set(bearer(writeToken)).send({ choices: ['ops_small_changes_frequent', 'ops_small_changes_reversible'], note: 'rollbacks drilled monthly' }).expect(200)).body;
  assert.equal(q.risk, 'medium');
  assert.equal(q.source, 'mixed');
  assert.equal(q.answeredBy, 'ops');

  // Deployments stop: the indicator leaves ok, the choice is cleared, the risk rises.
  clock += 10 * MIN;
  write(0, 30);
  runtime.evaluator.evaluateNow();
  q = (await request(app).get(path).expect(200)).body;
  assert.deepEqual(q.selected, ['ops_small_changes_reversible']);
  assert.equal(q.risk, 'high');
  assert.equal(q.evidence[0].indicators[0].status, 'warning');

  const gamedays = (await request(app).get('/api/review/lenses/wellarchitected/questions/ops_anticipate_failure').expect(200)).body;
  assert.deepEqual(gamedays.selected, ['ops_anticipate_failure_gamedays']);
  assert.equal(gamedays.risk, 'medium');

  // Back to normal for the other tests.
  clock += 10 * MIN;
  write(3, 30);
  runtime.evaluator.evaluateNow();
});

test('GET /api/review/summary gives risk counts per pillar (the six, in order), per lens and in total', async () => {
  const s = (await request(app).get('/api/review/summary').expect(200)).body;
  assert.deepEqual(s.pillars.map((p: any) => p.id), ['operational_excellence', 'security', 'reliability', 'performance_efficiency', 'cost_optimization', 'sustainability']);
  const ops = s.pillars[0];
  assert.equal(ops.questions, 6);
  assert.equal(ops.counts.medium, 2);
  assert.equal(ops.counts.unanswered, 4);
  assert.equal(s.lenses[0].id, 'wellarchitected');
  assert.deepEqual(Object.keys(s.totals), ['high', 'medium', 'none', 'unanswered', 'not_applicable']);
  assert.deepEqual(s.customPillars, []);
  assert.equal(s.drift, 0);
});

test('a person\'s answer needs a write token, and an unknown choice is a 400 naming it', async () => {
  const path = '/api/review/lenses/wellarchitected/questions/sec_data/answer';
  assertProblem(await request(app).put(path).send({ choices: [] }), 401);
  assertProblem(await request(app).put(path).set(bearer(readToken)).send({ choices: [] }), 403);
  const res = await request(app).put(path).set(bearer(writeToken)).send({ choices: ['sec_data_at_rest', 'sec_data_shredded'] });
  assertProblem(res, 400, 'choices[1]');
  assert.match(res.body.detail, /unknown choice "sec_data_shredded" for question "sec_data"/);
  assertProblem(await request(app).put(path).set(bearer(writeToken)).send({ notApplicable: true, reason: 'bored' }), 400, 'reason');
  assertProblem(await request(app).put('/api/review/lenses/wellarchitected/questions/nope/answer').set(bearer(writeToken)).send({ choices: [] }), 404, 'question');
  const na = (await request(app).put(path).set(bearer(writeToken)).send({ notApplicable: true, reason: 'architecture_constraints' }).expect(200)).body;
  assert.equal(na.risk, 'not_applicable');
  const cleared = (await request(app).delete(path).set(bearer(writeToken)).expect(200)).body;
  assert.equal(cleared.risk, 'unanswered');
});

test('lenses: import (admin) refuses faults by JSON path, exports losslessly, re-imports unchanged, and cannot replace the built-in lens', async () => {
  const bad = fullLens();
  bad.pillars[0].questions[0].riskRules[0].condition = 'abc_deploys_small && nope';
  bad.pillars[0].questions[0].choices[1].id = 'abc_deploys_small';
  assertProblem(await request(app).post('/api/review/lenses').set(bearer(writeToken)).send(fullLens()), 403);
  const refused = await request(app).post('/api/review/lenses').set(bearer(adminToken)).send(bad);
  assertProblem(refused, 422);
  assert.deepEqual(refused.body.errors.map((e: any) => e.name).sort(), [
    '$.pillars[0].questions[0].choices[1].id',
    '$.pillars[0].questions[0].riskRules[0].condition',
    '$.pillars[0].questions[0].riskRules[1].condition',
  ]);

  const created = await request(app).post('/api/review/lenses').set(bearer(adminToken)).send(fullLens()).expect(201);
  assert.equal(created.body.lens.id, 'company-policy-abc');
  assert.equal(created.body.lens.active, true, 'no review.lenses: every stored lens is reviewed');
  const exported = (await request(app).get('/api/review/lenses/company-policy-abc').expect(200)).body;
  assert.deepEqual(exported, fullLens());
  const again = await request(app).post('/api/review/lenses').set(bearer(adminToken)).send(exported).expect(200);
  assert.equal(again.body.unchanged, true);
  const list = (await request(app).get('/api/review/lenses').expect(200)).body.lenses;
  assert.deepEqual(list.map((l: any) => [l.id, l.builtIn]), [['wellarchitected', true], ['company-policy-abc', false]]);

  const summary = (await request(app).get('/api/review/summary').expect(200)).body;
  assert.deepEqual(summary.customPillars.map((p: any) => [p.lens, p.id, p.name]), [['company-policy-abc', 'company_privacy', 'Privacy']]);

  assertProblem(await request(app).post('/api/review/lenses?id=wellarchitected').set(bearer(adminToken)).send(fullLens()), 409, 'id');
  assertProblem(await request(app).delete('/api/review/lenses/wellarchitected').set(bearer(adminToken)), 409);
  assert.deepEqual((await request(app).delete('/api/review/lenses/company-policy-abc').set(bearer(adminToken)).expect(200)).body, {
    removed: 'company-policy-abc',
    archived: 0,
    planItemsDeleted: 0,
  });
  assertProblem(await request(app).get('/api/review/lenses/company-policy-abc'), 404);
});

test('lenses: an import with keys the format does not define answers 201 with warnings by JSON path, and exports those keys unchanged', async () => {
  const lens = fullLens() as Record<string, any>;
  lens.pillars[0].questions[0].url = 'https://example.com/q';
  lens.pillars[0].questions[0].helpfulResource.url = '';
  const created = await request(app).post('/api/review/lenses?id=warned').set(bearer(adminToken)).send(lens).expect(201);
  const warnings = new Map<string, string>(created.body.warnings.map((w: any) => [w.path, w.message]));
  assert.deepEqual([...warnings.keys()].sort(), ['$.pillars[0].questions[0].helpfulResource.url', '$.pillars[0].questions[0].url']);
  assert.match(warnings.get('$.pillars[0].questions[0].url')!, /unknown key "url" in a question: kept and exported unchanged/);
  assert.match(warnings.get('$.pillars[0].questions[0].helpfulResource.url')!, /empty url/);
  assert.deepEqual((await request(app).get('/api/review/lenses/warned').expect(200)).body, lens);
  await request(app).delete('/api/review/lenses/warned').set(bearer(adminToken)).expect(200);
});

test('milestones: take one (write), list, read, and compare with another or with now', async () => {
  const m1 = (await request(app).post('/api/review/milestones').set(bearer(writeToken)).send({ name: 'Q4 review' }).expect(201)).body;
  assert.equal(m1.name, 'Q4 review');
  await request(app).put('/api/review/lenses/wellarchitected/questions/rel_recover/answer').set(bearer(writeToken)).send({ choices: ['rel_recover_no'] }).expect(200);
  const cmp = (await request(app).get(`/api/review/milestones/compare?from=${m1.id}`).expect(200)).body;
  const rel = cmp.pillars.find((p: any) => p.pillar === 'reliability');
  assert.deepEqual(rel.gained.map((g: any) => [g.question, g.from, g.to]), [['rel_recover', 'unanswered', 'high']]);
  assert.equal(cmp.to.name, 'current');
  const m2 = (await request(app).post('/api/review/milestones').set(bearer(writeToken)).send({ name: 'Q1 review' }).expect(201)).body;
  const between = (await request(app).get(`/api/review/milestones/compare?from=${m1.id}&to=${m2.id}`).expect(200)).body;
  assert.deepEqual([between.to.id, between.to.name, between.to.kind], [m2.id, 'Q1 review', 'manual']);
  assert.deepEqual(between.pillars.find((p: any) => p.pillar === 'reliability').gained.map((g: any) => g.question), ['rel_recover']);
  const list = (await request(app).get('/api/review/milestones').expect(200)).body.milestones;
  assert.ok(list.some((m: any) => m.kind === 'weekly' && m.week === '2026-W48'), 'the weekly milestone was taken at an evaluation');
  const one = (await request(app).get(`/api/review/milestones/${m1.id}`).expect(200)).body;
  assert.equal(one.snapshot.lenses[0].id, 'wellarchitected');
  assertProblem(await request(app).get('/api/review/milestones/compare?from=abc'), 400, 'from');
  assertProblem(await request(app).get('/api/review/milestones/9999'), 404);
  assertProblem(await request(app).post('/api/review/milestones').set(bearer(writeToken)).send({ name: '' }), 400, 'name');
});

test('the improvement plan: JSON, CSV and Markdown, and its items take an owner, due date and status (write)', async () => {
  const item = (await request(app).patch('/api/review/plan/wellarchitected/rel_recover').set(bearer(writeToken)).send({ owner: 'sre', due: '2027-01-15', status: 'in_progress' }).expect(200)).body.item;
  assert.deepEqual([item.owner, item.due, item.status, item.risk], ['sre', '2027-01-15', 'in_progress', 'high']);
  assertProblem(await request(app).patch('/api/review/plan/wellarchitected/rel_recover').set(bearer(writeToken)).send({ due: 'soon' }), 400, 'due');
  const plan = (await request(app).get('/api/review/plan').expect(200)).body;
  assert.deepEqual(plan.workload, { id: 'shop', title: 'Web shop' });
  assert.ok(plan.items.some((i: any) => i.question === 'rel_recover' && i.improvements.length === 3));
  const csv = await request(app).get('/api/review/plan?format=csv').expect(200);
  assert.match(csv.headers['content-type'] ?? '', /^text\/csv/);
  assert.match(csv.text, /^lens,pillar,question_id/);
  const md = await request(app).get('/api/review/plan?format=markdown').expect(200);
  assert.match(md.headers['content-type'] ?? '', /^text\/markdown/);
  assert.match(md.text, /^# Improvement plan — Web shop/);
  assertProblem(await request(app).get('/api/review/plan?format=pdf'), 400, 'format');
});

test('/metrics publishes pillarboard_review_questions{lens,pillar,risk} and passes promtool', { skip: requireBinary(PROMTOOL_BIN) }, async () => {
  const text = (await request(app).get('/metrics').expect(200)).text;
  const summary = (await request(app).get('/api/review/summary').expect(200)).body;
  const ops = summary.lenses[0].pillars.find((p: any) => p.pillar === 'operational_excellence');
  for (const risk of ['high', 'medium', 'none', 'unanswered', 'not_applicable']) {
    assert.ok(text.includes(`pillarboard_review_questions{lens="wellarchitected",pillar="operational_excellence",risk="${risk}"} ${ops.counts[risk]}\n`), risk);
  }
  const check = await promtoolCheckMetrics(text);
  assert.equal(check.code, 0, check.output);
});

test('removing a lens with answers or plan edits is refused (409 naming force) until force=true, which archives the answers and deletes the plan edits', async () => {
  await request(app).post('/api/review/lenses?id=policy-rm').set(bearer(adminToken)).send(fullLens()).expect(201);
  await request(app).put('/api/review/lenses/policy-rm/questions/abc_deploys/answer').set(bearer(writeToken)).send({ choices: ['abc_deploys_small'] }).expect(200);
  await request(app).patch('/api/review/plan/policy-rm/abc_deploys').set(bearer(writeToken)).send({ owner: 'Ana' }).expect(200);

  assertProblem(await request(app).delete('/api/review/lenses/policy-rm').set(bearer(writeToken)), 403);
  const refused = await request(app).delete('/api/review/lenses/policy-rm').set(bearer(adminToken));
  assertProblem(refused, 409, 'force');
  assert.match(refused.body.detail, /1 answer\(s\) and 1 improvement-plan item\(s\); to remove it anyway, add \?force=true/);
  assertProblem(await request(app).delete('/api/review/lenses/policy-rm?force=maybe').set(bearer(adminToken)), 400, 'force');
  await request(app).get('/api/review/lenses/policy-rm').expect(200);

  const removed = (await request(app).delete('/api/review/lenses/policy-rm?force=true').set(bearer(adminToken)).expect(200)).body;
  assert.deepEqual(removed, { removed: 'policy-rm', archived: 1, planItemsDeleted: 1 });
  assertProblem(await request(app).get('/api/review/lenses/policy-rm'), 404);
  const archived = runtime.store.db.prepare("SELECT question_id, reason FROM review_answers_archive WHERE lens_id = 'policy-rm'").all();
  assert.deepEqual(archived, [{ question_id: 'abc_deploys', reason: 'the lens was removed' }]);
  const plan = (await request(app).get('/api/review/plan').expect(200)).body;
  assert.ok(!plan.items.some((i: { lens: string }) => i.lens === 'policy-rm'), 'no plan item of a removed lens');
  assertProblem(await request(app).delete('/api/review/lenses/wellarchitected?force=true').set(bearer(adminToken)), 409, 'id');
});
