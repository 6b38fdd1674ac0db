import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { PartialCollectError, type CollectorDefinition, type Sample } from '../collectors/types.js';
import { Scheduler, nextDelayMs, firstDelayMs, type ScheduledCollector, type RunSink } from '../server/scheduler/index.js';
import { silentLogger } from '../server/log.js';
import { FakeClock } from './support/fake-clock.js';

interface Recorded {
  collectorId: string;
  startedAt: number;
  durationMs: number;
  ok: boolean;
  error?: string;
  samples: Sample[];
}

function memorySink(): RunSink & { runs: Recorded[] } {
  const runs: Recorded[] = [];
  return {
    runs,
    recordRun(run, samples) {
      runs.push({ ...run, samples });
      return { id: runs.length };
    },
  };
}

/** A collector type whose behaviour each test sets through its config. */
const testType: CollectorDefinition<{ mode: 'ok' | 'fail' | 'hang' | 'ignore-abort' }> = {
  type: 'test',
  description: 'test double',
  config: z.object({ mode: z.enum(['ok', 'fail', 'hang', 'ignore-abort']) }).strict(),
  async collect(config, ctx) {
    if (config.mode === 'fail') throw new Error(`target of ${ctx.collectorId} answered 503`);
    if (config.mode === 'hang') {
      await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
    }
    if (config.mode === 'ignore-abort') await new Promise(() => {}); // never settles, ignores the signal
    return { samples: [{ name: 'x', labels: { from: ctx.collectorId }, ts: ctx.now.getTime(), value: 1 }] };
  },
};
const registry = new Map([[testType.type, testType as CollectorDefinition<any>]]);

function entry(id: string, mode: string, intervalMs: number, timeoutMs = intervalMs): ScheduledCollector {
  return { id, type: 'test', intervalMs, timeoutMs, jitter: 0, labels: { job: id }, config: { mode } };
}

test('a hanging collector is aborted at its timeout while a fast one keeps its schedule', async () => {
  const sink = memorySink();
  const clock = new FakeClock();
  const s = new Scheduler({ sink, registry, log: silentLogger, clock });
  s.apply([entry('slow', 'ignore-abort', 1000, 300), entry('fast', 'ok', 50)]);
  try {
    await clock.advanceAsync(299);
    assert.ok(!sink.runs.some((r) => r.collectorId === 'slow'), 'still running just before its timeout');
    await clock.advanceAsync(1);
    const slow = sink.runs.find((r) => r.collectorId === 'slow')!;
    assert.equal(slow.ok, false);
    assert.match(slow.error!, /timed out after 300 ms/);
    assert.equal(slow.durationMs, 300);
    // While "slow" hung for 300 ms, "fast" (every 50 ms) kept its schedule: at 0, 50, ..., 300.
    const fast = sink.runs.filter((r) => r.collectorId === 'fast').map((r) => r.startedAt - slow.startedAt);
    assert.deepEqual(fast, [0, 50, 100, 150, 200, 250, 300]);
    assert.ok(sink.runs.filter((r) => r.collectorId === 'fast').every((r) => r.ok));
  } finally {
    await s.stop(1000);
  }
});

test('a collector stays scheduled when its observer throws after a run', async () => {
  const sink = memorySink();
  const clock = new FakeClock();
  const observer = {
    onRun() {
      throw new Error('observer broke');
    },
  };
  const s = new Scheduler({ sink, registry, log: silentLogger, clock, observer });
  s.apply([entry('a', 'ok', 1000)]);
  await clock.advanceAsync(3000);
  assert.equal(sink.runs.length, 4, 'runs at 0, 1000, 2000 and 3000 s despite the observer failing each time');
  assert.equal(s.status()[0]!.nextRunAt, clock.now() + 1000);
  await s.stop(100);
});

test('a failing collector stays scheduled when the logger throws on its failure', async () => {
  const sink = memorySink();
  const clock = new FakeClock();
  const log = {
    ...silentLogger,
    warn() {
      throw new Error('log sink full');
    },
    error() {
      throw new Error('log sink full');
    },
  };
  const s = new Scheduler({ sink, registry, log, clock, random: () => 0.5 });
  s.apply([entry('down', 'fail', 1000)]);
  await clock.advanceAsync(0);
  await clock.advanceAsync(2000);
  assert.equal(sink.runs.length, 2, 'the run after the failure (2x backoff) still happened');
  assert.ok(s.status()[0]!.nextRunAt !== null);
  await s.stop(100);
});

