import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Server } from 'node:http';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { createApp } from '../server/api/app.js';
import { silentLogger } from '../server/log.js';
import { Runtime } from '../server/runtime.js';
import { CHROMIUM_BIN, launchChromium } from './support/browser.js';
import { ensureWebBuilt } from './support/dashboard-fixture.js';
import { requireBinary } from './support/real-binaries.js';
import { tempDir } from './support/tmp.js';
import { recordContract } from './support/api-recorder.js';

/**
 * The refused-reload banner (issue 10 item 5) in a real Chromium: an invalid edit of the
 * workload file shows "the workload file has N errors; still running version V from HH:MM" on
 * the wall screen, pushed over the stream, and a good version takes it away.
 */

const GOOD = `workload: { id: banner, title: "Banner shop" }
collectors:
  - { id: host, type: host, interval: 60s }
indicators:
  - { id: load, title: "Load", pillar: performance_efficiency, unit: load, series: node_load1, objective: { max: 4 } }
`;
// Two errors: a bad duration and an unknown collector type.
const BAD = GOOD.replace('  - { id: host, type: host, interval: 60s }\n', '  - { id: host, type: host, interval: soon }\n  - { id: other, type: warp }\n');

describe('the refused-reload banner in a real browser', { skip: requireBinary(CHROMIUM_BIN) }, () => {
  const dir = tempDir();
  const configPath = path.join(dir, 'workload.yaml');
  let runtime: Runtime;
  let server: Server;
  let url: string;
  let browser: Browser;
  let recorded: ReturnType<typeof recordContract> | undefined;

  before(async () => {
    ensureWebBuilt();
    fs.writeFileSync(configPath, GOOD);
    runtime = new Runtime({ configPath, dbPath: path.join(dir, 'pb.db'), env: {}, log: silentLogger, version: '0.0.0-test', watch: false });
    runtime.load(false, { evaluate: true });
    recorded = recordContract(createApp(runtime.apiDeps()));
    server = http.createServer(recorded.handler).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await runtime?.close(1000);
    recorded?.assertNone();
  });

  test('an invalid edit shows the banner with the error count and the running version; a fixed file clears it', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    await page.goto(url);
    await page.waitForFunction(() => (window as any).pillarboard?.connection === 'live', undefined, { timeout: 15_000 });
    const banner = page.locator('[data-banner="workload"]');
    assert.equal(await banner.isHidden(), true, 'no banner while the file is the running version');
    const version = runtime.workload.current()!.versionId;
    const appliedAt = new Date(runtime.workload.current()!.appliedAt);

    fs.writeFileSync(configPath, BAD);
    const refused = runtime.workload.reload('file');
    assert.equal(refused.issues?.length, 2, JSON.stringify(refused.issues));
    await banner.waitFor({ state: 'visible', timeout: 15_000 });
    const text = (await banner.textContent()) ?? '';
    fs.mkdirSync(path.resolve(__dirname, 'artifacts'), { recursive: true });
    await page.screenshot({ path: path.resolve(__dirname, 'artifacts', 'reload-banner-1920.png') });
    // The page shows times in the workload's zone (UTC here): HH:MM of the running version.
    const hhmm = appliedAt.toISOString().slice(11, 16);
    assert.match(text, new RegExp(`The workload file has 2 errors; still running version ${version} from ${hhmm}`));
    assert.ok(text.includes(`First: ${configPath}:`), text);
    assert.ok(text.includes(`pillarboard check ${configPath}`), text);

    fs.writeFileSync(configPath, GOOD.replace('"Banner shop"', '"Banner shop v2"'));
    assert.equal(runtime.workload.reload('file').applied, true);
    await banner.waitFor({ state: 'hidden', timeout: 15_000 });
    await page.context().close();
  });
});
