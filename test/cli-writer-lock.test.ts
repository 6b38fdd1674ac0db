import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { acquireWriterLock, lockPathFor, WriterLockError } from '../server/store/writerLock.js';
import { freePort } from './support/real-binaries.js';
import { tempDir, waitFor } from './support/tmp.js';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'server', 'cli.ts');
const env = { ...process.env, PILLARBOARD_LOG_LEVEL: 'info', PILLARBOARD_WATCH: 'false', NODE_ENV: 'test' };

const HOST_ONLY = `workload: { id: lock-test, title: "Lock test" }
collectors:
  - { id: host, type: host, interval: 60s }
`;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a second serve or collect on the same database exits 2 naming the running one; read-only commands still work', async () => {
  const dir = tempDir();
  const config = path.join(dir, 'w.yaml');
  const db = path.join(dir, 'pb.db');
  fs.writeFileSync(config, HOST_ONLY);
  const port = await freePort();
  const first = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', config, '--db', db, '--host', '127.0.0.1', '--port', String(port)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  first.stdout!.on('data', (d) => (log += d));
  first.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((r) => first.on('exit', (code) => r(code)));
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok === true, 30_000, 'first serve ready');

    const second = cli(['serve', '--config', config, '--db', db, '--host', '127.0.0.1', '--port', String(await freePort())]);
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`in use by pillarboard serve \\(pid ${first.pid} on ${os.hostname()}, started \\d{4}-\\d\\d-\\d\\dT`));
    assert.doesNotMatch(second.stderr, /\n\s+at /, 'no stack trace');

    const collect = cli(['collect', '--once', '--config', config, '--db', db]);
    assert.equal(collect.code, 2, collect.stderr);
    assert.match(collect.stderr, new RegExp(`pid ${first.pid}`));

    // Readers and one-shot writers work beside the server.
    const list = cli(['token', 'list', '--db', db]);
    assert.equal(list.code, 0, list.stderr);
    const backup = cli(['backup', path.join(dir, 'copy.db'), '--db', db]);
    assert.equal(backup.code, 0, backup.stderr);
    assert.ok((await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 'the first server is still running');
  } finally {
    first.kill('SIGTERM');
  }
  assert.equal(await exited, 0, log);
  assert.equal(fs.existsSync(lockPathFor(db)), false, 'a clean shutdown removes the lock');
});

test('a lock left by a killed process is taken over', async () => {
  const dir = tempDir();
  const config = path.join(dir, 'w.yaml');
  const db = path.join(dir, 'pb.db');
  fs.writeFileSync(config, HOST_ONLY);
  const port = await freePort();
  const first = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', config, '--db', db, '--host', '127.0.0.1', '--port', String(port)], { env, stdio: 'ignore' });
  const exited = new Promise((r) => first.on('exit', r));
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok === true, 30_000, 'serve ready');
  first.kill('SIGKILL');
  await exited;
  assert.ok(fs.existsSync(lockPathFor(db)), 'SIGKILL leaves the lock behind');
  const r = cli(['collect', '--once', '--config', config, '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /host\s+host\s+ok/);
});

test('acquireWriterLock refuses a live holder and a holder on another host, and releases only its own lock', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-lock-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = path.join(dir, 'x.db');
  const mine = acquireWriterLock(db, { command: 'serve', now: Date.now, pid: 4242, isAlive: () => false });
  assert.throws(
    () => acquireWriterLock(db, { command: 'collect', now: Date.now, isAlive: (pid) => pid === 4242 }),
    (err: unknown) => err instanceof WriterLockError && /pid 4242/.test(err.message) && err.holder?.pid === 4242,
  );
  fs.writeFileSync(lockPathFor(db), JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: 0, command: 'serve' }));
  assert.throws(() => acquireWriterLock(db, { command: 'serve', now: Date.now, isAlive: () => false }), /on elsewhere.*remove .*x\.db\.lock/);
  mine.release();
  assert.ok(fs.existsSync(lockPathFor(db)), "release leaves another holder's lock alone");
});

test('an unreadable lock file younger than 2 s (by the injected clock) is refused as being opened; an older one is taken over', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-lock-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = path.join(dir, 'x.db');
  fs.writeFileSync(lockPathFor(db), '{"pid": 12'); // half-written by a process that is creating it
  const mtime = fs.statSync(lockPathFor(db)).mtimeMs;
  assert.throws(
    () => acquireWriterLock(db, { command: 'serve', now: () => mtime + 1_999 }),
    /x\.db is being opened by another process .*just created.*try again/,
  );
  const lock = acquireWriterLock(db, { command: 'serve', now: () => mtime + 2_000 });
  const holder = JSON.parse(fs.readFileSync(lockPathFor(db), 'utf8')) as { pid: number; startedAt: number };
  assert.equal(holder.pid, process.pid, 'taken over: the lock now names this process');
  assert.equal(holder.startedAt, mtime + 2_000, "stamped with the injected clock's time");
  lock.release();
  assert.equal(fs.existsSync(lockPathFor(db)), false);
});
