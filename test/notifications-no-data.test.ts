import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Runtime } from '../server/runtime.js';
import { silentLogger } from '../server/log.js';
import { measuredStatus } from '../server/notifications/rules.js';
import { FakeClock } from './support/fake-clock.js';
import { readBody, serve, type LocalServer } from './support/local-server.js';
import { requireBinary } from './support/real-binaries.js';
import { ALERTMANAGER_BIN, startAlertmanager, type Alertmanager } from './support/alertmanager.js';
import { tempDir } from './support/tmp.js';
import { jsonHook, shopWorkload } from './support/notify-workload.js';

/**
 * Status without data is not a recovery (issue 15): after a firing message, no data sends one
 * "no longer measured" message and keeps the subject firing (in Alertmanager too); a recovery
 * comes only with a measured status outside the rule's statuses. And a server that has no data
 * yet tells nobody that an outcome is warning because its key indicator is not measured.
 */

const MIN = 60_000;
const received: any[] = [];
let receiver: LocalServer;

before(async () => {
  receiver = await serve(async (req, res) => {
    received.push(JSON.parse(await readBody(req)));
    res.writeHead(200).end('ok');
  });
});
after(() => receiver.close());

function workload(rules: string[], channel = jsonHook(receiver.url)) {
  return shopWorkload({ window: '30s', notifications: ['  base_url: https://pillarboard.example', '  channels:', channel, '  rules:', ...rules] });
}

function open(dir: string, yaml: string, clock: FakeClock) {
  fs.writeFileSync(path.join(dir, 'workload.yaml'), yaml);
  const runtime = new Runtime({ configPath: path.join(dir, 'workload.yaml'), dbPath: path.join(dir, 'pb.db'), env: {}, log: silentLogger, version: '0.0.0-test', watch: false, clock });
  runtime.load(false, { evaluate: true });
  return runtime;
}

/** Moves the clock on; writes a latency sample then unless `latency` is null (the 30 s window is then empty: no data); evaluates. */
async function step(runtime: Runtime, clock: FakeClock, minutes: number, latency: number | null) {
  await runtime.notifications.idle();
  await clock.advanceAsync(minutes * MIN);
  if (latency !== null) runtime.store.writeSamples([{ name: 'app_latency_seconds', labels: { collector: 'app' }, ts: clock.now(), value: latency }]);
  runtime.evaluator.evaluateNow();
  await runtime.notifications.idle();
}

test('after a firing message, no data sends one "no longer measured" message and keeps it firing; measured bad again says nothing; a measured OK is the recovery', async () => {
  received.length = 0;
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
  const runtime = open(tempDir(), workload(['    - { id: lat, indicators: [latency], statuses: [critical], channels: [hook] }']), clock);
  try {
    await step(runtime, clock, 1, 2); // 12:01 critical
    assert.deepEqual(received.map((m) => m.kind), ['firing']);
    await step(runtime, clock, 1, null); // 12:02 no data
    assert.equal(runtime.evaluator.latest()!.indicators[0]!.status, 'no_data');
    assert.deepEqual(received.map((m) => m.kind), ['firing', 'no_data']);
    const gone = received[1];
    assert.equal(gone.headline, 'Indicator “Checkout latency” is no longer measured');
    assert.equal(gone.status, 'no_data');
    assert.equal(gone.previous, 'critical');
    assert.match(gone.text, /^No longer measured since 2026-12-07 12:02 UTC: without data\. It was critical, and counts as critical until it is measured again; a recovery is sent only then\./);
    for (let i = 0; i < 3; i++) await step(runtime, clock, 1, null);
    assert.equal(received.length, 2, 'said once, not at every pass without data');
    assert.equal(runtime.notifications.recent(1)[0]!.kind, 'no_data');
    await step(runtime, clock, 1, 3); // measured again, still critical: nothing new
    assert.equal(received.length, 2);
    await step(runtime, clock, 1, 0.1); // measured OK: the recovery
    assert.deepEqual(received.map((m) => m.kind), ['firing', 'no_data', 'recovery']);
    assert.equal(received[2].headline, 'Indicator “Checkout latency” recovered: OK');
    assert.equal(received[2].previous, 'critical');
    await step(runtime, clock, 1, null); // no data after the recovery: nothing is firing, nothing to say
    assert.equal(received.length, 3);
  } finally {
    await runtime.close(1000);
  }
});

test('a rule that lists no_data among its statuses is told about missing data as a firing status, from the first pass on', async () => {
  received.length = 0;
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
  const runtime = open(tempDir(), workload(['    - { id: blind, indicators: [latency], statuses: [critical, no_data], channels: [hook] }']), clock);
  try {
    await step(runtime, clock, 1, 2);
    await step(runtime, clock, 1, null);
    assert.deepEqual(received.map((m) => [m.kind, m.status]), [
      ['firing', 'no_data'], // the pass at start: nothing measured yet, and the rule asks to be told
      ['firing', 'critical'],
      ['firing', 'no_data'],
    ]);
  } finally {
    await runtime.close(1000);
  }
});

