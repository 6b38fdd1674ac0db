import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml, parseDocument, isMap, isSeq } from 'yaml';
import { collectorRegistry } from '../collectors/index.js';
import { buildWorkloadSchema, formatIssue, loadWorkloadText } from '../server/workload/index.js';
import { objectShape, schemaAt } from '../server/workload/introspect.js';
import { renderFieldReference } from '../server/workload/reference.js';
import { collectorView } from '../server/api/routes/collectors.js';
import { backfillStatus } from '../server/backfill/status.js';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { testRuntime } from './support/runtime.js';
import { fullLens } from './review-support.js';
import { parseApiEvent } from '../server/events/schema.js';
import { computeDerived } from '../server/dora/index.js';
import { DEFAULT_DERIVED_SETTINGS } from '../server/dora/types.js';
import type { StoredEvent } from '../server/events/types.js';
import { codeSpans, readDocs, scan, tables, where, type DocFile, type Fence, type Span } from './support/markdown.js';
import { ALL_FLAGS, checkInvocation, COMMANDS, findSub, flagsIn, flagsOf, FOREIGN, invocations, program } from './support/docs-cli.js';
import { answerKeyPaths, docRoute, jsonOf, missingFromReal, OPENAPI, OPENAPI_PATHS, resolve, routeAbove, schemaOf, undeclaredKeys, type Schema } from './support/docs-api.js';

/**
 * The docs say what the code does. README.md and docs/*.md are read as a user reads them and
 * checked against the code itself, never against a list kept in this test:
 * - every `pillarboard …` command line and every flag resolves in the commander program
 *   (server/cli.ts buildProgram — commands discovered by walking it), and every command and
 *   option of the program is documented;
 * - every documented number of collector types and every table of them match collectors/index.ts;
 * - every YAML example parses and validates with the workload loader (fragments completed with a
 *   minimal `workload:`), and every backticked workload key path exists in the zod schema;
 * - every route and query parameter the docs name is in the OpenAPI document, every JSON example
 *   of an answer or body uses only keys it declares, and GET examples have the real answers' keys;
 * - the incident's deployment reference named in the docs is the one the DORA linking reads.
 */

const ROOT = path.resolve(__dirname, '..');
const DOCS = readDocs(ROOT);
const SCANNED = DOCS.map((d) => ({ doc: d, ...scan(d) }));
const FENCES: Fence[] = SCANNED.flatMap((s) => s.fences);
const SPANS: Span[] = SCANNED.flatMap((s) => s.spans);

// ---------------------------------------------------------------------------------------
// The command line


test('every pillarboard command line in README.md and docs/ names commands, subcommands and flags the program has', () => {
  const found = invocations(FENCES, SPANS);
  assert.ok(found.length > 30, `found ${found.length} command lines`);
  const problems = found.flatMap(checkInvocation);
  assert.deepEqual(problems, []);
});

test('every flag the docs mention outside a command line belongs to some pillarboard command', () => {
  const problems: string[] = [];
  for (const s of SPANS) {
    if (/^(?:npx\s+)?pillarboard\s/.test(s.code) || FOREIGN.test(s.code)) continue;
    // A bare flag in a sentence about another program ("runs the `git` command (`--no-pager`, …)").
    if (/^-/.test(s.code) && !/pillarboard/.test(s.source) && FOREIGN.test(codeSpans(s.source)[0] ?? '')) continue;
    for (const f of flagsIn(s.code)) if (f.startsWith('--') && !ALL_FLAGS.has(f)) problems.push(`${where(s)}: \`${s.code}\`: no pillarboard command has ${f}`);
  }
  for (const f of FENCES) {
    if (!['', 'sh', 'bash', 'console', 'shell'].includes(f.lang)) continue;
    f.body.split('\n').forEach((line, i) => {
      const t = line.trim();
      if (!t.startsWith('-') || FOREIGN.test(t)) return;
      for (const flag of flagsIn(t)) if (flag.startsWith('--') && !ALL_FLAGS.has(flag)) problems.push(`${f.doc.file}:${f.line + i}: no pillarboard command has ${flag}`);
    });
  }
  assert.deepEqual(problems, []);
});

