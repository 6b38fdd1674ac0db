import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

/**
 * Floors, not a web (STYLE.md point 14): the folder order is read from docs/design.md
 * ("Floors: imports go one way"), every .ts file's imports are parsed with the TypeScript
 * compiler, and an import that goes up a floor or closes a cycle between folders fails.
 */

const root = path.resolve(__dirname, '..');
const SOURCE_DIRS = ['collectors', 'server', 'web/src'];

/** Every module a file names: static imports, `export … from`, `import()` calls, `import('…')` types, `import x = require()`. */
export function importsOf(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      out.push(n.moduleSpecifier.text);
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const a = n.arguments[0];
      if (a && ts.isStringLiteralLike(a)) out.push(a.text);
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      out.push(n.argument.literal.text);
    } else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) && ts.isStringLiteral(n.moduleReference.expression)) {
      out.push(n.moduleReference.expression.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** The folder a repository-relative path belongs to: `collectors`, `web`, or `server/<folder or root file>`. */
export function unitOf(rel: string): string | null {
  const parts = rel.split('/');
  if (parts[0] === 'collectors') return 'collectors';
  if (parts[0] === 'web' && parts[1] === 'src') return 'web';
  if (parts[0] === 'server' && parts.length >= 2) return `server/${parts[1]!.replace(/\.(ts|js)$/, '')}`;
  return null;
}

export interface Layers {
  /** Top-level folders, bottom first. */
  top: string[];
  /** Folder → floor number (0 = bottom). */
  floor: Map<string, number>;
}

/** Reads the `layers` and `floors` blocks of docs/design.md. */
export function readLayers(markdown: string): Layers {
  const block = (lang: string): string[] => {
    const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(markdown);
    assert.ok(m, `docs/design.md has no \`\`\`${lang} block`);
    return m[1]!.split('\n').map((l) => l.trim()).filter(Boolean);
  };
  const top = block('layers').reverse();
  const floorsTopFirst = block('floors');
  const floor = new Map<string, number>();
  floorsTopFirst.forEach((line, i) => {
    for (const unit of line.split(/\s+/)) {
      assert.ok(!floor.has(unit), `docs/design.md places ${unit} on two floors`);
      floor.set(unit, floorsTopFirst.length - 1 - i);
    }
  });
  return { top, floor };
}

export interface Edge {
  from: string;
  to: string;
  /** `file -> specifier`, for the message. */
  via: string;
}

/** Folder-to-folder edges of a set of files (repository-relative path → source text). */
export function edgesOf(files: Map<string, string>): { edges: Edge[]; unplaced: string[] } {
  const edges: Edge[] = [];
  const unplaced: string[] = [];
  for (const [rel, text] of files) {
    const from = unitOf(rel);
    if (!from) continue;
    for (const spec of importsOf(rel, text)) {
      if (!spec.startsWith('.')) continue; // packages and node: builtins
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec));
      const to = unitOf(target);
      if (to === null) {
        unplaced.push(`${rel} -> ${spec} (outside collectors/, server/, web/src/)`);
        continue;
      }
      if (to !== from) edges.push({ from, to, via: `${rel} -> ${spec}` });
    }
  }
  return { edges, unplaced };
}

/** Cycles among folders (strongly connected components of more than one folder), each with the edges inside it. */
export function cyclesOf(edges: Edge[]): Edge[][] {
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  // Tarjan's algorithm; the graph is a few dozen folders, recursion depth is no concern.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const sccs: string[][] = [];
  let next = 0;
  const strong = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of out.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) sccs.push(scc);
    }
  };
  for (const v of nodes) if (!index.has(v)) strong(v);
  return sccs.map((scc) => {
    const inside = new Set(scc);
    return edges.filter((e) => inside.has(e.from) && inside.has(e.to));
  });
}

