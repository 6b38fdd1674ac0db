import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { testRuntime } from './support/runtime.js';
import { htmlProblems, REPORT_AT, seedAll } from './support/reports-fixtures.js';
import { promtoolCheckMetrics, PROMTOOL_BIN } from './support/promtool.js';
import { requireBinary } from './support/real-binaries.js';

const WORKLOAD = `
workload: { id: shop, title: "Web shop", owner: platform-team, timezone: Europe/Berlin }
collectors:
  - { id: app, type: http, targets: ["http://127.0.0.1:9/health"], interval: 60s }
indicators:
  - id: avail
    title: Checkout availability
    pillar: reliability
    slo: { success: probe_success, objective: 99.9%, window: 28d }
  - id: latency
    title: Checkout latency
    pillar: performance_efficiency
    unit: seconds
    series: probe_duration_seconds
    objective: { max: 0.3, warning: 0.5, critical: 1 }
  - id: cost
    title: Cloud spend
    pillar: cost_optimization
    unit: dollars
    series: spend
    objective: { max: 100 }
outcomes:
  - id: buy
    title: Customers can buy
    owner: payments
    indicators: [ { ref: avail, weight: 3, key: true }, latency ]
  - id: budget
    title: We stay within budget
    indicators: [ cost ]
reports:
  weekly:
    formats: [html]
`;

const { runtime } = testRuntime(WORKLOAD, { PILLARBOARD_CHROMIUM: '/nonexistent/chromium' }, { now: () => REPORT_AT });
let app: ReturnType<typeof createApp>;
let admin = '';
let reader = '';

before(() => {
  seedAll(runtime.store);
  runtime.load(false, { evaluate: false });
  app = createApp(runtime.apiDeps());
  admin = runtime.tokens.create('admin', 'admin').token;
  reader = runtime.tokens.create('reader', 'read').token;
});

test('POST /api/reports/run needs an admin token', async () => {
  await request(app).post('/api/reports/run').send({}).expect(401);
  await request(app).post('/api/reports/run').set('authorization', `Bearer ${reader}`).send({}).expect(403);
});

test('POST /api/reports/run rejects a malformed or future week with a problem naming the field', async () => {
  for (const [week, message] of [
    ['2026-W54', /2026 has ISO weeks 01 to 53/],
    ['2026-W48', /has not ended yet/],
    ['next week', /not an ISO week/],
  ] as const) {
    const res = await request(app).post('/api/reports/run').set('authorization', `Bearer ${admin}`).send({ week }).expect(400);
    assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/);
    assert.equal(res.body.errors[0].name, 'week');
    assert.match(res.body.detail, message);
  }
  const res = await request(app).post('/api/reports/run').set('authorization', `Bearer ${admin}`).send({ send: 'yes' }).expect(400);
  assert.equal(res.body.errors[0].name, 'send');
});

test('POST /api/reports/run generates the last complete week, archives it and says whether it was sent', async () => {
  const res = await request(app).post('/api/reports/run').set('authorization', `Bearer ${admin}`).send({ send: true }).expect(201);
  assert.equal(res.body.week, '2026-W47');
  assert.equal(res.body.trigger, 'api');
  assert.equal(res.body.generatedAt, new Date(REPORT_AT).toISOString());
  assert.equal(res.body.delivery, 'no channels');
  assert.deepEqual(res.body.summary, { outcomes: 2, met: 0, atRisk: 0, missed: 1, noData: 1 });
  assert.equal(res.body.links.html, '/api/reports/2026-W47.html');
});

test('GET /api/reports lists the archive with the schedule', async () => {
  const res = await request(app).get('/api/reports').expect(200);
  assert.equal(res.body.schedule.cron, '0 8 * * MON');
  assert.equal(res.body.schedule.timezone, 'Europe/Berlin');
  assert.deepEqual(res.body.reports.map((r: { week: string; trigger: string }) => [r.week, r.trigger]), [['2026-W47', 'api']]);
  assert.equal(res.body.reports[0].from, '2026-11-15T23:00:00.000Z');
  assert.deepEqual(res.body.reports[0].deliveries, []);
});

test('GET /api/reports/:week answers the data with its metadata, and each rendering by suffix', async () => {
  const meta = await request(app).get('/api/reports/2026-W47').expect(200);
  assert.equal(meta.body.data.schemaVersion, 1);
  assert.equal(meta.body.data.outcomes[0].attainment.mean, 0.802);
  assert.deepEqual(meta.body.deliveries, []);

  const json = await request(app).get('/api/reports/2026-W47.json').expect(200);
  assert.match(json.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(JSON.parse(json.text).week, '2026-W47');

  const md = await request(app).get('/api/reports/2026-W47.md').expect(200);
  assert.match(md.headers['content-type'] ?? '', /^text\/markdown/);
  assert.match(md.text, /^# Web shop — weekly report 2026-W47/);

  const html = await request(app).get('/api/reports/2026-W47.html').expect(200);
  assert.match(html.headers['content-type'] ?? '', /^text\/html/);
  assert.deepEqual(htmlProblems(html.text), []);
  // The report's inline styles are allowed for this response only; nothing else is.
  assert.match(html.headers['content-security-policy'] ?? '', /default-src 'none'; style-src 'unsafe-inline'/);
});

test('GET /api/reports/:week.pdf without Chromium answers 503 with the install hint; the other formats still work', async () => {
  const res = await request(app).get('/api/reports/2026-W47.pdf').expect(503);
  assert.equal(res.body.type, '/problems/chromium-missing');
  assert.match(res.body.detail, /apt-get install chromium/);
  assert.match(res.body.detail, /PILLARBOARD_CHROMIUM/);
  await request(app).get('/api/reports/2026-W47.html').expect(200);
});

test('GET /api/reports/:week answers 404 for a week not archived and 400 for a malformed one', async () => {
  const missing = await request(app).get('/api/reports/2026-W40').expect(404);
  assert.match(missing.body.detail, /POST \/api\/reports\/run/);
  const bad = await request(app).get('/api/reports/2026-W99.md').expect(400);
  assert.equal(bad.body.errors[0].name, 'week');
  await request(app).get('/api/reports/2026-W47.pdf?paper=A3').expect(400);
});

test('/metrics shows when the archive last produced a report', async () => {
  const text = (await request(app).get('/metrics').expect(200)).text;
  assert.match(text, new RegExp(`^pillarboard_report_last_success_timestamp_seconds\\{channel="archive"\\} ${REPORT_AT / 1000}$`, 'm'));
  assert.match(text, /# TYPE pillarboard_report_delivery_failures_total counter/);
});

test('the report metrics pass promtool check metrics', { skip: requireBinary(PROMTOOL_BIN) }, async () => {
  runtime.reports.archive.recordDelivery({ week: '2026-W47', channel: 'email', attempt: 1, at: REPORT_AT, ok: false, error: 'x' });
  const text = (await request(app).get('/metrics').expect(200)).text;
  assert.match(text, /^pillarboard_report_delivery_failures_total\{channel="email"\} 1$/m);
  const r = await promtoolCheckMetrics(text);
  assert.equal(r.code, 0, r.output);
});
