import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatIssue, loadWorkloadFile, loadWorkloadText, type WorkloadIssue } from '../server/workload/index.js';
import { lines, tempDir, testRegistry, writeWorkload } from './workload-helpers.js';

const registry = testRegistry();

function issuesOf(text: string, env: Record<string, string | undefined> = {}): WorkloadIssue[] {
  const r = loadWorkloadText(text, { file: 'workload.yaml', registry, env });
  assert.equal(r.ok, false, 'expected the file to be invalid');
  return r.ok ? [] : r.errors;
}

/** `line:column path` of each issue, the part these tests pin exactly. */
function where(issues: WorkloadIssue[]): string[] {
  return issues.map((i) => `${i.line}:${i.column} ${i.path}`);
}

const HEAD = ['workload:', '  id: shop', '  title: Web shop'];

interface Case {
  name: string;
  text: string;
  env?: Record<string, string>;
  at: string;
  message: RegExp;
}

const cases: Case[] = [
  {
    name: 'an unclosed quote is reported where the string opens',
    text: lines('workload:', '  id: shop', '  title: "Web shop', 'collectors: []'),
    at: '3:10 ',
    message: /unclosed " quote/,
  },
  {
    name: 'a line indented less than its siblings is reported on that line',
    text: lines('workload:', '    id: shop', '  title: Web shop'),
    at: '3:1 ',
    message: /all mapping items must start at the same column \(check the indentation around here\)/,
  },
  {
    name: 'a line indented more than its siblings is reported at the value it extends',
    text: lines('workload:', '  id: shop', '   title: Web shop'),
    at: '2:7 ',
    message: /check the indentation/,
  },
  {
    name: 'a tab used for indentation is reported at the tab',
    text: 'workload:\n\tid: shop\n',
    at: '2:1 ',
    message: /tab used for indentation; YAML indents with spaces only/,
  },
  {
    name: 'a duplicate key is reported at the second occurrence',
    text: lines(...HEAD, '  id: other'),
    at: '4:3 ',
    message: /duplicate key "id"/,
  },
  {
    name: 'a second YAML document is refused',
    text: lines(...HEAD, '---', 'collectors: []'),
    at: '4:1 ',
    message: /more than one YAML document/,
  },
  {
    name: 'an unquoted ${VAR} inside a flow mapping gets a hint to quote it',
    text: lines(...HEAD, 'collectors:', '  - { id: a, type: dummy, url: ${URL} }'),
    at: '5:33 ',
    message: /quote values that contain \$\{…\}/,
  },
  {
    name: 'an alias without an anchor is reported at the alias',
    text: lines(...HEAD, 'collectors:', '  - { id: a, type: dummy, url: *nope }'),
    at: '5:32 ',
    message: /unknown alias \*nope; define &nope before using it/,
  },
  {
    name: 'a YAML tag is refused rather than silently ignored',
    text: lines('workload: !secret { id: shop, title: Web shop }'),
    at: '1:11 ',
    message: /unresolved tag: !secret/,
  },
  {
    name: 'an alias expansion bomb is refused',
    text: lines(
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ),
    at: '1:1 ',
    message: /cannot expand the document: Excessive alias count/,
  },
  {
    name: 'an empty file is refused at its start',
    text: '',
    at: '1:1 ',
    message: /the file is empty/,
  },
  {
    name: 'a file of comments only counts as empty',
    text: '# nothing yet\n',
    at: '1:1 ',
    message: /the file is empty/,
  },
  {
    name: 'a file that is a list is refused',
    text: lines('- id: shop'),
    at: '1:1 ',
    message: /the file holds a list; a workload file is a mapping/,
  },
  {
    name: 'a file that is a single scalar is refused',
    text: lines('', 'just text'),
    at: '2:1 ',
    message: /the file holds a single value/,
  },
  {
    name: 'an unknown top-level key is reported at the key with a suggestion',
    text: lines(...HEAD, 'colectors: []'),
    at: '4:1 colectors',
    message: /^unknown key "colectors"; did you mean "collectors"\?$/,
  },
  {
    name: 'an unknown top-level key without a near match lists the allowed keys',
    text: lines(...HEAD, 'dashboards: {}'),
    at: '4:1 dashboards',
    message: /expected one of: version, workload, storage, collectors/,
  },
  {
    name: 'a missing required key points at the mapping that should hold it',
    text: lines('workload:', '  id: shop', 'collectors: []'),
    at: '2:3 workload.title',
    message: /^missing required key "title" \(a string\)$/,
  },
  {
    name: 'a missing workload section points at the top of the file',
    text: lines('# the shop', 'collectors: []'),
    at: '2:1 workload',
    message: /missing required key "workload"/,
  },
  {
    name: 'an unsupported version is refused',
    text: lines('version: 2', ...HEAD),
    at: '1:10 version',
    message: /unsupported version; this Pillarboard reads version 1/,
  },
  {
    name: 'an unknown IANA time zone is refused',
    text: lines(...HEAD, '  timezone: Europe/Springfield'),
    at: '4:13 workload.timezone',
    message: /unknown time zone/,
  },
  {
    name: 'hourly retention shorter than raw retention is refused at hourly',
    text: lines(...HEAD, 'storage:', '  retention: { raw: 30d, hourly: 7d }'),
    at: '5:34 storage.retention.hourly',
    message: /hourly retention 7d is shorter than raw retention 30d/,
  },
  {
    name: 'an unknown collector type is reported at type with the known types',
    text: lines(...HEAD, 'collectors:', '  - id: a', '    type: prometheus'),
    at: '6:11 collectors[0].type',
    message: /^unknown collector type "prometheus"; known types: dummy, query$/,
  },
  {
    name: 'a string where a number belongs is reported with what was found',
    text: lines(...HEAD, 'collectors:', '  - id: a', '    type: dummy', '    url: http://x', '    jitter: high'),
    at: '8:13 collectors[0].jitter',
    message: /^expected a number, found the string "high"$/,
  },
  {
    name: 'jitter above 1 is out of range',
    text: lines(...HEAD, 'collectors:', '  - { id: a, type: dummy, url: "http://x", jitter: 1.5 }'),
    at: '5:52 collectors[0].jitter',
    message: /must be between 0 and 1/,
  },
  {
    name: 'a malformed duration is reported at the value',
    text: lines(...HEAD, 'collectors:', '  - id: a', '    type: dummy', '    url: http://x', '    interval: 5x'),
    at: '8:15 collectors[0].interval',
    message: /"5x" is not a duration/,
  },
  {
    name: 'a bare number as a duration asks for a unit',
    text: lines(...HEAD, 'collectors:', '  - id: a', '    type: dummy', '    url: http://x', '    interval: 60'),
    at: '8:15 collectors[0].interval',
    message: /a bare number is ambiguous/,
  },
  {
    name: 'an interval below one second is refused',
    text: lines(...HEAD, 'collectors:', '  - { id: a, type: dummy, url: "http://x", interval: 500ms }'),
    at: '5:54 collectors[0].interval',
    message: /must be at least 1s/,
  },
  {
    name: 'a timeout longer than the interval is reported at timeout',
    text: lines(...HEAD, 'collectors:', '  - id: a', '    type: dummy', '    url: http://x', '    interval: 30s', '    timeout: 45s'),
    at: '9:14 collectors[0].timeout',
    message: /^timeout 45s is longer than interval 30s/,
  },
  {
    name: "a timeout longer than the type's default interval names that default",
    text: lines(...HEAD, 'collectors:', '  - { id: a, type: query, url: "http://x", queries: { up: up }, timeout: 45s }'),
    at: '5:74 collectors[0].timeout',
    message: /longer than the default interval of type "query", 30s/,
  },
  {
    name: 'a duplicate collector id is reported at the second one, pointing back at the first',
    text: lines(...HEAD, 'collectors:', '  - { id: a, type: dummy, url: "http://x" }', '  - { id: a, type: dummy, url: "http://y" }'),
    at: '6:11 collectors[1].id',
    message: /^duplicate collector id "a" \(first defined at 5:11\)$/,
  },
  {
    name: 'a missing environment variable is reported at the value that references it',
    text: lines(
      ...HEAD,
      'collectors:',
      '  - id: prom',
      '    type: query',
      '    url: http://prom:9090',
      '    queries: { up: up }',
      '    auth:',
      '      username: pillarboard',
      '      password: ${PROM_PASSWORD}',
    ),
    at: '11:17 collectors[0].auth.password',
    message: /^environment variable PROM_PASSWORD is not set$/,
  },
  {
    name: 'a type-specific error deep in a collector is reported at its path',
    text: lines(
      ...HEAD,
      'collectors:',
      '  - { id: a, type: dummy, url: "http://x" }',
      '  - id: prom',
      '    type: query',
      '    url: http://prom:9090',
      '    queries: [up]',
    ),
    at: '9:14 collectors[1].queries',
    message: /^expected a mapping, found a list$/,
  },
  {
    name: 'a type-specific error inside a nested map names the entry',
    text: lines(...HEAD, 'collectors:', '  - id: prom', '    type: query', '    url: http://prom:9090', '    queries:', '      up: 3'),
    at: '9:11 collectors[0].queries.up',
    message: /expected a string, found the number 3/,
  },
  {
    name: 'an unknown key in a collector is reported at the key with a suggestion from common and type keys',
    text: lines(...HEAD, 'collectors:', '  - id: a', '    type: dummy', '    url: http://x', '    intervall: 5s'),
    at: '8:5 collectors[0].intervall',
    message: /did you mean "interval"\?/,
  },
  {
    name: 'a collector entry that is not a mapping is refused',
    text: lines(...HEAD, 'collectors:', '  - dummy'),
    at: '5:5 collectors[0]',
    message: /expected a mapping, found the string "dummy"/,
  },
  {
    name: 'an invalid label name is reported at the label key',
    text: lines(...HEAD, 'collectors:', '  - { id: a, type: dummy, url: "http://x", labels: { __name__: x } }'),
    at: '5:54 collectors[0].labels.__name__',
    message: /invalid key "__name__": label names starting with "__" are reserved/,
  },
];

