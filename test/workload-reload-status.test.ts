import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { testRuntime } from './support/runtime.js';
import { promtoolCheckMetrics, PROMTOOL_BIN } from './support/promtool.js';
import { requireBinary } from './support/real-binaries.js';

/**
 * A refused reload is visible everywhere (issue 10 item 5): GET /api/workload, the summary the
 * wall screen reads, /metrics and /readyz — and cleared by the next good version.
 */

const GOOD = `workload: { id: reload, title: "Reload" }
collectors:
  - id: host
    type: host
    interval: 60s
`;
// Two errors: a bad duration (line 5) and an unknown collector type (line 7).
const BAD = GOOD.replace('interval: 60s', 'interval: soon') + '  - id: other\n    type: warp\n';

let clock = Date.UTC(2026, 11, 7, 14, 2, 0);
const { runtime, configPath } = testRuntime(GOOD, {}, { now: () => clock });
runtime.load(false, { evaluate: true });
const app = createApp(runtime.apiDeps());

const reloadGauges = async () => {
  const text = (await request(app).get('/metrics').expect(200)).text;
  const value = (name: string) => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return { text, successful: value('pillarboard_workload_last_reload_successful'), successAt: value('pillarboard_workload_last_reload_success_timestamp_seconds') };
};

test('a refused reload shows in /api/workload, the summary, /metrics and /readyz, and a good version clears it', { skip: requireBinary(PROMTOOL_BIN) }, async () => {
  const loadedAt = clock;
  const version = runtime.workload.current()!.versionId;
  let m = await reloadGauges();
  assert.equal(m.successful, 1);
  assert.equal(m.successAt, loadedAt / 1000);
  assert.equal((await request(app).get('/api/workload').expect(200)).body.reload.refused, null);

  clock += 3 * 60_000;
  fs.writeFileSync(configPath, BAD);
  assert.equal(runtime.workload.reload('signal').applied, false);

  const wl = (await request(app).get('/api/workload').expect(200)).body;
  assert.equal(wl.version.id, version, 'the last good version keeps running');
  assert.equal(wl.reload.lastSuccessful, false);
  assert.equal(wl.reload.lastSuccessAt, new Date(loadedAt).toISOString());
  assert.equal(wl.reload.refused.at, new Date(clock).toISOString());
  assert.equal(wl.reload.refused.trigger, 'signal');
  assert.equal(wl.reload.refused.errorCount, 2);
  assert.deepEqual(
    wl.reload.refused.issues.map((i: { text: string }) => i.text.replace(configPath, 'FILE')),
    [
      `FILE:5:15: collectors[0].interval: ${wl.reload.refused.issues[0].message}`,
      `FILE:7:11: collectors[1].type: ${wl.reload.refused.issues[1].message}`,
    ],
  );
  assert.match(wl.reload.refused.issues[1].message, /unknown collector type "warp"/);

  const summary = (await request(app).get('/api/summary').expect(200)).body;
  assert.deepEqual(summary.workloadFile.version, { id: version, appliedAt: new Date(loadedAt).toISOString() });
  assert.equal(summary.workloadFile.lastSuccessful, false);
  assert.equal(summary.workloadFile.refused.errorCount, 2);

  m = await reloadGauges();
  assert.equal(m.successful, 0);
  assert.equal(m.successAt, loadedAt / 1000, 'the last success is still the first load');
  const check = await promtoolCheckMetrics(m.text);
  assert.equal(check.code, 0, check.output);

  // Still ready (the last good version serves), and it says why the file was not applied.
  const ready = (await request(app).get('/readyz').expect(200)).body;
  assert.equal(ready.status, 'ready');
  assert.equal(ready.workload.lastReloadSuccessful, false);
  assert.match(ready.workload.detail, new RegExp(`refused: the workload file has 2 error\\(s\\).*still running version ${version} from ${new Date(loadedAt).toISOString()}`));

  // Fixed: the next good version applies and clears the refusal everywhere.
  clock += 60_000;
  fs.writeFileSync(configPath, GOOD.replace('"Reload"', '"Reload v2"'));
  assert.equal(runtime.workload.reload('file').applied, true);
  const fixed = (await request(app).get('/api/workload').expect(200)).body;
  assert.equal(fixed.reload.refused, null);
  assert.equal(fixed.reload.lastSuccessful, true);
  assert.notEqual(fixed.version.id, version);
  assert.equal((await request(app).get('/api/summary').expect(200)).body.workloadFile.refused, null);
  m = await reloadGauges();
  assert.equal(m.successful, 1);
  assert.equal(m.successAt, clock / 1000);
  assert.doesNotMatch((await request(app).get('/readyz').expect(200)).body.workload.detail, /refused/);
});

test('undoing an invalid edit (the file is the running version again) clears the refusal too', () => {
  const before = fs.readFileSync(configPath, 'utf8');
  fs.writeFileSync(configPath, 'workload: [');
  runtime.workload.reload('file');
  assert.equal(runtime.workload.reloadStatus()!.refused!.issues.length, 1);
  fs.writeFileSync(configPath, before);
  const r = runtime.workload.reload('file');
  assert.equal(r.unchanged, true, JSON.stringify(r));
  assert.equal(runtime.workload.reloadStatus()!.refused, null);
  assert.equal(runtime.workload.reloadStatus()!.lastSuccessful, true);
});
