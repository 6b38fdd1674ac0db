import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../server/store/index.js';
import { formatWeek, lastCompletedWeek, weekContaining } from '../server/reports/week.js';
import { readBody, serve, type LocalServer } from './support/local-server.js';
import { tempDir } from './support/tmp.js';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'server', 'cli.ts');

/** Runs the CLI without blocking this process (the webhook receiver below must answer meanwhile). */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { ...process.env, PILLARBOARD_LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

const received: string[] = [];
let receiver: LocalServer;
const dir = tempDir();
const config = path.join(dir, 'w.yaml');
const db = path.join(dir, 'pb.db');

const WORKLOAD = (hookUrl?: string) => `workload: { id: cli-shop, title: "CLI shop" }
indicators:
  - { id: up, title: Up, pillar: reliability, unit: ratio, series: up, objective: { min: 1 } }
outcomes:
  - { id: online, title: "The shop is online", indicators: [up] }
${hookUrl ? `reports:\n  weekly:\n    webhooks: [ { url: "${hookUrl}", format: slack } ]\n` : ''}`;

before(async () => {
  receiver = await serve(async (req, res) => {
    received.push(await readBody(req));
    res.writeHead(200).end('ok');
  });
  fs.writeFileSync(config, WORKLOAD());
  openStore({ path: db, now: Date.now }).close(); // as `pillarboard migrate` leaves it: `report` refuses a missing database
});
after(() => receiver.close());

const last = formatWeek(lastCompletedWeek(Date.now(), 'UTC'));
const current = formatWeek(weekContaining(Date.now(), 'UTC'));

test('report --week with a malformed or future week exits 2 with a clear message', async () => {
  const bad = await cli(['report', '--config', config, '--db', db, '--week', '2026-W54']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--week: "2026-W54": 2026 has ISO weeks 01 to 53/);
  const future = await cli(['report', '--config', config, '--db', db, '--week', current]);
  assert.equal(future.code, 2);
  assert.match(future.stderr, new RegExp(`${current} has not ended yet .* the latest complete week is ${last}`));
  const malformed = await cli(['report', '--config', config, '--db', db, '--week', 'W47']);
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /not an ISO week; write it as YYYY-Www/);
});

test('report prints Markdown of the last complete week by default and archives it', async () => {
  const r = await cli(['report', '--config', config, '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^# CLI shop — weekly report ${last}`));
  assert.match(r.stdout, /No data for this week/);
  const conn = new Database(db, { readonly: true });
  try {
    assert.deepEqual(conn.prepare('SELECT week, trigger FROM reports').all(), [{ week: last, trigger: 'cli' }]);
  } finally {
    conn.close();
  }
});

test('report --format pdf needs --out, and without Chromium fails with the install hint while html still works', async () => {
  const noOut = await cli(['report', '--config', config, '--db', db, '--format', 'pdf']);
  assert.equal(noOut.code, 2);
  assert.match(noOut.stderr, /--format pdf writes a binary file: give --out FILE/);
  const out = path.join(dir, 'r.pdf');
  const pdf = await cli(['report', '--config', config, '--db', db, '--format', 'pdf', '--out', out], { PILLARBOARD_CHROMIUM: '/nonexistent/chromium' });
  assert.equal(pdf.code, 1);
  assert.match(pdf.stderr, /PDF reports need Chromium: PILLARBOARD_CHROMIUM=\/nonexistent\/chromium does not exist; install Chromium \(Debian\/Ubuntu: apt-get install chromium\)/);
  assert.ok(!fs.existsSync(out));
  const html = path.join(dir, 'r.html');
  const ok = await cli(['report', '--config', config, '--db', db, '--format', 'html', '--out', html], { PILLARBOARD_CHROMIUM: '/nonexistent/chromium' });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(fs.readFileSync(html, 'utf8'), /^<!DOCTYPE html>/);
  const json = await cli(['report', '--config', config, '--db', db, '--format', 'json']);
  assert.equal(JSON.parse(json.stdout).schemaVersion, 1);
});

test('report --week current prints this week so far, labelled partial, and archives nothing', async () => {
  const before = new Database(db, { readonly: true });
  const archived = before.prepare('SELECT week FROM reports ORDER BY week').pluck().all();
  before.close();
  const r = await cli(['report', '--config', config, '--db', db, '--week', 'current', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const data = JSON.parse(r.stdout);
  assert.equal(data.week, current);
  assert.equal(data.partial, true);
  assert.ok(Date.parse(data.asOf) > Date.parse(data.from) && Date.parse(data.asOf) < Date.parse(data.to), 'asOf lies within the week');
  assert.match(r.stderr, /a partial report, not archived/);
  const md = await cli(['report', '--config', config, '--db', db, '--week', 'current']);
  assert.match(md.stdout, /^# CLI shop — Week \d{1,2}, \d{4} — so far \(to [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}\)\n/);
  const after = new Database(db, { readonly: true });
  try {
    assert.deepEqual(after.prepare('SELECT week FROM reports ORDER BY week').pluck().all(), archived);
  } finally {
    after.close();
  }
});

test('report --send delivers through the configured webhook, and without channels exits 2', async () => {
  const none = await cli(['report', '--config', config, '--db', db, '--send']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no delivery channel is configured/);
  const withHook = path.join(dir, 'hook.yaml');
  fs.writeFileSync(withHook, WORKLOAD(`${receiver.url}/hook`));
  const r = await cli(['report', '--config', withHook, '--db', db, '--send', '--format', 'json', '--out', path.join(dir, 'r.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /sent via slack-1/);
  assert.match((JSON.parse(received.at(-1)!) as { text: string }).text, new RegExp(`CLI shop — weekly report ${last}`));
});