test('the README command table: each row\'s command exists and the flags it names are that command\'s', () => {
  const readme = DOCS.find((d) => d.file === 'README.md')!;
  const table = tables(readme).find((t) => t.header[0]?.toLowerCase() === 'command');
  assert.ok(table, 'README.md has a table whose first column is "command"');
  const problems: string[] = [];
  for (const row of table.rows) {
    const [name] = codeSpans(row.cells[0]!);
    assert.ok(name, `README.md:${row.line}: the first cell names a command`);
    const inv = { at: `README.md:${row.line}`, args: name };
    problems.push(...checkInvocation(inv));
    const words = name.split(/\s+/);
    let cmd = findSub(program, words[0]!);
    if (cmd && words[1] && findSub(cmd, words[1])) cmd = findSub(cmd, words[1]);
    if (!cmd) continue;
    const own = new Set([...flagsOf(cmd), ...cmd.commands.flatMap((c) => [...flagsOf(c)])]);
    for (const span of codeSpans(row.cells.slice(1).join(' | '))) {
      if (/^pillarboard\s/.test(span) || findSub(program, span.split(/\s+/)[0]!)) {
        problems.push(...checkInvocation({ at: inv.at, args: span.replace(/^pillarboard\s+/, '') }));
        continue;
      }
      for (const f of flagsIn(span)) if (f.startsWith('--') && !own.has(f)) problems.push(`README.md:${row.line}: "${name}" has no flag ${f}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('every command, subcommand and option of the program is documented', () => {
  const readme = DOCS.find((d) => d.file === 'README.md')!.text;
  const all = DOCS.map((d) => d.text).join('\n');
  const problems: string[] = [];
  for (const { path: p, cmd } of COMMANDS) {
    if (cmd.commands.length > 0) continue; // a group: its subcommands are checked
    const name = p.join(' ');
    // The README synopsis writes a group's subcommands as alternatives: `pillarboard token create … | list | revoke …`.
    const group = p.length > 1 ? new RegExp(`pillarboard ${p[0]}\\s[^\\n]*(?:^|\\s|\\|)${p[1]}\\b`, 'm') : new RegExp(`pillarboard ${p[0]}\\b`);
    if (!group.test(readme)) problems.push(`README.md does not show "pillarboard ${name}"`);
    for (const o of cmd.options) {
      if (o.long && !new RegExp(`${o.long}(?![\\w-])`).test(all)) problems.push(`"pillarboard ${name} ${o.long}" is not documented anywhere`);
    }
  }
  assert.deepEqual(problems, []);
});

test('the docs test fails on a flag or command that does not exist', () => {
  // The checker itself, against made-up lines: it must not pass whatever the docs say.
  assert.match(checkInvocation({ at: 'x', args: 'report --weak 2026-W47' }).join('\n'), /"pillarboard report" has no flag --weak/);
  assert.match(checkInvocation({ at: 'x', args: 'lens delete ID' }).join('\n'), /"pillarboard lens delete": no such subcommand/);
  assert.match(checkInvocation({ at: 'x', args: 'reprot' }).join('\n'), /no such command/);
  assert.match(checkInvocation({ at: 'x', args: 'token   create --name N | list --all' }).join('\n'), /"pillarboard token list" has no flag --all/);
  assert.deepEqual(checkInvocation({ at: 'x', args: 'review answer Q (--choices a,b | --na R | --auto) [--lens ID] [--db FILE]' }), []);
});

// ---------------------------------------------------------------------------------------
// Collector types

const TYPES = [...collectorRegistry.keys()].sort();
const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

test('every count of collector types in the docs is the number collectors/index.ts registers', () => {
  const problems: string[] = [];
  let counted = 0;
  for (const d of DOCS) {
    d.lines.forEach((line, i) => {
      for (const m of line.matchAll(/\b(\w+)\s+(?:collector\s+)?types\b/gi)) {
        const word = m[1]!.toLowerCase();
        const n = /^\d+$/.test(word) ? Number(word) : NUMBER_WORDS.indexOf(word);
        if (n < 0) continue;
        if (!/collector/i.test(line) && !/collector/i.test(d.lines.slice(Math.max(0, i - 3), i + 1).join(' '))) continue;
        counted++;
        if (n !== TYPES.length) problems.push(`${d.file}:${i + 1}: says ${m[0]}; collectors/index.ts registers ${TYPES.length} (${TYPES.join(', ')})`);
      }
    });
  }
  assert.ok(counted > 0, 'the docs state how many collector types there are');
  assert.deepEqual(problems, []);
});

test('every table of collector types lists exactly the registered types, and each has its section in docs/collectors.md', () => {
  const problems: string[] = [];
  let seen = 0;
  for (const d of DOCS) {
    for (const t of tables(d)) {
      if (t.header[0]?.toLowerCase() !== 'type') continue;
      const listed = t.rows.map((r) => codeSpans(r.cells[0]!)[0]).filter((x): x is string => x !== undefined);
      if (!listed.some((x) => collectorRegistry.has(x))) continue; // a table of something else
      seen++;
      const sorted = [...listed].sort();
      if (JSON.stringify(sorted) !== JSON.stringify(TYPES)) problems.push(`${d.file}:${t.line}: lists ${sorted.join(', ')}; registered: ${TYPES.join(', ')}`);
    }
  }
  assert.ok(seen >= 2, `found ${seen} tables of collector types`);
  const collectorsDoc = DOCS.find((d) => d.file === 'docs/collectors.md')!.text;
  for (const type of TYPES) if (!new RegExp(`^## ${type}\\s*$`, 'm').test(collectorsDoc)) problems.push(`docs/collectors.md has no "## ${type}" section`);
  assert.deepEqual(problems, []);
});

// ---------------------------------------------------------------------------------------
// The workload file

const WORKLOAD_SCHEMA = buildWorkloadSchema({ registry: collectorRegistry });
const TOP_KEYS = Object.keys(objectShape(WORKLOAD_SCHEMA)!);
const MINIMAL_WORKLOAD = { id: 'docs', title: 'Docs' };

/** Env for examples: `${NAME:-default}` keeps its default; a bare `${NAME}` gets a plausible value. */
function exampleEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)) env[m[1]!] = /URL/.test(m[1]!) ? 'https://hooks.example.com/services/T0/B0/x' : 'example-secret';
  return env;
}

