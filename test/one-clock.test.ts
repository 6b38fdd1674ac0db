import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

/**
 * One clock (STYLE.md point 15, docs/design.md "One clock"): server code reads the time and
 * waits only through the injected Clock. This parses every .ts file under server/ and
 * collectors/ and fails on a direct reading of the wall clock or a bare timer outside the
 * places docs/design.md lists as staying on real time.
 */

const root = path.resolve(__dirname, '..');

type Kind = 'Date.now' | 'new Date()' | 'Date()' | 'setTimeout' | 'setInterval' | 'AbortSignal.timeout' | 'performance.now' | 'process.hrtime' | 'node:timers';

/** Where each kind may appear, and why (docs/design.md, "What stays on real time"). */
const ALLOWED: Array<{ file: RegExp; kinds: Kind[] | 'all' }> = [
  { file: /^server\/clock\.ts$/, kinds: 'all' }, // the system clock itself
  { file: /^server\/log\.ts$/, kinds: ['new Date()'] }, // a log line's own timestamp
  { file: /^server\/evaluation\/engine\.ts$/, kinds: ['performance.now'] }, // the pass's duration, a figure
  // Collectors measure the outside world in real time (probe latency and bounds, the CPU window).
  { file: /^collectors\//, kinds: ['AbortSignal.timeout', 'performance.now', 'node:timers'] },
];

/** Every direct use of time in `text`, as [kind, line]. */
export function timeUses(fileName: string, text: string): Array<[Kind, number]> {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Array<[Kind, number]> = [];
  const at = (n: ts.Node, kind: Kind) => out.push([kind, sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1]);
  const isId = (n: ts.Node, name: string) => ts.isIdentifier(n) && n.text === name;
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n)) {
      const obj = n.expression;
      const name = n.name.text;
      if (isId(obj, 'Date') && name === 'now') at(n, 'Date.now');
      if (isId(obj, 'AbortSignal') && name === 'timeout') at(n, 'AbortSignal.timeout');
      if (isId(obj, 'performance') && name === 'now') at(n, 'performance.now');
      if (isId(obj, 'process') && name === 'hrtime') at(n, 'process.hrtime');
      if (isId(obj, 'globalThis') && (name === 'setTimeout' || name === 'setInterval')) at(n, name);
    } else if (ts.isNewExpression(n) && isId(n.expression, 'Date') && (n.arguments?.length ?? 0) === 0) {
      at(n, 'new Date()');
    } else if (ts.isCallExpression(n)) {
      if (isId(n.expression, 'Date')) at(n, 'Date()');
      if (isId(n.expression, 'setTimeout')) at(n, 'setTimeout');
      if (isId(n.expression, 'setInterval')) at(n, 'setInterval');
    } else if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      if (/^(node:)?timers(\/promises)?$/.test(n.moduleSpecifier.text)) at(n, 'node:timers');
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sourceFiles(rel));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

test('the scanner finds each direct use of time, and not the clock-bound or harmless ones', () => {
  const uses = timeUses(
    'x.ts',
    [
      "import { setTimeout as sleep } from 'node:timers/promises';",
      'const a = Date.now();',
      'const b = { now: Date.now };',
      'const c = new Date();',
      'const d = new Date(0);',
      'setTimeout(() => {}, 5);',
      'globalThis.setInterval(() => {}, 5);',
      'clock.setTimeout(() => {}, 5);',
      'fetch(u, { signal: AbortSignal.timeout(5) });',
      'const e = performance.now();',
      'setImmediate(() => {});',
      'const s = Date(); // a string of now',
    ].join('\n'),
  );
  assert.deepEqual(uses, [
    ['node:timers', 1],
    ['Date.now', 2],
    ['Date.now', 3],
    ['new Date()', 4],
    ['setTimeout', 6],
    ['setInterval', 7],
    ['AbortSignal.timeout', 9],
    ['performance.now', 10],
    ['Date()', 12],
  ]);
});

test('server and collector code reads the time and waits only through the injected clock, outside the documented exceptions', () => {
  const offences: string[] = [];
  for (const rel of [...sourceFiles('server'), ...sourceFiles('collectors')]) {
    const uses = timeUses(rel, fs.readFileSync(path.join(root, rel), 'utf8'));
    for (const [kind, line] of uses) {
      const ok = ALLOWED.some((a) => a.file.test(rel) && (a.kinds === 'all' || a.kinds.includes(kind)));
      if (!ok) offences.push(`${rel}:${line}: ${kind} (take the runtime's Clock, or its \`now\`, instead; docs/design.md "One clock")`);
    }
  }
  assert.deepEqual(offences, []);
});
