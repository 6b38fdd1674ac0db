import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonPath, selectAll, selectsFromEmpty, type CompiledPath } from '../collectors/json-path.js';
import { nextLink } from '../collectors/json-link.js';
import { toSampleValue, toTimestamp } from '../collectors/json-values.js';

/** The json collector's pure parts: its JSONPath checker and evaluation, Link headers, value and time parsing. */

const DOC = {
  store: {
    book: [
      { title: 'A', price: 8, 'isbn-10': 'x1', 'sold out': false },
      { title: 'B', price: 12.5, tags: ['new', 'sale'] },
      { title: 'C', price: 0 },
      { title: 'D', price: 22 },
    ],
    'a.b': { c: 1 },
    empty: [],
    zero: 0,
  },
};

function compiled(source: string): CompiledPath {
  const r = parseJsonPath(source);
  assert.ok(r.ok, `${source}: ${!r.ok ? r.message : ''}`);
  return r.path;
}
const select = (source: string, doc: unknown = DOC) => selectAll(compiled(source), doc);
const titles = (source: string) => select(source).map((b) => (b as { title: string }).title);

describe('json collector JSONPath', () => {
  it('selects as RFC 9535 says for names, wildcards, indices, slices, unions and descendants', () => {
    assert.deepEqual(titles('$.store.book[*]'), ['A', 'B', 'C', 'D']);
    assert.deepEqual(titles('$.store.book.*'), ['A', 'B', 'C', 'D']);
    assert.deepEqual(titles('$.store.book[0]'), ['A']);
    assert.deepEqual(titles('$.store.book[-1]'), ['D']);
    assert.deepEqual(titles('$.store.book[-2]'), ['C']);
    assert.deepEqual(titles('$.store.book[-9]'), []);
    assert.deepEqual(titles('$.store.book[1:3]'), ['B', 'C']);
    assert.deepEqual(titles('$.store.book[::2]'), ['A', 'C']);
    assert.deepEqual(titles('$.store.book[-2:]'), ['C', 'D']);
    assert.deepEqual(titles('$.store.book[ 0 , 3 ]'), ['A', 'D']);
    assert.deepEqual(select('$..price').sort(), [0, 12.5, 22, 8]);
    assert.deepEqual(select("$.store.book[0]['isbn-10']"), ['x1']);
    assert.deepEqual(select('$.store.book[0].isbn-10'), ['x1']);
    assert.deepEqual(select("$.store.book[0]['sold out']"), [false]);
    assert.deepEqual(select('$["store"]["a.b"].c'), [1]);
    assert.deepEqual(select("$.store.book[1]['title','price']"), ['B', 12.5]);
    assert.deepEqual(select('$.store.zero'), [0]);
    assert.deepEqual(select('$', 0), [0], 'the root of a falsy document');
    assert.deepEqual(select('$.store.nothing'), []);
    assert.deepEqual(select('$.x', 'text'), []);
    assert.deepEqual(select('$.store.book.length'), [], 'a name selects in objects only, not an array\'s length');
    assert.deepEqual(select('$.store.book[0].title[0]'), [], 'an index selects in arrays only, not a string\'s characters');
  });

  it('tells an empty list from a path that leads nowhere', () => {
    assert.equal(selectsFromEmpty(compiled('$.store.empty[*]'), DOC), true);
    assert.equal(selectsFromEmpty(compiled('$.store.emptty[*]'), DOC), false);
    assert.equal(selectsFromEmpty(compiled('$.store.empty[0]'), DOC), false, 'an index into an empty list is a miss');
  });

  it('never runs script even if a filter reached the library: evaluation has eval off', () => {
    // Bypass the checker to show the second line of defence.
    const sneaky: CompiledPath = { source: 'x', normalized: "$.store.book[?(@.price > 10)]" };
    assert.throws(() => selectAll(sneaky, DOC), /Eval \[\?\(expr\)\] prevented/);
  });

  const refused: [string, RegExp][] = [
    ['$.store.book[?(@.price > 10)]', /filter expressions \(\[\?…\]\) are not supported/],
    ['$.store.book[?@.price > 10]', /filter expressions/],
    ['$.store.book[(@.length-1)]', /script expressions/],
    ['$.store.book[', /"\[" at character 13 is never closed/],
    ["$.store['book", /quoted name at character 9 is never closed/],
    ['store.book', /must start with "\$"/],
    ['@.price', /"@" is not used/],
    ['$.store.book[0]]', /unexpected "\]" at character 16/],
    ['$.store..', /expected a name or "\*" after ".." at character 10, found the end/],
    ['$.store.0', /found "0"/],
    ['$.a b', /unexpected " " at character 4/],
    ['$.store.book[01]', /"01" at character 14: write integers without leading zeros/],
    ['$.store.book[::-1]', /step must be 1 or more/],
    ['$.store.book[1:0]', /ends at 0 selects nothing/],
    ["$['a,b']", /the name "a,b" cannot be selected/],
    ['$[]', /empty brackets/],
    ['$.store.book[x]', /expected a name in quotes/],
    [' $.a', /blanks at its start or end/],
    ['$.store.book^', /unexpected "\^"/],
    ['$..*~', /unexpected "~"/],
  ];
  for (const [source, why] of refused) {
    it(`refuses ${source} with a message saying where`, () => {
      const r = parseJsonPath(source);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.message : '', why);
    });
  }
});

