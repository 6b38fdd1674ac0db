import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { requireBinary } from './support/real-binaries.js';
import { CHROMIUM_BIN, launchChromium } from './support/browser.js';
import { startDashboardFixture, TIMEZONE, type DashboardFixture } from './support/dashboard-fixture.js';

/**
 * The dashboard's review page, the pillar tiles' risk counts, deployments and incidents on the
 * drill-down charts, the reports page and the workload's time zone, in a real Chromium against
 * the fixture (its review section binds three choices to indicators; a person's answer drifts
 * from its evidence; deployments and incidents over the last days). Screenshots: test/artifacts/.
 */

const ARTIFACTS = path.resolve(__dirname, 'artifacts');
const FULL_HD = { width: 1920, height: 1080 };
const WAIT = { timeout: 15_000 };
const CSP_LISTENER = `document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp = (window.__csp || []).concat(e.violatedDirective + ': ' + e.blockedURI);
});`;
/** The browser's own zone in these tests: far from the workload's, so a page using it is caught. */
const BROWSER_ZONE = 'America/New_York';

declare global {
  interface Window {
    pillarboard: { updates: number; lastRenderMs: number | null; renderMs: number[]; view: string; connection: string; errors: string[] }; // the dashboard's probe, declared alike in every file (one program)
    __csp?: string[];
  }
}

interface Opened {
  page: Page;
  context: BrowserContext;
  problems: string[];
}

type Counts = Record<'high' | 'medium' | 'none' | 'unanswered' | 'not_applicable', number>;
const WORD: Record<keyof Counts, string> = { high: 'high', medium: 'medium', none: 'no risk', unanswered: 'unanswered', not_applicable: 'n/a' };
const RISK_WORDS = /^(High risk|Medium risk|No risk|Unanswered|Not applicable)$/;

