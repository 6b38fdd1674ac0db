import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpressionError, MAX_DEPTH, evaluateKleene, parseExpression } from '../server/review/expression.js';
import { compileRiskRules, evaluateRiskRules, parseRiskCondition, questionRisk } from '../server/review/risk-rules.js';
import { evaluateEvidence, parseEvidenceCondition, type IndicatorReading } from '../server/review/evidence-condition.js';
import { evaluateBoolean } from '../server/review/expression.js';

const sel = (...ids: string[]) => new Set(ids);
const holds = (condition: string, selected: Set<string>) => evaluateBoolean(parseRiskCondition(condition), (c) => selected.has(c));

// [condition, selected, expected]: precedence ! > && > ||, left to right, parentheses.
const CONDITIONS: Array<[string, string[], boolean]> = [
  ['a', ['a'], true],
  ['a', [], false],
  ['!a', [], true],
  ['!!a', ['a'], true],
  ['a && b', ['a'], false],
  ['a && b', ['a', 'b'], true],
  ['a || b', ['b'], true],
  ['a || b && c', ['a'], true], // a || (b && c)
  ['a || b && c', ['b'], false],
  ['(a || b) && c', ['a'], false],
  ['(a || b) && c', ['a', 'c'], true],
  ['a && b || c', ['c'], true], // (a && b) || c
  ['!a && b', ['b'], true], // (!a) && b
  ['!a && b', ['a', 'b'], false],
  ['!(a && b)', ['a'], true],
  ['!(a || b)', ['b'], false],
  ['!(a || b)', [], true],
  ['!(a || b) && c', ['c'], true],
  ['!((a))', [], true],
  ['a&&!b||c', ['a'], true],
  ['a&&!b||c', ['a', 'b'], false],
  ['ddbops1_1 && ddbops1_2', ['ddbops1_1', 'ddbops1_2'], true],
  ['1_backup || x', ['1_backup'], true], // a choice id may start with a digit
];

for (const [condition, selected, expected] of CONDITIONS) {
  test(`risk condition "${condition}" with {${selected.join(', ')}} is ${expected}`, () => {
    assert.equal(holds(condition, sel(...selected)), expected);
  });
}

const RULES = [
  { condition: 'a && b && c', risk: 'NO_RISK' },
  { condition: '(a || b) && !x', risk: 'MEDIUM_RISK' },
  { condition: 'x', risk: 'HIGH_RISK' },
  { condition: 'default', risk: 'HIGH_RISK' },
];

test('risk rules are tried in order and the first that holds wins; default applies when none does', () => {
  const { compiled, issues } = compileRiskRules(RULES, ['a', 'b', 'c', 'x']);
  assert.deepEqual(issues, []);
  const table: Array<[string[], string]> = [
    [['a', 'b', 'c'], 'NO_RISK'],
    [['a', 'b', 'c', 'x'], 'NO_RISK'], // the first rule wins even though rule 3 also holds
    [['a'], 'MEDIUM_RISK'],
    [['a', 'x'], 'HIGH_RISK'],
    [['c'], 'HIGH_RISK'], // default
    [[], 'HIGH_RISK'],
  ];
  for (const [selected, risk] of table) assert.equal(evaluateRiskRules(compiled!, sel(...selected)), risk, selected.join(','));
});

test('the default rule is the fallback wherever it is written', () => {
  const { compiled } = compileRiskRules([{ condition: 'default', risk: 'MEDIUM_RISK' }, { condition: 'a', risk: 'NO_RISK' }], ['a']);
  assert.equal(evaluateRiskRules(compiled!, sel('a')), 'NO_RISK');
  assert.equal(evaluateRiskRules(compiled!, sel()), 'MEDIUM_RISK');
});

test('a question marked not applicable counts as not applicable whatever is selected; an unanswered one as unanswered', () => {
  const { compiled } = compileRiskRules(RULES, ['a', 'b', 'c', 'x']);
  assert.equal(questionRisk(compiled!, { notApplicable: true, answered: true, selected: sel('x') }), 'not_applicable');
  assert.equal(questionRisk(compiled!, { notApplicable: false, answered: false, selected: sel() }), 'unanswered');
  assert.equal(questionRisk(compiled!, { notApplicable: false, answered: true, selected: sel() }), 'high');
  assert.equal(questionRisk(compiled!, { notApplicable: false, answered: true, selected: sel('a', 'b', 'c') }), 'none');
});

// [text, message, 1-based character]
const BAD: Array<[string, RegExp, number]> = [
  ['', /empty/, 1],
  ['a &', /write && for "and"/, 3],
  ['a | b', /write \|\| for "or"/, 3],
  ['a && ', /expression ended/, 6],
  ['(a || b', /missing "\)" to close the "\(" at character 1/, 8],
  ['a || b)', /a "\)" without its "\("/, 7],
  ['a b', /join conditions with && or \|\|/, 3],
  ['&& a', /expected a condition before "&&"/, 1],
  ['a && $', /unexpected character "\$"/, 6],
  ['a.b', /not a choice id/, 1],
];

