/**
 * Dashboard benchmark, in Debian's Chromium (playwright-core) against a real Pillarboard on
 * loopback with the test fixture workload (6 indicators on the six pillars, 30 days of
 * hourly score history) plus extra outcomes:
 *
 * - overview first render: navigation start → the overview showing the summary (the page's
 *   `pillarboard:first-render` mark), cold cache, 1920×1080, worst of 5 loads; sparklines
 *   drawn reported beside it;
 * - JS + CSS transferred: gzip-encoded body bytes of the page's scripts and stylesheets
 *   (Resource Timing `encodedBodySize`), as served with `Accept-Encoding: gzip`;
 * - one stream update re-rendered: an evaluation on the server → `event: summary` → the
 *   page's render (JS, style and layout, Performance API clock), p95 of 200 updates, with 33
 *   outcomes, with 200, and with 200 while statuses flip on every update (see updateRenders).
 *
 * `node --import tsx bench/dashboard.bench.ts`; prints figures, then `BENCH_JSON {...}`.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_BIN, launchChromium } from '../test/support/browser.js';
import { startDashboardFixture, type DashboardFixture } from '../test/support/dashboard-fixture.js';

interface Result {
  metric: string;
  value: number;
  unit: string;
  target?: string;
  pass?: boolean;
}

const LOADS = 5;
const UPDATES = 200;
const VIEWPORT = { width: 1920, height: 1080 };
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

declare global {
  interface Window {
    pillarboard: { updates: number; lastRenderMs: number | null; renderMs: number[]; view: string; connection: string; errors: string[] }; // the dashboard's probe, declared alike in every file (one program)
  }
}

/**
 * Every measured pillar's sparkline has pixels. A function, not text: Playwright then calls it
 * on every frame, whereas text is eval'ed again on each poll, which the dashboard's CSP (no
 * 'unsafe-eval') refuses once the first check has failed. No named functions inside: tsx would
 * wrap them in a helper the page does not have.
 */
const sparklinesDrawn = (): boolean => {
  const canvases = [...document.querySelectorAll<HTMLCanvasElement>('.tile:not(.st-not_measured) canvas')];
  if (!canvases.length) return false;
  for (const c of canvases) {
    if (c.width === 0 || c.height === 0) return false;
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const g = copy.getContext('2d', { willReadFrequently: true })!;
    g.drawImage(c, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let ink = false;
    for (let k = 3; k < d.length && !ink; k += 4) ink = d[k]! > 0;
    if (!ink) return false;
  }
  performance.mark('bench:sparklines');
  return true;
};

const TIMINGS = `(() => {
  const res = performance.getEntriesByType('resource');
  const bytes = { js: 0, css: 0 };
  for (const r of res) {
    const p = new URL(r.name).pathname;
    if (p.endsWith('.js')) bytes.js += r.encodedBodySize;
    if (p.endsWith('.css')) bytes.css += r.encodedBodySize;
  }
  return {
    render: performance.getEntriesByName('pillarboard:first-render')[0].startTime,
    sparks: performance.getEntriesByName('bench:sparklines')[0].startTime,
    js: bytes.js,
    css: bytes.css,
  };
})()`;

async function firstRenders(browser: Browser, fx: DashboardFixture) {
  const render: number[] = [];
  const sparks: number[] = [];
  let js = 0;
  let css = 0;
  let gzipped = true;
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const encodings = new Map<string, string | undefined>();
    page.on('response', (r) => encodings.set(new URL(r.url()).pathname, r.headers()['content-encoding']));
    await page.goto(`${fx.url}/`);
    await page.waitForFunction(() => performance.getEntriesByName('pillarboard:first-render').length > 0, null, { timeout: 15_000 });
    // Sparklines: every measured pillar's canvas has pixels (polled every frame).
    await page.waitForFunction(sparklinesDrawn, null, { timeout: 15_000, polling: 'raf' });
    const t = (await page.evaluate(TIMINGS)) as { render: number; sparks: number; js: number; css: number };
    render.push(t.render);
    sparks.push(t.sparks);
    js = t.js;
    css = t.css;
    for (const [p, enc] of encodings) if (/\.(js|css)$/.test(p) && enc !== 'gzip') gzipped = false;
    await context.close();
  }
  return { render, sparks, js, css, gzipped };
}

/**
 * `flip`: before each evaluation, deployments per day (aggregate `last`) alternates between 3
 * (ok) and 0.05 (critical), so a pillar, its sparkline's tile and a third of the outcomes
 * change status, badge, icon and numbers on every update; otherwise values barely move, as
 * in a steady state.
 */
