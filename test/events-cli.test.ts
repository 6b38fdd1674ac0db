import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { runEventAdd, type EventAddFlags } from '../server/commands/event.js';
import { EventStore } from '../server/events/store.js';
import { openStore } from '../server/store/index.js';
import { eventsApp, NOW } from './fixtures/events-helpers.js';
import { clockAt, FakeClock } from './support/fake-clock.js';
import { tempDir } from './support/tmp.js';

const ROOT = path.resolve(__dirname, '..');

async function add(flags: Partial<EventAddFlags>, db: string) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c) => (stdout += c));
  err.on('data', (c) => (stderr += c));
  const code = await runEventAdd({ kind: 'deployment', id: 'build-123', ...flags } as EventAddFlags, { defaultDb: db, clock: clockAt(() => NOW), out, err });
  return { code, stdout, stderr };
}

/** A database as `pillarboard migrate` (or `serve`) leaves it: the commands below refuse a missing one. */
function freshDb(): string {
  const db = path.join(tempDir(), 'pb.db');
  openStore({ path: db, now: Date.now }).close();
  return db;
}

function storedIn(db: string, source: string, id: string) {
  const store = openStore({ path: db, now: Date.now });
  try {
    return new EventStore(store.db, Date.now).getEvent(source, id);
  } finally {
    store.close();
  }
}

test('event add writes the database directly, with commits and typed attributes, and a second add updates it', async () => {
  const db = freshDb();
  let r = await add(
    { service: 'shop', env: 'production', start: 'now-10m', status: 'in_progress', commit: ['abc1234', 'DEF5678'], attr: ['linesChanged:=42', 'rollback:=false', 'team=web'] },
    db,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'recorded deployment "build-123" (source api)\n');
  let e = storedIn(db, 'api', 'build-123')!;
  assert.equal(e.startedAt, NOW - 600_000);
  assert.deepEqual(e.attrs, { linesChanged: 42, rollback: false, team: 'web', commits: [{ sha: 'abc1234' }, { sha: 'def5678' }] });
  r = await add({ service: 'shop', env: 'production', start: 'now-10m', end: 'now', status: 'success' }, db);
  assert.equal(r.stdout, 'updated deployment "build-123" (source api)\n');
  e = storedIn(db, 'api', 'build-123')!;
  assert.equal(e.status, 'success');
  assert.equal(e.endedAt, NOW);
});

test('event add exits 2 naming the flag for an unknown kind, an end before the start, a bad commit or attribute', async () => {
  const db = freshDb();
  const cases: Array<[Partial<EventAddFlags>, RegExp]> = [
    [{ kind: 'deploy' }, /^pillarboard: --kind: unknown kind "deploy"/],
    [{ start: 'now-1h', end: 'now-2h' }, /^pillarboard: --end: is before start/],
    [{ start: '1999-01-01T00:00:00Z' }, /^pillarboard: --start: .*before 2000-01-01/],
    [{ start: 'tomorrow' }, /^pillarboard: --start: "tomorrow" is neither RFC 3339/],
    [{ start: 'now-5x' }, /^pillarboard: --start: "now-5x" is not now or now-<duration>/],
    [{ commit: ['zzz'] }, /^pillarboard: --commit: must be a commit SHA/],
    [{ attr: ['linesChanged:=-3'] }, /^pillarboard: --attr linesChanged: must be a number ≥ 0/],
    [{ attr: ['broken'] }, /^pillarboard: --attr broken: expected key=value/],
    [{ server: 'http://127.0.0.1:1' }, /^pillarboard: --token: required with --server/],
  ];
  for (const [flags, why] of cases) {
    const r = await add(flags, db);
    assert.equal(r.code, 2, JSON.stringify(flags));
    assert.match(r.stderr, why);
  }
});

test('event add --server posts to a running server with the token; a read token is refused naming --token', async () => {
  const { app, runtime, write, read } = eventsApp();
  const server = app.listen(0, '127.0.0.1');
  after(() => server.close());
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const db = path.join(tempDir(), 'unused.db');
  let r = await add({ kind: 'incident', id: 'INC-7', service: 'shop', start: 'now-1h', deployment: 'build-123', server: url, token: write }, db);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'recorded incident "INC-7" (source api)\n');
  assert.equal(runtime.events.getEvent('api', 'INC-7')!.attrs!.deployment, 'build-123');
  r = await add({ kind: 'incident', id: 'INC-8', server: url, token: read }, db);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^pillarboard: --token: token "reader" has scope read; this route needs write/);
  r = await add({ kind: 'incident', id: 'INC-9', server: 'http://127.0.0.1:1', token: write }, db);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot reach http:\/\/127\.0\.0\.1:1\/api\/events/);
});

test('pillarboard event add is wired into the command line: a missing --kind exits 2 naming it', () => {
  const db = freshDb();
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'cli.ts'), 'event', 'add', ...args, '--db', db], {
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'test' },
      timeout: 60_000,
    });
  const missing = run(['--id', 'x']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--kind/);
  const ok = run(['--kind', 'gameday', '--id', 'gd-2026-11', '--title', 'Region failover drill']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(storedIn(db, 'api', 'gd-2026-11')!.title, 'Region failover drill');
});

test('event add --server gives up after 30 s of its clock when the server never answers, exit 1 naming the URL', async () => {
  const held: http.ServerResponse[] = [];
  const server = http.createServer((_req, res) => held.push(res)).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  after(() => {
    for (const res of held) res.destroy();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clock = new FakeClock(NOW);
  const out = new PassThrough();
  const err = new PassThrough();
  let stderr = '';
  err.on('data', (c) => (stderr += c));
  const run = runEventAdd({ kind: 'deployment', id: 'build-9', server: url, token: 'pb_x' } as EventAddFlags, { defaultDb: 'unused.db', clock, out, err });
  for (let i = 0; i < 250 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(held.length, 1, 'the request reached the server, which holds it');
  assert.deepEqual(clock.armed(), [NOW + 30_000], 'the deadline is a timer of the command clock');
  clock.advance(30_000);
  assert.equal(await run, 1);
  assert.equal(stderr, `pillarboard: cannot reach ${url}/api/events: no answer within 30 s\n`);
});
