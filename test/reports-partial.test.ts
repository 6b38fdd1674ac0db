import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { runReport } from '../server/commands/report.js';
import { buildWeeklyReport } from '../server/reports/build.js';
import { readReportInput, storeReportSources } from '../server/reports/read.js';
import { renderHtml } from '../server/reports/render-html.js';
import { renderMarkdown } from '../server/reports/render-markdown.js';
import { currentWeekSoFar, previousWeek, weekRange } from '../server/reports/week.js';
import { openStore } from '../server/store/index.js';
import { silentLogger } from '../server/log.js';
import { testStore } from './support/evaluation.js';
import { testRuntime } from './support/runtime.js';
import { eventReader, HOUR, htmlProblems, seedAll, seededContext, TZ, W47_FROM } from './support/reports-fixtures.js';
import { tempDir } from './support/tmp.js';
import { captureIo } from './support/capture-io.js';
import { clockAt } from './support/fake-clock.js';
import { requireBinary } from './support/real-binaries.js';
import { chromiumPdfRenderer } from '../server/reports/render-pdf.js';
import { execFileSync } from 'node:child_process';

const CHROMIUM = '/usr/bin/chromium';
const PDFTOTEXT = '/usr/bin/pdftotext';

/** Thursday 19 Nov 2026 12:00 in Berlin: 84 hours into W47, exactly where the seeded scores change. */
const AS_OF = W47_FROM + 84 * HOUR;

function partialReport(at = AS_OF) {
  const { store } = testStore({ now: () => at });
  seedAll(store);
  const week = currentWeekSoFar(at, TZ);
  const prev = weekRange(previousWeek(week), TZ);
  return buildWeeklyReport(readReportInput(storeReportSources(store, () => eventReader()), seededContext(), week, prev, at));
}

test('the week so far covers Monday to asOf only: later samples, hours and days do not count', () => {
  const r = partialReport();
  assert.equal(r.week, '2026-W47');
  assert.equal(r.partial, true);
  assert.equal(r.asOf, '2026-11-19T11:00:00.000Z');
  // The header still names the whole week.
  assert.equal(r.from, '2026-11-15T23:00:00.000Z');
  assert.equal(r.to, '2026-11-22T23:00:00.000Z');
  assert.equal(r.hours, 168);
  // Only the 84 hours that passed are counted (the seeded gap at hours 90–95 lies after asOf).
  assert.equal(r.dataQuality.hoursWithData + r.dataQuality.hoursWithoutData, 84);
  assert.equal(r.dataQuality.hoursWithoutData, 0);
  const buy = r.outcomes.find((o) => o.id === 'buy')!;
  // Hours 0–83 are at 85; the 75s stored after asOf must not pull the mean down.
  assert.equal(buy.attainment.mean, 0.85);
  assert.deepEqual(buy.byDay, [0.85, 0.85, 0.85, 0.85, null, null, null]);
  assert.equal(buy.hoursInStatus.ok, 84);
  assert.equal(buy.hoursInStatus.warning, 0, 'the warning that begins at asOf is not in the week so far');
});

test('a complete week is not partial', () => {
  const r = partialReport(W47_FROM + 169 * HOUR);
  assert.equal(r.week, '2026-W48');
  const { store } = testStore({ now: () => AS_OF });
  seedAll(store);
  const w47 = weekRange({ year: 2026, week: 47 }, TZ);
  const full = buildWeeklyReport(readReportInput(storeReportSources(store), seededContext(), w47, weekRange(previousWeek(w47), TZ), W47_FROM + 200 * HOUR));
  assert.equal(full.partial, false);
  assert.equal(full.asOf, null);
  assert.equal(full.dataQuality.hoursWithData + full.dataQuality.hoursWithoutData, 168);
  assert.doesNotMatch(renderMarkdown(full), /so far|Partial report/);
});