describe('json collector Link header', () => {
  it('finds rel="next" among several links, with commas and other rels around', () => {
    assert.equal(nextLink('<https://api.x/items?page=3&a=1,2>; rel="last", <https://api.x/items?page=2>; rel="next"'), 'https://api.x/items?page=2');
    assert.equal(nextLink('</p2>; title="a, b; c"; rel="prefetch next"'), '/p2');
    assert.equal(nextLink('</p2>; REL=NEXT'), '/p2');
    assert.equal(nextLink(['</p1>; rel="prev"', '</p3>; rel=next']), '/p3');
    assert.equal(nextLink('</p1>; rel="prev", </p9>; rel="last"'), undefined);
    assert.equal(nextLink('</p1>; rel="nextish"'), undefined);
    assert.equal(nextLink(undefined), undefined);
  });
});

describe('json collector values and times', () => {
  it('reads numbers strictly: JSON decimals as text, NaN and ±Inf as Prometheus writes them, booleans as 1/0', () => {
    const ok = (v: unknown) => {
      const r = toSampleValue(v);
      return r.ok ? r.value : r.problem;
    };
    assert.equal(ok('42'), 42);
    assert.equal(ok('-1.5e3'), -1500);
    assert.equal(ok('.5'), 0.5);
    assert.equal(ok('+Inf'), Infinity);
    assert.ok(Number.isNaN(ok('NaN')));
    assert.equal(ok(true), 1);
    for (const bad of ['', ' 1', '1 ', '0x10', '1_000', '1,5', '12abc', 'Infinity']) assert.match(String(ok(bad)), /is not a number/, bad);
    assert.equal(ok({ a: 1 }), 'found an object, not a number');
  });

  it('reads ISO 8601 (zone or UTC) and Unix times in seconds or milliseconds', () => {
    const t = (v: unknown, unit?: 's' | 'ms' | 'us' | 'ns') => {
      const r = toTimestamp(v, unit);
      return r.ok ? r.value : r.problem;
    };
    const ms = Date.UTC(2026, 0, 5, 9, 30, 0);
    assert.equal(t('2026-01-05T09:30:00Z'), ms);
    assert.equal(t('2026-01-05T09:30:00'), ms, 'no zone: UTC');
    assert.equal(t('2026-01-05T11:30:00+02:00'), ms);
    assert.equal(t('2026-01-05T04:30:00-0500'), ms);
    assert.equal(t('2026-01-05T09:30:00.250Z'), ms + 250);
    assert.equal(t('2026-01-05'), Date.UTC(2026, 0, 5));
    assert.equal(t(ms / 1000), ms);
    assert.equal(t(ms), ms);
    assert.equal(t(String(ms / 1000)), ms);
    assert.equal(t(1.5, 's'), 1500);
    assert.equal(t(1500, 'ms'), 1500);
    assert.equal(t(1500), 1_500_000, 'a small number is seconds');
    assert.equal(t(ms * 1000), ms, 'microseconds by size');
    assert.equal(t(String(ms * 1e6)), ms, 'nanoseconds by size, as text');
    assert.equal(t(1_500_000, 'us'), 1500);
    assert.equal(t(2_000_000, 'ns'), 2);
    assert.match(String(t('2026-02-30T00:00:00Z')), /not a real date/);
    assert.match(String(t('yesterday')), /neither ISO 8601/);
    assert.match(String(t(null)), /found null, not a time/);
  });
});
