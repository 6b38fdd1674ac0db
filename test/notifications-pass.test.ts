import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Runtime } from '../server/runtime.js';
import { silentLogger } from '../server/log.js';
import { FakeClock } from './support/fake-clock.js';
import { readBody, serve, type LocalServer } from './support/local-server.js';
import { tempDir } from './support/tmp.js';
import { jsonHook, shopWorkload } from './support/notify-workload.js';

/**
 * What a pass costs when little changes (issue 15, the engine's pass): subjects whose status
 * held and whose timers are not due are skipped, and a pass with nothing to decide writes
 * nothing — while a reload that changes a rule still gets a subject it now covers decided.
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

const yaml = (statuses: string, extra = '') =>
  shopWorkload({
    window: '10m',
    notifications: ['  channels:', jsonHook(receiver.url), '  rules:', `    - { id: buy, outcomes: [buy], statuses: [${statuses}], channels: [hook]${extra} }`],
  });

test('a pass where nothing changed writes nothing to the database; a reload adding a status to a rule gets a subject already in it notified at the next pass', async () => {
  const dir = tempDir();
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
  fs.writeFileSync(path.join(dir, 'workload.yaml'), yaml('critical'));
  const runtime = new Runtime({ configPath: path.join(dir, 'workload.yaml'), dbPath: path.join(dir, 'pb.db'), env: {}, log: silentLogger, version: '0.0.0-test', watch: false, clock });
  runtime.store.writeSamples([{ name: 'app_latency_seconds', labels: { collector: 'app' }, ts: clock.now(), value: 0.7 }]); // warning
  runtime.load(false, { evaluate: true });
  try {
    await runtime.notifications.idle();
    await clock.advanceAsync(MIN);
    runtime.evaluator.evaluateNow();
    await runtime.notifications.idle();
    assert.equal(received.length, 0, 'warning is not one of the rule’s statuses');
    // Nothing changes: the rules' pass writes nothing (the evaluator's own tables aside).
    const changes = () => runtime.store.db.prepare('SELECT total_changes()').pluck().get() as number;
    const before = changes();
    runtime.notifications.onEvaluated(runtime.evaluator.latest()!);
    await runtime.notifications.idle();
    assert.equal(changes() - before, 0);

    fs.writeFileSync(path.join(dir, 'workload.yaml'), yaml('warning, critical'));
    assert.equal(runtime.workload.reload('file').applied, true); // re-evaluates: the rule now covers the warning
    await runtime.notifications.idle();
    await clock.advanceAsync(MIN);
    runtime.evaluator.evaluateNow();
    await runtime.notifications.idle();
    assert.deepEqual(received.map((m) => [m.kind, m.status]), [['firing', 'warning']], 'the status held, but the rule changed: decided, not skipped');
    assert.deepEqual(runtime.notifications.recent(5)[0]!.deliveries, [{ channel: 'hook', state: 'sent', attempts: 1, lastError: null }]);
  } finally {
    await runtime.close(1000);
  }
});

test('a `for:` hold and a `repeat:` reminder still come due for a subject whose status does not change', async () => {
  received.length = 0;
  const dir = tempDir();
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
  fs.writeFileSync(path.join(dir, 'workload.yaml'), yaml('critical', ', for: 3m, repeat: 10m'));
  const runtime = new Runtime({ configPath: path.join(dir, 'workload.yaml'), dbPath: path.join(dir, 'pb.db'), env: {}, log: silentLogger, version: '0.0.0-test', watch: false, clock });
  runtime.store.writeSamples([{ name: 'app_latency_seconds', labels: { collector: 'app' }, ts: clock.now(), value: 3 }]);
  runtime.load(false, { evaluate: true });
  try {
    for (let i = 1; i <= 13; i++) {
      await runtime.notifications.idle();
      await clock.advanceAsync(MIN);
      runtime.store.writeSamples([{ name: 'app_latency_seconds', labels: { collector: 'app' }, ts: clock.now(), value: 3 }]);
      runtime.evaluator.evaluateNow();
      await runtime.notifications.idle();
      if (i === 2) assert.equal(received.length, 0, 'held 2 of 3 minutes');
      if (i === 3) assert.deepEqual(received.map((m) => m.kind), ['firing']);
    }
    assert.deepEqual(received.map((m) => m.kind), ['firing', 'repeat'], 'the reminder 10 minutes after the first message');
  } finally {
    await runtime.close(1000);
  }
});
