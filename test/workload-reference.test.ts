import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderFieldReference, updateReference } from '../server/workload/reference.js';

const DOC = join(__dirname, '..', 'docs', 'workload.md');

test('docs/workload.md holds the field reference the schema generates (regenerate with node --import tsx server/workload/reference.ts)', () => {
  const markdown = readFileSync(DOC, 'utf8');
  assert.equal(updateReference(markdown), markdown);
});

test('the field reference documents every key with a description and a default or "required"', () => {
  const rows = renderFieldReference()
    .split('\n')
    .slice(2)
    .map((row) => row.split(' | '));
  assert.ok(rows.length >= 15);
  for (const [key, , dflt, meaning] of rows) {
    assert.ok(meaning && meaning.replace(/ \|$/, '').trim().length > 0, `${key} has no description`);
    assert.ok(dflt && dflt.trim().length > 0, `${key} has no default column`);
  }
  const keys = rows.map((r) => r[0]!.replace(/^\| /, ''));
  for (const key of ['`version`', '`workload.id`', '`storage.retention.raw`', '`collectors[].timeout`', '`collectors[].labels`']) {
    assert.ok(keys.includes(key), `missing ${key}`);
  }
});
