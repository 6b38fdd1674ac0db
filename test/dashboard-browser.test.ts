import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { requireBinary } from './support/real-binaries.js';
import { CHROMIUM_BIN, launchChromium } from './support/browser.js';
import { EXPECTED_PILLAR_STATUSES, startDashboardFixture, type DashboardFixture } from './support/dashboard-fixture.js';

/**
 * The wall-screen dashboard in a real Chromium (Debian's, through playwright-core) against a
 * real Pillarboard with a fixture workload and 30 days of seeded history. Screenshots go to
 * test/artifacts/ (ignored by git) for a person to look at.
 */

const ARTIFACTS = path.resolve(__dirname, 'artifacts');
const FULL_HD = { width: 1920, height: 1080 };
const UHD = { width: 3840, height: 2160 };
const WAIT = { timeout: 15_000 };
/** Records Content-Security-Policy violations in window.__csp (page code as text, see `open`). */
const CSP_LISTENER = `document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp = (window.__csp || []).concat(e.violatedDirective + ': ' + e.blockedURI);
});`;

interface Opened {
  page: Page;
  context: BrowserContext;
  /** Console errors and warnings, uncaught exceptions, CSP violations. */
  problems: string[];
  /** Just uncaught exceptions (for pages where network errors are expected). */
  jsErrors: string[];
}

declare global {
  interface Window {
    pillarboard: { updates: number; lastRenderMs: number | null; renderMs: number[]; view: string; connection: string; errors: string[] };
    __csp?: string[];
    __hidden?: boolean;
  }
}

