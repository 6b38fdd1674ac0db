import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateLens, formatJsonPath } from '../server/review/lens/validate.js';
import { parseLensText } from '../server/review/lens/parse-file.js';
import { compileLens } from '../server/review/lens/compile.js';
import { builtinLenses, BUILTIN_LENS_ID } from '../server/review/lens/builtin.js';
import { LENS_LIMITS, lensKeyFromName } from '../server/review/lens/format.js';
import { PILLARS } from '../server/scoring/types.js';
import { fullLens } from './review-support.js';

const paths = (r: ReturnType<typeof validateLens>) => (r.ok ? [] : r.issues.map((i) => formatJsonPath(i.path)));

test('a lens that uses every field of the custom-lens format is accepted and kept field for field, author keys included', () => {
  const input = fullLens();
  const r = validateLens(input);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
  // Canonical form = the input (it is already in the format's key order).
  assert.deepEqual(r.lens, input);
  assert.equal((r.lens.pillars[0]!.questions[0]!.choices[0] as Record<string, unknown>)._reviewer, 'ops-guild');
  const c = compileLens('abc', r.lens);
  assert.deepEqual(c.pillars.map((p) => [p.id, p.pillar]), [['operationalExcellence', 'operational_excellence'], ['company_privacy', null]]);
  assert.equal(c.questions.get('abc_deploys')!.noneChoice, 'abc_deploys_no');
});

test('export then import gives the same lens (JSON text round trip, canonical key order, same hash)', () => {
  // Keys written in another order, and author keys, still round-trip to one canonical lens.
  const shuffled = JSON.parse(JSON.stringify(fullLens()), (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v));
  const first = parseLensText(JSON.stringify(shuffled, null, 2));
  assert.ok(first.ok);
  const exported = JSON.stringify(first.lens, null, 2);
  const second = parseLensText(exported);
  assert.ok(second.ok);
  assert.deepEqual(second.lens, first.lens);
  assert.equal(JSON.stringify(second.lens, null, 2), exported);
  assert.equal(compileLens('x', second.lens).hash, compileLens('x', first.lens).hash);
  assert.deepEqual(Object.keys(first.lens), ['schemaVersion', 'name', 'description', 'pillars', '_version']);
});

/** fullLens() with one change. */
function mutate(change: (l: Record<string, any>) => void): Record<string, any> {
  const l = fullLens();
  change(l);
  return l;
}
const q0 = (l: Record<string, any>) => l.pillars[0].questions[0];