test('at the first pass, an outcome whose key indicator has no data yet (warning in scoring) sends nothing; a measured warning later does', async () => {
  received.length = 0;
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
  const runtime = open(tempDir(), workload(['    - { id: buy, outcomes: [buy], channels: [hook] }']), clock); // default statuses: warning, critical
  try {
    await runtime.notifications.idle();
    const first = runtime.evaluator.latest()!;
    assert.equal(first.outcomes[0]!.status, 'warning', 'scoring counts a key indicator without data as a warning');
    assert.equal(received.length, 0, 'nothing is measured yet: nobody is told');
    await step(runtime, clock, 1, null);
    assert.equal(received.length, 0);
    await step(runtime, clock, 1, 0.7); // a measured warning
    assert.deepEqual(received.map((m) => [m.kind, m.status]), [['firing', 'warning']]);
    // Its key indicator stops: "no longer measured", not a new "is warning".
    await step(runtime, clock, 1, null);
    assert.equal(runtime.evaluator.latest()!.outcomes[0]!.status, 'warning');
    assert.deepEqual(received.map((m) => m.kind), ['firing', 'no_data']);
    assert.equal(received[1].headline, 'Outcome “Customers can buy” is no longer measured');
  } finally {
    await runtime.close(1000);
  }
});

test('measuredStatus: a warning only unmeasured key indicators make reads as no_data or stale; one a measured indicator supports stays', () => {
  assert.equal(measuredStatus('warning', [{ status: 'no_data', weight: 1, key: true }]), 'no_data');
  assert.equal(measuredStatus('warning', [{ status: 'stale', weight: 1, key: true }, { status: 'ok', weight: 1, key: false }]), 'stale');
  assert.equal(measuredStatus('warning', [{ status: 'no_data', weight: 1, key: true }, { status: 'warning', weight: 1, key: false }]), 'warning');
  assert.equal(measuredStatus('critical', [{ status: 'critical', weight: 0, key: false }, { status: 'no_data', weight: 1, key: true }]), 'no_data', 'a weight-0 indicator takes no part');
  assert.equal(measuredStatus('ok', [{ status: 'no_data', weight: 1, key: false }]), 'ok');
});

describe('no data with a real Alertmanager', { skip: requireBinary(ALERTMANAGER_BIN) }, () => {
  let am: Alertmanager;
  before(async () => {
    am = await startAlertmanager('route: { receiver: none }\nreceivers: [{ name: none }]\n');
  });
  after(() => am?.stop());

  test('the alert of an outcome that stops being measured stays active, kept alive by re-posts, and is resolved only by a measured recovery', async () => {
    // Alertmanager judges startsAt/endsAt by its own clock: the fake clock starts near real time.
    const clock = new FakeClock(Math.floor(Date.now() / MIN) * MIN - 10 * MIN);
    const runtime = open(tempDir(), workload(['    - { id: buy, outcomes: [buy], statuses: [critical], channels: [am] }'], `    - { name: am, alertmanager: { url: "${am.url}" } }`), clock);
    try {
      await step(runtime, clock, 1, 3);
      const [firing] = await am.alerts(['outcome="buy"']);
      assert.equal(firing?.status.state, 'active');
      await step(runtime, clock, 1, null);
      const [kept] = await am.alerts(['outcome="buy"']);
      assert.equal(kept?.status.state, 'active', 'not resolved by missing data');
      assert.equal(kept!.labels['status'], 'critical');
      assert.equal(kept!.annotations['summary'], 'Outcome “Customers can buy” is no longer measured');
      assert.equal(kept!.startsAt, firing!.startsAt);
      for (let i = 0; i < 6; i++) await step(runtime, clock, 1, null); // past the 5-minute re-post
      const [still] = await am.alerts(['outcome="buy"']);
      assert.equal(still?.status.state, 'active');
      assert.ok(Date.parse(still!.endsAt) > Date.parse(kept!.endsAt), 're-posted while it is firing, its end pushed back');
      assert.equal(still!.labels['status'], 'critical');
      await step(runtime, clock, 1, 0.1);
      assert.deepEqual(await am.alerts(['outcome="buy"']), [], 'a measured OK resolves it');
    } finally {
      await runtime.close(1000);
    }
  });
});

describe('an Alertmanager that goes away between messages', { skip: requireBinary(ALERTMANAGER_BIN) }, () => {
  let am: Alertmanager;
  before(async () => {
    am = await startAlertmanager('route: { receiver: none }\nreceivers: [{ name: none }]\n');
  });
  after(() => am?.stop());

  test('a failing keep-alive re-post shows the channel as failing in the status the dashboard reads', async () => {
    const clock = new FakeClock(Math.floor(Date.now() / MIN) * MIN - 10 * MIN);
    const runtime = open(tempDir(), workload(['    - { id: buy, outcomes: [buy], statuses: [critical], channels: [am] }'], `    - { name: am, alertmanager: { url: "${am.url}" } }`), clock);
    try {
      await step(runtime, clock, 1, 3);
      const channel = () => runtime.notifications.status(runtime.evaluator.latest())!.channels[0]!;
      assert.equal(channel().failing, false, 'the firing alert was posted');
      await am.stop();
      for (let i = 0; i < 6; i++) await step(runtime, clock, 1, 3); // still critical: re-posted after 5 minutes, and that fails
      const c = channel();
      assert.equal(c.failing, true);
      assert.equal(c.consecutiveFailures, 1);
      assert.match(c.lastError ?? '', /Alertmanager am \(http:\/\/127\.0\.0\.1:\d+\) could not be reached/);
      assert.equal(runtime.notifications.recent(5).length, 1, 'a keep-alive is not a message');
    } finally {
      await runtime.close(1000);
    }
  });
});
