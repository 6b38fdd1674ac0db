import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSelector, parseSelector, SelectorError } from '../server/store/selector.js';
import type { Selector } from '../server/store/types.js';
import { T0, tempStore } from './fixtures/store-helpers.js';

const VALID: Array<[string, Selector]> = [
  ['up', { name: 'up', matchers: [] }],
  ['  node_load1  ', { name: 'node_load1', matchers: [] }],
  ['job:rate5m', { name: 'job:rate5m', matchers: [] }],
  ['up{}', { name: 'up', matchers: [] }],
  ['up{job="node"}', { name: 'up', matchers: [{ label: 'job', op: '=', value: 'node' }] }],
  [
    'http_requests_total{route="/checkout", code!~"5..",}',
    { name: 'http_requests_total', matchers: [{ label: 'route', op: '=', value: '/checkout' }, { label: 'code', op: '!~', value: '5..' }] },
  ],
  [
    'x{a!="b",c=~"d|e"}',
    { name: 'x', matchers: [{ label: 'a', op: '!=', value: 'b' }, { label: 'c', op: '=~', value: 'd|e' }] },
  ],
  ['{__name__=~"node_.*"}', { matchers: [{ label: '__name__', op: '=~', value: 'node_.*' }] }],
  ['{job="node"}', { matchers: [{ label: 'job', op: '=', value: 'node' }] }],
  ['m{a="q\\"uote",b="back\\\\slash",c="new\\nline"}', {
    name: 'm',
    matchers: [
      { label: 'a', op: '=', value: 'q"uote' },
      { label: 'b', op: '=', value: 'back\\slash' },
      { label: 'c', op: '=', value: 'new\nline' },
    ],
  }],
  ["m{a='single'}", { name: 'm', matchers: [{ label: 'a', op: '=', value: 'single' }] }],
  ['m { a = "spaced" }', { name: 'm', matchers: [{ label: 'a', op: '=', value: 'spaced' }] }],
];

test('parseSelector reads valid PromQL selectors', () => {
  for (const [text, expected] of VALID) {
    assert.deepEqual(parseSelector(text), expected, text);
    assert.deepEqual(parseSelector(formatSelector(expected)), expected, `round trip of ${text}`);
  }
});

// [text, message pattern]: positions are 1-based
const INVALID: Array<[string, RegExp]> = [
  ['up{job=node}', /^match: expected '"' at position 8 /],
  ['up{job="node",instance=x}', /^match: expected '"' at position 24 /],
  ['up{job="node"', /^match: expected ',' or '}' at position 14 /],
  ['up{job="node', /^match: expected closing " at position 13 /],
  ['up{job~"x"}', /^match: expected one of = != =~ !~ at position 7 /],
  ['up{="x"}', /^match: expected a label name at position 4 /],
  ['up{1a="x"}', /^match: expected a label name at position 4 /],
  ['up{a="x"} extra', /^match: expected end of selector at position 11 /],
  ['', /^match: expected a metric name or '\{' at position 1 /],
  ['9up', /^match: expected a metric name or '\{' at position 1 /],
  ['up{a="\\q"}', /^match: expected an escape .* at position 8 /],
  ['up{a=~"("}', /^match: invalid regular expression for label 'a' at position 7/],
  ['{}', /at least one matcher that does not match the empty string/],
  ['{job=""}', /at least one matcher that does not match the empty string/],
  ['{job=~".*"}', /at least one matcher that does not match the empty string/],
  ['up{__name__="x"}', /metric name given twice \(position 4\)/],
];

test('parseSelector rejects invalid selectors with a SelectorError naming the position', () => {
  for (const [text, pattern] of INVALID) {
    assert.throws(
      () => parseSelector(text),
      (err: unknown) => err instanceof SelectorError && pattern.test(err.message),
      `${JSON.stringify(text)} should fail with ${pattern}`,
    );
  }
});

test('parseSelector prefixes errors with the given context', () => {
  assert.throws(() => parseSelector('up{a=b}', 'indicators[0].series'), {
    name: 'SelectorError',
    message: /^indicators\[0\]\.series: expected '"' at position 6/,
  });
});

test('a selector with only a non-empty-matching label matcher is accepted', () => {
  assert.deepEqual(parseSelector('{job!=""}').matchers, [{ label: 'job', op: '!=', value: '' }]);
  assert.deepEqual(parseSelector('{job=~".+"}').matchers, [{ label: 'job', op: '=~', value: '.+' }]);
});

test('findSeries applies PromQL matching semantics: anchored regexes, absent labels as empty', (t) => {
  const { store } = tempStore(t);
  const series: Array<[string, Record<string, string>]> = [
    ['node_load1', { instance: 'a:9100', job: 'node' }],
    ['node_load1', { instance: 'b:9100', job: 'node', env: 'prod' }],
    ['node_load5', { instance: 'a:9100', job: 'node' }],
    ['up', { instance: 'a:9100', job: 'node' }],
    ['up', { instance: 'p:9090', job: 'prometheus', env: '' }],
    ['process_cpu', { job: 'nodeish' }],
  ];
  store.writeSamples(series.map(([name, labels], i) => ({ name, labels, ts: T0 + i, value: i })));
  const find = (text: string) =>
    store
      .findSeries(parseSelector(text))
      .map((s) => `${s.name}${JSON.stringify(s.labels)}`)
      .sort();
  assert.deepEqual(find('node_load1'), ['node_load1{"env":"prod","instance":"b:9100","job":"node"}', 'node_load1{"instance":"a:9100","job":"node"}']);
  // =~ is anchored: "node" does not match "nodeish"
  assert.deepEqual(find('{job=~"node"}').length, 4);
  assert.deepEqual(find('{job=~"node.*"}').length, 5);
  // != on a missing label matches; = "" selects series without the label
  assert.deepEqual(find('node_load1{env!="prod"}'), ['node_load1{"instance":"a:9100","job":"node"}']);
  assert.deepEqual(find('up{env=""}').length, 2, 'an empty label value is the same as an absent label');
  assert.deepEqual(find('up{env!~"prod|staging"}').length, 2);
  assert.deepEqual(find('up{env=~"prod|"}').length, 2);
  // the name through __name__
  assert.deepEqual(find('{__name__=~"node_.*"}').length, 3);
  assert.deepEqual(find('{__name__=~"node_.*",instance="a:9100"}').length, 2);
  assert.deepEqual(find('{__name__="up"}').length, 2);
  assert.deepEqual(find('{__name__!~"node_.*|up",job=~".+"}'), ['process_cpu{"job":"nodeish"}']);
  assert.deepEqual(find('nothing_here'), []);
  assert.equal(store.findSeries(parseSelector('{job=~".+"}'), 3).length, 3, 'limit caps the result');
  assert.throws(() => store.findSeries({ matchers: [] }), SelectorError);
});