/**
 * A YAML example as a workload file: a whole file as it is; a list becomes the entries of
 * `collectors:` or `indicators:` (by its entries' keys); a mapping of sections without
 * `workload:` gets a minimal one. Lines are prepended, never rewritten, so an issue's line
 * minus `offset` is its line in the example.
 */
function asWorkload(body: string): { text: string; fragment: boolean; offset: number } | null {
  const doc = parseDocument(body);
  if (doc.errors.length > 0) return { text: body, fragment: false, offset: 0 }; // the loader reports it
  const head = `workload: { id: ${MINIMAL_WORKLOAD.id}, title: ${MINIMAL_WORKLOAD.title} }\n`;
  if (isSeq(doc.contents)) {
    const items = doc.toJS() as Array<Record<string, unknown>>;
    const is = (k: string) => items.every((x) => x !== null && typeof x === 'object' && k in x);
    const key = is('type') ? 'collectors' : is('pillar') ? 'indicators' : null;
    return key ? { text: `${head}${key}:\n${body}`, fragment: true, offset: 2 } : null;
  }
  if (!isMap(doc.contents)) return null;
  const keys = Object.keys(doc.toJS() as object);
  if (keys.includes('workload') || !keys.every((k) => TOP_KEYS.includes(k))) return { text: body, fragment: false, offset: 0 };
  return { text: head + body, fragment: true, offset: 1 };
}

/** A fragment may name indicators or collectors declared elsewhere in the docs' example. */
const CROSS_REFERENCE = /unknown (indicator|collector|outcome) "|there are no (indicators|collectors|outcomes) in this file/;

test('every YAML example in README.md and docs/ parses and validates as (part of) a workload file', () => {
  const yamlFences = FENCES.filter((f) => f.lang === 'yaml' || f.lang === 'yml');
  assert.ok(yamlFences.length > 10, `found ${yamlFences.length} YAML examples`);
  const problems: string[] = [];
  let checked = 0;
  for (const f of yamlFences) {
    const w = asWorkload(f.body);
    if (!w) {
      problems.push(`${f.doc.file}:${f.line}: a YAML example that is neither a workload file, a mapping of its sections, nor a list of collectors or indicators`);
      continue;
    }
    checked++;
    const r = loadWorkloadText(w.text, { registry: collectorRegistry, env: exampleEnv(f.body), file: `${f.doc.file}:${f.line}` });
    if (r.ok) continue;
    for (const issue of r.errors) {
      if (w.fragment && CROSS_REFERENCE.test(issue.message)) continue;
      const line = issue.line > 0 ? f.line + issue.line - 1 - w.offset : f.line;
      problems.push(formatIssue({ ...issue, file: f.doc.file, line, column: Math.max(issue.column, 1) }));
    }
  }
  assert.ok(checked === yamlFences.length);
  assert.deepEqual(problems, []);
});

