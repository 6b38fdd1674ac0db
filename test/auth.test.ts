import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import express from 'express';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { writeRateLimit } from '../server/api/rateLimit.js';
import { problemHandler } from '../server/api/problem.js';
import { silentLogger } from '../server/log.js';
import { TokenStore } from '../server/auth/tokens.js';
import { testRuntime } from './support/runtime.js';
import { tempDir } from './support/tmp.js';

const WORKLOAD = `workload: { id: auth-test, title: "Auth test" }
collectors:
  - { id: host, type: host, interval: 60s }
`;

const { runtime, dir } = testRuntime(WORKLOAD);
let tokens: TokenStore;
let readToken: string, writeToken: string, adminToken: string;
before(() => {
  runtime.load(false, { evaluate: true });
  tokens = runtime.tokens;
  readToken = tokens.create('wall screen', 'read').token;
  writeToken = tokens.create('ci pipeline', 'write').token;
  adminToken = tokens.create('ops admin', 'admin').token;
});

const appWith = (read: 'public' | 'token', metrics: 'public' | 'token' = 'public') =>
  createApp({ ...runtime.apiDeps(), auth: { read, metrics } });

function assertProblem(res: request.Response, status: number, field?: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
  assert.equal(res.body.status, status);
  if (field) assert.ok(res.body.errors?.some((e: { name: string }) => e.name === field), JSON.stringify(res.body));
}

test('tokens are stored hashed: neither the table nor the database file contains the token', () => {
  const row = runtime.store.db.prepare("SELECT * FROM api_tokens WHERE name = 'wall screen'").get() as Record<string, unknown>;
  assert.match(readToken, /^pb_[A-Za-z0-9_-]{32}$/);
  assert.notEqual(row.hash, readToken);
  assert.equal(row.prefix, readToken.slice(0, 7));
  runtime.store.db.pragma('wal_checkpoint(TRUNCATE)');
  const file = fs.readFileSync(path.join(dir, 'pb.db'));
  assert.equal(file.includes(Buffer.from(readToken)), false);
});

test('verify accepts a live token, refuses malformed, unknown and revoked ones', () => {
  assert.equal(tokens.verify(readToken).ok, true);
  assert.deepEqual(tokens.verify('not-a-token'), { ok: false, reason: 'malformed' });
  assert.deepEqual(tokens.verify('pb_' + 'A'.repeat(32)), { ok: false, reason: 'unknown' });
  const { token } = tokens.create('temp', 'read');
  assert.ok(tokens.revoke('temp'));
  assert.deepEqual(tokens.verify(token), { ok: false, reason: 'revoked' });
  assert.throws(() => tokens.create('wall screen', 'read'), /a live token named "wall screen" exists/);
  assert.ok(tokens.create('temp', 'read'), 'a revoked name can be reused');
});

test('with public reads, GET routes need no token but admin routes do', async () => {
  const app = appWith('public');
  await request(app).get('/api/collectors').expect(200);
  const res = await request(app).post('/api/workload/reload');
  assertProblem(res, 401, 'Authorization');
  assert.match(res.headers['www-authenticate'] ?? '', /^Bearer realm="pillarboard"/);
});

test('with token reads, a read token opens GET routes by header or ?token=, never write routes', async () => {
  const app = appWith('token');
  assertProblem(await request(app).get('/api/collectors'), 401, 'Authorization');
  await request(app).get('/api/collectors').set('Authorization', `Bearer ${readToken}`).expect(200);
  await request(app).get('/api/collectors').query({ token: readToken }).expect(200);
  assertProblem(await request(app).get('/api/collectors').query({ token: 'pb_garbage' }), 401, 'token');
  assertProblem(await request(app).post('/api/workload/reload').query({ token: adminToken }), 401, 'Authorization');
  assertProblem(await request(app).post('/api/workload/reload').set('Authorization', `Bearer ${readToken}`), 403);
  assertProblem(await request(app).post('/api/workload/reload').set('Authorization', `Bearer ${writeToken}`), 403);
  const ok = await request(app).post('/api/workload/reload').set('Authorization', `Bearer ${adminToken}`).expect(200);
  assert.equal(ok.body.unchanged, true);
  await request(app).get('/healthz').expect(200);
});

test('with token reads, the series reads need the token too, and a caller without one is told that before its parameters are checked', async () => {
  const app = appWith('token');
  for (const url of ['/api/series?match=up', '/api/series/query?match=up', '/api/series/query?match=up&step=banana']) {
    const res = await request(app).get(url);
    assertProblem(res, 401, 'Authorization');
    assert.match(res.headers['www-authenticate'] ?? '', /^Bearer realm="pillarboard"/);
  }
  await request(app).get('/api/series?match=up').set('Authorization', `Bearer ${readToken}`).expect(200);
  await request(app).get('/api/series/query?match=up').query({ token: readToken }).expect(200);
  assertProblem(await request(app).get('/api/series/query?match=up&step=banana').set('Authorization', `Bearer ${readToken}`), 400, 'step');
});

