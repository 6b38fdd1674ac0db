import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { OperationalEvent } from '../collectors/types.js';
import { EventStore } from '../server/events/store.js';
import { InvalidEventError } from '../collectors/event-shape.js';
import { openStore } from '../server/store/index.js';
import { tempDir } from './fixtures/store-helpers.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const MIN = 60_000;

function open(t: import('node:test').TestContext) {
  let clock = T0 + 10 * MIN;
  const store = openStore({ path: path.join(tempDir(t), 'pb.db'), now: Date.now });
  t.after(() => store.close());
  const events = new EventStore(store.db, () => clock);
  return { store, events, tick: (ms: number) => (clock += ms) };
}

const deployment = (id: string, at: number, extra: Partial<OperationalEvent> = {}): OperationalEvent => ({
  kind: 'deployment',
  source: 'api',
  externalId: id,
  service: 'shop',
  environment: 'production',
  startedAt: at,
  ...extra,
});

test('the same event delivered twice is stored once, keeping its id and received time', (t) => {
  const { events, tick } = open(t);
  const first = events.upsertEvents([deployment('b1', T0, { status: 'in_progress' })]);
  tick(MIN);
  const second = events.upsertEvents([deployment('b1', T0, { status: 'in_progress' })]);
  assert.deepEqual([first.inserted, first.updated, second.inserted, second.updated], [1, 0, 0, 1]);
  assert.deepEqual(second.ids, first.ids);
  assert.equal(events.listEvents({}).length, 1);
  const stored = events.getEvent('api', 'b1')!;
  assert.equal(stored.receivedAt, T0 + 10 * MIN);
  assert.equal(stored.updatedAt, T0 + 11 * MIN);
});

test('a later delivery replaces the stored fields: an incident resolved gains its end and status', (t) => {
  const { events } = open(t);
  const open_: OperationalEvent = { kind: 'incident', source: 'pd', externalId: 'P1', service: 'shop', startedAt: T0, status: 'triggered', attrs: { severity: 'P1' } };
  events.upsertEvents([open_]);
  events.upsertEvents([{ ...open_, status: 'resolved', endedAt: T0 + 30 * MIN, attrs: { severity: 'P2' } }]);
  const stored = events.getEvent('pd', 'P1')!;
  assert.equal(stored.status, 'resolved');
  assert.equal(stored.endedAt, T0 + 30 * MIN);
  assert.deepEqual(stored.attrs, { severity: 'P2' });
  // Reopened: the last delivery wins whole, so the end goes away again.
  events.upsertEvents([{ ...open_, status: 'triggered' }]);
  assert.equal(events.getEvent('pd', 'P1')!.endedAt, undefined);
});

test('a delivery older than the stored one (attrs.observedAt) is skipped, not applied', (t) => {
  const { events } = open(t);
  const base: OperationalEvent = { kind: 'incident', source: 'pd', externalId: 'P2', startedAt: T0 };
  events.upsertEvents([{ ...base, status: 'resolved', endedAt: T0 + 5 * MIN, attrs: { observedAt: T0 + 5 * MIN } }]);
  const late = events.upsertEvents([{ ...base, status: 'acknowledged', attrs: { observedAt: T0 + 2 * MIN } }]);
  assert.deepEqual([late.inserted, late.updated, late.skipped], [0, 0, 1]);
  assert.equal(events.getEvent('pd', 'P2')!.status, 'resolved');
});

test('a batch with one invalid event stores nothing and names the event by index', (t) => {
  const { events } = open(t);
  events.upsertEvents([deployment('keep', T0)]);
  const batch = [deployment('a', T0), deployment('b', T0), { ...deployment('c', T0), kind: 'deploy' as never }, deployment('d', T0)];
  assert.throws(
    () => events.upsertEvents(batch),
    (e: unknown) => e instanceof InvalidEventError && e.index === 2 && e.field === 'kind',
  );
  assert.deepEqual(events.listEvents({}).map((e) => e.externalId), ['keep']);
});

test('a batch that fails inside the database (a constraint) is rolled back whole', (t) => {
  const { store, events } = open(t);
  // A trigger stands in for any failure mid-batch (disk full, a constraint).
  store.db.exec(`CREATE TEMP TRIGGER fail_c BEFORE INSERT ON events WHEN NEW.external_id = 'c' BEGIN SELECT RAISE(ABORT, 'boom'); END`);
  assert.throws(() => events.upsertEvents([deployment('a', T0), deployment('b', T0), deployment('c', T0)]), /boom/);
  assert.equal(events.listEvents({}).length, 0);
});

