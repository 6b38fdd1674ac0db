import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './support/tmp.js';

const CLI = path.resolve(__dirname, '..', 'server', 'cli.ts');
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_ENV: 'test' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('pillarboard backfill --help documents --collector, --since, --config and --db', () => {
  const r = cli(['backfill', '--help']);
  assert.equal(r.code, 0);
  for (const flag of ['--collector <id>', '--since <duration>', '--config <file>', '--db <file>']) assert.ok(r.stdout.includes(flag), r.stdout);
  assert.match(cli(['--help']).stdout, /\bbackfill\b/);
});

test('pillarboard backfill exits 2 naming --since when the duration is invalid, before touching the database', () => {
  const dir = tempDir();
  const config = path.join(dir, 'w.yaml');
  fs.writeFileSync(config, 'workload: { id: w, title: W }\ncollectors:\n  - { id: prom, type: prometheus, url: "http://127.0.0.1:9", queries: { up: up } }\n');
  const db = path.join(dir, 'pb.db');
  const r = cli(['backfill', '--since', '3 weeks', '--config', config, '--db', db]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--since "3 weeks"/);
  assert.equal(fs.existsSync(db), false);
});
