import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from './support/fake-clock.js';
import { testRuntime } from './support/runtime.js';

const WORKLOAD = `workload: { id: clock-test, title: "Clock test" }
collectors:
  - { id: host, type: host, interval: 30s, jitter: 0, cpu_window_ms: 10 }
evaluation: { interval: 60s }
`;

test('a running runtime keeps its timers on the one clock, and close() leaves none armed there', async () => {
  const clock = new FakeClock();
  const { runtime } = testRuntime(WORKLOAD, {}, { clock });
  runtime.load(true);
  runtime.startMaintenance();
  // Collector, evaluation, DORA job, report schedule, rollups and retention are all timers of this clock.
  assert.ok(clock.pending() >= 5, `timers armed on the clock: ${clock.pending()}`);
  await clock.advanceAsync(0); // the collector's first run (jitter 0): due at once
  for (let i = 0; i < 200 && runtime.scheduler.status()[0]!.lastRun === null; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(runtime.scheduler.status()[0]!.lastRun?.ok, 'the host collector ran when the clock said so');
  assert.equal(await runtime.close(1000), true);
  // Nothing left to fire: not a shutdown bound's sleep (it would hold the process for the whole bound), not a re-arm.
  assert.deepEqual(clock.armed(), []);
});
