import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { freePort } from './support/real-binaries.js';
import { tempDir, waitFor } from './support/tmp.js';

/** Issue 12, finding 9 and item 7: shutdown with an unreachable OTLP endpoint; unusable database files. */
const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'server', 'cli.ts');
const WORKLOAD = 'workload: { id: faults, title: Faults }\ncollectors:\n  - { id: host, type: host, interval: 1s, jitter: 0 }\n';
const testEnv = { ...process.env, PILLARBOARD_WATCH: 'false', NODE_ENV: 'test' };

test('SIGTERM exits 0 when the database closed cleanly even though the OTLP endpoint is unreachable', async () => {
  const dir = tempDir();
  const config = path.join(dir, 'w.yaml');
  fs.writeFileSync(config, WORKLOAD);
  const port = await freePort();
  const nobody = await freePort(); // nothing listens there
  const env: Record<string, string | undefined> = {
    ...process.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${nobody}`,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    PORT: String(port),
    PILLARBOARD_WATCH: 'false',
  };
  delete env.NODE_ENV;
  delete env.OTEL_SDK_DISABLED;
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', config, '--db', path.join(dir, 'pb.db'), '--host', '127.0.0.1'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/api/collectors`).catch(() => null))?.ok === true, 30_000, 'server up');
  for (let i = 0; i < 5; i++) await fetch(`http://127.0.0.1:${port}/api/collectors`);
  // Spans are pending export to an endpoint that refuses connections.
  await new Promise((r) => setTimeout(r, 1500));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, log);
  assert.match(log, /shutting down/);
  assert.doesNotMatch(log, /shutdown failed/);
});

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', env: testEnv, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a corrupt database file gives one line naming the file and what to do, exit 2, for serve and collect', () => {
  const dir = tempDir();
  const config = path.join(dir, 'w.yaml');
  fs.writeFileSync(config, WORKLOAD);
  const db = path.join(dir, 'pb.db');
  fs.writeFileSync(db, Buffer.alloc(8192, 'garbage! '));
  for (const args of [['serve', '--port', '0'], ['collect', '--once']]) {
    const r = cli([...args, '--config', config, '--db', db]);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line, no stack trace: ${r.stderr}`);
    assert.match(lines[0]!, new RegExp(`${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a usable SQLite database`));
    assert.match(lines[0]!, /restore it from a backup/);
  }
  assert.equal(fs.existsSync(`${db}.lock`), false, 'the writer lock is given back');
});

test('a read-only database gives one line naming the file and what to do, exit 2', () => {
  const dir = tempDir();
  fs.chmodSync(dir, 0o777);
  const config = path.join(dir, 'w.yaml');
  fs.writeFileSync(config, WORKLOAD);
  const db = path.join(dir, 'pb.db');
  assert.equal(cli(['collect', '--once', '--config', config, '--db', db]).code, 0);
  fs.chmodSync(db, 0o444);
  // Root writes whatever the permissions say: run the command as nobody then.
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  // nobody must be able to read the checkout (a clone inside a 0700 folder, e.g. mktemp -d, is not).
  const readable = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(CLI)}, require('fs').constants.R_OK)`], { ...asNobody });
  assert.equal(readable.status, 0, `this test runs the CLI as nobody (uid 65534), who cannot read ${CLI}: make the checkout's folders readable (chmod o+rx)`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'collect', '--once', '--config', config, '--db', db], {
    encoding: 'utf8',
    env: testEnv,
    timeout: 60_000,
    ...asNobody,
  });
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, new RegExp(`^pillarboard: ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is read-only .*write permission`));
});