const FAULTS: Array<[string, (l: Record<string, any>) => void, string, RegExp]> = [
  ['missing name', (l) => delete l.name, '$.name', /missing required key "name"/],
  ['another schema version', (l) => (l.schemaVersion = '2020-01-01'), '$.schemaVersion', /unsupported schemaVersion "2020-01-01"/],
  ['a question id of two characters', (l) => (q0(l).id = 'ab'), '$.pillars[0].questions[0].id', /at least 3 characters/],
  ['a choice id of two characters', (l) => (q0(l).choices[1].id = 'ab'), '$.pillars[0].questions[0].choices[1].id', /at least 3 characters/],
  ['four risk rules', (l) => q0(l).riskRules.unshift({ condition: 'abc_deploys_small', risk: 'NO_RISK' }), '$.pillars[0].questions[0].riskRules', /has 4 risk rules; the format allows at most 3/],
  ['two rules for one risk level', (l) => (q0(l).riskRules[1].risk = 'NO_RISK'), '$.pillars[0].questions[0].riskRules[1].risk', /a second NO_RISK rule \(first at riskRules\[0\]\); the format allows one rule per risk level/],
  ['six additional links of one type', (l) => (q0(l).choices[0].additionalResources[1].content = Array.from({ length: 6 }, (_, i) => ({ displayText: `g${i}` }))), '$.pillars[0].questions[0].choices[0].additionalResources[1].content', /has 6 links; the format allows at most 5/],
  ['a choice-level URL over 1,024 characters', (l) => (q0(l).choices[1].improvementPlan.url = `https://x.example/${'a'.repeat(1024)}`), '$.pillars[0].questions[0].choices[1].improvementPlan.url', /the format allows at most 1024/],
  ['a displayText over 2,048 characters', (l) => (q0(l).helpfulResource.displayText = 'x'.repeat(2049)), '$.pillars[0].questions[0].helpfulResource.displayText', /is 2049 characters; the format allows at most 2048/],
  ['a url without displayText', (l) => delete q0(l).helpfulResource.displayText, '$.pillars[0].questions[0].helpfulResource.displayText', /requires it whenever "url" is given/],
  ['an improvement plan without displayText', (l) => delete q0(l).choices[1].improvementPlan.displayText, '$.pillars[0].questions[0].choices[1].improvementPlan.displayText', /missing required key "displayText"/],
  ['a pillar id of two characters', (l) => (l.pillars[1].id = 'ab'), '$.pillars[1].id', /at least 3 characters/],
  ['a pillar id with a dash', (l) => (l.pillars[1].id = 'company-privacy'), '$.pillars[1].id', /letters, digits and "_" only/],
  ['a duplicate pillar id', (l) => (l.pillars[1].id = 'operationalExcellence'), '$.pillars[1].id', /duplicate pillar id "operationalExcellence" \(first at \$\.pillars\[0\]\.id\)/],
  ['a duplicate question id across pillars', (l) => (l.pillars[1].questions[0].id = 'abc_deploys'), '$.pillars[1].questions[0].id', /duplicate question id "abc_deploys"/],
  ['a duplicate choice id', (l) => (q0(l).choices[1].id = 'abc_deploys_small'), '$.pillars[0].questions[0].choices[1].id', /duplicate choice id/],
  ['a risk rule naming an unknown choice', (l) => (q0(l).riskRules[0].condition = 'abc_deploys_small && abc_deploys_rolback'), '$.pillars[0].questions[0].riskRules[0].condition', /unknown choice "abc_deploys_rolback" at character 22/],
  ['a condition that does not parse', (l) => (q0(l).riskRules[1].condition = 'abc_deploys_small || (abc_deploys_rollback'), '$.pillars[0].questions[0].riskRules[1].condition', /does not parse at character \d+: missing "\)"/],
  ['no default rule', (l) => q0(l).riskRules.pop(), '$.pillars[0].questions[0].riskRules', /no "default" rule/],
  ['two default rules', (l) => q0(l).riskRules.push({ condition: 'default', risk: 'NO_RISK' }), '$.pillars[0].questions[0].riskRules[3].condition', /a second "default" rule/],
  ['an unknown risk', (l) => (q0(l).riskRules[0].risk = 'LOW_RISK'), '$.pillars[0].questions[0].riskRules[0].risk', /HIGH_RISK, MEDIUM_RISK, NO_RISK/],
  ['a choice without an improvement plan', (l) => delete q0(l).choices[1].improvementPlan, '$.pillars[0].questions[0].choices[1].improvementPlan', /missing required key "improvementPlan"/],
  ['two "None of these" choices', (l) => q0(l).choices.push({ id: 'other_no', title: 'Nope' }), '$.pillars[0].questions[0].choices', /more than one "None of these"/],
  ['an additional resource of an unknown type', (l) => (q0(l).choices[0].additionalResources[0].type = 'VIDEO'), '$.pillars[0].questions[0].choices[0].additionalResources[0].type', /HELPFUL_RESOURCE or IMPROVEMENT_PLAN/],
  ['a URL that is not http(s)', (l) => (q0(l).helpfulResource.url = 'javascript:alert(1)'), '$.pillars[0].questions[0].helpfulResource.url', /not an http\(s\) URL/],
  ['a choice id "default"', (l) => (q0(l).choices[1].id = 'default'), '$.pillars[0].questions[0].choices[1].id', /reserved/],
  ['a title over the limit', (l) => (q0(l).title = 'x'.repeat(LENS_LIMITS.questionTitleLength + 1)), '$.pillars[0].questions[0].title', /at most 128/],
  ['a choice id over the limit', (l) => (q0(l).choices[1].id = 'c'.repeat(LENS_LIMITS.choiceIdLength.max + 1)), '$.pillars[0].questions[0].choices[1].id', /at most 128/],
  ['more pillars than the format allows', (l) => {
    for (let i = 0; i < LENS_LIMITS.pillars; i++) l.pillars.push({ ...JSON.parse(JSON.stringify(l.pillars[1])), id: `extra_${i}`, questions: [{ ...JSON.parse(JSON.stringify(l.pillars[1].questions[0])), id: `q_extra_${i}` }] });
  }, '$.pillars', /has 12 pillars; the format allows at most 10/],
  ['more questions in a pillar than the format allows', (l) => {
    for (let i = 0; i < LENS_LIMITS.questionsPerPillar; i++) l.pillars[1].questions.push({ ...JSON.parse(JSON.stringify(l.pillars[1].questions[0])), id: `q${i}` });
  }, '$.pillars[1].questions', /has 21 questions; the format allows at most 20/],
  ['more choices in a question than the format allows', (l) => {
    for (let i = 0; i < LENS_LIMITS.choicesPerQuestion; i++) q0(l).choices.push({ id: `c${i}`, title: `c${i}`, improvementPlan: { displayText: 'x' } });
  }, '$.pillars[0].questions[0].choices', /has 18 choices; the format allows at most 15/],
];

