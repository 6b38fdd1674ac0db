import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseExposition } from '../collectors/exposition.js';
import { LENIENCY, leniencyOf, openMetricsCases } from './support/openmetrics-cases.js';

/**
 * Pillarboard's exposition parser over every parser test case of the OpenMetrics project
 * (test/fixtures/openmetrics/parsers, README there). The parser is lenient by design — like
 * Prometheus's scrape, a malformed line is skipped and the page kept — so "accepts" means the
 * page parses with no line reported, and "rejects" that at least one line is reported.
 * docs/collectors.md lists every invalid case and what the parser does with it; this test keeps
 * that table true.
 */

const cases = openMetricsCases();
const DOC = path.join(__dirname, '..', 'docs', 'collectors.md');

test('the OpenMetrics test suite is all there (211 cases, 44 valid)', () => {
  assert.equal(cases.length, 211);
  assert.equal(cases.filter((c) => c.shouldParse).length, 44);
});

test('every valid OpenMetrics case parses with no error and at least one sample (when it has any)', () => {
  for (const c of cases.filter((c) => c.shouldParse)) {
    const r = parseExposition(c.text, { openMetrics: true });
    assert.deepEqual(r.errors, [], c.name);
    const hasSampleLine = c.text.split('\n').some((l) => l.trim() !== '' && !l.startsWith('#'));
    if (hasSampleLine) assert.ok(r.samples.length > 0, `${c.name}: no sample`);
  }
});

test('each invalid OpenMetrics case is rejected, with a line number, unless it is one of the documented lenient kinds', () => {
  const surprises: string[] = [];
  for (const c of cases.filter((c) => !c.shouldParse)) {
    const r = parseExposition(c.text, { openMetrics: true });
    const accepted = r.errors.length === 0;
    const why = leniencyOf(c.name);
    if (accepted && !why) surprises.push(`${c.name} is accepted but not documented as lenient`);
    if (!accepted && why) surprises.push(`${c.name} is rejected (${r.errors[0]!.message}) but documented as lenient (${why})`);
    for (const e of r.errors) assert.ok(e.line >= 1 && e.line <= r.lines, `${c.name}: error line ${e.line}`);
  }
  assert.deepEqual(surprises, []);
});

test('docs/collectors.md lists every invalid OpenMetrics case with what the parser does, matching the parser', () => {
  const doc = fs.readFileSync(DOC, 'utf8');
  const rows = new Map<string, string>();
  for (const m of doc.matchAll(/^\| `(bad_[a-z0-9_]+)` \| .* \| (accepted: [a-z]+|rejected: line \d+) \|$/gm)) rows.set(m[1]!, m[2]!);
  const invalid = cases.filter((c) => !c.shouldParse);
  assert.equal(rows.size, invalid.length, 'one row per invalid case');
  for (const c of invalid) {
    const r = parseExposition(c.text, { openMetrics: true });
    const actual = r.errors.length === 0 ? `accepted: ${leniencyOf(c.name)}` : `rejected: line ${r.errors[0]!.line}`;
    assert.equal(rows.get(c.name), actual, c.name);
  }
  // Every reason used in the table is explained in the legend.
  for (const key of Object.keys(LENIENCY)) assert.match(doc, new RegExp(`^\\| \`${key}\` \\|`, 'm'), `legend row for ${key}`);
});