test('every SLO in the docs\' examples states its objective', () => {
  // The loader requires it; this names the example, should an example ever be skipped above.
  const problems: string[] = [];
  for (const f of FENCES.filter((x) => x.lang === 'yaml')) {
    let value: unknown;
    try {
      value = parseYaml(f.body);
    } catch {
      continue;
    }
    const visit = (v: unknown, at: string) => {
      if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${at}[${i}]`));
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.slo && typeof o.slo === 'object' && !('objective' in (o.slo as object))) problems.push(`${f.doc.file}:${f.line}: ${at}.slo has no objective`);
        for (const [k, x] of Object.entries(o)) visit(x, `${at}.${k}`);
      }
    };
    visit(value, '$');
  }
  assert.deepEqual(problems, []);
});

/**
 * The keys of the workload file, as the schema's own walk yields them (server/workload/reference.ts
 * generates docs/workload.md's table from it; workload-reference.test.ts keeps that table in step).
 */
const WORKLOAD_KEYS = new Set([...renderFieldReference().matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!));

/** A backticked workload key path: `reports.weekly.paper`, `collectors[].interval`. */
function isKeyPath(text: string): boolean {
  return /^[a-z_]+(\[\])?(\.[a-z_]+(\[\])?)+$/.test(text) && TOP_KEYS.includes(text.split(/[.[]/)[0]!);
}

/** Keys an entry of `collectors:` takes besides the common ones: any collector type's own. */
function collectorTypeKey(rest: string[]): boolean {
  const p = rest.flatMap((seg) => (seg.endsWith('[]') ? [seg.slice(0, -2), 0] : [seg]));
  return [...collectorRegistry.values()].some((def) => schemaAt(def.config, p) !== undefined);
}

function workloadKeyExists(text: string): boolean {
  if (WORKLOAD_KEYS.has(text)) return true;
  const [head, ...rest] = text.split('.');
  return head === 'collectors[]' && rest.length > 0 && collectorTypeKey(rest);
}

const ANSWER_KEYS = answerKeyPaths();

test('every workload key path the docs name in backticks exists in the zod schema', () => {
  assert.ok(WORKLOAD_KEYS.size > 50 && WORKLOAD_KEYS.has('indicators[].slo.objective'), `${WORKLOAD_KEYS.size} keys from the schema`);
  const problems: string[] = [];
  let checked = 0;
  for (const s of SPANS) {
    if (!isKeyPath(s.code)) continue;
    checked++;
    if (!workloadKeyExists(s.code) && !ANSWER_KEYS.has(s.code)) problems.push(`${where(s)}: \`${s.code}\` is not a key of the workload file (nor of an API answer)`);
  }
  assert.ok(checked > 20, `checked ${checked} key paths`);
  assert.deepEqual(problems, []);
  // The checker itself: made-up keys are caught, a collector type's own key is found.
  assert.equal(workloadKeyExists('reports.weekly.papre'), false);
  assert.equal(workloadKeyExists('collectors[].queries'), true);
  assert.equal(workloadKeyExists('collectors[].querys'), false);
  assert.ok(ANSWER_KEYS.has('workload.detail') && !ANSWER_KEYS.has('workload.detial'), 'fields of API answers are known too');
});

// ---------------------------------------------------------------------------------------
// JSON of the HTTP API