for (const [text, message, at] of BAD) {
  test(`risk condition ${JSON.stringify(text)} is refused at character ${at}`, () => {
    assert.throws(
      () => parseRiskCondition(text),
      (err: unknown) => err instanceof ExpressionError && message.test(err.message) && err.offset + 1 === at,
    );
  });
}

test('nesting deeper than the limit is refused instead of overflowing the stack', () => {
  assert.throws(() => parseRiskCondition('('.repeat(MAX_DEPTH + 5) + 'a' + ')'.repeat(MAX_DEPTH + 5)), /nests deeper/);
  assert.throws(() => parseRiskCondition('!'.repeat(100_000) + 'a'), /nests deeper/);
});

test('rules naming unknown choices, without a default, or with two are refused with every problem', () => {
  const { compiled, issues } = compileRiskRules(
    [
      { condition: 'a && zz', risk: 'NO_RISK' },
      { condition: 'a ||', risk: 'MEDIUM_RISK' },
      { condition: 'a', risk: 'SOME_RISK' },
    ],
    ['a'],
  );
  assert.equal(compiled, undefined);
  assert.deepEqual(
    issues.map((i) => [i.index, i.field ?? null]),
    [[0, 'condition'], [1, 'condition'], [2, 'risk'], [null, null]],
  );
  assert.match(issues[0]!.message, /unknown choice "zz" at character 6/);
});

test('Kleene evaluation: false && unknown is false, true || unknown is true, otherwise unknown spreads', () => {
  const v = (text: string, values: Record<string, boolean | null>) => evaluateKleene(parseRiskCondition(text), (a) => values[a] ?? null);
  const cases: Array<[string, Record<string, boolean | null>, boolean | null]> = [
    ['a && u', { a: false }, false],
    ['u && a', { a: false }, false],
    ['a && u', { a: true }, null],
    ['a || u', { a: true }, true],
    ['u || a', { a: false }, null],
    ['!u', {}, null],
    ['!(a && u)', { a: false }, true],
  ];
  for (const [text, values, expected] of cases) assert.equal(v(text, values), expected, text);
});

const readings: Record<string, IndicatorReading> = {
  deploys: { status: 'ok', value: 3, score: 100 },
  change_size: { status: 'warning', value: 900, score: 40 },
  gameday_age: { status: 'ok', value: 45, score: 100 },
  blind: { status: 'no_data', value: null, score: null },
  broken: { status: 'stale', value: null, score: null },
};
const evidence = (text: string) => evaluateEvidence(parseEvidenceCondition(text), (id) => readings[id]);

const EVIDENCE: Array<[string, boolean | null]> = [
  ['deploys == ok', true],
  ['deploys != ok', false],
  ['deploys == ok && change_size == ok', false],
  ['deploys == ok && (change_size == ok || change_size == warning)', true],
  ['gameday_age.value <= 90', true],
  ['gameday_age.value > 90', false],
  ['change_size.score >= 50', false],
  ['deploys.value == 3 && deploys.value != 4 && deploys.value < 3.5 && deploys.value >= -1', true],
  ['blind == ok', null], // no data: cannot tell whether it is ok
  ['blind == no_data', true], // but no_data itself is known
  ['broken == stale', true],
  ['broken != ok', null],
  ['blind.value <= 90', null],
  ['missing == ok', null], // an indicator not in the evaluation
  ['blind == ok && deploys == warning', false], // false && unknown
  ['blind == ok || deploys == ok', true],
  ['!(blind == ok)', null],
  ['my-indicator == ok', null], // ids with "-" parse
];

for (const [text, expected] of EVIDENCE) {
  test(`evidence condition "${text}" is ${expected}`, () => assert.equal(evidence(text), expected));
}

const BAD_EVIDENCE: Array<[string, RegExp]> = [
  ['deploys = ok', /write == to compare/],
  ['deploys == warn', /expected a status \(ok, warning, critical, no_data, stale\), found "warn"/],
  ['deploys', /expected a comparison after "deploys"/],
  ['deploys < ok', /compared with == or != only/],
  ['deploys.value <= ninety', /expected a number/],
  ['deploys.valeu <= 1', /has \.value and \.score, not \.valeu/],
  ['deploys == ok &&', /expression ended/],
];

for (const [text, message] of BAD_EVIDENCE) {
  test(`evidence condition ${JSON.stringify(text)} is refused: ${message.source}`, () => {
    assert.throws(() => parseEvidenceCondition(text), message);
  });
}

test('the parser never runs code: a condition is data, whatever it contains', () => {
  assert.throws(() => parseExpression('process.exit(1)', () => 'x'), ExpressionError);
  assert.throws(() => parseRiskCondition('process.exit(1)'), /not a choice id/);
  // Names like constructor or __proto__ are just ids: unknown indicators, so unknown results.
  const byId = new Map(Object.entries(readings));
  assert.equal(evaluateEvidence(parseEvidenceCondition('constructor.value < 1 || __proto__ == ok'), (id) => byId.get(id)), null);
});