describe('review, annotations, reports and time zone in the dashboard', { skip: requireBinary(CHROMIUM_BIN) }, () => {
  let fx: DashboardFixture;
  let browser: Browser;

  before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fx = await startDashboardFixture();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await fx?.close();
  });

  /** `allow`: console messages expected in this test (HTTP errors served on purpose). */
  async function open(pathname: string, opts: { allow?: RegExp; viewport?: { width: number; height: number } } = {}): Promise<Opened> {
    const context = await browser.newContext({ viewport: opts.viewport ?? FULL_HD, timezoneId: BROWSER_ZONE, locale: 'en-US' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if ((m.type() === 'error' || m.type() === 'warning') && !(opts.allow && opts.allow.test(m.text()))) problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    await page.addInitScript({ content: CSP_LISTENER });
    await page.goto(fx.url + pathname);
    return { page, context, problems };
  }

  async function assertClean(o: Opened) {
    assert.deepEqual(await o.page.evaluate(() => window.__csp ?? []), [], 'CSP violations');
    assert.deepEqual(o.problems, [], 'console errors or warnings');
    assert.deepEqual(await o.page.evaluate(() => window.pillarboard.errors), [], 'view errors');
  }

  const updates = (page: Page) => page.waitForFunction(() => (window.pillarboard?.updates ?? 0) >= 1, null, WAIT);
  const api = async <T>(p: string): Promise<T> => (await (await fetch(fx.url + p)).json()) as T;

  test('the review page shows each question by pillar with its risk in words, the evidence behind its answer, drift and the improvement plan', async () => {
    const o = await open('/review');
    const { page } = o;
    const q = (id: string) => `.question[data-question="wellarchitected/${id}"]`;
    await page.waitForSelector(q('ops_small_changes'), WAIT);

    // Every question's risk: icon and words, never colour alone.
    const badges = await page.$$eval('.question > summary .badge', (els) => els.map((e) => ({ risk: (e as HTMLElement).dataset['risk'], text: e.textContent, icon: !!e.querySelector('svg') })));
    assert.equal(badges.length, 19, 'all 19 questions of the built-in lens');
    for (const b of badges) {
      assert.ok(b.icon, `${b.risk}: has an icon`);
      assert.match(b.text ?? '', RISK_WORDS);
    }
    const pillars = await page.$$eval('.review-pillar', (els) => els.map((e) => (e as HTMLElement).dataset['pillar']));
    assert.deepEqual(pillars, ['operational_excellence', 'security', 'reliability', 'performance_efficiency', 'cost_optimization', 'sustainability']);

    // Auto-answered from evidence: the choice, the condition and the indicator it read.
    assert.equal(await page.getAttribute(q('ops_small_changes'), 'data-risk'), 'high');
    assert.match((await page.textContent(`${q('ops_small_changes')} summary`)) ?? '', /High risk[\s\S]*How do you make changes to the workload\?[\s\S]*evidence/);
    assert.match((await page.textContent(`${q('ops_small_changes')} .answer-meta`)) ?? '', /Source: evidence \(auto\) · 1 of 4 practices in place/);
    const frequent = `${q('ops_small_changes')} .choice[data-choice="ops_small_changes_frequent"]`;
    assert.equal(await page.getAttribute(frequent, 'data-selected'), 'true');
    assert.match((await page.textContent(frequent)) ?? '', /✓ in place\s*Changes ship in small increments, frequently\s*from evidence/);
    assert.match((await page.textContent(`${frequent} .evidence`)) ?? '', /Evidence deploys == ok holds · in place since .* · checked /);
    assert.match((await page.textContent(`${frequent} .evidence li[data-indicator="deploys"]`)) ?? '', /Deployments per day\s*OK value 3 deploys\/day · score 100/);
    assert.equal(await page.getAttribute(`${frequent} .evidence li[data-indicator="deploys"] .badge`, 'data-status'), 'ok');
    assert.match((await page.textContent(`${q('ops_small_changes')} .choice[data-choice="ops_small_changes_pipeline"]`)) ?? '', /✗ not in place/);

    // A person's answer against the evidence: flagged as drift, in words.
    assert.match((await page.textContent(`${q('ops_health')} summary`)) ?? '', /High risk[\s\S]*person[\s\S]*drift/);
    assert.match(
      (await page.textContent(`${q('ops_health')} .drift-note`)) ?? '',
      /Drift: the evidence says “Indicators with targets show whether the workload delivers its outcomes” is in place; the answer says it is not/,
    );
    assert.match((await page.textContent(`${q('ops_health')} .choice[data-choice="ops_health_indicators"]`)) ?? '', /not in place[\s\S]*evidence, overridden by a person[\s\S]*availability != critical holds/);
    assert.match((await page.textContent(`${q('ops_health')} .answer-meta`)) ?? '', /Source: a person \(manual\) · answered by alice/);
    assert.match((await page.textContent(`${q('ops_health')} .answer-note`)) ?? '', /Dashboards are not trusted yet/);
    assert.match((await page.textContent(`${q('sus_data')}`)) ?? '', /Not applicable[\s\S]*Not applicable: business priorities \(marked by alice/);
    assert.equal(await page.getAttribute(q('ops_priorities'), 'data-risk'), 'none');
    assert.equal(await page.getAttribute(q('ops_as_code'), 'data-risk'), 'unanswered');

    // The totals agree with the API.
    const summary = await api<{ totals: Counts; drift: number }>('/api/review/summary');
    for (const [risk, n] of Object.entries(summary.totals)) assert.equal(await page.textContent(`.risk-total[data-risk="${risk}"]`), String(n), `${risk} total`);

    // The improvement plan: risk, question, improvements, owner, due date, status.
    const plan = await page.$$eval('.plan-panel tbody tr', (trs) => trs.map((tr) => ({ q: (tr as HTMLElement).dataset['question'], cells: [...tr.children].map((c) => c.textContent?.trim()) })));
    assert.deepEqual(plan.map((r) => r.q), ['wellarchitected/ops_small_changes', 'wellarchitected/ops_health', 'wellarchitected/perf_measure']);
    const first = plan[0]!.cells;
    assert.equal(first[0], 'High risk');
    assert.match(first[1] ?? '', /How do you make changes to the workload\?Operational excellence/);
    assert.match(first[2] ?? '', /Deployments run through an automated pipeline with tests: Build a pipeline[\s\S]*Note: Pipeline first/);
    assert.equal(first[3], 'platform-team');
    assert.match(first[4] ?? '', /^[A-Z][a-z]{2} \d{1,2}, \d{4}$/);
    assert.equal(first[5], 'In progress');
    assert.match(plan[1]!.cells[1] ?? '', /drift/);
    assert.equal(plan[1]!.cells[3], 'nobody yet');

    assert.equal(await page.getAttribute('.site-nav a[data-nav="review"]', 'aria-current'), 'page');
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-1920x1080.png') });
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-full.png'), fullPage: true });

    // A deep link to one pillar survives a refresh.
    await page.click('.review-filter a[data-filter="performance_efficiency"]');
    await page.waitForURL((u) => u.pathname === '/review' && u.searchParams.get('pillar') === 'performance_efficiency', WAIT);
    await page.waitForSelector('.review-pillar[data-pillar="performance_efficiency"]', WAIT);
    await page.reload();
    await page.waitForSelector(q('perf_measure'), WAIT);
    assert.deepEqual(await page.$$eval('.review-pillar', (els) => els.map((e) => (e as HTMLElement).dataset['pillar'])), ['performance_efficiency']);
    assert.match((await page.textContent('.crumbs')) ?? '', /Overview.*Well-Architected review.*Performance efficiency/);
    assert.match((await page.textContent(`${q('perf_measure')} .choice[data-choice="perf_measure_user_latency"]`)) ?? '', /not in place[\s\S]*latency == ok does not hold[\s\S]*Checkout latency\s*Critical value 1\.2 s/);
    assert.equal(await page.$$eval('.plan-panel tbody tr', (r) => r.length), 1, 'the plan of this pillar only');
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => u.pathname === '/review' && !u.searchParams.has('pillar'), WAIT);
    await assertClean(o);
    await o.context.close();
  });

  test('pillar tiles and pillar pages show the review’s risk counts beside the score; without a review they show none', async () => {
    const summary = await api<{ pillars: Array<{ id: string; counts: Counts; questions: number }> }>('/api/review/summary');
    const o = await open('/');
    const { page } = o;
    await page.waitForSelector('.tile[data-pillar="operational_excellence"] .review-counts .risk-count', WAIT);
    for (const p of summary.pillars) {
      const tile = `.tile[data-pillar="${p.id}"]`;
      const shown = await page.$$eval(`${tile} .risk-count`, (els) => els.map((e) => [(e as HTMLElement).dataset['risk'], e.textContent?.trim(), !!e.querySelector('svg')]));
      const expected = (Object.keys(WORD) as Array<keyof Counts>).filter((k) => p.counts[k] > 0).map((k) => [k, `${p.counts[k]} ${WORD[k]}`, true]);
      assert.deepEqual(shown, expected, `${p.id}: the non-zero risk counts, each with an icon and words`);
      const label = (await page.getAttribute(tile, 'aria-label')) ?? '';
      const all = (Object.keys(WORD) as Array<keyof Counts>).map((k) => `${p.counts[k]} ${WORD[k]}`).join(', ');
      assert.ok(label.endsWith(`review risks: ${all}`), `${p.id}: the tile's name states every count (${label})`);
    }
    assert.equal(await page.$$eval('.tile svg', (s) => s.length), await page.$$eval('.tile .badge, .tile .count', (b) => b.length), 'one icon per badge and count');
    await page.screenshot({ path: path.join(ARTIFACTS, 'overview-review-counts.png') });
    await assertClean(o);

    await page.goto(`${fx.url}/pillars/operational_excellence`);
    await page.waitForSelector('.review-stat .risk-count', WAIT);
    const oe = summary.pillars.find((p) => p.id === 'operational_excellence')!;
    assert.match((await page.textContent('.review-stat')) ?? '', new RegExp(`Review risks${(Object.keys(WORD) as Array<keyof Counts>).map((k) => `\\s*${oe.counts[k]} ${WORD[k]}`).join('')}\\s*6 questions — open the review`));
    assert.equal(new URL((await page.getAttribute('.review-stat a', 'href'))!, fx.url).search, '?pillar=operational_excellence');
    await assertClean(o);
    await o.context.close();

    // On a TV: the counts are there, no links to other pages, and everything still fits.
    const kiosk = await open('/?kiosk=1');
    await kiosk.page.waitForSelector('.tile[data-pillar="operational_excellence"] .risk-count', WAIT);
    assert.equal(await kiosk.page.$('.site-nav'), null, 'no Review or Reports link in kiosk mode');
    assert.ok(await kiosk.page.evaluate(() => document.documentElement.scrollHeight <= innerHeight), 'the kiosk overview fits the screen');
    await kiosk.page.screenshot({ path: path.join(ARTIFACTS, 'kiosk-overview-review-counts.png') });
    await assertClean(kiosk);
    await kiosk.context.close();

    // A server without reviews: no counts, no error on the page.
    const none = await open('/', { allow: /Failed to load resource: the server responded with a status of 503/ });
    await none.page.route('**/api/review/summary*', (r) => r.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"title":"Reviews unavailable","detail":"this server has no review service"}' }));
    const refused = none.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/review/summary' && r.status() === 503, WAIT);
    await none.page.reload();
    await updates(none.page);
    // The page has had the 503 and a frame to show what it makes of it (no waiting on the wall clock).
    await refused;
    await none.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.equal(await none.page.$$eval('.review-counts:not([hidden])', (e) => e.length), 0);
    assert.equal(await none.page.$$eval('.banner:not([hidden])', (b) => b.map((x) => x.getAttribute('data-banner')).filter((x) => x !== 'collectors').length), 0, 'no banner about it');
    await assertClean(none);
    await none.context.close();
  });

  test('drill-down charts mark deployments and incidents with text labels, listed under the chart, in the chart’s range', async () => {
    const o = await open('/indicators/latency');
    const { page } = o;
    const canvas = '.chart-box canvas';
    await page.waitForSelector(`${canvas}[data-annotations="6"]`, WAIT);
    assert.equal(await page.getAttribute(canvas, 'data-annotation-labels'), 'D1,D2,I1,D3,D4 ✗,I2 open', 'each marker drawn with its label');
    assert.match((await page.getAttribute(canvas, 'aria-label')) ?? '', /with 4 deployments and 2 incidents \(1 open\) marked/);
    assert.match((await page.textContent('.chart-legend')) ?? '', /Marked: 4 deployments and 2 incidents \(1 open\)\. D = deployment \(dashed line\), I = incident \(shaded/);
    const items = await page.$$eval('.annotations-list li', (lis) => lis.map((li) => [(li as HTMLElement).dataset['label'], li.textContent]));
    assert.deepEqual(items.map((i) => i[0]), ['D1', 'D2', 'I1', 'D3', 'D4', 'I2']);
    const byLabel = new Map(items.map(([l, t]) => [l, t ?? '']));
    assert.match(byLabel.get('D4')!, /^D4 Deployment .* shop 1\.5\.1 failure shop, production$/);
    assert.match(byLabel.get('I1')!, /^I1 Incident .* – .* Checkout errors above 2% resolved shop$/);
    assert.match(byLabel.get('I2')!, /^I2 Incident since .*, still open Checkout latency above 1 s triggered shop$/);
    assert.equal(await page.getAttribute('.annotations-list li[data-label="D1"] a', 'href'), 'https://ci.example/runs/d-101');

    // Times in the list are the workload's, whatever the browser's zone.
    const events = await api<Array<{ id: string; time: string }>>('/api/annotations?from=now-8d');
    const d4 = Date.parse(events.find((e) => e.id === 'd-104')!.time);
    const fmt = (tz: string) => new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d4);
    assert.ok((await page.textContent('.annotations-list li[data-label="D4"] .annot-when'))?.startsWith(`${fmt(TIMEZONE)} – `), 'the deployment ran from … to …, in the workload’s zone');
    assert.notEqual(fmt(TIMEZONE), fmt(BROWSER_ZONE));

    // Hovering a marker tells what it was (drawn on the canvas; nothing must break).
    const box = (await page.$(canvas))!;
    const bb = (await box.boundingBox())!;
    await page.mouse.move(bb.x + bb.width / 2, bb.y + bb.height / 2);
    await page.mouse.move(bb.x + bb.width - 30, bb.y + bb.height / 2);
    await page.screenshot({ path: path.join(ARTIFACTS, 'indicator-annotations.png') });

    // A shorter range asks for its own events and numbers them again.
    await page.click('.range-picker button:text("24h")');
    await page.waitForSelector(`${canvas}[data-annotations="3"]`, WAIT);
    assert.deepEqual(await page.$$eval('.annotations-list li', (lis) => lis.map((li) => (li as HTMLElement).dataset['label'])), ['D1', 'D2', 'I1']);
    assert.equal(await page.getAttribute(canvas, 'data-annotation-labels'), 'D1,D2 ✗,I1 open');
    await assertClean(o);

    for (const p of ['/pillars/reliability', '/outcomes/buy']) {
      await page.goto(fx.url + p);
      await page.waitForSelector(`${canvas}[data-annotations="6"]`, WAIT);
      assert.equal(await page.$$eval('.annotations-list li', (l) => l.length), 6, `${p}: listed`);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'outcome-annotations.png') });
    await assertClean(o);
    await o.context.close();

    // No events API (503): the chart is drawn without markers, and says nothing about it.
    const none = await open('/indicators/latency', { allow: /Failed to load resource: the server responded with a status of 503/ });
    await none.page.route('**/api/annotations*', (r) => r.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"title":"Not ready"}' }));
    await none.page.reload();
    await none.page.waitForSelector(`${canvas}[data-annotations="0"]`, WAIT);
    assert.equal(await none.page.isVisible('.annotations-list'), false);
    assert.equal(await none.page.isVisible('.chart-legend'), false);
    assert.match((await none.page.textContent('.chart-note')) ?? '', /points, one per/);
    await assertClean(none);
    await none.context.close();
  });

  test('the reports page lists a generated report with links to its HTML and PDF, carrying the token', async () => {
    const reports = fx.runtime.reports.service;
    const week = reports.resolveWeek(undefined);
    await reports.generate(week, 'api', { pdf: false });
    const name = (await api<{ reports: Array<{ week: string }> }>('/api/reports')).reports[0]!.week;

    const o = await open('/reports?token=pbr_abc123');
    const { page } = o;
    const row = `.reports-page tr[data-week="${name}"]`;
    await page.waitForSelector(row, WAIT);
    const cells = await page.$$eval(`${row} > *`, (c) => c.map((x) => x.textContent?.trim()));
    assert.equal(cells[0], name);
    assert.match(cells[1] ?? '', /^[A-Z][a-z]{2} \d{1,2} – [A-Z][a-z]{2} \d{1,2}$/, 'the week, Monday to Sunday');
    assert.match(cells[2] ?? '', /through the API/);
    assert.equal(cells[3], 'archived, not sent');
    const html = await page.getAttribute(`${row} a[data-format="html"]`, 'href');
    const pdf = await page.getAttribute(`${row} a[data-format="pdf"]`, 'href');
    assert.equal(html, `/api/reports/${name}.html?token=pbr_abc123`);
    assert.equal(pdf, `/api/reports/${name}.pdf?token=pbr_abc123`);
    assert.equal(await page.getAttribute(`${row} a[data-format="pdf"]`, 'target'), '_blank');
    const res = await fetch(fx.url + html!);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    // This week so far: linked beside the archive, labelled partial when opened, never archived.
    const soFar = await page.getAttribute('[data-current-week] a[data-format="html"]', 'href');
    assert.equal(soFar, '/api/reports/current.html?token=pbr_abc123');
    assert.match((await page.textContent('[data-current-week]')) ?? '', /labelled partial/);
    assert.match((await page.textContent('[data-current-week] .report-current')) ?? '', / — Week \d{1,2}, \d{4} — so far \(to [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}\) — .+\.$/);
    const partial = await fetch(fx.url + soFar!);
    assert.equal(partial.status, 200);
    assert.match(await partial.text(), /<h1>[^<]* — Week \d{1,2}, \d{4} — so far \(to [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}\)<\/h1>/);
    assert.equal((await api<{ reports: unknown[] }>('/api/reports')).reports.length, 1, 'opening the week so far archives nothing');
    assert.match((await page.textContent('[data-schedule]')) ?? '', /0 8 \* \* MON, Asia\/Kolkata/);
    assert.equal(await page.getAttribute('.site-nav a[data-nav="reports"]', 'aria-current'), 'page');
    assert.match((await page.getAttribute('.site-nav a[data-nav="review"]', 'href')) ?? '', /^\/review\?token=pbr_abc123$/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'reports-1920x1080.png') });
    await page.reload();
    await page.waitForSelector(row, WAIT);
    await assertClean(o);
    await o.context.close();
  });

  test('the clock shows the workload’s time zone, not the browser’s', async () => {
    const s = await api<{ workload: { timezone: string } }>('/api/summary');
    assert.equal(s.workload.timezone, TIMEZONE);
    const o = await open('/');
    const { page } = o;
    await updates(page);
    const fmt = (tz: string, t: number) => new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(t);
    await page.waitForFunction((zone) => document.querySelector('.clock-zone')?.textContent === zone, 'GMT+5:30', WAIT);
    const now = Date.now();
    const shown = await page.textContent('.clock-time');
    assert.ok([fmt(TIMEZONE, now - 2000), fmt(TIMEZONE, now)].includes(shown ?? ''), `clock ${shown} is ${TIMEZONE} time`);
    assert.ok(![fmt(BROWSER_ZONE, now - 2000), fmt(BROWSER_ZONE, now)].includes(shown ?? ''), 'not the browser’s zone');
    assert.match((await page.getAttribute('.clock', 'title')) ?? '', /Asia\/Kolkata/);
    await assertClean(o);
    await o.context.close();
  });
});