test('Markdown and HTML of the week so far say so in the heading and in a banner', () => {
  const r = partialReport();
  const md = renderMarkdown(r);
  assert.match(md, /^# Web shop — Week 47, 2026 — so far \(to Thu 19 Nov 12:00\)\n/);
  assert.match(md, /\(Europe\/Berlin, 84 of 168 h so far\)/);
  assert.match(md, /> \*\*Partial report: the week is not over\. Every figure covers Mon 16 Nov 00:00 to Thu 19 Nov 12:00 only/);
  const html = renderHtml(r);
  assert.match(html, /<title>Web shop — Week 47, 2026 — so far \(to Thu 19 Nov 12:00\)<\/title>/);
  assert.match(html, /<h1>Web shop — Week 47, 2026 — so far \(to Thu 19 Nov 12:00\)<\/h1>/);
  assert.match(html, /<p class="banner partial" data-partial="true">Partial report: the week is not over\./);
  assert.deepEqual(htmlProblems(html), []);
  // A week in progress has no week end yet: its end values are "so far".
  assert.doesNotMatch(md + html, /\bweek end\b/i);
  assert.match(md, /status so far: /);
  assert.match(html, /<th class="num">So far<\/th>/);
});

test('the PDF of the week so far, printed by Chromium, carries the partial heading and banner', { skip: requireBinary(CHROMIUM) || requireBinary(PDFTOTEXT), timeout: 120_000 }, async () => {
  const pdf = await chromiumPdfRenderer({ executablePath: CHROMIUM }).render(renderHtml(partialReport()), 'A4');
  const file = path.join(tempDir('pillarboard-partial-pdf-'), 'r.pdf');
  fs.writeFileSync(file, pdf);
  const text = execFileSync(PDFTOTEXT, ['-raw', file, '-'], { encoding: 'utf8', timeout: 30_000 }).replace(/\s+/g, ' ');
  assert.match(text, /Web shop — Week 47, 2026 — so far \(to Thu 19 Nov 12:00\)/);
  assert.match(text, /Partial report: the week is not over\./);
});

test('pillarboard report --week current prints the week so far, archives nothing, and refuses --send', async () => {
  const dir = tempDir('pillarboard-report-partial-');
  const db = path.join(dir, 'pb.db');
  const config = path.join(dir, 'w.yaml');
  fs.writeFileSync(config, 'workload: { id: shop, title: "Web shop", timezone: Europe/Berlin }\nindicators:\n  - { id: up, title: Up, pillar: reliability, unit: ratio, series: up, objective: { min: 1 } }\n');
  const store = openStore({ path: db, now: () => AS_OF });
  seedAll(store);
  store.close();
  const run = async (extra: { week?: string; format?: string; send?: boolean }) => {
    const c = captureIo();
    const code = await runReport({ config, db, env: {}, log: silentLogger, stdout: c.io.out, stderr: c.io.err, clock: clockAt(() => AS_OF), ...extra });
    return { code, out: c.out(), err: c.err() };
  };
  const json = await run({ week: 'current', format: 'json' });
  assert.equal(json.code, 0, json.err);
  const data = JSON.parse(json.out);
  assert.equal(data.partial, true);
  assert.equal(data.asOf, '2026-11-19T11:00:00.000Z');
  assert.match(json.err, /2026-W47 so far, to 2026-11-19T11:00:00.000Z: a partial report, not archived/);
  const md = await run({ week: 'current' });
  assert.equal(md.code, 0, md.err);
  assert.match(md.out, /^# Web shop — Week 47, 2026 — so far \(to Thu 19 Nov 12:00\)/);
  const send = await run({ week: 'current', send: true });
  assert.equal(send.code, 2);
  assert.match(send.err, /--send: the current week is not over: .* only a complete week is archived or sent/);
  const explicit = await run({ week: '2026-W47' });
  assert.equal(explicit.code, 2);
  assert.match(explicit.err, /2026-W47 has not ended yet .*; "current" gives this week so far/);
  // The default is still the last complete week, and it is the only one archived.
  const last = await run({});
  assert.equal(last.code, 0, last.err);
  assert.match(last.out, /^# Web shop — weekly report 2026-W46\n/);
  const check = openStore({ path: db, now: Date.now });
  try {
    assert.deepEqual(check.db.prepare('SELECT week FROM reports').pluck().all(), ['2026-W46']);
  } finally {
    check.close();
  }
});

const WORKLOAD = `
workload: { id: shop, title: "Web shop", owner: platform-team, timezone: Europe/Berlin }
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
outcomes:
  - id: buy
    title: Customers can buy
    indicators: [ { ref: avail, weight: 3, key: true }, latency ]
reports:
  weekly:
    formats: [html]
`;

const { runtime } = testRuntime(WORKLOAD, { PILLARBOARD_CHROMIUM: '/nonexistent/chromium' }, { now: () => AS_OF });
let app: ReturnType<typeof createApp>;
let admin = '';

before(() => {
  seedAll(runtime.store);
  runtime.load(false, { evaluate: false });
  app = createApp(runtime.apiDeps());
  admin = runtime.tokens.create('admin', 'admin').token;
});

test('GET /api/reports/current answers the week so far, labelled partial, in every format, and never archives it', async () => {
  const meta = (await request(app).get('/api/reports/current').expect(200)).body;
  assert.equal(meta.week, '2026-W47');
  assert.equal(meta.partial, true);
  assert.equal(meta.archived, false);
  assert.equal(meta.asOf, '2026-11-19T11:00:00.000Z');
  assert.equal(meta.title, 'Web shop — Week 47, 2026 — so far (to Thu 19 Nov 12:00)');
  assert.match(meta.headline, /^\d+ of 1 outcome met|^No data for this week$/);
  assert.equal(meta.data.partial, true);
  assert.equal(meta.links.html, '/api/reports/current.html');
  const data = (await request(app).get('/api/reports/current.json').expect(200)).body;
  assert.equal(data.asOf, meta.asOf);
  const md = await request(app).get('/api/reports/current.md').expect(200);
  assert.match(md.text, /^# Web shop — Week 47, 2026 — so far \(to Thu 19 Nov 12:00\)/);
  const html = await request(app).get('/api/reports/current.html').expect(200);
  assert.match(html.headers['content-type'] ?? '', /^text\/html/);
  assert.equal(html.headers['cache-control'], 'no-store');
  assert.match(html.text, /<h1>Web shop — Week 47, 2026 — so far/);
  const pdf = await request(app).get('/api/reports/current.pdf').expect(503);
  assert.match(pdf.headers['content-type'] ?? '', /application\/problem\+json/);

  const run = await request(app).post('/api/reports/run').set('authorization', `Bearer ${admin}`).send({ week: 'current' }).expect(400);
  assert.equal(run.body.errors[0].name, 'week');
  assert.match(run.body.detail, /the current week is not over/);
  assert.deepEqual((await request(app).get('/api/reports').expect(200)).body.reports, []);
  await request(app).get('/api/reports/2026-W47').expect(404);
});