for (const c of cases) {
  test(`loader: ${c.name}`, () => {
    const issues = issuesOf(c.text, c.env);
    assert.equal(issues.length, 1, `expected one issue, got:\n${issues.map(formatIssue).join('\n')}`);
    assert.equal(where(issues)[0], c.at, formatIssue(issues[0]!));
    assert.match(issues[0]!.message, c.message);
    assert.equal(issues[0]!.file, 'workload.yaml');
  });
}

test('loader reports every problem of a file at once, sorted by position', () => {
  const text = lines(
    'workload:', //                                      1
    '  id: Shop', //                                     2
    '  title: Web shop', //                              3
    'storage:', //                                       4
    '  retention: { raw: 5x }', //                       5
    'collectors:', //                                    6
    '  - id: a', //                                      7
    '    type: dummy', //                                8
    '    url: not a url', //                             9
    '  - id: a', //                                      10
    '    type: query', //                                11
    '    url: ${PROM_URL}', //                           12
    '    queries: { up: "" }', //                        13
    '  - id: c', //                                      14
    '    type: nope', //                                 15
    'extra: 1', //                                       16
  );
  const issues = issuesOf(text);
  assert.deepEqual(where(issues), [
    '2:7 workload.id',
    '5:21 storage.retention.raw',
    '9:10 collectors[0].url',
    '10:9 collectors[1].id',
    '12:10 collectors[1].url',
    '13:20 collectors[1].queries.up',
    '15:11 collectors[2].type',
    '16:1 extra',
  ]);
});