test('every JSON example of an API answer or body uses only keys the OpenAPI document declares', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const f of FENCES.filter((x) => x.lang === 'json' || x.lang === 'jsonc')) {
    const route = routeAbove(f);
    if (!route) {
      problems.push(`${f.doc.file}:${f.line}: a JSON example with no route (GET /api/…) or problem+json above it in its section`);
      continue;
    }
    let value: unknown;
    try {
      value = jsonOf(f.body);
    } catch (err) {
      problems.push(`${f.doc.file}:${f.line}: not JSON: ${(err as Error).message}`);
      continue;
    }
    let schema: Schema | undefined;
    if (route === 'problem') schema = OPENAPI.components.schemas.Problem;
    else {
      const op = OPENAPI.paths[route.path]?.[route.method];
      if (!op) {
        problems.push(`${f.doc.file}:${f.line}: ${route.method.toUpperCase()} ${route.path} is not in the OpenAPI document`);
        continue;
      }
      schema = route.method === 'get' ? op.responses?.['200']?.content?.['application/json']?.schema : op.requestBody?.content?.['application/json']?.schema;
    }
    checked++;
    for (const k of undeclaredKeys(value, schema, '$')) problems.push(`${f.doc.file}:${f.line}: ${k} is not in the OpenAPI schema of ${route === 'problem' ? 'Problem' : `${route.method.toUpperCase()} ${route.path}`}`);
  }
  assert.ok(checked >= 4, `checked ${checked} JSON examples`);
  assert.deepEqual(problems, []);
  // The checker itself: a made-up key is caught.
  assert.deepEqual(undeclaredKeys({ type: 'x', titel: 'y' }, OPENAPI.components.schemas.Problem, '$'), ['$.titel']);
});


test('every route the docs name (method and path) is in the OpenAPI document, with the query parameters they name', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const s of SPANS) {
    for (const m of s.code.matchAll(/\b(GET|POST|PUT|PATCH|DELETE) (\/api\/\S*)/g)) {
      const r = docRoute(m[2]!);
      if (!r) continue;
      for (const concrete of r.paths) {
        checked++;
        const hit = OPENAPI_PATHS.find((x) => x.re.test(concrete) && OPENAPI.paths[x.p]![m[1]!.toLowerCase()]);
        if (!hit) {
          problems.push(`${where(s)}: ${m[1]} ${concrete} is not in the OpenAPI document`);
          continue;
        }
        const op = OPENAPI.paths[hit.p]![m[1]!.toLowerCase()];
        const known = new Set(((op.parameters ?? []) as Array<{ name: string; in: string }>).filter((x) => x.in === 'query').map((x) => x.name));
        for (const param of r.params) if (!known.has(param)) problems.push(`${where(s)}: ${m[1]} ${hit.p} has no query parameter "${param}" in the OpenAPI document`);
      }
    }
  }
  assert.ok(checked > 40, `checked ${checked} routes`);
  assert.deepEqual(problems, []);
  // The checker itself.
  assert.deepEqual(docRoute('/api/dora[?service=&window=7d\\|30d]'), { paths: ['/api/dora'], params: ['service', 'window'] });
  assert.deepEqual(docRoute('/api/webhooks/{github,gitlab}.')?.paths, ['/api/webhooks/github', '/api/webhooks/gitlab']);
});


test('every inline JSON answer or body in the docs (`{ "received": 1, … }`) uses only keys the OpenAPI document declares', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const s of SPANS) {
    if (!/^\{\s*"/.test(s.code)) continue;
    let value: unknown;
    try {
      value = jsonOf(s.code);
    } catch {
      continue; // a shape with placeholders (`"risk": "HIGH_RISK" | …`), not JSON
    }
    const route = routeAbove({ doc: s.doc, line: s.line + 1 });
    if (!route || route === 'problem') continue;
    const answer = /\bAnswer\b/i.test(s.source) || route.method === 'get';
    const schema = schemaOf(route, answer);
    if (!schema) {
      problems.push(`${where(s)}: \`${s.code}\`: ${route.method.toUpperCase()} ${route.path} has no JSON ${answer ? 'answer' : 'body'} in the OpenAPI document`);
      continue;
    }
    checked++;
    for (const k of undeclaredKeys(value, schema, '$')) problems.push(`${where(s)}: ${k} is not in the OpenAPI schema of ${route.method.toUpperCase()} ${route.path}`);
  }
  assert.ok(checked >= 2, `checked ${checked} inline JSON examples`);
  assert.deepEqual(problems, []);
});


