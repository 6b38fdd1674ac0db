import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import assert from 'node:assert/strict';
import express from 'express';
import { z } from 'zod';
import request, { unchecked } from './support/api-request.js';
import { contractViolations, eventViolations, OPENAPI_DOC } from './support/api-contract.js';
import { recordContract } from './support/api-recorder.js';
import { testRuntime } from './support/runtime.js';
import { createApp } from '../server/api/app.js';
import { buildOpenApi } from '../server/api/openapi.js';
import { json, route } from '../server/api/contract/route.js';
import { requestChecks } from '../server/api/contract/validate.js';
import { problemHandler } from '../server/api/problem.js';
import { silentLogger } from '../server/log.js';

/**
 * The response check every API test runs (test/support/api-request.ts) catches answers that
 * depart from the OpenAPI document: wrong body shape, undocumented status or content type.
 * These answers come from a deliberately wrong app, so they must fail.
 */

function wrongApp(status: number, type: string, body: string) {
  const app = express();
  app.all('/{*path}', (_req, res) => {
    res.status(status).type(type).send(body);
  });
  return app;
}

test('the response check fails a body that departs from its schema, naming the field', async () => {
  const collector = {
    id: 7, // a number where the schema says string
    intervalSeconds: 60,
    timeoutSeconds: 10,
    up: true,
    running: false,
    consecutiveFailures: 0,
    lastRun: null,
    lastSuccess: null,
    lastError: null,
    nextRunAt: null,
    backfill: null,
  };
  const app = wrongApp(200, 'application/json', JSON.stringify({ collectors: [collector] }));
  await assert.rejects(request(app).get('/api/collectors'), (err: Error) => {
    assert.match(err.message, /GET \/api\/collectors → 200: the body does not match/);
    assert.match(err.message, /\/collectors\/0\/id must be string/);
    assert.match(err.message, /must have required property 'type'/);
    return true;
  });
});

test('the response check fails a key the schema does not declare', async () => {
  const app = wrongApp(200, 'application/json', JSON.stringify({ status: 'ok', uptime: 3 }));
  await assert.rejects(request(app).get('/healthz'), /must NOT have additional properties "uptime"/);
});

test('the response check fails a status the operation does not document', async () => {
  const app = wrongApp(500, 'application/problem+json', JSON.stringify({ type: '/problems/internal', title: 'Internal', status: 500 }));
  await assert.rejects(request(app).get('/api/summary'), /status 500 is not documented for GET \/api\/summary/);
});

test('the response check fails a content type the status does not document', async () => {
  const app = wrongApp(400, 'text/plain', 'bad match');
  await assert.rejects(request(app).get('/api/series').query({ match: 'x{' }), /content type "text\/plain" is not documented/);
});

test('the response check fails a problem answer without the fields RFC 9457 requires', async () => {
  const app = wrongApp(404, 'application/problem+json', JSON.stringify({ detail: 'no such collector' }));
  await assert.rejects(request(app).get('/api/collectors/nope'), /must have required property 'title'/);
});

test('the response check passes an answer the document describes, and leaves the dashboard alone', async () => {
  await request(wrongApp(200, 'application/json', JSON.stringify({ status: 'ok' }))).get('/healthz').expect(200);
  await request(wrongApp(200, 'text/html', '<!doctype html>')).get('/pillars/reliability').expect(200);
  await request(wrongApp(200, 'application/json', JSON.stringify({ status: 'ok' }))).head('/healthz').expect(200);
  assert.deepEqual(contractViolations({ method: 'get', url: '/api/nope?x=1', status: 404, contentType: 'application/problem+json', text: '{"type":"/problems/not-found","title":"Not found","status":404}' }), []);
});

test('every documented operation documents its problem answers as RFC 9457 problem+json', () => {
  for (const [path, ops] of Object.entries(OPENAPI_DOC.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const [status, r] of Object.entries(op.responses as Record<string, any>)) {
        if (Number(status) < 400) continue;
        assert.deepEqual(Object.keys(r.content ?? {}), ['application/problem+json'], `${method} ${path} ${status}`);
      }
    }
  }
});

const T0 = Date.UTC(2026, 10, 30, 12);
const { runtime } = testRuntime(
  [
    'workload: { id: contract, title: Contract }',
    'collectors: []',
    'indicators:',
    '  - { id: latency, title: Latency, pillar: performance_efficiency, unit: seconds, series: app_latency_seconds, aggregate: avg, window: 1h, objective: { max: 0.3 } }',
  ].join('\n') + '\n',
  {},
  { now: () => T0 },
);
let app: ReturnType<typeof createApp>;
before(() => {
  // Per-minute latency with a NaN (staleness marker) and a +Inf among the samples.
  const values = [0.2, 0.25, Number.NaN, Number.POSITIVE_INFINITY, 0.21];
  runtime.store.writeSamples(values.map((value, i) => ({ name: 'app_latency_seconds', labels: { collector: 'app' }, ts: T0 - (values.length - i) * 60_000, value })));
  runtime.load(false, { evaluate: true });
  app = createApp(runtime.apiDeps());
});

