import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { CollectorDefinition } from '../collectors/types.js';
import { Scheduler, type RunSink, type ScheduledCollector } from '../server/scheduler/index.js';
import { silentLogger } from '../server/log.js';
import { FakeClock } from './support/fake-clock.js';

/**
 * What the runner gives a pooled collector such as `sql` (issue 16): resources kept between
 * runs and closed when the collector is removed, changed, or the scheduler stops; and the
 * reference time of the last successful run. A test double stands in for a database.
 */

function pooledType() {
  const opened: string[] = [];
  const closed: string[] = [];
  const seen: Array<number | undefined> = [];
  const def: CollectorDefinition<{ fail: boolean; tag: string }> = {
    type: 'pooled',
    description: 'test double holding a "connection"',
    config: z.strictObject({ fail: z.boolean(), tag: z.string() }),
    async collect(config, ctx) {
      seen.push(ctx.lastSuccess?.getTime());
      const conn = ctx.resources!.get(
        'conn',
        () => {
          opened.push(`${ctx.collectorId}/${config.tag}`);
          return `${ctx.collectorId}/${config.tag}`;
        },
        (c) => {
          closed.push(c);
        },
      );
      if (config.fail) throw new Error('query failed');
      return { samples: [{ name: 'x', labels: { conn }, ts: ctx.now.getTime(), value: 1 }] };
    },
  };
  return { def, opened, closed, seen };
}

const sink: RunSink = { recordRun: () => ({ id: 1 }) };
const entry = (id: string, config: { fail: boolean; tag: string }): ScheduledCollector => ({
  id, type: 'pooled', intervalMs: 60_000, timeoutMs: 5_000, jitter: 0, labels: {}, config,
});

test('a collector keeps its resource across runs; removing it, changing it or stopping closes it', async () => {
  const { def, opened, closed } = pooledType();
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const s = new Scheduler({ sink, registry: new Map([['pooled', def]]), log: silentLogger, clock });
  s.apply([entry('a', { fail: false, tag: 'v1' }), entry('b', { fail: false, tag: 'v1' })], false);
  for (let i = 0; i < 3; i++) await s.runOnce();
  assert.deepEqual(opened.sort(), ['a/v1', 'b/v1'], 'one open per collector over three runs');
  assert.deepEqual(closed, []);

  s.apply([entry('a', { fail: false, tag: 'v2' }), entry('b', { fail: false, tag: 'v1' })], false); // a changed
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(closed, ['a/v1']);
  await s.runOnce(['a']);
  assert.ok(opened.includes('a/v2'));

  s.apply([entry('a', { fail: false, tag: 'v2' })], false); // b removed
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(closed, ['a/v1', 'b/v1']);

  assert.equal(await s.stop(), true);
  assert.deepEqual(closed, ['a/v1', 'b/v1', 'a/v2']);
});

test('ctx.lastSuccess is the start of the last successful run, kept across a failure and seeded after a restart', async () => {
  const { def, seen } = pooledType();
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const s = new Scheduler({ sink, registry: new Map([['pooled', def]]), log: silentLogger, clock });
  s.apply([entry('a', { fail: false, tag: 'v1' })], false);
  await s.runOnce();
  const firstStart = clock.now();
  clock.advance(60_000);
  s.apply([entry('a', { fail: false, tag: 'v1' })], false);
  await s.runOnce();
  assert.deepEqual(seen, [undefined, firstStart]);
  await s.stop();

  // After a restart: the store's last success is seeded, and a failed run does not move it.
  const again = pooledType();
  const s2 = new Scheduler({ sink, registry: new Map([['pooled', again.def]]), log: silentLogger, clock });
  s2.apply([entry('a', { fail: true, tag: 'v1' })], false);
  s2.seed('a', { lastSuccess: { startedAt: firstStart, durationMs: 5, ok: true, samplesWritten: 1 } });
  await s2.runOnce();
  clock.advance(60_000);
  await s2.runOnce();
  assert.deepEqual(again.seen, [firstStart, firstStart]);
  await s2.stop();
});