test('the JSON examples of GET answers have the keys of the real answers (a running app with events and a review)', async () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  const { runtime } = testRuntime(
    'workload: { id: shop, title: "Web shop" }\nindicators:\n  - { id: up, title: Up, pillar: reliability, unit: ratio, series: up, objective: { min: 1 } }\n',
    {},
    { now: () => now },
  );
  const H = 3_600_000;
  runtime.events.upsertEvents([
    { kind: 'deployment', source: 'ci', externalId: 'd1', service: 'checkout', environment: 'production', status: 'success', startedAt: now - 30 * H, endedAt: now - 29 * H, attrs: { commits: [{ sha: 'a1', at: now - 40 * H }], url: 'https://ci.example.com/1' } },
    { kind: 'incident', source: 'pd', externalId: 'i1', service: 'checkout', startedAt: now - 20 * H, endedAt: now - 19 * H, title: 'Errors', attrs: { deployment: 'ci:d1' } },
  ]);
  runtime.load(false, { evaluate: true });
  runtime.review.answer('wellarchitected', 'ops_health', { choices: [] }, 'docs');
  runtime.review.importLens({ body: fullLens(), id: 'company-policy-abc' }); // a lens with a pillar of its own
  runtime.review.createMilestone('docs');
  const app = createApp(runtime.apiDeps());
  const problems: string[] = [];
  let checked = 0;
  {
    for (const f of FENCES.filter((x) => x.lang === 'json' || x.lang === 'jsonc')) {
      const route = routeAbove(f);
      if (!route || route === 'problem' || route.method !== 'get' || route.path.includes('{')) continue;
      const res = await request(app).get(`${route.path}?from=${new Date(now - 48 * H).toISOString()}`);
      if (res.status !== 200) {
        problems.push(`${f.doc.file}:${f.line}: GET ${route.path} answered ${res.status}`);
        continue;
      }
      checked++;
      for (const k of missingFromReal(jsonOf(f.body), res.body, '$')) problems.push(`${f.doc.file}:${f.line}: GET ${route.path}: ${k.includes(': ') ? k : `${k} is not in the real answer`}`);
    }
  }
  assert.ok(checked >= 3, `compared ${checked} examples with real answers`);
  assert.deepEqual(problems, []);
  assert.deepEqual(missingFromReal({ a: 1, b: [{ c: 1 }] }, { a: 2, b: [{ d: 1 }] }, '$'), ['$.b[0].c']);
});

/** Every key of a JSON value, at any depth (list elements included). */
function keysDeep(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(keysDeep);
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => [k, ...keysDeep(x)]);
}

test('the keys docs/api.md lists for GET /api/collectors are those of a real answer and of the OpenAPI schema', () => {
  const api = DOCS.find((d) => d.file === 'docs/api.md')!;
  const start = api.text.indexOf('`GET /api/collectors` returns');
  assert.ok(start >= 0, 'docs/api.md describes GET /api/collectors');
  const documented = new Set(codeSpans(api.text.slice(start, api.text.indexOf('\n\n', start))));
  // The route's own view of a collector that has run and is backfilling (server/api/routes/collectors.ts).
  const run = { startedAt: 0, durationMs: 12, ok: false, error: 'down', samplesWritten: 0 };
  const status = { id: 'c', type: 'prometheus', intervalMs: 1000, timeoutMs: 1000, running: false, consecutiveFailures: 1, nextRunAt: 0, lastRun: run, lastSuccess: run, lastError: 'down' };
  const real = collectorView(status, backfillStatus([{ key: 'q', series: ['q'] }], [], { running: true, error: null, nextAttemptAt: null }));
  const realKeys = new Set(keysDeep(real));
  // Every field of the answer is documented; every camelCase name documented is a real field
  // (lowercase words there may be values, such as the backfill states).
  assert.deepEqual([...realKeys].filter((k) => !documented.has(k)), [], 'fields of the real answer that docs/api.md does not name');
  assert.deepEqual([...documented].filter((k) => /^[a-z]+[A-Z]\w*$/.test(k) && !realKeys.has(k)), [], 'names docs/api.md gives that the answer lacks');
  const declared = Object.keys(OPENAPI.components.schemas.Collector!.properties as object).sort();
  assert.deepEqual(Object.keys(real).sort(), declared, 'the OpenAPI Collector schema declares the same keys');
});

// ---------------------------------------------------------------------------------------
// An incident's deployment reference