/** Every breach of the layering, one line each; empty when the code keeps to the floors. */
export function layerViolations(files: Map<string, string>, layers: Layers): string[] {
  const problems: string[] = [];
  const { edges, unplaced } = edgesOf(files);
  problems.push(...unplaced);
  const topOf = (unit: string) => unit.split('/')[0]!;
  const topRank = (unit: string) => layers.top.indexOf(topOf(unit));

  for (const rel of files.keys()) {
    const unit = unitOf(rel);
    if (unit && !layers.floor.has(unit) && unit !== 'web') problems.push(`${rel}: folder ${unit} has no floor in docs/design.md`);
    if (unit && topRank(unit) < 0) problems.push(`${rel}: top-level folder ${topOf(unit)} is not listed in docs/design.md`);
  }
  const seen = new Set<string>();
  const once = (line: string) => {
    if (!seen.has(line)) {
      seen.add(line);
      problems.push(line);
    }
  };
  for (const e of edges) {
    if (topRank(e.to) > topRank(e.from)) once(`upward import ${topOf(e.from)} -> ${topOf(e.to)}: ${e.via}`);
    const a = layers.floor.get(e.from);
    const b = layers.floor.get(e.to);
    if (a !== undefined && b !== undefined && b > a) once(`upward import ${e.from} (floor ${a}) -> ${e.to} (floor ${b}): ${e.via}`);
  }
  const topEdges = edges.filter((e) => topOf(e.from) !== topOf(e.to)).map((e) => ({ ...e, from: topOf(e.from), to: topOf(e.to) }));
  for (const cycle of [...cyclesOf(topEdges), ...cyclesOf(edges.filter((e) => e.from.startsWith('server/') && e.to.startsWith('server/')))]) {
    once(`import cycle between ${[...new Set(cycle.map((e) => e.from))].sort().join(', ')}:\n  ${cycle.map((e) => e.via).join('\n  ')}`);
  }
  return problems;
}

function sourceFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(rel);
      } else if (entry.name.endsWith('.ts')) {
        files.set(rel, fs.readFileSync(path.join(root, rel), 'utf8'));
      }
    }
  };
  for (const d of SOURCE_DIRS) walk(d);
  return files;
}

const designLayers = () => readLayers(fs.readFileSync(path.join(root, 'docs/design.md'), 'utf8'));

test('no import goes up a floor or closes a cycle between folders in collectors/, server/ and web/src/', () => {
  const files = sourceFiles();
  assert.ok(files.size > 100, `found only ${files.size} .ts files`);
  const problems = layerViolations(files, designLayers());
  assert.deepEqual(problems, [], `layering broken (order: docs/design.md "Floors"):\n${problems.join('\n')}`);
});

test('every server folder and root file has a floor in docs/design.md, and every listed floor exists', () => {
  const layers = designLayers();
  const units = new Set([...sourceFiles().keys()].map(unitOf).filter((u): u is string => u !== null && u !== 'web'));
  assert.deepEqual([...units].filter((u) => !layers.floor.has(u)).sort(), []);
  assert.deepEqual([...layers.floor.keys()].filter((u) => !units.has(u)).sort(), []);
});

test('the checker flags an upward import, a cycle on one floor, a dynamic import and a type-only import() going up', () => {
  const layers: Layers = {
    top: ['collectors', 'server', 'web'],
    floor: new Map([
      ['collectors', 0],
      ['server/store', 1],
      ['server/events', 2],
      ['server/review', 2],
      ['server/api', 3],
      ['server/log', 0],
    ]),
  };
  const files = new Map([
    ['server/store/a.ts', "import { x } from '../api/x.js';"],
    ['server/events/b.ts', "export { y } from '../review/y.js';"],
    ['server/review/c.ts', "const m = await import('../events/m.js');"],
    ['server/store/d.ts', "let t: typeof import('../events/t.js');"],
    ['collectors/e.ts', "import type { S } from '../server/store/s.js';"],
    ['server/api/ok.ts', "import { log } from '../log.js'; import 'node:fs'; import z from 'zod';"],
  ]);
  const problems = layerViolations(files, layers);
  const has = (re: RegExp) => assert.ok(problems.some((p) => re.test(p)), `${re} not in:\n${problems.join('\n')}`);
  has(/^upward import server\/store \(floor 1\) -> server\/api \(floor 3\): server\/store\/a\.ts/);
  has(/^upward import server\/store \(floor 1\) -> server\/events \(floor 2\): server\/store\/d\.ts/);
  has(/^upward import collectors -> server: collectors\/e\.ts/);
  has(/^import cycle between server\/events, server\/review:\n {2}server\/events\/b\.ts -> \.\.\/review\/y\.js\n {2}server\/review\/c\.ts -> \.\.\/events\/m\.js/);
  assert.ok(!problems.some((p) => p.includes('server/api/ok.ts')), problems.join('\n'));
});

test('readLayers refuses a folder placed on two floors', () => {
  assert.throws(() => readLayers('```layers\nserver\n```\n```floors\nserver/a\nserver/a server/b\n```\n'), /server\/a on two floors/);
});
