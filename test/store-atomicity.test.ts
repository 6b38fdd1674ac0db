import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample } from '../collectors/types.js';
import { InvalidSampleError, parseSelector, type Store } from '../server/store/index.js';
import type { CollectorRunRecord } from '../server/store/types.js';
import { T0, tempStore } from './fixtures/store-helpers.js';

const run = (startedAt: number, extra: Partial<CollectorRunRecord> = {}): CollectorRunRecord => ({
  collectorId: 'node',
  startedAt,
  durationMs: 12,
  ok: true,
  samplesWritten: 0,
  ...extra,
});

function batch(n: number, ts: number, prefix = 'm'): Sample[] {
  return Array.from({ length: n }, (_, i) => ({ name: `${prefix}_${i % 10}`, labels: { i: String(i) }, ts, value: i }));
}

function counts(store: Store) {
  const one = (sql: string) => store.db.prepare(sql).pluck().get() as number;
  return {
    series: one('SELECT count(*) FROM series'),
    samples: one('SELECT coalesce(sum(count), 0) FROM sample_chunks') + one('SELECT count(*) FROM samples_head'),
    runs: one('SELECT count(*) FROM collector_runs'),
    dirty: one('SELECT count(*) FROM rollup_dirty'),
  };
}

test('recordRun with a sample whose value is a string writes nothing of that run and keeps earlier data', (t) => {
  const { store } = tempStore(t, { now: () => T0 });
  store.recordRun(run(T0), batch(100, T0));
  store.updateRollups();
  const before = counts(store);
  const bad = batch(200, T0 + 60_000, 'new');
  (bad[150] as { value: unknown }).value = '42';
  assert.throws(() => store.recordRun(run(T0 + 60_000), bad), (e: unknown) => e instanceof InvalidSampleError && /sample 150/.test(e.message));
  assert.deepEqual(counts(store), before);
  assert.equal(store.listRuns().length, 1);
});

test('an error thrown part-way through a batch rolls back every sample, series and dirty marker of it', (t) => {
  const { store } = tempStore(t, { now: () => T0 });
  store.recordRun(run(T0), batch(100, T0));
  store.updateRollups();
  const before = counts(store);
  const samples = batch(1000, T0 + 3_600_000, 'other');
  Object.defineProperty(samples[700], 'value', {
    get() {
      throw new Error('collector bug');
    },
  });
  assert.throws(() => store.recordRun(run(T0 + 3_600_000), samples), /collector bug/);
  assert.deepEqual(counts(store), before);
});

test('a run row that violates a constraint rolls back the samples written before it', (t) => {
  const { store } = tempStore(t, { now: () => T0 });
  const before = counts(store);
  assert.throws(() => store.recordRun(run(T0, { collectorId: null as unknown as string }), batch(50, T0)), /NOT NULL/);
  assert.deepEqual(counts(store), before);
});

test('a series created in a rolled-back batch is not remembered with a stale id', (t) => {
  const { store } = tempStore(t, { now: () => T0 });
  const x = { name: 'x', labels: { a: '1' }, ts: T0, value: 1 };
  assert.throws(() => store.writeSamples([x, { name: 'bad name', labels: {}, ts: T0, value: 1 }]), InvalidSampleError);
  // SQLite reuses the rolled-back id for the next new series
  store.writeSamples([{ name: 'y', labels: {}, ts: T0, value: 2 }]);
  store.writeSamples([x]);
  const [xi] = store.findSeries(parseSelector('x'));
  const [yi] = store.findSeries(parseSelector('y'));
  assert.notEqual(xi!.id, yi!.id);
  assert.deepEqual(store.rawPoints(xi!.id, T0, T0), [[T0, 1]]);
  assert.deepEqual(store.rawPoints(yi!.id, T0, T0), [[T0, 2]]);
});

test('recordRun stores the run and its samples together and returns the stored run', (t) => {
  const { store } = tempStore(t, { now: () => T0 });
  const stored = store.recordRun(run(T0, { warnings: ['line 3 skipped'], samplesWritten: 20 }), batch(20, T0));
  assert.deepEqual(stored, { id: stored.id, ...run(T0, { warnings: ['line 3 skipped'], samplesWritten: 20 }) });
  assert.deepEqual(store.listRuns(), [stored]);
  assert.equal(counts(store).samples, 20);
});