describe('the wall-screen dashboard in a real browser', { skip: requireBinary(CHROMIUM_BIN) }, () => {
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

  /** `init`: a script (as text: tsx would wrap named functions in a helper the page lacks) run before the page's own. */
  async function open(pathname: string, opts: { viewport?: { width: number; height: number }; init?: string } = {}): Promise<Opened> {
    const context = await browser.newContext({ viewport: opts.viewport ?? FULL_HD });
    const page = await context.newPage();
    const problems: string[] = [];
    const jsErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => {
      problems.push(`uncaught: ${e.message}`);
      jsErrors.push(e.message);
    });
    await page.addInitScript({ content: CSP_LISTENER });
    if (opts.init) await page.addInitScript({ content: opts.init });
    await page.goto(fx.url + pathname);
    return { page, context, problems, jsErrors };
  }

  const updates = (page: Page, atLeast = 1) => page.waitForFunction((n) => (window.pillarboard?.updates ?? 0) >= n, atLeast, WAIT);

  /**
   * Waits until the canvas has drawn pixels. Reads a copy on a canvas made for reading, so
   * polling does not make Chrome warn about repeated readbacks of the chart's own canvas.
   */
  const inked = (page: Page, selector: string) =>
    page.waitForFunction(
      (sel) => {
        const c = document.querySelector<HTMLCanvasElement>(sel);
        if (!c || c.width === 0 || c.height === 0) return false;
        const copy = document.createElement('canvas');
        copy.width = c.width;
        copy.height = c.height;
        const g = copy.getContext('2d', { willReadFrequently: true })!;
        g.drawImage(c, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) return true;
        return false;
      },
      selector,
      WAIT,
    );

  async function assertClean(o: Opened) {
    const csp = await o.page.evaluate(() => window.__csp ?? []);
    assert.deepEqual(csp, [], 'CSP violations');
    assert.deepEqual(o.problems, [], 'console errors or warnings');
    assert.deepEqual(await o.page.evaluate(() => window.pillarboard.errors), [], 'view errors');
  }

  /** The smallest font size of any visible text on the page, in CSS px. */
  const smallestText = (page: Page) =>
    page.evaluate(() => {
      let min = Infinity;
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || !n.textContent?.trim() || el.closest('[hidden], .sr-only, .skip-link, noscript')) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.bottom < 0 || r.top > innerHeight) continue;
        min = Math.min(min, parseFloat(getComputedStyle(el).fontSize));
      }
      return min;
    });

  test('the overview shows the six pillars with their statuses, outcomes with attainment, drawn sparklines, and no errors', async () => {
    const o = await open('/');
    const { page } = o;
    await updates(page);
    const tiles = await page.$$eval('.tile', (els) =>
      els.map((e) => {
        const badge = e.querySelector<HTMLElement>('.badge')!;
        return { id: (e as HTMLElement).dataset['pillar'], status: badge.dataset['status'], word: badge.textContent, icon: !!badge.querySelector('svg'), label: e.getAttribute('aria-label') };
      }),
    );
    assert.deepEqual(
      tiles.map((t) => [t.id, t.status]),
      Object.entries(EXPECTED_PILLAR_STATUSES),
    );
    for (const t of tiles) {
      assert.ok(t.icon, `${t.id}: status has an icon`);
      assert.match(t.word ?? '', /^(OK|Warning|Critical|No data|Stale|Not measured)$/, `${t.id}: status has a word`);
      assert.match(t.label ?? '', new RegExp(`: ${t.word}`), `${t.id}: aria-label states the status`);
    }
    assert.match(await page.textContent('.tile[data-pillar="security"]') ?? '', /No indicator is declared on this pillar/);

    const summary = (await (await fetch(`${fx.url}/api/summary`)).json()) as { outcomes: Array<{ id: string; attainment: number | null }> };
    const buy = summary.outcomes.find((x) => x.id === 'buy')!;
    const expected = `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(buy.attainment! * 100)}%`;
    assert.equal(await page.textContent('.card[data-outcome="buy"] .attain-value'), expected);
    assert.match(await page.textContent('.card[data-outcome="buy"]') ?? '', /Owner: payments[\s\S]*Error budget 80% left[\s\S]*Checkout latency/);
    assert.match(await page.textContent('header') ?? '', /Web shop[\s\S]*Updated/);

    await inked(page, '.tile[data-pillar="reliability"] canvas');
    await inked(page, '.tile[data-pillar="performance_efficiency"] canvas');
    const points = await page.$eval('.tile[data-pillar="reliability"] canvas', (c) => (c as HTMLCanvasElement).clientWidth);
    assert.ok(points > 50, 'the sparkline has room');
    assert.ok((await smallestText(page)) >= 18, 'text is readable from 3 m at 1080p');
    await page.screenshot({ path: path.join(ARTIFACTS, 'overview-1920x1080.png') });
    await assertClean(o);
    await o.context.close();

    const uhd = await open('/', { viewport: UHD });
    await updates(uhd.page);
    await inked(uhd.page, '.tile[data-pillar="reliability"] canvas');
    assert.ok((await smallestText(uhd.page)) >= 36, 'text scales with a 4K screen');
    await uhd.page.screenshot({ path: path.join(ARTIFACTS, 'overview-3840x2160.png') });
    await assertClean(uhd);
    await uhd.context.close();
  });

  test('a drill-down deep link survives a refresh, and the laptop view is usable from the keyboard', async () => {
    const o = await open('/indicators/latency?range=30d');
    const { page } = o;
    await page.waitForSelector('h1:text("Checkout latency")', WAIT);
    await inked(page, '.chart-box canvas');
    assert.equal(await page.getAttribute('.range-picker button[aria-pressed="true"]', 'aria-label'), 'last 30 days');
    assert.equal(await page.getAttribute('a.runbook', 'href'), 'https://runbooks.example/latency');
    assert.match(await page.textContent('.detail-head') ?? '', /1\.2 s[\s\S]*≤ 300 ms[\s\S]*critical at 1 s/);
    assert.ok((await page.$$('.table-panel tbody tr')).length >= 1, 'status transitions are listed');
    assert.match(await page.textContent('.chart-note') ?? '', /points, one per/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'indicator-latency.png') });
    await page.reload();
    await page.waitForSelector('h1:text("Checkout latency")', WAIT);
    await inked(page, '.chart-box canvas');
    assert.match(await page.textContent('.crumbs') ?? '', /Overview.*Performance efficiency.*Checkout latency/);
    await assertClean(o);

    // From the overview, Tab to the Reliability tile, Enter, then Escape back.
    await page.goto(`${fx.url}/`);
    await updates(page);
    let focused = '';
    for (let i = 0; i < 20 && focused !== 'reliability'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset['pillar'] ?? '');
    }
    assert.equal(focused, 'reliability', 'the Reliability tile is reachable with Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('h1:text("Reliability")', WAIT);
    assert.equal(new URL(page.url()).pathname, '/pillars/reliability');
    await page.waitForSelector('.table-panel tr[data-indicator="error_ratio"]', WAIT);
    await inked(page, '.chart-box canvas');
    await page.keyboard.press('Escape');
    await page.waitForSelector('.overview', WAIT);
    assert.equal(new URL(page.url()).pathname, '/');

    await page.goto(`${fx.url}/outcomes/buy`);
    await page.waitForSelector('h1:text("Customers can buy")', WAIT);
    const rows = await page.$$eval('.table-panel tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-indicator'), tr.children[1]?.textContent]));
    assert.deepEqual(rows, [
      ['availability', '3 (60%)'],
      ['latency', '1 (20%)'],
      ['error_ratio', '1 (20%)'],
    ]);
    await inked(page, '.chart-box canvas');
    await assertClean(o);
    await o.context.close();
  });

  test('kiosk mode hides the controls, fits the screen and rotation advances through outcomes and pillars', async () => {
    const o = await open('/?kiosk=1&rotate=3s');
    const { page } = o;
    await updates(page);
    await inked(page, '.tile[data-pillar="operational_excellence"] canvas');
    assert.equal(await page.$('.wall-link'), null, 'no wall-screen link in kiosk mode');
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).cursor), 'none');
    const fits = await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight);
    assert.ok(fits, 'the page fits the screen: nothing to scroll on a TV');
    await page.screenshot({ path: path.join(ARTIFACTS, 'kiosk-overview-1920x1080.png') });
    await page.waitForURL((u) => u.pathname === '/outcomes/buy', WAIT);
    assert.match(page.url(), /kiosk=1&rotate=3s/);
    await page.waitForSelector('h1:text("Customers can buy")', WAIT);
    assert.equal(await page.isVisible('.crumbs'), false, 'no breadcrumb in kiosk mode');
    assert.equal(await page.isVisible('.range-picker'), false, 'no range buttons in kiosk mode');
    await inked(page, '.chart-box canvas');
    await page.screenshot({ path: path.join(ARTIFACTS, 'kiosk-outcome-1920x1080.png') });
    await page.waitForURL((u) => u.pathname === '/outcomes/budget', WAIT);
    await assertClean(o);
    await o.context.close();

    const uhd = await open('/?kiosk=1', { viewport: UHD });
    await updates(uhd.page);
    await inked(uhd.page, '.tile[data-pillar="reliability"] canvas');
    assert.ok((await smallestText(uhd.page)) >= 36);
    await uhd.page.screenshot({ path: path.join(ARTIFACTS, 'kiosk-overview-3840x2160.png') });
    await assertClean(uhd);
    await uhd.context.close();
  });

  test('a read token and the theme carry through every request and link', async () => {
    const o = await open('/?token=pbr_abc123&theme=light');
    const apiUrls: string[] = [];
    o.page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) apiUrls.push(r.url());
    });
    await o.page.reload();
    await updates(o.page);
    await inked(o.page, '.tile[data-pillar="reliability"] canvas');
    assert.ok(apiUrls.some((u) => u.includes('/api/stream')), 'the stream was opened');
    assert.deepEqual(apiUrls.filter((u) => !u.includes('token=pbr_abc123')), [], 'every API request carries the token');
    assert.match((await o.page.getAttribute('.tile[data-pillar="security"]', 'href')) ?? '', /token=pbr_abc123/);
    assert.equal(await o.page.getAttribute('html', 'data-theme'), 'light');
    await o.page.screenshot({ path: path.join(ARTIFACTS, 'overview-light-1920x1080.png') });
    await assertClean(o);
    await o.context.close();
  });

  test('a hidden page fetches nothing and catches up when shown again', async () => {
    const o = await open('/', { init: `Object.defineProperty(document, 'hidden', { configurable: true, get() { return window.__hidden === true; } });` });
    const { page } = o;
    await updates(page, 2); // the first poll and the stream's first event
    const seen: string[] = [];
    page.on('request', (r) => seen.push(new URL(r.url()).pathname));
    await page.evaluate(() => {
      window.__hidden = true;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const before = await page.evaluate(() => window.pillarboard.updates);
    fx.runtime.evaluator.evaluateNow();
    await page.waitForTimeout(1500);
    assert.deepEqual(seen, [], 'no request while hidden');
    assert.equal(await page.evaluate(() => window.pillarboard.updates), before, 'no update while hidden');
    await page.evaluate(() => {
      window.__hidden = false;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await updates(page, before + 1);
    assert.ok((seen as string[]).includes('/api/summary'), 'fetched at once when shown'); // deepEqual(seen, []) above narrowed it to never[]
    await assertClean(o);
    await o.context.close();
  });

  test('500 stream updates re-render in place and leave JS heap growth under 20%', async () => {
    const o = await open('/');
    const { page } = o;
    await updates(page);
    await inked(page, '.tile[data-pillar="reliability"] canvas');
    const cdp = await o.context.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    // Deployments per day (aggregate `last`) alternates between ok and critical, so every
    // update changes a pillar, two outcome cards, badges, icons and numbers, not just the clock.
    let flip = 0;
    const drive = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const next = (await page.evaluate(() => window.pillarboard.updates)) + 1;
        fx.runtime.store.writeSamples([{ name: 'deploys_per_day', labels: { collector: 'app' }, ts: Date.now(), value: flip++ % 2 ? 3 : 0.05 }]);
        fx.runtime.evaluator.evaluateNow();
        await updates(page, next);
      }
    };
    await drive(50); // warm-up: caches, JIT, first allocations
    const tileBefore = await page.$('.tile[data-pillar="reliability"] canvas');
    const base = await heap();
    const started = Date.now();
    await drive(500);
    const after = await heap();
    const growth = (after - base) / base;
    const renders = await page.evaluate(() => window.pillarboard.renderMs.slice());
    const sorted = [...renders].sort((a, b) => a - b);
    const p95 = sorted[Math.floor(sorted.length * 0.95)]!;
    console.log(
      `# heap ${(base / 1e6).toFixed(2)} MB → ${(after / 1e6).toFixed(2)} MB (${(growth * 100).toFixed(1)}%) after 500 updates in ${Date.now() - started} ms; render p95 ${p95.toFixed(1)} ms`,
    );
    assert.ok(growth < 0.2, `JS heap grew ${(growth * 100).toFixed(1)}%`);
    assert.ok(await tileBefore!.evaluate((c) => c.isConnected), 'the sparkline canvas is the same element: charts are updated in place, not recreated');
    assert.equal(await page.$$eval('.tile', (t) => t.length), 6);
    assert.equal(await page.$$eval('.card', (c) => c.length), 3);
    const icons = await page.$$eval('.tile svg', (s) => s.length);
    assert.equal(icons, await page.$$eval('.tile .badge, .tile .count', (b) => b.length), 'one icon per badge and count: replaced icons are gone');
    // Leave the fixture as the other tests expect it.
    fx.runtime.store.writeSamples([{ name: 'deploys_per_day', labels: { collector: 'app' }, ts: Date.now(), value: 3 }]);
    fx.runtime.evaluator.evaluateNow();
    await assertClean(o);
    await o.context.close();
  });

  test('the stale banner appears when the server stops, the last data stays marked stale, and it clears when the server returns', async () => {
    const o = await open('/');
    const { page } = o;
    await updates(page);
    await fx.stop();
    try {
      await page.waitForSelector('[data-banner="offline"]:visible', WAIT);
      assert.match(await page.textContent('[data-banner="offline"]') ?? '', /Offline: cannot reach Pillarboard[\s\S]*Showing the last data received/);
      assert.equal(await page.getAttribute('html', 'data-stale'), '');
      assert.equal(await page.$$eval('.tile .badge[data-status="critical"]', (b) => b.length), 1, 'the last good data stays on screen');
      assert.match(await page.textContent('.updated') ?? '', /Updated/);
      // The header's collector summary is as old as the rest: dimmed with it.
      assert.ok(Number(await page.$eval('.topbar .collectors', (el) => getComputedStyle(el).opacity)) < 1, 'collector summary dimmed while offline');
      await page.screenshot({ path: path.join(ARTIFACTS, 'overview-offline.png') });
    } finally {
      await fx.restart();
    }
    await page.waitForSelector('[data-banner="offline"]', { state: 'hidden', timeout: 25_000 });
    await page.waitForFunction(() => !document.documentElement.hasAttribute('data-stale'), null, WAIT);
    assert.equal(await page.$eval('.topbar .collectors', (el) => getComputedStyle(el).opacity), '1', 'and bright again once back');
    assert.deepEqual(o.jsErrors, []);
    await o.context.close();
  });

  describe('bad input from the API: the page stays usable and says what is missing', () => {
    let base: Record<string, unknown>;
    before(async () => {
      base = (await (await fetch(`${fx.url}/api/summary`)).json()) as Record<string, unknown>;
    });

    /** A page whose stream is unavailable and whose /api/summary answers `summary`. */
    async function withSummary(summary: { status?: number; body: string; type?: string }, pathname = '/') {
      const context = await browser.newContext({ viewport: FULL_HD });
      const page = await context.newPage();
      const jsErrors: string[] = [];
      const consoleErrors: string[] = [];
      page.on('pageerror', (e) => jsErrors.push(e.message));
      page.on('console', (m) => {
        // The browser reports the HTTP errors we serve on purpose; anything else is ours.
        if (m.type() === 'error' && !/Failed to load resource|EventSource/.test(m.text())) consoleErrors.push(m.text());
      });
      await page.route('**/api/stream*', (r) => r.fulfill({ status: 404, contentType: 'application/problem+json', body: '{"title":"Not found"}' }));
      await page.route('**/api/summary*', (r) => r.fulfill({ status: summary.status ?? 200, contentType: summary.type ?? 'application/json', body: summary.body }));
      await page.goto(fx.url + pathname);
      return {
        page,
        async done() {
          assert.deepEqual(jsErrors, [], 'no JavaScript error');
          assert.deepEqual(consoleErrors, [], 'no console error of our own');
          assert.deepEqual(await page.evaluate(() => window.pillarboard.errors), []);
          await context.close();
        },
      };
    }

    test('an API error is said in a banner; the page is not blank', async () => {
      const { page, done } = await withSummary({ status: 500, type: 'application/problem+json', body: '{"title":"Internal error","status":500,"detail":"database is locked"}' });
      await page.waitForSelector('[data-banner="offline"]:visible', WAIT);
      assert.match(await page.textContent('[data-banner="offline"]') ?? '', /refuses to send data: Internal error: database is locked/);
      assert.equal(await page.$$eval('.tile', (t) => t.length), 6, 'the frame of the page is there');
      await done();
    });

    test('a malformed summary is reported and does not replace good data', async () => {
      const { page, done } = await withSummary({ body: '{"pillars": "oops"' });
      await page.waitForSelector('[data-banner="offline"]:visible', WAIT);
      assert.match(await page.textContent('[data-banner="offline"]') ?? '', /not JSON/);
      await done();
      const second = await withSummary({ body: '[1, 2, 3]' });
      await second.page.waitForSelector('[data-banner="data"]:visible', WAIT);
      assert.match(await second.page.textContent('[data-banner="data"]') ?? '', /could not be read \(the summary is not a JSON object\)/);
      await second.done();
    });

    test('a partial summary, an outcome without indicators and an unmeasured pillar are shown as such', async () => {
      const partial = {
        workload: { title: 'Partial shop' },
        status: 'ok',
        evaluatedAt: new Date().toISOString(),
        stale: false,
        pillars: [
          { id: 'security', title: 'Security', measured: false, status: 'not_measured', score: null, counts: null, indicatorCount: 0, reasons: ['no indicator is declared on this pillar'] },
          { id: 'reliability', title: 'Reliability', measured: true, status: 'mystery', score: 'high' },
        ],
        outcomes: [{ id: 'empty', title: 'Nothing measures me', owner: null, status: 'no_data', score: null, attainment: null, indicators: [] }, { title: 'no id' }],
        collectors: { total: 0, up: 0, failing: [] },
      };
      const { page, done } = await withSummary({ body: JSON.stringify(partial) });
      await updates(page);
      assert.match(await page.textContent('.workload-title') ?? '', /Partial shop/);
      assert.match(await page.textContent('.tile[data-pillar="security"]') ?? '', /Not measured/);
      assert.equal(await page.getAttribute('.tile[data-pillar="reliability"] .badge', 'data-status'), 'unknown');
      assert.match(await page.textContent('.tile[data-pillar="sustainability"]') ?? '', /Missing from the API’s answer/);
      assert.match(await page.textContent('.card[data-outcome="empty"]') ?? '', /No indicators declared: nothing measures this outcome/);
      const banner = (await page.textContent('[data-banner="data"]')) ?? '';
      assert.match(banner, /The summary is incomplete: .*no data for Operational excellence, Performance efficiency, Cost optimization, Sustainability/);
      assert.match(banner, /1 outcome entry without an id was left out/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'overview-partial.png') });
      await done();
    });

    test('200 outcomes render on the laptop view and are summarised on a kiosk screen', async () => {
      const outcomes = Array.from({ length: 200 }, (_, i) => ({
        id: `o${i}`,
        title: `Outcome number ${i + 1}`,
        owner: `team-${i % 9}`,
        status: i % 50 === 0 ? 'critical' : i % 20 === 0 ? 'warning' : 'ok',
        score: 90,
        attainment: 0.9,
        errorBudget: i % 3 === 0 ? { indicator: 'availability', budgetRemaining: 0.5 } : null,
        indicators: [{ id: 'availability', title: 'Availability', weight: 1, key: true, status: 'ok', score: 90, cost: 10, value: 0.999, unit: 'ratio' }],
      }));
      const body = JSON.stringify({ ...base, outcomes });
      const laptop = await withSummary({ body });
      await updates(laptop.page);
      assert.equal(await laptop.page.$$eval('.card', (c) => c.length), 200);
      const renderMs = await laptop.page.evaluate(() => window.pillarboard.lastRenderMs!);
      assert.ok(renderMs < 1000, `200 outcomes rendered in ${renderMs.toFixed(0)} ms`);
      await laptop.done();

      const kiosk = await withSummary({ body }, '/?kiosk=1');
      await updates(kiosk.page);
      const more = (await kiosk.page.textContent('.more-note')) ?? '';
      assert.match(more, /^\+\d+ more outcomes: .*\d+ OK$/);
      const visible = await kiosk.page.$$eval('.cards > li:not([hidden])', (li) => li.map((l) => (l as HTMLElement).dataset['status']));
      assert.ok(visible.length >= 4, `${visible.length} outcomes fit`);
      assert.deepEqual(visible.slice(0, 4), ['critical', 'critical', 'critical', 'critical'], 'worst first when they do not all fit');
      assert.ok(await kiosk.page.evaluate(() => document.documentElement.scrollHeight <= innerHeight));
      await kiosk.page.screenshot({ path: path.join(ARTIFACTS, 'kiosk-200-outcomes.png') });
      await kiosk.done();
    });

    test('a drill-down whose API fails says so instead of showing a blank page', async () => {
      const { page, done } = await withSummary({ body: JSON.stringify(base) }, '/pillars/reliability');
      await page.route('**/api/pillars/reliability*', (r) => r.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"title":"Not evaluated yet","detail":"the first evaluation has not finished; retry in a moment"}' }));
      await page.reload();
      await page.waitForSelector('.notice-error', WAIT);
      assert.match(await page.textContent('.notice-error') ?? '', /Could not load pillar Reliability: Not evaluated yet: the first evaluation has not finished/);
      await page.goto(`${fx.url}/pillars/speed`);
      await page.waitForSelector('.notice-error', WAIT);
      assert.match(await page.textContent('.notice-error') ?? '', /There is no pillar "speed"/);
      await done();
    });
  });
});
