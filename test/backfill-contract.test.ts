/**
 * The backfill log's contract (issue 14): the `backfills` table through the asynchronous
 * BackfillRepository, the same tests once per backend — SQLite through its adapter and
 * PostgreSQL on a real server started for this file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { BackfillRepository } from '../server/backfill/backend.js';
import { BackfillLog } from '../server/backfill/log.js';
import { PgBackfillLog } from '../server/backfill/pgLog.js';
import { SqliteBackfillRepository } from '../server/backfill/sqliteLog.js';
import { postgresBackend, sqliteBackend, type StoreBackend } from './support/store-backends.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`backfill log contract on ${backend.name}`, { skip: backend.skip }, () => {
    before(() => backend.setup());
    after(() => backend.teardown());
    contract(backend);
  });
}

function contract(backend: StoreBackend): void {
  async function open(t: TestContext) {
    let clock = T0;
    const log = await backend.openTables<BackfillRepository>(t, () => clock, {
      sqlite: (db, now) => new SqliteBackfillRepository(new BackfillLog(db, now)),
      postgres: (pool, now) => new PgBackfillLog(pool, now),
    });
    return { log, tick: (ms: number) => (clock += ms) };
  }

  test('the repository names its backend', async (t) => {
    assert.equal((await open(t)).log.backend, backend.name);
  });

  test('a planned range starts pending with nothing done; an empty range is stored as done', async (t) => {
    const { log } = await open(t);
    const r = await log.plan({ collectorId: 'prom', part: 'up', from: T0 - 24 * HOUR, to: T0, stepMs: 60_000 });
    assert.deepEqual(r, {
      id: r.id, collectorId: 'prom', part: 'up', from: T0 - 24 * HOUR, to: T0, stepMs: 60_000, doneTo: T0 - 24 * HOUR - 1, samples: 0,
      state: 'pending', error: null, createdAt: T0, updatedAt: T0,
    });
    const empty = await log.plan({ collectorId: 'prom', part: 'rate', from: T0, to: T0 - 1, stepMs: 60_000 });
    assert.equal(empty.state, 'done');
    assert.deepEqual(await log.rows('prom'), [r, empty]);
  });

  test('advance moves done_to forward only and counts samples; doneTo reads it', async (t) => {
    const { log, tick } = await open(t);
    const r = await log.plan({ collectorId: 'prom', part: 'up', from: T0 - 10 * HOUR, to: T0, stepMs: 60_000 });
    tick(1000);
    await log.advance(r.id, T0 - 5 * HOUR, 300);
    await log.advance(r.id, T0 - 8 * HOUR, 999); // behind: ignored, nothing counted
    await log.advance(r.id, T0 - 2 * HOUR, 180);
    assert.equal(await log.doneTo(r.id), T0 - 2 * HOUR);
    assert.equal(await log.doneTo(r.id + 1000), Number.NEGATIVE_INFINITY);
    const [row] = await log.rows();
    assert.deepEqual([row!.samples, row!.updatedAt, row!.state], [480, T0 + 1000, 'pending']);
  });

  test('finish and fail set the state (and the error); rows list by collector in the order planned', async (t) => {
    const { log, tick } = await open(t);
    const a = await log.plan({ collectorId: 'a', part: 'x', from: T0 - HOUR, to: T0, stepMs: 1000 });
    const b = await log.plan({ collectorId: 'b', part: 'x', from: T0 - HOUR, to: T0, stepMs: 1000 });
    const a2 = await log.plan({ collectorId: 'a', part: 'y', from: T0 - HOUR, to: T0, stepMs: 1000 });
    tick(5);
    await log.fail(a.id, 'query_range: 503 Service Unavailable');
    await log.finish(b.id);
    assert.deepEqual((await log.rows('a')).map((r) => [r.id, r.state, r.error, r.updatedAt]), [
      [a.id, 'failed', 'query_range: 503 Service Unavailable', T0 + 5], [a2.id, 'pending', null, T0],
    ]);
    await log.finish(a.id);
    assert.deepEqual((await log.rows()).map((r) => [r.collectorId, r.state, r.error]), [['a', 'done', null], ['b', 'done', null], ['a', 'pending', null]]);
  });
}