test('a collector that hangs past its timeout, ignoring the abort, is re-armed and runs again after its backoff', async () => {
  const sink = memorySink();
  const clock = new FakeClock();
  const t0 = clock.now();
  const s = new Scheduler({ sink, registry, log: silentLogger, clock, random: () => 0.5 });
  s.apply([entry('stuck', 'ignore-abort', 1000, 300)]);
  await clock.advanceAsync(300);
  assert.deepEqual(sink.runs.map((r) => [r.startedAt - t0, r.ok]), [[0, false]], 'the first run ends at its timeout');
  assert.equal(s.status()[0]!.nextRunAt, t0 + 300 + 2000, 'armed again: 2 × the interval after one failure');
  await clock.advanceAsync(2300);
  assert.deepEqual(sink.runs.map((r) => [r.startedAt - t0, r.ok]), [[0, false], [2300, false]], 'and it ran again then');
  assert.ok(s.status()[0]!.nextRunAt !== null);
  await s.stop(100);
});

test('a collector that rejects is re-armed after every failure', async () => {
  const sink = memorySink();
  const clock = new FakeClock();
  const s = new Scheduler({ sink, registry, log: silentLogger, clock, random: () => 0.5, backoff: { maxBackoffMs: 1000 } });
  s.apply([entry('down', 'fail', 1000)]);
  await clock.advanceAsync(5000);
  assert.equal(sink.runs.length, 6, 'runs at 0, 1, 2, 3, 4 and 5 s, each one failed');
  assert.ok(sink.runs.every((r) => !r.ok && /answered 503/.test(r.error!)));
  assert.equal(s.status()[0]!.nextRunAt, clock.now() + 1000);
  await s.stop(100);
});

test('a collector stays scheduled when storing every run throws (the store is unusable)', async () => {
  const clock = new FakeClock();
  let attempts = 0;
  const sink: RunSink = {
    recordRun() {
      attempts++;
      throw new Error('SQLITE_IOERR: disk I/O error');
    },
  };
  const s = new Scheduler({ sink, registry, log: silentLogger, clock, random: () => 0.5, backoff: { maxBackoffMs: 1000 } });
  s.apply([entry('a', 'ok', 1000)]);
  await clock.advanceAsync(3000);
  // Each run tries to store its samples, then the failed run alone: 2 attempts per run, 4 runs.
  assert.equal(attempts, 8);
  const st = s.status()[0]!;
  assert.equal(st.consecutiveFailures, 4);
  assert.match(st.lastError!, /storing the run failed: SQLITE_IOERR/);
  assert.equal(st.nextRunAt, clock.now() + 1000);
  await s.stop(100);
});

test('every sample gets its collector label and the configured labels, and the run is stored with its samples', async () => {
  const sink = memorySink();
  const s = new Scheduler({ sink, registry, log: silentLogger, clock: new FakeClock() });
  s.apply([entry('a', 'ok', 1000)], false);
  const [r] = await s.runOnce();
  assert.equal(r!.run.ok, true);
  assert.equal(r!.run.samplesWritten, 1);
  assert.deepEqual(sink.runs[0]!.samples[0]!.labels, { job: 'a', from: 'a', collector: 'a' });
});

test('a sample label named collector is kept as exported_collector', async () => {
  const sink = memorySink();
  const clash: CollectorDefinition<unknown> = {
    ...(testType as CollectorDefinition<any>),
    type: 'clash',
    async collect(_c, ctx) {
      return { samples: [{ name: 'y', labels: { collector: 'upstream' }, ts: ctx.now.getTime(), value: 2 }] };
    },
  };
  const s = new Scheduler({ sink, registry: new Map([['clash', clash]]), log: silentLogger, clock: new FakeClock() });
  s.apply([{ ...entry('c', 'ok', 1000), type: 'clash', labels: {} }], false);
  await s.runOnce();
  assert.deepEqual(sink.runs[0]!.samples[0]!.labels, { collector: 'c', exported_collector: 'upstream' });
});

test('a failing collector does not stop the others and its error is kept in the status', async () => {
  const sink = memorySink();
  const s = new Scheduler({ sink, registry, log: silentLogger, clock: new FakeClock() });
  s.apply([entry('bad', 'fail', 1000), entry('good', 'ok', 1000)], false);
  const runs = await s.runOnce();
  assert.deepEqual(runs.map((r) => [r.id, r.run.ok]), [['bad', false], ['good', true]]);
  const bad = s.status().find((c) => c.id === 'bad')!;
  assert.equal(bad.consecutiveFailures, 1);
  assert.match(bad.lastError!, /answered 503/);
  assert.equal(bad.lastSuccess, null);
});

