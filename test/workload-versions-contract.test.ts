/**
 * Workload versions saved on load and reload through the asynchronous store (issue 14): the
 * WorkloadManager's loadSoon()/reloadSoon() over MetricStore, the same tests once per backend
 * (SQLite through its adapter, PostgreSQL on a real server started for this file). The
 * store's own save/list/get contract is in test/store-contract.test.ts.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test, type TestContext } from 'node:test';
import { silentLogger } from '../server/log.js';
import { WorkloadInvalidError, WorkloadManager } from '../server/workload/index.js';
import { FakeClock } from './support/fake-clock.js';
import { postgresBackend, sqliteBackend, type StoreBackend } from './support/store-backends.js';
import { lines, tempDir, testRegistry, writeWorkload } from './workload-helpers.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');

const text = (interval: string) => lines('workload: { id: shop, title: Web shop }', 'collectors:', `  - { id: a, type: dummy, url: "http://127.0.0.1:9/", interval: ${interval} }`);

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`workload versions on ${backend.name}`, { skip: backend.skip }, () => {
    before(() => backend.setup());
    after(() => backend.teardown());
    contract(backend);
  });
}

function contract(backend: StoreBackend): void {
  async function setup(t: TestContext) {
    const clock = new FakeClock(T0);
    const store = await backend.open(t, { now: () => clock.now() });
    const path = writeWorkload(tempDir(t), text('30s'));
    const manager = new WorkloadManager({ path, registry: testRegistry(), env: {}, versionRepository: store, log: silentLogger, watch: false, clock });
    t.after(() => manager.close());
    return { clock, store, path, manager };
  }

  test('loadSoon saves the first version before it is active, with the file text and the load time', async (t) => {
    const { store, path, manager } = await setup(t);
    const wl = await manager.loadSoon();
    assert.equal(wl.collectors[0]!.id, 'a');
    const [v] = await store.listWorkloadVersions();
    assert.equal(manager.current()!.versionId, v!.id);
    assert.deepEqual(await store.getWorkloadVersion(v!.id), { id: v!.id, hash: manager.current()!.hash, path, source: text('30s'), appliedAt: T0 });
  });

  test('reloadSoon saves a changed file, skips an unchanged one and saves nothing for an invalid one', async (t) => {
    const { clock, store, path, manager } = await setup(t);
    await manager.loadSoon();
    const applied: number[] = [];
    manager.on('applied', (next) => applied.push(next.versionId));
    clock.advance(1000);
    assert.deepEqual(await manager.reloadSoon('api'), { unchanged: true, applied: false });
    writeFileSync(path, text('1m'));
    assert.deepEqual(await manager.reloadSoon('file'), { applied: true });
    writeFileSync(path, 'workload: [');
    const refused = await manager.reloadSoon('signal');
    assert.equal(refused.applied, false);
    assert.ok(refused.issues!.length > 0);
    const versions = await store.listWorkloadVersions();
    assert.deepEqual(versions.map((v) => v.appliedAt), [T0 + 1000, T0]);
    assert.deepEqual(applied, [versions[0]!.id]);
    assert.equal(manager.current()!.versionId, versions[0]!.id);
  });

  test('reloads asked for at once run one after another, each saved in order', async (t) => {
    const { store, path, manager } = await setup(t);
    await manager.loadSoon();
    writeFileSync(path, text('1m'));
    const first = manager.reloadSoon('api');
    const second = manager.reloadSoon('api');
    assert.deepEqual(await Promise.all([first, second]), [{ applied: true }, { unchanged: true, applied: false }]);
    assert.equal((await store.listWorkloadVersions()).length, 2);
  });

  test('an invalid file fails loadSoon with its issues and saves nothing', async (t) => {
    const { store, path, manager } = await setup(t);
    writeFileSync(path, 'workload: [');
    await assert.rejects(manager.loadSoon(), WorkloadInvalidError);
    assert.deepEqual(await store.listWorkloadVersions(), []);
    assert.equal(manager.current(), undefined);
  });

  test('without a synchronous store, load() and reload() refuse, naming what to use instead', async (t) => {
    const { manager } = await setup(t);
    assert.throws(() => manager.load(), /load\(\) and reload\(\) save synchronously and need `versions`.*use loadSoon\(\) and reloadSoon\(\)/);
  });
}
