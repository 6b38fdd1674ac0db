import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

/**
 * Owners own their tables: only the folder docs/store.md names as a table's owner issues SQL
 * naming it. Everyone else goes through the owner's methods.
 */

const root = path.resolve(__dirname, '..');

/** Table → owner folder, from the `owners` block of docs/store.md. */
export function readOwners(markdown: string): Map<string, string> {
  const m = /```owners\n([\s\S]*?)```/.exec(markdown);
  assert.ok(m, 'docs/store.md has no ```owners block');
  const owners = new Map<string, string>();
  for (const line of m[1]!.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const [tables, owner] = line.split(':').map((s) => s.trim());
    assert.ok(tables && owner, `owners line without "tables: folder": ${line}`);
    for (const t of tables.split(/\s+/)) {
      assert.ok(!owners.has(t), `table ${t} has two owners in docs/store.md`);
      owners.set(t, owner);
    }
  }
  return owners;
}

const SQL_START = /^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|WITH|PRAGMA)\b/i;
const TABLE_REF = /\b(?:FROM|JOIN|INTO|UPDATE|TABLE(?:\s+IF\s+(?:NOT\s+)?EXISTS)?)\s+["`]?([A-Za-z_][A-Za-z0-9_]*)/gi;

/** The SQL strings of one file (string and template literals starting with a SQL verb; `${…}` read as a blank). */
export function sqlStrings(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    let s: string | null = null;
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) s = n.text;
    else if (ts.isTemplateExpression(n)) s = n.head.text + n.templateSpans.map((span) => ` _ ${span.literal.text}`).join('');
    if (s !== null && SQL_START.test(s)) out.push(s);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** `file: SQL names table (owner: folder)` for every SQL string naming a table outside its owner. */
export function ownershipViolations(files: Map<string, string>, owners: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [rel, text] of files) {
    for (const sql of sqlStrings(rel, text)) {
      for (const m of sql.matchAll(TABLE_REF)) {
        const table = m[1]!.toLowerCase();
        const owner = owners.get(table);
        if (owner !== undefined && !rel.startsWith(`${owner}/`)) {
          problems.push(`${rel}: SQL names ${table} (owner: ${owner}): ${sql.replace(/\s+/g, ' ').trim().slice(0, 100)}`);
        }
      }
    }
  }
  return problems;
}

function serverFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts')) files.set(rel, fs.readFileSync(path.join(root, rel), 'utf8'));
    }
  };
  walk('server');
  return files;
}

const owners = () => readOwners(fs.readFileSync(path.join(root, 'docs/store.md'), 'utf8'));

test('no module outside a table\'s owner issues SQL naming that table', () => {
  const files = serverFiles();
  const sqlCount = [...files].reduce((n, [rel, text]) => n + sqlStrings(rel, text).length, 0);
  assert.ok(sqlCount > 50, `found only ${sqlCount} SQL strings in server/: is the scanner blind?`);
  assert.deepEqual(ownershipViolations(files, owners()), []);
});

test('every table the migrations create has exactly one owner in docs/store.md, and every owner folder exists', () => {
  const created = new Set<string>();
  for (const f of fs.readdirSync(path.join(root, 'migrations')).filter((n) => n.endsWith('.sql'))) {
    const sql = fs.readFileSync(path.join(root, 'migrations', f), 'utf8');
    for (const m of sql.matchAll(/\bCREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?["`]?([A-Za-z_][A-Za-z0-9_]*)/gi)) created.add(m[1]!.toLowerCase());
  }
  assert.ok(created.size > 10, `found only ${created.size} tables in migrations/`);
  const map = owners();
  assert.deepEqual([...created].filter((t) => !map.has(t)).sort(), [], 'tables without an owner');
  for (const folder of new Set(map.values())) assert.ok(fs.statSync(path.join(root, folder)).isDirectory(), `${folder} is not a folder`);
});

test('the scan flags SQL naming another folder\'s table, in strings and templates, and ignores prose and the owner itself', () => {
  const map = new Map([
    ['collector_runs', 'server/store'],
    ['indicator_transitions', 'server/evaluation'],
  ]);
  const files = new Map([
    ['server/reports/a.ts', 'db.prepare(`SELECT ${COLS} FROM collector_runs WHERE collector_id = ?`);'],
    ['server/reports/b.ts', "db.prepare('SELECT t.at FROM series s JOIN indicator_transitions t ON 1');"],
    ['server/reports/c.ts', "throw new Error('could not read runs from collector_runs');"],
    ['server/store/d.ts', "db.prepare('DELETE FROM collector_runs WHERE started_at < ?');"],
  ]);
  const problems = ownershipViolations(files, map);
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0]!, /^server\/reports\/a\.ts: SQL names collector_runs \(owner: server\/store\)/);
  assert.match(problems[1]!, /^server\/reports\/b\.ts: SQL names indicator_transitions \(owner: server\/evaluation\)/);
});