test('backoff doubles the delay per consecutive failure up to the cap, and resets on success', () => {
  const mid = () => 0.5; // no jitter offset
  assert.equal(nextDelayMs(10_000, 0.1, 0, mid), 10_000);
  assert.equal(nextDelayMs(10_000, 0.1, 1, mid), 20_000);
  assert.equal(nextDelayMs(10_000, 0.1, 3, mid), 80_000);
  assert.equal(nextDelayMs(10_000, 0.1, 10, mid), 300_000, 'capped at 5 minutes');
  assert.equal(nextDelayMs(600_000, 0.1, 4, mid), 600_000, 'never below the interval itself');
  assert.equal(nextDelayMs(10_000, 0.2, 0, () => 1), 11_000, 'jitter offsets by up to half of jitter × interval');
  assert.equal(nextDelayMs(10_000, 0.2, 0, () => 0), 9_000);
  assert.ok(firstDelayMs(10_000, 0.1, () => 0.99) < 1_000);
});

test('the scheduler waits longer after each failure (on a fake clock)', async () => {
  const sink = memorySink();
  const clock = new FakeClock();
  const t0 = clock.now();
  const s = new Scheduler({ sink, registry, log: silentLogger, clock, random: () => 0.5 });
  s.apply([entry('down', 'fail', 1000)]);
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    const at = s.status()[0]!.nextRunAt!;
    delays.push(at - clock.now());
    await clock.advanceAsync(at - clock.now());
  }
  // first run spread by jitter (0 here), then 2×, 4×, 8×, 16× the interval.
  assert.deepEqual(delays, [0, 2000, 4000, 8000, 16000]);
  assert.deepEqual(sink.runs.map((r) => r.startedAt - t0), [0, 2000, 6000, 14000, 30000]);
  await s.stop(100);
});

test('apply() keeps unchanged collectors, restarts changed ones and drops removed ones', async () => {
  const sink = memorySink();
  const removed: string[] = [];
  const s = new Scheduler({ sink, registry, log: silentLogger, clock: new FakeClock(), observer: { onRun() {}, onRemove: (id) => removed.push(id) } });
  s.apply([entry('a', 'ok', 1000), entry('b', 'ok', 1000), entry('c', 'ok', 1000)], false);
  await s.runOnce(['a']);
  s.apply([entry('a', 'ok', 1000), entry('b', 'ok', 2000)], false);
  const st = new Map(s.status().map((c) => [c.id, c]));
  assert.deepEqual([...st.keys()].sort(), ['a', 'b']);
  assert.ok(st.get('a')!.lastRun, 'unchanged collector keeps its history');
  assert.equal(st.get('b')!.intervalMs, 2000);
  assert.deepEqual(removed.sort(), ['b', 'c']);
});

test('stop() aborts a running collector at once, without waiting for its bound', { timeout: 10_000 }, async () => {
  const sink = memorySink();
  const clock = new FakeClock();
  const s = new Scheduler({ sink, registry, log: silentLogger, clock });
  s.apply([entry('h', 'hang', 60_000, 60_000)], false);
  const run = s.runOnce(['h']);
  await clock.advanceAsync(20);
  // The fake clock does not move while stopping: true means the run ended by the abort, not the bound.
  assert.equal(await s.stop(2000), true);
  assert.equal(clock.now() - (await run)[0]!.run.startedAt, 20);
  const [r] = await run;
  assert.equal(r!.run.ok, false);
  assert.match(r!.run.error!, /shutting down/);
  // Not the collector's failure: not stored, so it counts against nothing after a restart.
  assert.deepEqual(sink.runs, []);
  assert.equal(s.status()[0]!.consecutiveFailures, 0);
});

test('runOnce rejects an unknown collector id naming the known ones', async () => {
  const s = new Scheduler({ sink: memorySink(), registry, log: silentLogger, clock: new FakeClock() });
  s.apply([entry('a', 'ok', 1000)], false);
  await assert.rejects(s.runOnce(['zzz']), /no collector with id "zzz" \(known: a\)/);
});

test('a partial failure stores the samples that arrived and records the run as failed', async () => {
  const sink = memorySink();
  const partialType: CollectorDefinition<unknown> = {
    ...(testType as CollectorDefinition<any>),
    type: 'partial',
    async collect(_c, ctx) {
      throw new PartialCollectError('query "b" failed: bad_data', {
        samples: [{ name: 'a', labels: {}, ts: ctx.now.getTime(), value: 7 }],
        warnings: ['query "c" returned no series'],
      });
    },
  };
  const s = new Scheduler({ sink, registry: new Map([['partial', partialType]]), log: silentLogger, clock: new FakeClock() });
  s.apply([{ ...entry('p', 'ok', 1000), type: 'partial', labels: {} }], false);
  const [r] = await s.runOnce();
  assert.equal(r!.run.ok, false);
  assert.equal(r!.run.samplesWritten, 1);
  assert.match(r!.run.error!, /query "b" failed/);
  assert.deepEqual(sink.runs[0]!.samples.map((x) => [x.name, x.value, x.labels.collector]), [['a', 7, 'p']]);
  assert.equal(s.status()[0]!.consecutiveFailures, 1);
});