test('formatIssue prints file:line:column: path: message, and omits what is absent', () => {
  assert.equal(
    formatIssue({ file: 'w.yaml', line: 12, column: 15, path: 'collectors[0].auth.password', message: 'environment variable PROM_PASSWORD is not set' }),
    'w.yaml:12:15: collectors[0].auth.password: environment variable PROM_PASSWORD is not set',
  );
  assert.equal(formatIssue({ file: 'w.yaml', line: 1, column: 1, path: '', message: 'the file is empty' }), 'w.yaml:1:1: the file is empty');
  assert.equal(formatIssue({ file: 'w.yaml', line: 0, column: 0, path: '', message: 'cannot read the file: no such file' }), 'w.yaml: cannot read the file: no such file');
});

test('loadWorkloadFile reports a missing file as one whole-file issue', (t) => {
  const path = join(tempDir(t), 'absent.yaml');
  const r = loadWorkloadFile(path, { registry, env: {} });
  assert.deepEqual(r, { ok: false, errors: [{ file: path, line: 0, column: 0, path: '', message: 'cannot read the file: no such file' }] });
});

test('loadWorkloadFile reports a directory given as the file', (t) => {
  const dir = tempDir(t);
  const r = loadWorkloadFile(dir, { registry, env: {} });
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.errors[0]!.message, /cannot read the file: it is a directory/);
});

test('loadWorkloadFile reports an unreadable file', { skip: process.getuid?.() === 0 ? 'root reads any file' : false }, (t) => {
  const path = writeWorkload(tempDir(t), lines(...HEAD));
  chmodSync(path, 0o000);
  const r = loadWorkloadFile(path, { registry, env: {} });
  assert.match(r.ok ? '' : r.errors[0]!.message, /permission denied/);
});

test('loadWorkloadFile names the file as given in each issue', (t) => {
  const path = writeWorkload(tempDir(t), lines(...HEAD, 'colectors: []'));
  const r = loadWorkloadFile(path, { registry, env: {} });
  assert.equal(r.ok ? '' : formatIssue(r.errors[0]!), `${path}:4:1: colectors: unknown key "colectors"; did you mean "collectors"?`);
});