test('a query parameter outside its declared schema is a 400 naming it, with the values the schema allows', async () => {
  const res = await request(app).get('/api/indicators').query({ status: 'bogus', pillar: 'speed' }).expect(400);
  assert.equal(res.body.type, '/problems/invalid-parameter');
  assert.deepEqual(
    res.body.errors.map((e: { name: string; in: string; message: string }) => [e.name, e.in, e.message]),
    [
      ['pillar', 'query', 'must be one of operational_excellence, security, reliability, performance_efficiency, cost_optimization, sustainability'],
      ['status', 'query', 'must be one of ok, warning, critical, no_data, stale'],
    ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
  );
});

test('a required query parameter that is missing is a 400 naming it, with its description', async () => {
  const res = await request(app).get('/api/series').expect(400);
  assert.deepEqual(res.body.errors, [{ name: 'match', in: 'query', message: 'is required: PromQL-style selector, e.g. node_load1{instance=~"web.*"}' }]);
});

test('a path parameter outside its declared schema is a 400 naming it as a path parameter', async () => {
  const res = await request(app).get('/api/reports/2026-47').expect(400);
  assert.equal(res.body.errors[0].name, 'week');
  assert.equal(res.body.errors[0].in, 'path');
});

test('a write route checks the token before the parameters: no token is 401, not 400', async () => {
  const res = await request(app).delete('/api/review/lenses/x').query({ force: 'maybe' });
  assert.equal(res.status, 401);
});

test('the parameter check follows the declaration: the schema a route declares is the one it enforces', async () => {
  const spec = route({
    method: 'get',
    path: '/api/things/{id}',
    summary: 'A thing',
    tag: 'test',
    scope: 'read',
    params: z.object({ id: z.string().regex(/^\d+$/, { message: 'must be a number' }) }),
    query: z.object({ size: z.enum(['s', 'm']).optional() }),
    responses: { 200: json(z.object({ id: z.string() })) },
  });
  const tiny = express();
  tiny.use(requestChecks([spec], () => undefined));
  tiny.get('/api/things/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  tiny.use(problemHandler(silentLogger));
  assert.equal((await unchecked(tiny).get('/api/things/12').query({ size: 'm' })).status, 200);
  const bad = await unchecked(tiny).get('/api/things/twelve').query({ size: 'xl' });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.errors, [
    { name: 'id', in: 'path', message: 'must be a number' },
    { name: 'size', in: 'query', message: 'must be one of s, m' },
  ]);
  const doc = buildOpenApi('t', [spec]) as any;
  assert.deepEqual(doc.paths['/api/things/{id}'].get.parameters.map((p: any) => [p.name, p.in, p.required, p.schema]), [
    ['id', 'path', true, { type: 'string', pattern: '^\\d+$' }],
    ['size', 'query', false, { type: 'string', enum: ['s', 'm'] }],
  ]);
});

test('a stream event is checked against the events the document lists for the stream', () => {
  assert.deepEqual(eventViolations('/api/stream', 'revoked', '{"detail":"the token has been revoked"}'), []);
  assert.match(eventViolations('/api/stream', 'revoked', '{"reason":"gone"}').join(), /must have required property 'detail'/);
  assert.match(eventViolations('/api/stream', 'summary', '{"status":"ok"}').join(), /must have required property 'workload'/);
  assert.match(eventViolations('/api/stream', 'tick', '{}').join(), /not an event the document lists \(summary, revoked, error\)/);
});

test('a JSON body outside its declared schema is a 400 invalid-body naming each field, after the scope check', async () => {
  const admin = runtime.tokens.create('contract-admin', 'admin').token;
  const path = '/api/review/plan/wellarchitected/rel_recover';
  assert.equal((await request(app).patch(path).send({ status: 'finished' })).status, 401);
  const res = await request(app).patch(path).set('authorization', `Bearer ${admin}`).send({ status: 'finished', owner: 5, actionItems: ['a', 7] }).expect(400);
  assert.equal(res.body.type, '/problems/invalid-body');
  assert.deepEqual(res.body.errors, [
    { name: 'owner', in: 'body', message: 'expected string' },
    { name: 'status', in: 'body', message: 'must be one of open, in_progress, done, accepted' },
    { name: 'actionItems[1]', in: 'body', message: 'expected string' },
  ]);
  const run = await request(app).post('/api/reports/run').set('authorization', `Bearer ${admin}`).send({ week: '2026-W47', sent: true }).expect(400);
  assert.deepEqual(run.body.errors, [{ name: 'sent', in: 'body', message: 'unknown key' }]);
});

test('an indicator value history over samples that are NaN or +Inf answers null for them, as the document says', async () => {
  const res = await request(app).get('/api/indicators/latency/history').query({ metric: 'value', from: String((T0 - 600_000) / 1000), to: String(T0 / 1000 + 60), step: '60' }).expect(200);
  // The pass at T0 averaged a window holding NaN and +Inf: its value is no number, sent as null.
  assert.deepEqual(res.body.points.at(-1), [T0 / 1000, null]);
});

test('the recorder around a served app catches a departing answer, compressed or not', async () => {
  const gz = express();
  gz.get('/healthz', (_req, res) => {
    res.type('application/json').setHeader('Content-Encoding', 'gzip');
    res.end(gzipSync(JSON.stringify({ status: 'ok', extra: 1 })));
  });
  gz.get('/api/collectors', (_req, res) => {
    res.json({ collectors: [] });
  });
  const recorded = recordContract(gz);
  const server = http.createServer(recorded.handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.equal((await fetch(`${base}/api/collectors`)).status, 200);
    assert.deepEqual(recorded.violations, []);
    await (await fetch(`${base}/healthz`)).text();
    assert.throws(() => recorded.assertNone(), /GET \/healthz → 200: the body does not match the document: \(body\) must NOT have additional properties "extra"/);
  } finally {
    server.close();
  }
});