async function updateRenders(page: Page, fx: DashboardFixture, n: number, flip = false): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const next = (await page.evaluate(() => window.pillarboard.updates)) + 1;
    if (flip) fx.runtime.store.writeSamples([{ name: 'deploys_per_day', labels: { collector: 'app' }, ts: Date.now(), value: i % 2 ? 3 : 0.05 }]);
    fx.runtime.evaluator.evaluateNow();
    await page.waitForFunction((k) => window.pillarboard.updates >= k, next, { timeout: 15_000 });
    out.push(await page.evaluate(() => window.pillarboard.renderMs[window.pillarboard.renderMs.length - 1]!));
  }
  return out;
}

async function streamUpdates(browser: Browser, extraOutcomes: number, flip: boolean): Promise<{ p50: number; p95: number; max: number; outcomes: number }> {
  const fx = await startDashboardFixture({ extraOutcomes });
  try {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto(`${fx.url}/`);
    await page.waitForFunction(() => (window.pillarboard?.updates ?? 0) >= 2, null, { timeout: 15_000 });
    await updateRenders(page, fx, 20, flip); // warm-up
    const ms = await updateRenders(page, fx, UPDATES, flip);
    const outcomes = await page.$$eval('.card', (c) => c.length);
    await context.close();
    return { p50: pct(ms, 0.5), p95: pct(ms, 0.95), max: Math.max(...ms), outcomes };
  } finally {
    await fx.close();
  }
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM_BIN)) {
    console.log(`${CHROMIUM_BIN} is not installed (Debian: apt-get install chromium); dashboard benchmark skipped`);
    console.log(`BENCH_JSON ${JSON.stringify({ name: 'dashboard', results: [], skipped: `${CHROMIUM_BIN} missing` })}`);
    return;
  }
  const browser = await launchChromium();
  const results: Result[] = [];
  try {
    const fx = await startDashboardFixture({ extraOutcomes: 30 });
    let loads;
    try {
      loads = await firstRenders(browser, fx);
    } finally {
      await fx.close();
    }
    const worst = Math.max(...loads.render);
    console.log(`overview first render, ${LOADS} cold loads at 1920×1080: ${loads.render.map((x) => round(x)).join(', ')} ms (median ${round(pct(loads.render, 0.5))}, worst ${round(worst)})`);
    console.log(`sparklines drawn: ${loads.sparks.map((x) => round(x)).join(', ')} ms`);
    const kb = (loads.js + loads.css) / 1024;
    console.log(`transferred: JS ${round(loads.js / 1024)} KB + CSS ${round(loads.css / 1024)} KB = ${round(kb)} KB (${loads.gzipped ? 'gzip' : 'NOT gzip-encoded'})`);
    results.push({ metric: 'overview first render (worst of 5)', value: round(worst), unit: 'ms', target: '<= 1000 ms', pass: worst <= 1000 });
    results.push({ metric: 'overview first render (median)', value: round(pct(loads.render, 0.5)), unit: 'ms' });
    results.push({ metric: 'sparklines drawn (worst of 5)', value: round(Math.max(...loads.sparks)), unit: 'ms' });
    results.push({ metric: 'JS + CSS transferred (gzip)', value: round(kb), unit: 'KB', target: '<= 300 KB', pass: kb <= 300 && loads.gzipped });

    for (const [extra, flip] of [[30, false], [197, false], [197, true]] as const) {
      const u = await streamUpdates(browser, extra, flip);
      const what = `${u.outcomes} outcomes${flip ? ', statuses flipping' : ''}`;
      console.log(`stream update re-render, ${what}, ${UPDATES} updates: p50 ${round(u.p50, 2)} ms, p95 ${round(u.p95, 2)} ms, max ${round(u.max, 2)} ms`);
      results.push({ metric: `stream update render p95 (${what})`, value: round(u.p95, 2), unit: 'ms', target: '<= 50 ms', pass: u.p95 <= 50 });
      results.push({ metric: `stream update render max (${what})`, value: round(u.max, 2), unit: 'ms' });
    }
  } finally {
    await browser.close();
  }
  const peakRssMb = round(process.resourceUsage().maxRSS / 1024);
  console.log(`peak RSS (server + harness, not Chromium): ${peakRssMb} MB`);
  console.log(`BENCH_JSON ${JSON.stringify({ name: 'dashboard', results, peakRssMb })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
