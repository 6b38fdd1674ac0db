import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { eventFault } from '../collectors/event-shape.js';
import { testRuntime } from './support/runtime.js';
import { assertProblem, edited, eventsApp, hmacHex, NOW } from './fixtures/events-helpers.js';

/** Issue 12, findings 6 and 8: inputs that answered 500, and links that could run script. */
const SECRET = 'bad-input-secret';
const { app, write } = eventsApp(['operations:', '  webhooks:', '    github: { secret: "${GH}" }'].join('\n'), { GH: SECRET });
const evaluated = testRuntime(
  'workload: { id: w, title: W }\nindicators:\n  - { id: up, title: Up, pillar: reliability, unit: count, series: up, objective: { min: 1 } }\n',
);

test('unbounded from, to and step on the series and history routes answer 400 naming the parameter', async () => {
  evaluated.runtime.load(false, { evaluate: true });
  const app = createApp(evaluated.runtime.apiDeps());
  const routes = ['/api/series/query?match=up&', '/api/indicators/up/history?', '/api/pillars/reliability/history?', '/api/events?', '/api/annotations?'];
  const cases: Array<[query: string, param: string]> = [
    ['to=now-9999999999w', 'to'],
    ['from=now-9999999999w', 'from'],
    ['from=99999999999999999999', 'from'],
    ['to=99999999999999999999', 'to'],
    ['from=-99999999999', 'from'],
    ['to=+275760-09-13T00:00:00Z', 'to'],
    [`from=now-${'9'.repeat(400)}s`, 'from'],
  ];
  for (const route of routes) {
    for (const [query, param] of cases) {
      const res = await request(app).get(`${route}${query}`);
      assertProblem(res, 400, param);
      assert.match(res.body.detail, new RegExp(`^${param}: `), `${route}${query}: ${res.body.detail}`);
    }
  }
  for (const route of routes.slice(0, 3)) {
    for (const step of ['99999999999999999999999h', '99999999999999999999', `${'9'.repeat(30)}w`]) {
      const res = await request(app).get(`${route}from=now-1h&step=${step}`);
      assertProblem(res, 400, 'step');
      assert.match(res.body.detail, /longest duration accepted/);
    }
  }
  // Still fine: ordinary ranges.
  await request(app).get('/api/series/query?match=up&from=now-1h&step=60s').expect(200);
});

test('an event whose attributes nest thousands deep is refused with 400 naming attributes, not a stack overflow', async () => {
  // Written as text: JSON.stringify itself cannot serialise these.
  const deepText = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  const deep = (n: number): unknown => JSON.parse(deepText(n));
  const base = { kind: 'deployment', id: 'deep-1', start: new Date(NOW).toISOString() };
  for (const n of [9, 5_000, 100_000]) {
    const res = await request(app).post('/api/events').set('authorization', `Bearer ${write}`).set('content-type', 'application/json')
      .send(`${JSON.stringify(base).slice(0, -1)},"attributes":${deepText(n)}}`);
    // The whole body is refused past 32 levels; attributes alone past 8.
    if (n > 31) assertProblem(res, 400, 'body');
    else assertProblem(res, 400, 'attributes');
    assert.match(res.body.detail, /nests deeper than/);
  }
  const big = await request(app).post('/api/events').set('authorization', `Bearer ${write}`).send({ ...base, attributes: { blob: 'x'.repeat(20_000) } });
  assertProblem(big, 400, 'attributes');
  assert.match(big.body.detail, /at most 16384/);
  const fine = await request(app).post('/api/events').set('authorization', `Bearer ${write}`).send({ ...base, attributes: deep(4) });
  assert.equal(fine.status, 200, JSON.stringify(fine.body));
});

test('event links other than http(s) — javascript:, data:, file: — are refused with 400 naming links.url', async () => {
  for (const url of ['javascript:alert(document.cookie)', 'JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd', 'https://', `https://x.example/${'a'.repeat(3000)}`]) {
    const res = await request(app)
      .post('/api/events')
      .set('authorization', `Bearer ${write}`)
      .send({ kind: 'incident', id: `link-${url.length}`, start: new Date(NOW).toISOString(), links: { url } });
    assertProblem(res, 400, 'links.url');
  }
  const ok = await request(app)
    .post('/api/events')
    .set('authorization', `Bearer ${write}`)
    .send({ kind: 'incident', id: 'link-ok', start: new Date(NOW).toISOString(), links: { url: 'https://status.example/incidents/1' } });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
});

test('a webhook delivery with a javascript: link is recorded without the link; a collector event with one is refused', async () => {
  const body = edited('github', 'deployment_status', (p) => {
    p.deployment_status.log_url = 'javascript:alert(1)';
    p.deployment_status.target_url = 'javascript:alert(1)';
    p.deployment_status.environment_url = 'data:text/html,x';
  });
  const res = await request(app)
    .post('/api/webhooks/github')
    .set('X-GitHub-Event', 'deployment_status')
    .set('X-Hub-Signature-256', `sha256=${hmacHex(SECRET, body)}`)
    .set('Content-Type', 'application/json')
    .send(body.toString('utf8'));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const listed = await request(app).get('/api/events?kind=deployment&source=github').expect(200);
  const text = JSON.stringify(listed.body);
  assert.ok(listed.body.events.length >= 1, text);
  assert.doesNotMatch(text, /javascript:|data:text/);

  assert.deepEqual(eventFault({ kind: 'deployment', source: 'git', externalId: 'x', startedAt: NOW, attrs: { url: 'javascript:alert(1)' } }), {
    field: 'attrs.url',
    reason: 'must be an absolute http(s) URL',
  });
});
