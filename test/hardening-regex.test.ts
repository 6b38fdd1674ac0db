import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from './support/api-request.js';
import { compilePattern, MAX_PATTERN_LENGTH } from '../collectors/pattern.js';
import { scrape } from '../collectors/scrape.js';
import { createApp } from '../server/api/app.js';
import { matchesAny } from '../server/webhooks/payload.js';
import { loadWorkloadText } from '../server/workload/index.js';
import { testRegistry, lines } from './workload-helpers.js';
import { testRuntime } from './support/runtime.js';

/**
 * Issue 12, finding 1: a pattern a caller supplies must never backtrack. Each value below makes
 * JavaScript's RegExp take exponential time (30 characters already take seconds; these are 120
 * long, so a backtracking engine would not answer for years and the test would hang), while a
 * linear-time engine answers in microseconds per value.
 */
const CATASTROPHIC: Array<[pattern: string, value: string]> = [
  ['(.*.*)*!', 'x'.repeat(120)],
  ['(a+)+$', `${'a'.repeat(120)}!`],
  ['(a|aa)+b', 'a'.repeat(120)],
  ['(x+x+)+y', 'x'.repeat(120)],
];

const { runtime } = testRuntime(`
workload: { id: regex-test, title: "Regex test" }
collectors: []
`);

// No timed assertion (speed is the benchmarks' job): a backtracking engine would not answer for
// years, so the test's own timeout is what fails it; the time per pattern is printed.
test('catastrophic patterns over many long label values are answered through GET /api/series (no backtracking)', { timeout: 30_000 }, async (t) => {
  runtime.load(false);
  const samples = [];
  for (let i = 0; i < 100; i++) {
    for (const [, value] of CATASTROPHIC) samples.push({ name: 'victim', labels: { label: `${value}${i}`, n: String(i) }, ts: 1_000 + i, value: i });
  }
  runtime.store.writeSamples(samples);
  const app = createApp(runtime.apiDeps());
  // The first request pays for loading and compiling the routes and the engine; time only the patterns.
  await request(app).get('/api/series').query({ match: 'victim{n=~"1|2"}' }).expect(200);
  for (const [pattern] of CATASTROPHIC) {
    const started = performance.now();
    const res = await request(app).get('/api/series').query({ match: `{label=~"${pattern}"}` });
    const ms = performance.now() - started;
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.series.length, 0, `${pattern} matches nothing: anchored, no '!' or 'b' at the end`);
    t.diagnostic(`${pattern} over ${samples.length} values: ${ms.toFixed(1)} ms`);
  }
  // Anchored like PromQL: the whole value must match.
  const whole = await request(app).get('/api/series').query({ match: `victim{label=~"a+!7"}` }).expect(200);
  assert.equal(whole.body.series.length, 1);
});

test('a pattern outside RE2 (backreference, lookahead) or longer than the limit is refused with 400 naming match', async () => {
  const app = createApp(runtime.apiDeps());
  for (const pattern of ['(a)\\\\1', '(?=a)a', 'x{5000}', 'a'.repeat(MAX_PATTERN_LENGTH + 1)]) {
    const res = await request(app).get('/api/series').query({ match: `{label=~"${pattern}"}` });
    assert.equal(res.status, 400, pattern);
    assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/);
    assert.ok(res.body.errors?.some((e: { name: string }) => e.name === 'match'), JSON.stringify(res.body));
    assert.match(res.body.detail, /invalid regular expression for label 'label'/);
  }
});

test('compilePattern matches in linear time, anchored or searching, and keeps RE2 semantics', () => {
  for (const [pattern, value] of CATASTROPHIC) {
    assert.equal(compilePattern(pattern, { anchored: true }).test(value), false, pattern);
    assert.equal(compilePattern(pattern, { anchored: false }).test(value), false, pattern);
  }
  assert.equal(compilePattern('(a+)+$', { anchored: false }).test(`!${'a'.repeat(5000)}`), true, 'searching finds a match anywhere');
  assert.equal(compilePattern('(a+)+', { anchored: true }).test(`!${'a'.repeat(5000)}`), false, 'anchored needs the whole value');
  assert.equal(compilePattern('a.b', { anchored: true }).test('a\nb'), true, '(?s) as in PromQL');
  assert.equal(compilePattern('deploy', { anchored: false, caseInsensitive: true }).test('Prod Deploy'), true);
  assert.throws(() => compilePattern('(?<=a)b', { anchored: true }), /not a valid regular expression/);
});

test('scrape keep and match_labels regexes outside RE2 are refused at config time, naming the field', () => {
  const keep = scrape.config.safeParse({ url: 'http://127.0.0.1:9/metrics', keep: { regex: '(?!node_).*' } });
  assert.equal(keep.success, false);
  assert.equal(keep.error?.issues[0]?.path.join('.'), 'keep.regex');
  assert.match(keep.error?.issues[0]?.message ?? '', /RE2 syntax/);
  const labels = scrape.config.safeParse({ url: 'http://127.0.0.1:9/metrics', match_labels: { job: { regex: 'x'.repeat(MAX_PATTERN_LENGTH + 1) } } });
  assert.equal(labels.success, false);
  assert.equal(labels.error?.issues[0]?.path.join('.'), 'match_labels.job.regex');
  assert.match(labels.error?.issues[0]?.message ?? '', /too long/);
});

test('webhook deploy patterns are matched in linear time and a lookahead is refused by the workload check', () => {
  assert.equal(matchesAny(`${'a'.repeat(3000)}!`, ['(a+)+$', '^deploy']), false);
  assert.equal(matchesAny('Deploy to prod', ['^deploy']), true, 'case-insensitive search, as documented');
  const r = loadWorkloadText(
    lines('workload: { id: w, title: W }', 'collectors: []', 'operations:', '  webhooks:', '    github: { secret: s, deploy_workflows: ["(?=deploy)"] }'),
    { file: 'workload.yaml', registry: testRegistry(), env: {} },
  );
  assert.equal(r.ok, false);
  const issue = r.ok ? undefined : r.errors[0];
  assert.equal(issue?.path, 'operations.webhooks.github.deploy_workflows[0]');
  assert.match(issue?.message ?? '', /not a valid regular expression: .*RE2/);
});

test('an indicator selector with a backtracking-only construct is refused by the workload check', () => {
  const r = loadWorkloadText(
    lines(
      'workload: { id: w, title: W }',
      'collectors: []',
      'indicators:',
      '  - { id: up, pillar: reliability, title: Up, series: \'up{job=~"(a)\\\\1"}\', good_when: "> 0" }',
    ),
    { file: 'workload.yaml', registry: testRegistry(), env: {} },
  );
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'), /indicators\[0\]\.series.*invalid regular expression/);
});