test('the incident\'s deployment reference the docs name is the one DORA links by', () => {
  const events = DOCS.find((d) => d.file === 'docs/events.md')!;
  const attrsTable = tables(events).find((t) => t.header[0] === 'key' && t.header[1] === 'on');
  assert.ok(attrsTable, 'docs/events.md has the table of attrs conventions');
  const row = attrsTable.rows.find((r) => /\bincident\b/.test(r.cells[1]!) && /deployment/.test(r.cells[2]!));
  assert.ok(row, 'the attrs table says which key of an incident names its deployment');
  const key = codeSpans(row.cells[0]!)[0]!;

  // Every other mention in the docs agrees: `attrs.<key>` / `links.<key>` beside incidents.
  const problems: string[] = [];
  for (const d of DOCS) {
    d.lines.forEach((line, i) => {
      for (const m of line.matchAll(/`attrs\.(\w+)`/g)) {
        if (/incident/i.test(line) && /deploy/i.test(m[1]!) && m[1] !== key) problems.push(`${d.file}:${i + 1}: attrs.${m[1]} (docs/events.md says ${key})`);
      }
    });
  }
  assert.deepEqual(problems, []);

  // And the code: an incident posted through the API as docs/events.md shows (links.<key>)
  // and one with attrs.<key> are both linked explicitly to the deployment they name.
  const now = Date.parse('2026-11-26T12:00:00Z');
  const parse = (input: unknown): StoredEvent => {
    const r = parseApiEvent(input, now);
    assert.ok('event' in r, JSON.stringify(r));
    return { ...r.event, id: 0, receivedAt: now, updatedAt: now };
  };
  const deployment = parse({ kind: 'deployment', id: 'build-1', source: 'ci', service: 'shop', environment: 'production', start: '2026-11-26T09:00:00Z', status: 'success' });
  const viaLinks = parse({ kind: 'incident', id: 'inc-1', source: 'pd', service: 'shop', start: '2026-11-26T10:00:00Z', links: { [key]: 'ci:build-1' } });
  assert.equal(viaLinks.attrs?.[key], 'ci:build-1', `links.${key} is stored as attrs.${key}`);
  const report = computeDerived([deployment, viaLinks], now, DEFAULT_DERIVED_SETTINGS);
  assert.deepEqual(report.incidentLinks, { explicit: 1, previous: 0, unresolved: 0, none: 0 });
  const wrongName = computeDerived([deployment, { ...viaLinks, attrs: { deploymentId: 'ci:build-1' } }], now, DEFAULT_DERIVED_SETTINGS);
  assert.equal(wrongName.incidentLinks.explicit, 0, 'another key name is not a deployment reference');

  // The CLI flag that sets it is documented under that name too.
  const add = findSub(findSub(program, 'event')!, 'add')!;
  assert.ok(flagsOf(add).has(`--${key}`), `pillarboard event add has --${key}`);
  assert.match(events.text, new RegExp(`\`--${key}\``));
});

test('the environment variables the settings read are documented, and every PILLARBOARD_* variable the docs name is read by the code', () => {
  const settings = fs.readFileSync(path.join(ROOT, 'server', 'settings.ts'), 'utf8');
  const read = [...new Set([...settings.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!))].filter((v) => v !== 'NODE_ENV');
  assert.ok(read.length >= 8, read.join(', '));
  const docs = DOCS.map((d) => d.text).join('\n');
  assert.deepEqual(read.filter((v) => !new RegExp(`\\b${v}\\b`).test(docs)), [], 'read by server/settings.ts but not documented');
  const code = sourceText(['server', 'collectors']);
  const named = [...new Set([...docs.matchAll(/\bPILLARBOARD_[A-Z0-9_]+\b/g)].map((m) => m[0]))];
  assert.deepEqual(named.filter((v) => !code.includes(v)), [], 'documented but read nowhere');
});

/** Every .ts file under the given folders, concatenated. */
function sourceText(dirs: string[]): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  for (const d of dirs) walk(path.join(ROOT, d));
  return out.join('\n');
}

test('docs discovered: README.md and every docs/*.md were read', () => {
  const files = DOCS.map((d: DocFile) => d.file);
  assert.ok(files.includes('README.md') && files.includes('docs/events.md') && files.includes('docs/workload.md'), files.join(', '));
});
