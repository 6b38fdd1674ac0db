import { test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import request from './support/api-request.js';
import { contractViolations, OPENAPI_DOC } from './support/api-contract.js';

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
