import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Server } from 'node:http';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { silentLogger } from '../server/log.js';
import { Runtime } from '../server/runtime.js';
import { CHROMIUM_BIN, launchChromium } from './support/browser.js';
import { ensureWebBuilt } from './support/dashboard-fixture.js';
import { requireBinary } from './support/real-binaries.js';
import { readBody, serve, type LocalServer } from './support/local-server.js';
import { tempDir } from './support/tmp.js';
import { recordContract } from './support/api-recorder.js';

/**
 * Notifications on the wall screen (issue 15 items 3 and 4) in a real Chromium against a real
 * Pillarboard: a channel whose receiver keeps answering 500 shows as a banner; silences and
 * quiet hours in effect show in the header; a silenced outcome or pillar carries a
 * "Silenced until …" mark on its card, tile and page, pushed over the stream when a silence is
 * added through the API; /notifications lists channels, silences and messages with their results.
 */

const MIN = 60_000;
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

describe('notifications on the dashboard in a real browser', { skip: requireBinary(CHROMIUM_BIN) }, () => {
  const dir = tempDir();
  let receiver: LocalServer;
  let hits = 0;
  let runtime: Runtime;
  let server: Server;
  let url: string;
  let browser: Browser;
  let recorded: ReturnType<typeof recordContract> | undefined;
  let app: ReturnType<typeof createApp>;
  let quietEnd = 0;

  before(async () => {
    ensureWebBuilt();
    receiver = await serve(async (req, res) => {
      await readBody(req);
      hits++;
      res.writeHead(500).end('receiver broken');
    });
    // Quiet hours around now (UTC workload), so the header has something to say; the paging rule ignores them.
    const now = Date.now();
    const from = new Date(now - 60 * MIN);
    quietEnd = now + 120 * MIN;
    const to = new Date(quietEnd);
    const hm = (d: Date) => d.toISOString().slice(11, 16);
    quietEnd = Math.floor(quietEnd / MIN) * MIN;
    const yaml = `workload: { id: shop, title: "Web shop" }
evaluation: { interval: 60s }
indicators:
  - { id: latency, title: "Checkout latency", pillar: performance_efficiency, unit: seconds, series: app_latency_seconds, aggregate: max, window: 1h, objective: { max: 0.3, warning: 0.5, critical: 1.0 } }
  - { id: errors, title: "Checkout errors", pillar: reliability, unit: ratio, series: app_error_ratio, aggregate: max, window: 1h, objective: { max: 0.01 } }
outcomes:
  - { id: buy, title: "Customers can buy", indicators: [{ ref: latency, key: true }] }
  - { id: browse, title: "Customers can browse", indicators: [errors] }
notifications:
  base_url: https://pillarboard.example
  channels:
    - { name: pager, webhook: { url: "${receiver.url}/hook", format: json } }
  retry: { delays: [1h] }
  quiet_hours: [{ from: "${hm(from)}", to: "${hm(to)}" }]
  rules:
    - { id: buy-bad, outcomes: [buy], statuses: [critical], channels: [pager], quiet_hours: false }
`;
    fs.writeFileSync(path.join(dir, 'workload.yaml'), yaml);
    runtime = new Runtime({ configPath: path.join(dir, 'workload.yaml'), dbPath: path.join(dir, 'pb.db'), env: {}, log: silentLogger, version: '0.0.0-test', watch: false });
    runtime.store.writeSamples([
      { name: 'app_latency_seconds', labels: { collector: 'app' }, ts: now - MIN, value: 2 },
      { name: 'app_error_ratio', labels: { collector: 'app' }, ts: now - MIN, value: 0.001 },
    ]);
    runtime.load(false, { evaluate: true });
    runtime.notifications.start();
    await runtime.notifications.idle();
    app = createApp(runtime.apiDeps());
    recorded = recordContract(app);
    server = http.createServer(recorded.handler).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await runtime?.close(1000);
    await receiver?.close();
    recorded?.assertNone();
  });

  async function open(pathname: string, kiosk = true): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    await page.goto(`${url}${pathname}${kiosk ? '?kiosk=1' : ''}`);
    await page.waitForFunction(() => (window as any).pillarboard?.connection === 'live', undefined, { timeout: 15_000 });
    return page;
  }

  test('a channel whose attempts keep failing shows a banner naming it, the failures in a row, since when and the error', async () => {
    assert.equal(hits, 1, 'the firing message was attempted once');
    const page = await open('/');
    const banner = page.locator('[data-banner="notify"]');
    await banner.waitFor({ state: 'visible', timeout: 15_000 });
    const text = (await banner.textContent()) ?? '';
    assert.match(text, /Notifications failing: 1 of 1 channel — pager \(webhook\): 1 attempt in a row failed since \d\d:\d\d, never succeeded — .*500.*; 1 message waiting to be retried\. Status changes may reach nobody until it is fixed\./);
    fs.mkdirSync(path.resolve(__dirname, 'artifacts'), { recursive: true });
    await page.screenshot({ path: path.resolve(__dirname, 'artifacts', 'notifications-banner-1920.png') });
    // The summary says the same, for API users.
    const summary = await request(app).get('/api/summary').expect(200);
    const ch = summary.body.notifications.channels[0];
    assert.deepEqual({ ...ch, failingSince: undefined, lastAttemptAt: undefined }, {
      name: 'pager',
      type: 'webhook',
      failing: true,
      consecutiveFailures: 1,
      failingSince: undefined,
      lastAttemptAt: undefined,
      lastSuccessAt: null,
      lastError: ch.lastError,
      pending: 1,
      failed: 0,
    });
    assert.match(ch.lastError, /500/);
    await page.context().close();
  });

  test('quiet hours in effect show in the header; a silence added through the API marks its outcome and pillar at once, with until when, why and who', async () => {
    const page = await open('/');
    const header = page.locator('[data-notify]');
    await header.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal((await header.textContent())?.trim(), `Quiet hours until ${hhmm(quietEnd)}`);
    assert.equal(await page.locator('[data-outcome="buy"] [data-silenced]').isHidden(), true, 'nothing silenced yet');

    const write = runtime.tokens.create('ops', 'write').token;
    const until = Date.now() + 2 * 3600_000;
    const a = await request(app).post('/api/silences').set('Authorization', `Bearer ${write}`).send({ outcome: 'buy', for: '2h', reason: 'payment provider migration', by: 'ana' }).expect(201);
    await request(app).post('/api/silences').set('Authorization', `Bearer ${write}`).send({ pillar: 'reliability', for: '2h', reason: 'database upgrade' }).expect(201);

    // Pushed over the stream: no evaluation runs in between.
    const mark = page.locator('[data-outcome="buy"] .silence-mark');
    await mark.waitFor({ state: 'visible', timeout: 15_000 });
    const untilText = hhmm(Date.parse(a.body.endsAt));
    assert.ok(Math.abs(Date.parse(a.body.endsAt) - until) < MIN);
    assert.equal((await mark.textContent())?.trim(), `Silenced until ${untilText}`);
    assert.equal(await mark.getAttribute('title'), `Silenced until ${untilText}: payment provider migration (ana)`);
    assert.match((await page.locator('[data-outcome="buy"]').getAttribute('aria-label')) ?? '', /Notifications silenced until \d\d:\d\d: payment provider migration \(ana\)/);
    assert.equal(await page.locator('[data-outcome="browse"] .silence-mark').isHidden(), true, 'the other outcome is not silenced');
    await page.locator('[data-pillar="reliability"] .silence-mark').waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await page.locator('[data-pillar="security"] .silence-mark').isHidden(), true);
    assert.equal((await header.textContent())?.trim(), `2 silences · quiet hours until ${hhmm(quietEnd)}`);
    await page.screenshot({ path: path.resolve(__dirname, 'artifacts', 'notifications-silenced-1920.png') });

    // The outcome's own page says it in full.
    const detail = await open('/outcomes/buy');
    const long = detail.locator('.detail > .silence-mark');
    await long.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal((await long.textContent())?.trim(), `Silenced until ${untilText}: payment provider migration (ana)`);

    // Expired: the marks go, again without an evaluation.
    await request(app).delete(`/api/silences/${a.body.id}`).set('Authorization', `Bearer ${write}`).expect(200);
    await page.locator('[data-outcome="buy"] .silence-mark').waitFor({ state: 'hidden', timeout: 15_000 });
    await long.waitFor({ state: 'hidden', timeout: 15_000 });
    assert.equal((await header.textContent())?.trim(), `1 silence · quiet hours until ${hhmm(quietEnd)}`);
    await page.context().close();
    await detail.context().close();
  });

  test('the notifications page lists each channel with its health, the silences in effect, quiet hours and the newest messages with each delivery’s result', async () => {
    const page = await open('/notifications', false);
    const channel = page.locator('[data-section="channels"] tr[data-channel="pager"]');
    await channel.waitFor({ timeout: 15_000 });
    assert.equal(await channel.getAttribute('data-failing'), 'true');
    assert.match((await channel.textContent()) ?? '', /Failing.*1 attempt in a row failed since \d\d:\d\d, never succeeded — .*500/);
    const silence = page.locator('[data-section="silences"] tr[data-silence]');
    await silence.first().waitFor({ timeout: 15_000 });
    assert.equal(await silence.count(), 1);
    assert.match((await silence.first().textContent()) ?? '', /pillar reliability.*database upgrade/);
    assert.equal(await page.locator('[data-quiet="true"]').textContent(), `Quiet hours in effect: messages are held until ${hhmm(quietEnd)}, then sent.`);
    const row = page.locator('[data-section="messages"] tr[data-notification]');
    await row.first().waitFor({ timeout: 15_000 });
    assert.equal(await row.count(), 1);
    assert.match((await row.first().textContent()) ?? '', /Outcome “Customers can buy” is critical.*firing · rule buy-bad/);
    const delivery = row.first().locator('li[data-channel="pager"]');
    assert.equal(await delivery.getAttribute('data-state'), 'pending');
    assert.match((await delivery.textContent()) ?? '', /pager: waiting.*1 attempt — .*500/);
    assert.equal(await page.locator('nav.site-nav a[data-nav="notifications"]').getAttribute('aria-current'), 'page');
    await page.screenshot({ path: path.resolve(__dirname, 'artifacts', 'notifications-page-1920.png'), fullPage: true });
    await page.context().close();
  });
});
