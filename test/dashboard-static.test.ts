import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import express from 'express';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { indexRoute } from '../server/api/routes/index.js';
import { testRuntime } from './support/runtime.js';
import { tempDir } from './support/tmp.js';
import { ensureWebBuilt, WEB_DIST } from './support/dashboard-fixture.js';

/** How Pillarboard serves the dashboard build (server/api/routes/index.ts): no browser needed. */

const { runtime } = testRuntime(`
workload: { id: shop, title: "Web shop" }
indicators:
  - { id: spend, title: "Cloud spend", pillar: cost_optimization, unit: dollars, series: cloud_cost_dollars, objective: { max: 100 } }
outcomes:
  - { id: budget, title: "We stay within budget", indicators: [spend] }
`);
let app: ReturnType<typeof createApp>;
let jsPath: string;
let cssPath: string;

before(() => {
  ensureWebBuilt();
  runtime.load(false, { evaluate: true });
  app = createApp(runtime.apiDeps());
  const html = fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
  jsPath = /<script src="(\/assets\/app-[A-Z0-9]+\.js)" defer><\/script>/.exec(html)![1]!;
  cssPath = /<link rel="stylesheet" href="(\/assets\/app-[A-Z0-9]+\.css)">/.exec(html)![1]!;
});

test('GET / serves the dashboard page, never cached, under a self-only CSP and without inline script or style', async () => {
  const res = await request(app).get('/').expect(200);
  assert.match(res.headers['content-type'] ?? '', /^text\/html/);
  assert.equal(res.headers['cache-control'], 'no-cache');
  const csp = res.headers['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /style-src 'self'(;|$)/);
  assert.match(res.text, /<script src="\/assets\/app-[A-Z0-9]+\.js" defer><\/script>/);
  assert.doesNotMatch(res.text, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  assert.doesNotMatch(res.text, /<style|\sstyle=/, 'no inline style');
  assert.doesNotMatch(res.text, /https?:\/\//, 'nothing from another origin (no CDN)');
});

test('hashed assets are cached for a year and sent gzipped, from the precompressed file, to clients that accept gzip', async () => {
  for (const asset of [jsPath, cssPath]) {
    const gz = await request(app).get(asset).set('Accept-Encoding', 'gzip, deflate').expect(200);
    assert.equal(gz.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers['vary'], 'Accept-Encoding');
    assert.equal(Number(gz.headers['content-length']), fs.statSync(path.join(WEB_DIST, `${asset}.gz`)).size);
    const plain = await request(app).get(asset).set('Accept-Encoding', 'identity').expect(200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(Number(plain.headers['content-length']), fs.statSync(path.join(WEB_DIST, asset)).size);
    assert.notEqual(gz.headers['etag'], plain.headers['etag'], 'each encoding has its own validator');
  }
  const refused = await request(app).get(jsPath).set('Accept-Encoding', 'gzip;q=0, identity').expect(200);
  assert.equal(refused.headers['content-encoding'], undefined);
  assert.match((await request(app).get(jsPath)).headers['content-type'] ?? '', /^text\/javascript/);
  assert.match((await request(app).get(cssPath)).headers['content-type'] ?? '', /^text\/css/);
});

test('index.html revalidates with its ETag (304) so a new build reaches screens on their next reload', async () => {
  const first = await request(app).get('/').set('Accept-Encoding', 'gzip').expect(200);
  const etag = first.headers['etag']!;
  assert.ok(etag);
  await request(app).get('/').set('Accept-Encoding', 'gzip').set('If-None-Match', etag).expect(304);
  await request(app).head('/').expect(200);
});

test('a deep link to a drill-down page answers index.html, so a refresh works; API paths and missing assets stay 404 problems', async () => {
  const index = fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
  for (const deep of ['/pillars/reliability', '/outcomes/budget?range=30d', '/indicators/spend', '/no/such/page']) {
    const res = await request(app).get(deep).set('Accept-Encoding', 'identity').expect(200);
    assert.equal(res.text, index, deep);
    assert.equal(res.headers['cache-control'], 'no-cache');
  }
  for (const missing of ['/api/nope', '/api', '/assets/app-MISSING.js', '/favicon.ico']) {
    const res = await request(app).get(missing).expect(404);
    assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/, missing);
  }
  await request(app).post('/').expect(404);
  assert.equal((await request(app).get('/healthz').expect(200)).body.status, 'ok');
  assert.match((await request(app).get('/metrics').expect(200)).text, /pillarboard_build_info/);
  await request(app).get('/favicon.svg').expect(200).expect('Content-Type', 'image/svg+xml');
});

test('the dashboard routes stay out of the OpenAPI document', async () => {
  const doc = (await request(app).get('/api/openapi.json').expect(200)).body;
  assert.equal(doc.paths['/'], undefined);
  // API paths only: /api/…, the probes, /metrics, and OTLP's fixed /v1/metrics
  const outside = Object.keys(doc.paths).filter((p) => !/^\/(api\/|metrics$|healthz$|readyz$|v1\/metrics$)/.test(p));
  assert.deepEqual(outside, []);
});

test('without a build the page says how to make one (503), and the API still answers', async () => {
  const empty = tempDir('pillarboard-noweb-');
  const bare = express();
  bare.use(indexRoute(runtime.apiDeps(), { webRoot: empty }));
  const res = await request(bare).get('/pillars/security').expect(503);
  assert.match(res.text, /npm run build/);
  assert.equal((await request(app).get('/api/summary').expect(200)).body.workload.title, 'Web shop');
});

test('the docs the dashboard links to are served as plain text; an unknown doc is a 404', async () => {
  const res = await request(app).get('/docs/scoring.md').set('Accept-Encoding', 'identity').expect(200);
  assert.match(res.headers['content-type'] ?? '', /^text\/plain; charset=utf-8/);
  assert.match(res.text, /^## Coverage: what a score speaks for$/m, 'the section the tiles link to (#coverage-what-a-score-speaks-for)');
  const res2 = await request(app).get('/docs/no-such-doc.md').expect(404);
  assert.match(res2.headers['content-type'] ?? '', /^application\/problem\+json/);
});
