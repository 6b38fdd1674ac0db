/**
 * The events repository contract (issue 14): the same tests once per backend — SQLite through
 * its async adapter and PostgreSQL on a real server started for this file. Whatever one
 * backend answers (ids aside, which each assigns), the other must answer too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { OperationalEvent } from '../collectors/types.js';
import { InvalidEventError } from '../collectors/event-shape.js';
import type { EventRepository } from '../server/events/backend.js';
import { PgEventStore } from '../server/events/pgStore.js';
import type { EventFilter } from '../server/events/types.js';
import { openPgStore } from '../server/store/pg/store.js';
import { requirePostgres, startPostgres, type PostgresServer } from './support/postgres.js';
import { postgresBackend, sqliteBackend, type StoreBackend } from './support/store-backends.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const MIN = 60_000;

const deployment = (id: string, at: number, extra: Partial<OperationalEvent> = {}): OperationalEvent => ({
  kind: 'deployment', source: 'api', externalId: id, service: 'shop', environment: 'production', startedAt: at, ...extra,
});

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`events contract on ${backend.name}`, { skip: backend.skip }, () => {
    before(() => backend.setup());
    after(() => backend.teardown());
    contract(backend);
  });
}

function contract(backend: StoreBackend): void {
  async function open(t: TestContext) {
    let clock = T0 + 10 * MIN;
    const events = await backend.openEvents(t, () => clock);
    return { events, tick: (ms: number) => (clock += ms) };
  }

  test('the repository names its backend', async (t) => {
    const { events } = await open(t);
    assert.equal(events.backend, backend.name);
  });

  test('the same event delivered twice is stored once, keeping its id and received time', async (t) => {
    const { events, tick } = await open(t);
    const first = await events.upsertEvents([deployment('b1', T0, { status: 'in_progress' })]);
    tick(MIN);
    const second = await events.upsertEvents([deployment('b1', T0, { status: 'in_progress' })]);
    assert.deepEqual([first.inserted, first.updated, first.skipped, second.inserted, second.updated, second.skipped], [1, 0, 0, 0, 1, 0]);
    assert.deepEqual(second.ids, first.ids);
    assert.equal((await events.listEvents({})).length, 1);
    const stored = (await events.getEvent('api', 'b1'))!;
    assert.equal(stored.receivedAt, T0 + 10 * MIN);
    assert.equal(stored.updatedAt, T0 + 11 * MIN);
  });

  test('a key repeated within one batch is inserted once and then updated by the later entry', async (t) => {
    const { events } = await open(t);
    const r = await events.upsertEvents([deployment('x', T0, { status: 'in_progress' }), deployment('y', T0), deployment('x', T0, { status: 'success' })]);
    assert.deepEqual([r.inserted, r.updated], [2, 1]);
    assert.equal(r.ids[0], r.ids[2]);
    assert.notEqual(r.ids[0], r.ids[1]);
    assert.equal((await events.getEvent('api', 'x'))!.status, 'success');
  });

  test('a later delivery replaces the stored fields whole: resolved, then reopened without an end', async (t) => {
    const { events } = await open(t);
    const inc: OperationalEvent = { kind: 'incident', source: 'pd', externalId: 'P1', service: 'shop', startedAt: T0, status: 'triggered', attrs: { severity: 'P1' } };
    await events.upsertEvents([inc]);
    await events.upsertEvents([{ ...inc, status: 'resolved', endedAt: T0 + 30 * MIN, attrs: { severity: 'P2' } }]);
    const stored = (await events.getEvent('pd', 'P1'))!;
    assert.deepEqual([stored.status, stored.endedAt, stored.attrs], ['resolved', T0 + 30 * MIN, { severity: 'P2' }]);
    await events.upsertEvents([{ ...inc, status: 'triggered' }]);
    assert.equal((await events.getEvent('pd', 'P1'))!.endedAt, undefined);
  });

  test('a delivery older than the stored one (attrs.observedAt) is skipped with the stored id; a newer one applies', async (t) => {
    const { events } = await open(t);
    const base: OperationalEvent = { kind: 'incident', source: 'pd', externalId: 'P2', startedAt: T0 };
    const first = await events.upsertEvents([{ ...base, status: 'resolved', endedAt: T0 + 5 * MIN, attrs: { observedAt: T0 + 5 * MIN } }]);
    const late = await events.upsertEvents([{ ...base, status: 'acknowledged', attrs: { observedAt: T0 + 2 * MIN } }]);
    assert.deepEqual([late.inserted, late.updated, late.skipped], [0, 0, 1]);
    assert.deepEqual(late.ids, first.ids);
    assert.equal((await events.getEvent('pd', 'P2'))!.status, 'resolved');
    // Without observedAt a delivery applies and keeps the stored observation time for the next comparison.
    await events.upsertEvents([{ ...base, status: 'note' }]);
    assert.equal((await events.getEvent('pd', 'P2'))!.status, 'note');
    const older = await events.upsertEvents([{ ...base, status: 'stale', attrs: { observedAt: T0 + 4 * MIN } }]);
    assert.equal(older.skipped, 1);
    const newer = await events.upsertEvents([{ ...base, status: 'reopened', attrs: { observedAt: T0 + 9 * MIN } }]);
    assert.equal(newer.updated, 1);
    assert.equal((await events.getEvent('pd', 'P2'))!.status, 'reopened');
  });

  test('a batch with one invalid event rejects naming its index and field, and stores nothing', async (t) => {
    const { events } = await open(t);
    await events.upsertEvents([deployment('keep', T0)]);
    const batch = [deployment('a', T0), deployment('b', T0), { ...deployment('c', T0), kind: 'deploy' as never }, deployment('d', T0)];
    await assert.rejects(
      events.upsertEvents(batch),
      (e: unknown) => e instanceof InvalidEventError && e.index === 2 && e.field === 'kind',
    );
    assert.deepEqual((await events.listEvents({})).map((e) => e.externalId), ['keep']);
  });

  test('listEvents filters by kind, service, environment, source and start time, oldest first unless desc', async (t) => {
    const { events } = await open(t);
    await events.upsertEvents([
      deployment('d1', T0, { service: 'shop' }),
      deployment('d2', T0 + 10 * MIN, { service: 'pay' }),
      deployment('d3', T0 + 20 * MIN, { service: 'shop', environment: 'staging' }),
      { kind: 'incident', source: 'pd', externalId: 'i1', service: 'shop', startedAt: T0 + 5 * MIN },
      { kind: 'change', source: 'git', externalId: 'c1', startedAt: T0 - MIN },
      deployment('d0', T0, { service: 'Zeta' }),
    ]);
    const ids = async (f: EventFilter) => (await events.listEvents(f)).map((e) => e.externalId);
    assert.deepEqual(await ids({}), ['c1', 'd1', 'd0', 'i1', 'd2', 'd3']);
    assert.deepEqual(await ids({ kind: 'deployment' }), ['d1', 'd0', 'd2', 'd3']);
    assert.deepEqual(await ids({ kind: ['deployment', 'incident', 'deployment'], service: 'shop' }), ['d1', 'i1', 'd3']);
    assert.deepEqual(await ids({ kind: [] }), []);
    assert.deepEqual(await ids({ environment: 'staging' }), ['d3']);
    assert.deepEqual(await ids({ source: 'pd' }), ['i1']);
    assert.deepEqual(await ids({ from: T0 + 5 * MIN, to: T0 + 10 * MIN }), ['i1', 'd2']);
    assert.deepEqual(await ids({ from: T0 + 4.5 * MIN, to: T0 + 10.5 * MIN }), ['i1', 'd2']);
    assert.deepEqual(await ids({ order: 'desc', limit: 2 }), ['d3', 'd2']);
    assert.deepEqual(await ids({ order: 'desc', from: T0, to: T0 }), ['d0', 'd1']);
    assert.deepEqual(await ids({ limit: 0 }), []);
    // Byte order: upper case before lower case, as SQLite's default collation.
    assert.deepEqual(await events.services(), ['Zeta', 'pay', 'shop']);
  });

  test('with overlaps, events that started before the range and run into it are included, and open incidents count as ongoing', async (t) => {
    const { events } = await open(t);
    await events.upsertEvents([
      { kind: 'incident', source: 'pd', externalId: 'ended-before', startedAt: T0, endedAt: T0 + 10 * MIN },
      { kind: 'incident', source: 'pd', externalId: 'spans', startedAt: T0, endedAt: T0 + 90 * MIN },
      { kind: 'incident', source: 'pd', externalId: 'still-open', startedAt: T0 },
      deployment('instant-before', T0),
      deployment('inside', T0 + 70 * MIN),
    ]);
    const range = { from: T0 + 60 * MIN, to: T0 + 120 * MIN };
    assert.deepEqual((await events.listEvents({ ...range, overlaps: true })).map((e) => e.externalId), ['spans', 'still-open', 'inside']);
    assert.deepEqual((await events.listEvents(range)).map((e) => e.externalId), ['inside']);
  });

  test('stored events read back with every field, attrs as JSON, times rounded and nothing undefined', async (t) => {
    const { events } = await open(t);
    const e: OperationalEvent = {
      kind: 'deployment', source: 'api', externalId: 'full', service: 'shop', environment: 'production',
      startedAt: T0, endedAt: T0 + MIN, status: 'success', title: 'v1.2.3 — “quoted” ünïcode',
      attrs: { commits: [{ sha: 'abc1234', at: T0 - 3_600_000 }], trigger: 'pipeline', rollback: false, nested: { z: 1, a: [null, 2.5] } },
    };
    const [id] = (await events.upsertEvents([e])).ids;
    const stored = await events.getEvent('api', 'full');
    assert.deepEqual(stored, { ...e, id, receivedAt: T0 + 10 * MIN, updatedAt: T0 + 10 * MIN });
    // Key order of attrs kept (text, not jsonb).
    assert.deepEqual(Object.keys(stored!.attrs!), ['commits', 'trigger', 'rollback', 'nested']);
    await events.upsertEvents([{ kind: 'gameday', source: 'api', externalId: 'g', startedAt: T0 + 0.6, attrs: {} }]);
    const bare = (await events.getEvent('api', 'g'))!;
    assert.deepEqual(Object.keys(bare).sort(), ['externalId', 'id', 'kind', 'receivedAt', 'source', 'startedAt', 'updatedAt']);
    assert.equal(bare.startedAt, T0 + 1);
    assert.equal(await events.getEvent('api', 'missing'), undefined);
  });
}

describe('events on PostgreSQL across processes', { skip: requirePostgres() }, () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server?.stop());

  async function twoReplicas(t: TestContext) {
    const url = await server.createDatabase();
    const now = () => T0;
    const a = await openPgStore({ url, maxConnections: 4, now });
    const b = await openPgStore({ url, maxConnections: 4, now });
    t.after(async () => {
      await a.close();
      await b.close();
    });
    return { a: new PgEventStore(a.pool, now), b: new PgEventStore(b.pool, now), pool: a.pool };
  }

  test('the same webhook delivered to two replicas at once is stored once, both answering its id', async (t) => {
    const { a, b } = await twoReplicas(t);
    for (let i = 0; i < 20; i++) {
      const e = deployment(`race-${i}`, T0 + i);
      const [ra, rb] = await Promise.all([a.upsertEvents([e]), b.upsertEvents([e])]);
      assert.equal(ra.inserted + rb.inserted, 1, `race-${i}: exactly one insert`);
      assert.deepEqual(ra.ids, rb.ids);
    }
    assert.equal((await b.listEvents({})).length, 20);
    assert.equal((await a.listEvents({ kind: 'deployment' })).length, 20);
  });

  test('a batch failing inside the database (a constraint) is rolled back whole', async (t) => {
    const { a, pool } = await twoReplicas(t);
    // A trigger stands in for any failure mid-batch (a full disk, a constraint).
    await pool.query(`CREATE FUNCTION fail_c() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.external_id = 'c' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER fail_c BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION fail_c()`);
    await assert.rejects(a.upsertEvents([deployment('a', T0), deployment('b', T0), deployment('c', T0)]), /boom/);
    assert.equal((await a.listEvents({})).length, 0);
    // The pool's connection is usable afterwards.
    assert.equal((await a.upsertEvents([deployment('a', T0)])).inserted, 1);
  });
});