for (const [what, change, path, message] of FAULTS) {
  test(`a lens with ${what} is refused, naming ${path}`, () => {
    const r = validateLens(mutate(change));
    assert.equal(r.ok, false);
    const issue = !r.ok && r.issues.find((i) => formatJsonPath(i.path) === path);
    assert.ok(issue, `expected an issue at ${path}, got ${JSON.stringify(!r.ok && r.issues.map((i) => [formatJsonPath(i.path), i.message]))}`);
    assert.match(issue.message, message);
  });
}

/** Accepted, with a warning naming the JSON path: what the specification allows or does not forbid. */
const ACCEPTED: Array<[string, (l: Record<string, any>) => void, string | null, RegExp | null]> = [
  ['a displayText of 2,048 characters', (l) => (q0(l).choices[0].helpfulResource.displayText = 'x'.repeat(2048)), null, null],
  ['a helpful resource with neither text nor url', (l) => (q0(l).choices[0].helpfulResource = {}), null, null],
  ['an additional link without displayText or url', (l) => (q0(l).choices[0].additionalResources[0].content = [{}]), null, null],
  ['five additional links of each type', (l) => {
    for (const r of q0(l).choices[0].additionalResources) r.content = Array.from({ length: 5 }, (_, i) => ({ displayText: `l${i}`, url: `https://l.example/${i}` }));
  }, null, null],
  ['an additional resource without content', (l) => delete q0(l).choices[0].additionalResources[0].content, null, null],
  ['an additional resource without a type', (l) => delete q0(l).choices[0].additionalResources[0].type, '$.pillars[0].questions[0].choices[0].additionalResources[0].type', /no type \(HELPFUL_RESOURCE or IMPROVEMENT_PLAN\): kept, but its links are not shown/],
  ['an empty url', (l) => (q0(l).helpfulResource.url = ''), '$.pillars[0].questions[0].helpfulResource.url', /empty url: kept, and no link is shown/],
  ['a url key on a question', (l) => (q0(l).url = 'https://example.com/q'), '$.pillars[0].questions[0].url', /unknown key "url" in a question: kept and exported unchanged/],
  ['a "Url" key in a resource', (l) => (q0(l).choices[0].helpfulResource.Url = 'https://example.com/r'), '$.pillars[0].questions[0].choices[0].helpfulResource.Url', /unknown key "Url" .*did you mean "url"\?/],
  ['a misspelt optional key', (l) => (q0(l).descripton = 'typo'), '$.pillars[0].questions[0].descripton', /unknown key "descripton"/],
  ['a choice id of 100 characters', (l) => {
    const id = 'c'.repeat(100);
    q0(l).choices[1].id = id;
    q0(l).riskRules = [{ condition: `abc_deploys_small && ${id}`, risk: 'NO_RISK' }, { condition: 'default', risk: 'HIGH_RISK' }];
  }, '$.pillars[0].questions[0].choices[1].id', /the Well-Architected API's ChoiceId only 64/],
];

for (const [what, change, path, message] of ACCEPTED) {
  test(`a lens with ${what} is accepted${path ? `, with a warning at ${path}` : ' without warning'}`, () => {
    const input = mutate(change);
    const r = validateLens(input);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.issues.map((i) => [formatJsonPath(i.path), i.message])));
    if (path === null) assert.deepEqual(r.warnings, []);
    else {
      const w = r.warnings.find((i) => formatJsonPath(i.path) === path);
      assert.ok(w, `expected a warning at ${path}, got ${JSON.stringify(r.warnings)}`);
      assert.match(w.message, message!);
    }
    // Kept as written: the canonical lens holds every key and value of the input.
    assert.deepEqual(JSON.parse(JSON.stringify(r.lens)), JSON.parse(JSON.stringify(input)));
  });
}

