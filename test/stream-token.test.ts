import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { createApp } from '../server/api/app.js';
import { TokenStore } from '../server/auth/tokens.js';
import { testRuntime } from './support/runtime.js';
import { assertEventConforms } from './support/api-contract.js';
import { FakeClock } from './support/fake-clock.js';

const WORKLOAD = `workload: { id: stream-test, title: "Stream test" }
collectors: []
evaluation: { interval: 60s }
`;

/** The streams' re-check timer runs on it: the test steps time instead of waiting. */
const clock = new FakeClock();
const { runtime, dir } = testRuntime(WORKLOAD, {}, { clock });
let port: number;
let server: http.Server;

before(async () => {
  runtime.load(false, { evaluate: true });
  server = createApp({ ...runtime.apiDeps(), auth: { read: 'token', metrics: 'public' } }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

interface OpenStream {
  events: Array<{ event: string; data: string }>;
  ended: Promise<void>;
  close(): void;
}

async function openStream(token: string): Promise<OpenStream> {
  const req = http.get({ host: '127.0.0.1', port, path: '/api/stream', headers: { authorization: `Bearer ${token}` } });
  const res = await new Promise<http.IncomingMessage>((r) => req.once('response', r));
  assert.equal(res.statusCode, 200);
  const events: OpenStream['events'] = [];
  let buf = '';
  res.setEncoding('utf8');
  res.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
      if (event) assertEventConforms('/api/stream', event, data);
      if (event) events.push({ event, data });
    }
  });
  const ended = new Promise<void>((r) => res.once('end', () => r()));
  return { events, ended, close: () => req.destroy() };
}

const waitUntil = async (cond: () => boolean, ms: number) => {
  for (const until = Date.now() + ms; !cond() && Date.now() < until; ) await new Promise((r) => setTimeout(r, 10));
};

test('revoking a token from another process closes its open stream within a second, with event: revoked', async () => {
  const { token } = runtime.tokens.create('kiosk', 'read');
  const other = runtime.tokens.create('other kiosk', 'read').token;
  const stream = await openStream(token);
  const bystander = await openStream(other);
  await waitUntil(() => stream.events.length > 0 && bystander.events.length > 0, 2000);
  assert.equal(stream.events[0]?.event, 'summary');

  // The CLI's `pillarboard token revoke` writes through its own connection, not through this process.
  const cli = new Database(path.join(dir, 'pb.db'));
  new TokenStore(cli, Date.now).revoke('kiosk');
  cli.close();

  let ended = false;
  void stream.ended.then(() => (ended = true));
  await clock.advanceAsync(999);
  assert.equal(ended, false, 'not yet: the periodic check comes once a second');
  assert.notEqual(stream.events.at(-1)?.event, 'revoked');
  await clock.advanceAsync(1);
  // One second of the server's clock after the revocation: closed (the real wait only bounds a failure).
  const closed = await Promise.race([stream.ended.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5000))]);
  assert.equal(closed, true, 'the stream was closed within a second of the revocation');
  const last = stream.events.at(-1);
  assert.equal(last?.event, 'revoked');
  assert.match(last?.data ?? '', /revoked/);

  // No further data for the revoked token; the other token's stream is untouched and still fed.
  const before = stream.events.length;
  const bystanderBefore = bystander.events.length;
  runtime.evaluator.evaluateNow();
  await waitUntil(() => bystander.events.length > bystanderBefore, 2000);
  assert.equal(stream.events.length, before);
  assert.equal(bystander.events.at(-1)?.event, 'summary');
  bystander.close();

  // Reconnecting with the revoked token is refused, so EventSource stops for good.
  const again = await new Promise<http.IncomingMessage>((r) =>
    http.get({ host: '127.0.0.1', port, path: '/api/stream', headers: { authorization: `Bearer ${token}` } }, r),
  );
  assert.equal(again.statusCode, 401);
  again.resume();
});

test('a revocation is noticed at the next evaluation even before the periodic check', async () => {
  const { token } = runtime.tokens.create('lobby', 'read');
  const stream = await openStream(token);
  await waitUntil(() => stream.events.length > 0, 2000);
  runtime.tokens.revoke('lobby');
  runtime.evaluator.evaluateNow();
  await Promise.race([stream.ended, new Promise((r) => setTimeout(r, 3000))]);
  assert.deepEqual(
    stream.events.map((e) => e.event),
    ['summary', 'revoked'],
    'the evaluation after the revocation is not sent',
  );
});

test('many stream clients share one evaluation listener and each receives every evaluation', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  const listenersBefore = runtime.evaluator.listenerCount('evaluated');
  const { token } = runtime.tokens.create('wall', 'read');
  const streams = await Promise.all(Array.from({ length: 25 }, () => openStream(token)));
  await waitUntil(() => streams.every((s) => s.events.length >= 1), 3000);
  assert.equal(runtime.evaluator.listenerCount('evaluated'), listenersBefore + 1, 'one listener for all 25 clients');
  runtime.evaluator.evaluateNow();
  await waitUntil(() => streams.every((s) => s.events.length >= 2), 3000);
  assert.ok(streams.every((s) => s.events.filter((e) => e.event === 'summary').length === 2), 'every client got both summaries');
  for (const s of streams) s.close();
  await waitUntil(() => runtime.evaluator.listenerCount('evaluated') === listenersBefore, 2000);
  assert.equal(runtime.evaluator.listenerCount('evaluated'), listenersBefore, 'the listener goes with the last client');
  process.off('warning', onWarning);
  assert.deepEqual(warnings.filter((w) => w === 'MaxListenersExceededWarning'), []);
});
