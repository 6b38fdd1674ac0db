import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { z } from 'zod';
import type { CollectorDefinition, OperationalEvent } from '../collectors/types.js';
import { runSinkWithEvents } from '../server/events/runSink.js';
import { EventStore } from '../server/events/store.js';
import { silentLogger } from '../server/log.js';
import { Scheduler, type ScheduledCollector } from '../server/scheduler/index.js';
import { openStore } from '../server/store/index.js';
import { tempDir } from './fixtures/store-helpers.js';
import { FakeClock } from './support/fake-clock.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');

/** A collector that returns one sample and the events its config lists, as the git collector will. */
const withEvents: CollectorDefinition<{ events: unknown[] }> = {
  type: 'with-events',
  description: 'test double returning events',
  config: z.strictObject({ events: z.array(z.unknown()) }),
  async collect(config, ctx) {
    return { samples: [{ name: 'commits_total', labels: {}, ts: ctx.now.getTime(), value: 3 }], events: config.events as OperationalEvent[] };
  },
};
const registry = new Map([[withEvents.type, withEvents as CollectorDefinition<any>]]);

const entry = (id: string, events: unknown[]): ScheduledCollector => ({
  id,
  type: 'with-events',
  intervalMs: 60_000,
  timeoutMs: 5_000,
  jitter: 0,
  labels: {},
  config: { events },
});

const deployment = (id: string): OperationalEvent => ({ kind: 'deployment', source: 'git', externalId: id, service: 'shop', startedAt: T0 });

function setup(t: import('node:test').TestContext) {
  const store = openStore({ path: path.join(tempDir(t), 'pb.db'), now: Date.now });
  t.after(() => store.close());
  const events = new EventStore(store.db, () => T0);
  const scheduler = new Scheduler({ sink: runSinkWithEvents(store, events), registry, log: silentLogger, clock: new FakeClock(T0) });
  return { store, events, scheduler };
}

test('events a collector returns are stored with its run and samples, and a rerun does not duplicate them', async (t) => {
  const { store, events, scheduler } = setup(t);
  scheduler.apply([entry('repo', [deployment('v1.0.0'), deployment('v1.1.0')])], false);
  const [first] = await scheduler.runOnce();
  assert.equal(first!.run.ok, true);
  await scheduler.runOnce();
  assert.deepEqual(events.listEvents({ source: 'git' }).map((e) => e.externalId), ['v1.0.0', 'v1.1.0']);
  assert.equal(store.listRuns({ collectorId: 'repo' }).length, 2);
  assert.equal(store.findSeries({ name: 'commits_total', matchers: [] }).length, 1);
});

test('a malformed event from a collector is dropped with a warning and the rest of the run is stored', async (t) => {
  const { store, events, scheduler } = setup(t);
  scheduler.apply([entry('repo', [deployment('good'), { kind: 'release', source: 'git', externalId: 'bad', startedAt: T0 }])], false);
  const [r] = await scheduler.runOnce();
  assert.equal(r!.run.ok, true);
  assert.deepEqual(events.listEvents({}).map((e) => e.externalId), ['good']);
  const [run] = store.listRuns({ collectorId: 'repo' });
  assert.match(run!.warnings?.[0] ?? '', /event 1 dropped: kind: "release" is not one of/);
});

test('when the events cannot be stored, neither are the run\'s samples: the run is recorded as failed', async (t) => {
  const { store, events, scheduler } = setup(t);
  store.db.exec(`CREATE TEMP TRIGGER no_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
  scheduler.apply([entry('repo', [deployment('lost')])], false);
  const [r] = await scheduler.runOnce();
  assert.equal(r!.run.ok, false);
  assert.match(r!.run.error ?? '', /storing the run failed: disk full/);
  assert.equal(events.listEvents({}).length, 0);
  assert.equal(store.findSeries({ name: 'commits_total', matchers: [] }).length, 0);
});
