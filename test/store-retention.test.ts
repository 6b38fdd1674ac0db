import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Sample } from '../collectors/types.js';
import { parseSelector } from '../server/store/index.js';
import { bucketize, DAY, HOUR, T0, tempStore } from './fixtures/store-helpers.js';

const NOW = T0 + 20 * DAY + 30 * 60_000; // not hour-aligned on purpose
const RAW_BOUND = T0 + 5 * DAY; // floor((NOW - 15 d) / 1 h) * 1 h
const ROLLUP_BOUND_DAY = T0 / DAY + 2; // floor((NOW - 18 d) / 1 d)

function series(name: string, from: number, to: number, every: number): Sample[] {
  const out: Sample[] = [];
  for (let ts = from; ts < to; ts += every) out.push({ name, labels: { k: 'v' }, ts, value: (ts / every) % 17 });
  return out;
}

function checkRetention(t: TestContext, headMaxRows: number): void {
  const { store } = tempStore(t, {
    now: () => NOW,
    retention: { rawMs: 15 * DAY, hourlyMs: 18 * DAY },
    retentionBatchRows: 500,
    headMaxRows,
  });
  const steady = series('steady', T0, T0 + 20 * DAY, 10 * 60_000);
  const ancient = series('ancient', T0, T0 + 2 * DAY, 10 * 60_000);
  for (let i = 0; i < steady.length; i += 1000) store.writeSamples(steady.slice(i, i + 1000));
  store.writeSamples(ancient);
  for (let d = 0; d <= 20; d++) {
    store.recordRun({ collectorId: 'c', startedAt: T0 + d * DAY + 12 * HOUR, durationMs: 1, ok: true, samplesWritten: 0 }, []);
  }
  const [steadyInfo] = store.findSeries(parseSelector('steady'));
  const hoursBefore = store.rollupHours(steadyInfo!.id, T0, NOW);

  const r = store.applyRetention();
  const expectRaw = steady.filter((s) => s.ts < RAW_BOUND).length + ancient.length;
  assert.equal(r.rawDeleted, expectRaw);
  assert.equal(r.rollupDeleted, 2 + 2, 'days 0 and 1 of both series');
  assert.equal(r.runsDeleted, 5, 'runs started before NOW - 15 d');
  assert.equal(r.seriesDeleted, 1, 'the series with nothing left');
  assert.ok(r.batches >= Math.ceil(expectRaw / 500), `${r.batches} batches for ${expectRaw} rows of at most 500`);

  // raw: exactly the samples at or after the hour-aligned bound remain
  const raw = store.rawPoints(steadyInfo!.id, 0, NOW);
  assert.deepEqual(raw.map((p) => p[0]), steady.filter((s) => s.ts >= RAW_BOUND).map((s) => s.ts));
  // rollups: the days at or after the bound day remain, unchanged, including hours whose raw is gone
  const hoursAfter = store.rollupHours(steadyInfo!.id, T0, NOW);
  assert.deepEqual(hoursAfter, hoursBefore.filter((h) => h.hour >= ROLLUP_BOUND_DAY * DAY));
  assert.equal(hoursAfter[0]!.hour, ROLLUP_BOUND_DAY * DAY);
  assert.deepEqual(store.findSeries(parseSelector('ancient')), [], 'a series with no samples and no rollups is removed');
  assert.deepEqual(
    store.listRuns({ limit: 100 }).map((run) => run.startedAt).sort((a, b) => a - b),
    Array.from({ length: 16 }, (_, i) => T0 + (i + 5) * DAY + 12 * HOUR),
  );

  const again = store.applyRetention();
  assert.deepEqual({ ...again, batches: 0 }, { rawDeleted: 0, rollupDeleted: 0, runsDeleted: 0, seriesDeleted: 0, batches: 0 });
}

test('retention deletes exactly the raw samples, rollup days and runs older than the bounds, in bounded batches', (t) => {
  checkRetention(t, 1000); // most raw samples moved from the head into samples
});

test('retention also bounds raw samples that never left the head', (t) => {
  checkRetention(t, 64_000);
});

test('a late sample older than the raw bound goes into its rollup and not into raw', (t) => {
  const { store } = tempStore(t, { now: () => NOW, retention: { rawMs: 15 * DAY, hourlyMs: 400 * DAY } });
  const data = series('steady', T0, T0 + 20 * DAY, 10 * 60_000);
  store.writeSamples(data);
  store.applyRetention();
  const [info] = store.findSeries(parseSelector('steady'));
  const hour = T0 + 3 * DAY + 7 * HOUR;
  const late = { name: 'steady', labels: { k: 'v' }, ts: hour + 5_000, value: 1000 };
  store.writeSamples([late]);
  assert.deepEqual(store.rawPoints(info!.id, hour, hour + HOUR), [], 'raw below the bound stays empty');
  const expected = bucketize([...data, late].map((s) => [s.ts, s.value] as [number, number]), HOUR, 'sum', hour, hour);
  const [h] = store.rollupHours(info!.id, hour, hour);
  assert.equal(h!.count, 7);
  assert.equal(h!.sum, expected[0]![1]);
  assert.equal(h!.max, 1000);
  assert.equal(h!.last, data.filter((s) => s.ts < hour + HOUR).at(-1)!.value, 'last stays the newest sample of the hour');
  // and it survives a restart: nothing is pending
  store.updateRollups();
  assert.deepEqual(store.rollupHours(info!.id, hour, hour), [h]);
});

test('retention rolls up pending samples before deleting their raw data', (t) => {
  const { store } = tempStore(t, { now: () => NOW });
  const data = series('fresh', T0 + 4 * DAY, T0 + 6 * DAY, 15 * 60_000);
  store.writeSamples(data); // no updateRollups() call before retention
  store.applyRetention();
  const [info] = store.findSeries(parseSelector('fresh'));
  const counts = store.rollupHours(info!.id, T0, NOW).map((h) => [h.hour, h.count]);
  assert.deepEqual(counts, bucketize(data.map((s) => [s.ts, s.value] as [number, number]), HOUR, 'count', T0, NOW));
});
