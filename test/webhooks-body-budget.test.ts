import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import express from 'express';
import { BodyBudget } from '../server/api/bodyBudget.js';
import { problemHandler } from '../server/api/problem.js';
import { webhookRoutes } from '../server/api/routes/webhooks.js';
import { silentLogger } from '../server/log.js';
import { eventCount, eventsApp, fixture, hmacHex } from './fixtures/events-helpers.js';
import { assertConforms } from './support/api-contract.js';

/**
 * Issue 12, finding 5: unauthenticated webhook bodies were buffered whole before the signature
 * was checked. These tests count the bytes the route holds (BodyBudget.peakBytes), not RSS.
 */
const SECRET = 'budget-secret';
const { runtime } = eventsApp(['operations:', '  webhooks:', '    github: { secret: "${GH}" }', '    gitlab: { token: "${GL}" }'].join('\n'), {
  GH: SECRET,
  GL: 'gitlab-token',
});
const MiB = 1024 * 1024;
const budget = new BodyBudget(2 * MiB, 4);
let port: number;
let server: http.Server;

before(async () => {
  const app = express();
  app.use(webhookRoutes(runtime.apiDeps(), { budget }));
  app.use(problemHandler(silentLogger));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** POSTs `chunks` (written one after another, chunked encoding) and resolves with the answer, even if it comes before the body ends. */
function post(path: string, headers: Record<string, string>, chunks: Buffer[], opts: { endBody?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          assertConforms({ method: 'post', url: path, status: res.statusCode!, contentType: res.headers['content-type'], text: body });
        } catch (err) {
          req.destroy();
          reject(err as Error);
          return;
        }
        resolve({ status: res.statusCode!, headers: res.headers, body });
        req.destroy();
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The server may close the connection while the body is still being sent (it refused it).
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
    req.flushHeaders();
    (async () => {
      for (const c of chunks) {
        if (req.destroyed) return;
        if (!req.write(c)) await new Promise((r) => req.once('drain', r));
      }
      if (opts.endBody !== false && !req.destroyed) req.end();
    })().catch(() => undefined);
  });
}

test('an unsigned delivery is refused with 401 before any of its body is read', async () => {
  const peak = budget.peakBytes;
  // The body never ends: only an answer given before reading it can arrive.
  const res = await post('/api/webhooks/github', { 'x-github-event': 'push' }, [Buffer.alloc(64 * 1024, 'a')], { endBody: false });
  assert.equal(res.status, 401);
  assert.match(res.body, /X-Hub-Signature-256 header is missing/);
  assert.equal(res.headers.connection, 'close');
  const gitlab = await post('/api/webhooks/gitlab', { 'x-gitlab-token': 'wrong' }, [Buffer.alloc(64 * 1024, 'a')], { endBody: false });
  assert.equal(gitlab.status, 401, 'a wrong GitLab token is refused from the header alone');
  assert.equal(budget.peakBytes, peak, 'not a byte of either body was held');
});

test('a body declared larger than the route cap is refused with 413 before it is read', async () => {
  const declared = await post('/api/webhooks/github', { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}`, 'content-length': String(6 * MiB) }, [], {
    endBody: false,
  });
  assert.equal(declared.status, 413);
  assert.equal(budget.heldBytes, 0);
});

test('many concurrent big bodies with bad signatures never hold more than the budget; nothing is stored', async () => {
  const chunk = Buffer.alloc(256 * 1024, 'x');
  const body = Array.from({ length: 6 }, () => chunk); // 1.5 MiB each
  const events = eventCount(runtime);
  const answers = await Promise.all(
    Array.from({ length: 40 }, () =>
      post('/api/webhooks/github', { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${'ab'.repeat(32)}` }, body),
    ),
  );
  const statuses = answers.map((a) => a.status);
  assert.deepEqual([...new Set(statuses)].sort(), [401, 503], `only refusals: ${statuses.join(',')}`);
  assert.ok(budget.peakBytes <= 2 * MiB, `held at most the budget (peak ${budget.peakBytes} bytes for 40 × 1.5 MiB sent)`);
  assert.equal(budget.heldBytes, 0, 'everything was given back');
  const busy = answers.find((a) => a.status === 503)!;
  assert.equal(busy.headers['retry-after'], '5');
  assert.match(busy.body, /retry later; nothing was stored/);
  assert.equal(eventCount(runtime), events);
});

test('a signed delivery is still recorded after the flood', async () => {
  const body = fixture('github', 'deployment_status');
  const res = await post('/api/webhooks/github', { 'x-github-event': 'deployment_status', 'x-hub-signature-256': `sha256=${hmacHex(SECRET, body)}` }, [body]);
  assert.equal(res.status, 200, res.body);
  assert.equal(budget.heldBytes, 0);
});