test('listEvents filters by kind, service, environment, source and start time, oldest first unless desc', (t) => {
  const { events } = open(t);
  events.upsertEvents([
    deployment('d1', T0, { service: 'shop' }),
    deployment('d2', T0 + 10 * MIN, { service: 'pay' }),
    deployment('d3', T0 + 20 * MIN, { service: 'shop', environment: 'staging' }),
    { kind: 'incident', source: 'pd', externalId: 'i1', service: 'shop', startedAt: T0 + 5 * MIN },
    { kind: 'change', source: 'git', externalId: 'c1', startedAt: T0 - MIN },
  ]);
  const ids = (f: Parameters<EventStore['listEvents']>[0]) => events.listEvents(f).map((e) => e.externalId);
  assert.deepEqual(ids({}), ['c1', 'd1', 'i1', 'd2', 'd3']);
  assert.deepEqual(ids({ kind: 'deployment' }), ['d1', 'd2', 'd3']);
  assert.deepEqual(ids({ kind: ['deployment', 'incident'], service: 'shop' }), ['d1', 'i1', 'd3']);
  assert.deepEqual(ids({ kind: [] }), []);
  assert.deepEqual(ids({ environment: 'staging' }), ['d3']);
  assert.deepEqual(ids({ source: 'pd' }), ['i1']);
  assert.deepEqual(ids({ from: T0 + 5 * MIN, to: T0 + 10 * MIN }), ['i1', 'd2']);
  assert.deepEqual(ids({ order: 'desc', limit: 2 }), ['d3', 'd2']);
  assert.deepEqual(events.services(), ['pay', 'shop']);
});

test('with overlaps, events that started before the range and run into it are included, and open incidents count as ongoing', (t) => {
  const { events } = open(t);
  events.upsertEvents([
    { kind: 'incident', source: 'pd', externalId: 'ended-before', startedAt: T0, endedAt: T0 + 10 * MIN },
    { kind: 'incident', source: 'pd', externalId: 'spans', startedAt: T0, endedAt: T0 + 90 * MIN },
    { kind: 'incident', source: 'pd', externalId: 'still-open', startedAt: T0 },
    deployment('instant-before', T0),
    deployment('inside', T0 + 70 * MIN),
  ]);
  const range = { from: T0 + 60 * MIN, to: T0 + 120 * MIN };
  assert.deepEqual(events.listEvents({ ...range, overlaps: true }).map((e) => e.externalId), ['spans', 'still-open', 'inside']);
  assert.deepEqual(events.listEvents(range).map((e) => e.externalId), ['inside']);
});

test('stored events read back with every field, attrs as JSON and nothing undefined', (t) => {
  const { events } = open(t);
  const e: OperationalEvent = {
    kind: 'deployment',
    source: 'api',
    externalId: 'full',
    service: 'shop',
    environment: 'production',
    startedAt: T0,
    endedAt: T0 + MIN,
    status: 'success',
    title: 'v1.2.3',
    attrs: { commits: [{ sha: 'abc1234', at: T0 - 3_600_000 }], trigger: 'pipeline', rollback: false },
  };
  const [id] = events.upsertEvents([e]).ids;
  assert.deepEqual(events.getEvent('api', 'full'), { ...e, id, receivedAt: T0 + 10 * MIN, updatedAt: T0 + 10 * MIN });
  const bare = events.upsertEvents([{ kind: 'gameday', source: 'api', externalId: 'g', startedAt: T0 }]).ids[0];
  assert.deepEqual(Object.keys(events.getEvent('api', 'g')!).sort(), ['externalId', 'id', 'kind', 'receivedAt', 'source', 'startedAt', 'updatedAt']);
  assert.equal(typeof bare, 'number');
});

test('upsertEvents inside a caller transaction joins it: a later failure rolls the events back too', (t) => {
  const { store, events } = open(t);
  assert.throws(() =>
    store.db.transaction(() => {
      events.upsertEvents([deployment('joined', T0)]);
      throw new Error('the run failed to store');
    })(),
  );
  assert.equal(events.getEvent('api', 'joined'), undefined);
});