test('a malformed Authorization header or a revoked token answers 401 naming the header', async () => {
  const app = appWith('token');
  assertProblem(await request(app).get('/api/collectors').set('Authorization', 'Basic dXNlcjpwYXNz'), 401, 'Authorization');
  const { token } = tokens.create('short-lived', 'read');
  await request(app).get('/api/collectors').set('Authorization', `Bearer ${token}`).expect(200);
  tokens.revoke('short-lived');
  const res = await request(app).get('/api/collectors').set('Authorization', `Bearer ${token}`);
  assertProblem(res, 401, 'Authorization');
  assert.match(res.body.detail, /revoked/);
  assert.match(res.headers['www-authenticate'] ?? '', /error="invalid_token"/);
});

test('/metrics can be put behind a bearer token', async () => {
  const app = appWith('public', 'token');
  assertProblem(await request(app).get('/metrics'), 401);
  await request(app).get('/metrics').set('Authorization', `Bearer ${readToken}`).expect(200);
  await request(appWith('public')).get('/metrics').expect(200);
});

test('an oversized or malformed JSON body answers 413 / 400 problem+json', async () => {
  const app = appWith('public');
  const big = JSON.stringify({ x: 'a'.repeat(1_100_000) });
  assertProblem(
    await request(app).post('/api/workload/reload').set('Authorization', `Bearer ${adminToken}`).set('content-type', 'application/json').send(big),
    413,
  );
  assertProblem(
    await request(app).post('/api/workload/reload').set('Authorization', `Bearer ${adminToken}`).set('content-type', 'application/json').send('{"a":'),
    400,
    'body',
  );
});

test('an invalid workload reloaded through the API answers 422 with each problem, the old one kept', async () => {
  const app = appWith('public');
  const file = runtime.opts.configPath;
  fs.writeFileSync(file, WORKLOAD.replace('interval: 60s', 'interval: never'));
  try {
    const res = await request(app).post('/api/workload/reload').set('Authorization', `Bearer ${adminToken}`);
    assertProblem(res, 422, 'collectors[0].interval');
    assert.match(res.body.errors[0].message, /workload\.yaml:3:\d+:/);
    const active = await request(app).get('/api/workload').expect(200);
    assert.equal(active.body.workload.collectors[0].intervalMs, 60_000);
  } finally {
    fs.writeFileSync(file, WORKLOAD);
  }
});

test('write requests beyond the limit answer 429 problem+json; reads are not limited', async () => {
  const app = express();
  app.use(writeRateLimit({ limit: 3, windowMs: 60_000 }));
  app.all('/x', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(problemHandler(silentLogger));
  for (let i = 0; i < 3; i++) await request(app).post('/x').expect(200);
  const res = await request(app).post('/x');
  assertProblem(res, 429);
  assert.ok(res.headers['ratelimit-policy'] || res.headers['ratelimit'], 'standard RateLimit headers');
  for (let i = 0; i < 5; i++) await request(app).get('/x').expect(200);
});

test('pillarboard token create prints the token once; list shows only its prefix; revoke disables it', () => {
  const db = path.join(tempDir(), 'pb.db');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'server', 'cli.ts'), 'token', ...args, '--db', db], { encoding: 'utf8' });
  // token needs an existing database (only serve and migrate create one)
  const migrated = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'server', 'cli.ts'), 'migrate', '--db', db], { encoding: 'utf8' });
  assert.equal(migrated.status, 0, migrated.stderr);
  const created = run('create', '--name', 'kiosk', '--scope', 'read');
  assert.equal(created.status, 0, created.stderr);
  const token = created.stdout.trim();
  assert.match(token, /^pb_[A-Za-z0-9_-]{32}$/);
  assert.match(created.stderr, /shown only this once/);
  const list = run('list');
  assert.equal(list.status, 0);
  assert.match(list.stdout, /kiosk\s+read\s+pb_\S{4}…/);
  assert.equal(list.stdout.includes(token), false);
  assert.equal(run('create', '--name', 'x', '--scope', 'root').status, 2);
  assert.equal(run('revoke', 'kiosk').status, 0);
  assert.equal(run('revoke', 'kiosk').status, 2, 'already revoked');
  assert.match(run('list').stdout, /kiosk\s+read\s+\S+\s+\S+\s+-\s+\d{4}-/);
});