test('unknown keys are kept in place after the known ones, exported unchanged, and warned about with line and column', () => {
  const input = mutate((l) => {
    l.url = 'https://lens.example';
    q0(l).url = 'https://example.com/q';
    q0(l).choices[0].helpfulResource.Url = 'https://example.com/r';
  });
  const text = JSON.stringify(input, null, 2);
  const first = parseLensText(text);
  assert.ok(first.ok, JSON.stringify(!first.ok && first.issues));
  assert.deepEqual(first.warnings.map((w) => w.path).sort(), ['$.pillars[0].questions[0].choices[0].helpfulResource.Url', '$.pillars[0].questions[0].url', '$.url']);
  const lines = text.split('\n');
  for (const w of first.warnings) {
    const key = w.path.split('.').pop()!;
    assert.ok(lines[w.line - 1]!.slice(w.column - 1).startsWith(`"${key}"`), `${w.path} at ${w.line}:${w.column}: ${lines[w.line - 1]}`);
  }
  const exported = JSON.stringify(first.lens, null, 2);
  assert.equal((JSON.parse(exported).pillars[0].questions[0] as Record<string, unknown>).url, 'https://example.com/q');
  const second = parseLensText(exported);
  assert.ok(second.ok);
  assert.equal(JSON.stringify(second.lens, null, 2), exported);
  assert.equal(compileLens('x', second.lens).hash, compileLens('x', first.lens).hash);
});

test('every fault of a lens is reported at once, each by its JSON path', () => {
  const r = validateLens(
    mutate((l) => {
      delete l.name;
      l.pillars[1].id = 'x';
      q0(l).riskRules[0].condition = 'nope';
      l.pillars[1].questions[0].choices[0].title = '';
    }),
  );
  assert.deepEqual(paths(r).sort(), [
    '$.name',
    '$.pillars[0].questions[0].riskRules[0].condition',
    '$.pillars[1].id',
    '$.pillars[1].questions[0].choices[0].title',
  ]);
});

test('lens file faults carry line and column; invalid JSON and duplicate keys are named where they are', () => {
  const text = JSON.stringify(mutate((l) => (q0(l).riskRules[0].condition = 'abc_deploys_small &&')), null, 2);
  const r = parseLensText(text);
  assert.equal(r.ok, false);
  const issue = !r.ok ? r.issues[0]! : undefined;
  assert.equal(issue?.path, '$.pillars[0].questions[0].riskRules[0].condition');
  const line = text.split('\n').findIndex((l) => l.includes('"abc_deploys_small &&"')) + 1;
  assert.equal(issue?.line, line);
  assert.equal(issue?.column, text.split('\n')[line - 1]!.indexOf('"abc_deploys_small &&"') + 1);

  const broken = parseLensText('{\n  "name": "x",\n  "pillars": [\n}');
  assert.equal(broken.ok, false);
  assert.match(!broken.ok ? broken.issues[0]!.message : '', /not valid JSON/);
  assert.equal(!broken.ok && broken.issues[0]!.line, 4);

  const dup = parseLensText(JSON.stringify(fullLens()).replace('"name":"Company Policy ABC"', '"name":"A","name":"Company Policy ABC"'));
  assert.equal(dup.ok, false);
  assert.match(!dup.ok ? dup.issues[0]!.message : '', /duplicate key/);
});

test('a lens file over 500 KB is refused before it is parsed', () => {
  const big = JSON.stringify({ ...fullLens(), description: 'x'.repeat(LENS_LIMITS.fileBytes) });
  const r = parseLensText(big);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.issues[0]!.message : '', /at most 512000/);
});

test('the built-in lens is valid, covers the six pillars and the operational-excellence principles and areas of the seed', () => {
  const lens = builtinLenses().find((l) => l.id === BUILTIN_LENS_ID)!;
  assert.deepEqual(lens.pillars.map((p) => p.pillar), [...PILLARS]);
  for (const p of lens.pillars) {
    for (const q of p.questions) {
      assert.ok(q.noneChoice, `${q.id} has a None of these choice`);
      assert.ok(q.question.choices.every((c) => c.id === q.noneChoice || c.improvementPlan), `${q.id}: every choice has an improvement plan`);
    }
  }
  const ops = lens.pillars[0]!.questions.map((q) => q.question.description ?? '').join(' ').toLowerCase();
  for (const area of ['organization', 'prepare', 'operate', 'evolve']) assert.ok(ops.includes(area), `area ${area}`);
  for (const principle of ['operations as code', 'frequent, small, reversible changes', 'refine operations procedures', 'anticipate failure', 'learn from all operational events']) {
    assert.ok(ops.includes(principle), `principle ${principle}`);
  }
  // It is itself a valid custom lens: export → import is the identity.
  const again = parseLensText(JSON.stringify(lens.doc));
  assert.ok(again.ok);
  assert.deepEqual(again.lens, lens.doc);
});

test('a lens id is derived from its name as a slug', () => {
  assert.equal(lensKeyFromName('Company Policy ABC'), 'company-policy-abc');
  assert.equal(lensKeyFromName('  2024 Serverless — Lens! '), 'lens-2024-serverless-lens');
});
