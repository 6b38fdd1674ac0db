/**
 * What only the PostgreSQL store has to get right: several stores (replicas) on one database,
 * and the server restarting under a running store. The shared behaviour is in store-contract.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseSelector } from '../server/store/index.js';
import { openPgStore } from '../server/store/pg/store.js';
import { DAY, HOUR, T0 } from './fixtures/store-helpers.js';
import { requirePostgres, startPostgres, type PostgresServer } from './support/postgres.js';

const MIN = 60_000;

describe('PostgreSQL store', { skip: requirePostgres() }, () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server.stop());

  test('two stores on one database read each other\'s writes, series, rollups and runs', async () => {
    const url = await server.createDatabase();
    const a = await openPgStore({ url, now: () => T0 + DAY });
    const b = await openPgStore({ url, now: () => T0 + DAY });
    try {
      await a.writeSamples([{ name: 'shared', labels: { by: 'a' }, ts: T0, value: 1 }]);
      await b.recordRun({ collectorId: 'b', startedAt: T0, durationMs: 1, ok: true, samplesWritten: 2 }, [
        { name: 'shared', labels: { by: 'a' }, ts: T0 + MIN, value: 2 },
        { name: 'shared', labels: { by: 'b' }, ts: T0, value: 10 },
      ]);
      await a.writeSamples([{ name: 'shared', labels: { by: 'b' }, ts: T0 + MIN, value: 20 }]);
      for (const store of [a, b]) {
        const found = await store.findSeries(parseSelector('shared'));
        assert.deepEqual(found.map((s) => s.labels.by), ['a', 'b'], 'one series per label set, whoever created it');
        const q = await store.querySeries(parseSelector('shared'), { from: T0, to: T0 + HOUR - 1, step: HOUR, aggregation: 'sum' });
        assert.deepEqual(q.series.map((s) => s.points), [[[T0, 3]], [[T0, 30]]]);
        assert.deepEqual((await store.listRuns()).map((r) => r.collectorId), ['b']);
      }
      // one store compacts, the other keeps reading the same samples
      await b.compactHead(0);
      const [sa] = await a.findSeries(parseSelector('shared{by="a"}'));
      assert.deepEqual(await a.rawPoints(sa!.id, T0, T0 + HOUR), [[T0, 1], [T0 + MIN, 2]]);
      await a.writeSamples([{ name: 'shared', labels: { by: 'a' }, ts: T0 + MIN, value: 5 }]);
      assert.deepEqual(await b.rawPoints(sa!.id, T0, T0 + HOUR), [[T0, 1], [T0 + MIN, 5]], 'a write below the head bound another store moved lands in the chunk');
      assert.deepEqual((await b.rollupHours(sa!.id, T0, T0))[0]?.sum, 6);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('compactions and writes from several stores at once lose and duplicate nothing', async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all([0, 1, 2].map(() => openPgStore({ url, now: () => T0 + DAY, headMaxRows: 150 })));
    try {
      await Promise.all(
        stores.map(async (store, w) => {
          for (let i = 0; i < 40; i++) {
            const ts = T0 + i * MIN;
            await store.writeSamples([0, 1, 2, 3, 4].map((k) => ({ name: 'busy', labels: { w: String(w), k: String(k) }, ts, value: i })));
          }
        }),
      );
      const all = await stores[0]!.findSeries(parseSelector('busy'));
      assert.equal(all.length, 15);
      for (const s of all) {
        const raw = await stores[1]!.rawPoints(s.id, T0, T0 + DAY);
        assert.deepEqual(raw.map(([ts]) => (ts - T0) / MIN), Array.from({ length: 40 }, (_, i) => i), `${JSON.stringify(s.labels)}: every minute once`);
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  test('a store keeps working after PostgreSQL restarts under it: the next write after the restart succeeds', async () => {
    const url = await server.createDatabase();
    const store = await openPgStore({ url, now: () => T0 + DAY });
    try {
      await store.writeSamples([{ name: 'survivor', labels: {}, ts: T0, value: 1 }]);
      await server.restart();
      // The pool's idle connections were cut; the first query on one may fail, a later one must not.
      let wrote = false;
      for (let i = 0; i < 5 && !wrote; i++) {
        try {
          await store.writeSamples([{ name: 'survivor', labels: {}, ts: T0 + MIN, value: 2 }]);
          wrote = true;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      assert.ok(wrote, 'a write succeeded after the restart');
      const [s] = await store.findSeries(parseSelector('survivor'));
      assert.deepEqual(await store.rawPoints(s!.id, T0, T0 + HOUR), [[T0, 1], [T0 + MIN, 2]], 'the acknowledged write before the restart is kept');
    } finally {
      await store.close();
    }
  });
});
