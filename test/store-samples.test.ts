import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Sample } from '../collectors/types.js';
import { InvalidSampleError, openStore, parseSelector, QueryError, RangeTooLargeError, type Store } from '../server/store/index.js';
import type { PointAggregation } from '../server/store/types.js';
import { assertPointsClose, bucketize, close, DAY, HOUR, prng, T0, tempStore } from './fixtures/store-helpers.js';

const AGGS: PointAggregation[] = ['avg', 'min', 'max', 'sum', 'count', 'last'];

interface Truth {
  /** series key (name + canonical labels) -> ts -> value, the final state after all writes */
  byKey: Map<string, Map<number, number>>;
  keys: Array<{ name: string; labels: Record<string, string> }>;
}

/**
 * Writes random data the way collectors do, with ~10% of samples arriving late
 * (after their hour was rolled up), ~3% re-sent with a new value, and NaN now
 * and then; rolls up at random points in between. Returns the expected final state.
 */
function writeRandom(store: Store, seed: number, sliced = false): Truth {
  const rnd = prng(seed);
  const keys = Array.from({ length: 10 }, (_, i) => ({ name: i % 2 ? 'm_odd' : 'm_even', labels: { host: `h${i}`, zone: i % 3 ? 'a' : '' } }));
  const all: Sample[] = [];
  keys.forEach((k, i) => {
    for (let ts = T0 + Math.floor(rnd() * 60_000); ts < T0 + 3 * DAY; ts += 60_000 + Math.floor(rnd() * 600_000)) {
      const value = rnd() < 0.02 ? Number.NaN : Math.round((rnd() * 200 - 50) * 1000) / 1000 + i;
      all.push({ name: k.name, labels: { ...k.labels }, ts, value });
    }
  });
  all.sort((a, b) => a.ts - b.ts);
  const onTime: Sample[] = [];
  const late: Sample[] = [];
  for (const s of all) (rnd() < 0.1 ? late : onTime).push(s);
  for (const s of all) if (rnd() < 0.03) late.push({ ...s, labels: { ...s.labels }, value: Math.round(rnd() * 1e6) / 100 });

  const byKey = new Map<string, Map<number, number>>();
  const keyOf = (s: Sample) => `${s.name}${JSON.stringify({ host: s.labels.host, ...(s.labels.zone ? { zone: s.labels.zone } : {}) })}`;
  const apply = (batch: Sample[]) => {
    for (const s of batch) {
      let m = byKey.get(keyOf(s));
      if (!m) byKey.set(keyOf(s), (m = new Map()));
      m.set(s.ts, s.value);
    }
  };
  let run = 0;
  while (onTime.length || late.length) {
    const batch = onTime.splice(0, 50 + Math.floor(rnd() * 100));
    if (rnd() < 0.3) batch.push(...late.splice(0, Math.floor(rnd() * 40)));
    if (onTime.length === 0) batch.push(...late.splice(0));
    if (rnd() < 0.5) store.writeSamples(batch);
    else store.recordRun({ collectorId: 'rand', startedAt: T0 + run, durationMs: 1, ok: true, samplesWritten: batch.length }, batch);
    apply(batch);
    run++;
    // sliced: a catch-up of 1–3 series at a time, so most updates span several later writes
    if (sliced) store.updateRollupsSlice(1 + Math.floor(rnd() * 3));
    else if (rnd() < 0.25) store.updateRollups();
  }
  return { byKey, keys };
}

function truthPoints(truth: Truth, key: string): Array<[number, number]> {
  return [...(truth.byKey.get(key) ?? new Map<number, number>()).entries()].sort((a, b) => a[0] - b[0]);
}

const seriesKey = (s: { name: string; labels: Record<string, string> }) => `${s.name}${JSON.stringify(s.labels)}`;

function checkAgainstBruteForce(t: TestContext, headMaxRows: number, sliced = false): void {
  const { store } = tempStore(t, { now: () => T0 + 4 * DAY, headMaxRows });
  const truth = writeRandom(store, 20250106 + headMaxRows, sliced);
  if (headMaxRows < 1000) {
    const cold = store.db.prepare('SELECT coalesce(sum(count), 0) FROM sample_chunks').pluck().get() as number;
    assert.ok(cold > 5000, `most samples were moved out of the head (${cold})`);
  }
  store.updateRollups();
  const all = store.findSeries(parseSelector('{__name__=~"m_.*"}'));
  assert.equal(all.length, 10);
  const from = T0 - HOUR;
  const to = T0 + 3 * DAY + HOUR;
  for (const s of all) {
    const expected = truthPoints(truth, seriesKey(s));
    assert.ok(expected.length > 100, 'enough data per series');
    const raw = store.rawPoints(s.id, from, to);
    assert.equal(raw.length, expected.length, `raw count of ${seriesKey(s)}`);
    raw.forEach(([ts, v], i) => {
      assert.equal(ts, expected[i]![0]);
      assert.ok(Object.is(v, expected[i]![1]) || v === expected[i]![1], `raw value at ${ts}: ${v} vs ${expected[i]![1]}`);
    });
    // the hourly rollup, field by field
    const hours = store.rollupHours(s.id, from, to);
    const counts = bucketize(expected, HOUR, 'count', from, to);
    assert.deepEqual(hours.map((h) => [h.hour, h.count]), counts, `rollup counts of ${seriesKey(s)}`);
    for (const [field, agg] of [['sum', 'sum'], ['min', 'min'], ['max', 'max'], ['last', 'last']] as const) {
      assertPointsClose(hours.map((h) => [h.hour, h[field]]), bucketize(expected, HOUR, agg, from, to), `rollup ${field} of ${seriesKey(s)}`);
    }
  }
  // range queries: both sources agree with brute force for hour-multiple steps
  for (const step of [HOUR, 3 * HOUR, DAY]) {
    for (const aggregation of AGGS) {
      const q = { from: T0 + 90 * 60_000, to: T0 + 2 * DAY + 17 * 60_000, step, aggregation };
      const raw = store.querySeries(parseSelector('m_odd'), { ...q, source: 'raw' });
      const rolled = store.querySeries(parseSelector('m_odd'), { ...q, source: 'rollup' });
      assert.equal(raw.source, 'raw');
      assert.equal(rolled.source, 'rollup');
      assert.equal(raw.series.length, 5);
      raw.series.forEach((rs, i) => {
        const expected = bucketize(truthPoints(truth, seriesKey(rs.series)), step, aggregation, q.from, q.to);
        assertPointsClose(rs.points, expected, `raw ${aggregation} step ${step}`);
        assertPointsClose(rolled.series[i]!.points, expected, `rollup ${aggregation} step ${step}`);
      });
    }
  }
  // a sub-hour step reads raw by default and matches brute force
  const fine = store.querySeries(parseSelector('m_even{host="h0"}'), { from: T0, to: T0 + DAY, step: 5 * 60_000, aggregation: 'max' });
  assert.equal(fine.source, 'raw');
  assertPointsClose(fine.series[0]!.points, bucketize(truthPoints(truth, seriesKey(fine.series[0]!.series)), 5 * 60_000, 'max', T0, T0 + DAY), 'raw 5m max');
}

test('raw points, hourly rollups and range queries equal brute force over random data with late and replaced samples', (t) => {
  checkAgainstBruteForce(t, 64_000); // everything stays in the head
});

test('raw points, hourly rollups and range queries equal brute force while the head is compacted into samples again and again', (t) => {
  checkAgainstBruteForce(t, 300);
});

test('rollups equal brute force when they are brought up to date a few series at a time between writes (updateRollupsSlice)', (t) => {
  checkAgainstBruteForce(t, 300, true);
});

test('a sliced rollup update keeps its markers until its last slice, so a crash midway is recomputed on the next open', (t) => {
  const { store, file } = tempStore(t, { now: () => T0 + DAY });
  const batch = Array.from({ length: 6 }, (_, i) => [0, 1, 2].map((m) => ({ name: 'g', labels: { i: String(i) }, ts: T0 + m * 60_000, value: i * 10 + m })));
  store.writeSamples(batch.flat());
  const markers = () => store.db.prepare('SELECT count(*) FROM rollup_dirty').pluck().get() as number;
  assert.equal(markers(), 1);
  assert.deepEqual(store.updateRollupsSlice(2), { done: false, seriesDays: 2 });
  assert.equal(markers(), 1, 'the hour stays marked while series of it are pending');
  store.db.close(); // a crash between slices (close() would finish the update): the rest was only in memory
  const again = openStore({ path: file, now: () => T0 + DAY });
  t.after(() => again.close());
  assert.equal(again.updateRollups().seriesDays, 6, 'the reopened store recomputes every series of the marked hour');
  assert.equal(again.db.prepare('SELECT count(*) FROM rollup_dirty').pluck().get(), 0);
  for (const s of again.findSeries(parseSelector('g'))) {
    const i = Number(s.labels.i);
    assert.deepEqual(again.rollupHours(s.id, T0, T0), [{ hour: T0, count: 3, sum: 30 * i + 3, min: 10 * i, max: 10 * i + 2, last: 10 * i + 2 }]);
  }
});

test('a write between the slices of a rollup update re-marks its hour, and the marker outlives the update that began before it', (t) => {
  const { store } = tempStore(t, { now: () => T0 + DAY });
  const s = (i: number, ts: number, value: number) => ({ name: 'g', labels: { i: String(i) }, ts, value });
  store.writeSamples([0, 1, 2, 3].map((i) => s(i, T0, i)));
  assert.equal(store.updateRollupsSlice(1).done, false);
  // series 0 is done; a new sample for it (same hour) arrives before the update ends
  store.writeSamples([s(0, T0 + 60_000, 100)]);
  let r;
  do r = store.updateRollupsSlice(1);
  while (!r.done);
  assert.equal(r.seriesDays, 4);
  assert.equal(store.db.prepare('SELECT count(*) FROM rollup_dirty').pluck().get(), 1, 'the hour written meanwhile is still marked');
  assert.deepEqual(store.updateRollupsSlice(8), { done: true, seriesDays: 1 }, 'the next update folds in the late write');
  assert.equal(store.db.prepare('SELECT count(*) FROM rollup_dirty').pluck().get(), 0);
  const [g0] = store.findSeries(parseSelector('g{i="0"}'));
  assert.deepEqual(store.rollupHours(g0!.id, T0, T0), [{ hour: T0, count: 2, sum: 100, min: 0, max: 100, last: 100 }]);
  assert.throws(() => store.updateRollupsSlice(0), RangeError);
});

test('a replaced sample changes the value and the rollup of its hour, also after the hour was rolled up', (t) => {
  const { store } = tempStore(t, { now: () => T0 + DAY });
  const s = (ts: number, value: number) => ({ name: 'temp', labels: { room: 'a' }, ts, value });
  store.writeSamples([s(T0, 1), s(T0 + 60_000, 2), s(T0 + 120_000, 3)]);
  store.updateRollups();
  store.writeSamples([s(T0 + 60_000, 20)]);
  const [info] = store.findSeries(parseSelector('temp'));
  assert.deepEqual(store.rawPoints(info!.id, T0, T0 + HOUR), [[T0, 1], [T0 + 60_000, 20], [T0 + 120_000, 3]]);
  assert.deepEqual(store.rollupHours(info!.id, T0, T0), [{ hour: T0, count: 3, sum: 24, min: 1, max: 20, last: 3 }]);
  // a late sample older than everything in the hour keeps `last` at the newest timestamp
  store.writeSamples([s(T0 + 30_000, -5)]);
  assert.deepEqual(store.rollupHours(info!.id, T0, T0), [{ hour: T0, count: 4, sum: 19, min: -5, max: 20, last: 3 }]);
  // a newer sample extends the hour incrementally
  store.writeSamples([s(T0 + 180_000, 7)]);
  assert.deepEqual(store.rollupHours(info!.id, T0, T0), [{ hour: T0, count: 5, sum: 26, min: -5, max: 20, last: 7 }]);
});

test('NaN round-trips through raw reads but is never aggregated; infinities are stored and aggregated', (t) => {
  const { store } = tempStore(t, { now: () => T0 + DAY });
  const s = (ts: number, value: number) => ({ name: 'stale', labels: {}, ts, value });
  store.writeSamples([s(T0, 1), s(T0 + 1000, Number.NaN), s(T0 + 2000, Number.POSITIVE_INFINITY), s(T0 + HOUR, Number.NaN)]);
  const [info] = store.findSeries(parseSelector('stale'));
  const raw = store.rawPoints(info!.id, T0, T0 + 2 * HOUR);
  assert.equal(raw.length, 4);
  assert.ok(Number.isNaN(raw[1]![1]) && Number.isNaN(raw[3]![1]));
  assert.equal(raw[2]![1], Number.POSITIVE_INFINITY);
  const latest = store.latestSample(info!.id);
  assert.equal(latest?.ts, T0 + HOUR);
  assert.ok(Number.isNaN(latest!.value), 'a staleness marker is visible as the latest sample');
  assert.deepEqual(store.rollupHours(info!.id, T0, T0 + HOUR), [
    { hour: T0, count: 2, sum: Number.POSITIVE_INFINITY, min: 1, max: Number.POSITIVE_INFINITY, last: Number.POSITIVE_INFINITY },
  ]);
  const q = store.querySeries(parseSelector('stale'), { from: T0, to: T0 + HOUR, step: HOUR, aggregation: 'count' });
  assert.deepEqual(q.series[0]!.points, [[T0, 2]], 'an hour holding only NaN has no point');
});

test('querySeries picks rollups for hour-multiple steps or ranges older than raw retention, raw otherwise', (t) => {
  const now = T0 + 30 * DAY;
  const { store } = tempStore(t, { now: () => now });
  store.writeSamples([{ name: 'x', labels: {}, ts: now - HOUR, value: 1 }]);
  const sel = parseSelector('x');
  assert.equal(store.querySeries(sel, { from: now - DAY, to: now, step: 60_000 }).source, 'raw');
  assert.equal(store.querySeries(sel, { from: now - DAY, to: now, step: HOUR }).source, 'rollup');
  assert.equal(store.querySeries(sel, { from: now - DAY, to: now, step: 90 * 60_000 }).source, 'raw');
  assert.equal(store.querySeries(sel, { from: now - 20 * DAY, to: now, step: 5 * 60_000 }).source, 'rollup');
  assert.equal(store.querySeries(sel, { from: now - DAY, to: now, step: HOUR, source: 'raw' }).source, 'raw');
});

test('querySeries refuses more than 11,000 points per series with RangeTooLargeError naming step', (t) => {
  const { store } = tempStore(t, { now: () => T0 });
  const sel = parseSelector('x');
  assert.doesNotThrow(() => store.querySeries(sel, { from: 0, to: 10_999_000, step: 1000 }));
  assert.throws(
    () => store.querySeries(sel, { from: 0, to: 11_000_000, step: 1000 }),
    (err: unknown) => err instanceof RangeTooLargeError && err.field === 'step' && /^step: .*11001 points/.test(err.message),
  );
  assert.throws(() => store.querySeries(sel, { from: 10, to: 5, step: 1000 }), (e: unknown) => e instanceof QueryError && e.field === 'to');
  assert.throws(() => store.querySeries(sel, { from: 0, to: 5, step: 0 }), (e: unknown) => e instanceof QueryError && e.field === 'step');
});

test('writeSamples rejects a malformed sample with an error naming it and writes nothing of the batch', (t) => {
  const { store } = tempStore(t, { now: () => T0 });
  const ok = { name: 'good', labels: { a: 'b' }, ts: T0, value: 1 };
  const cases: Array<[unknown, RegExp]> = [
    [{ name: 'bad name', labels: {}, ts: T0, value: 1 }, /^sample 1: metric name "bad name"/],
    [{ name: 'x', labels: { 'bad-label': 'v' }, ts: T0, value: 1 }, /^sample 1: label name "bad-label"/],
    [{ name: 'x', labels: { a: 1 }, ts: T0, value: 1 }, /^sample 1: label a must be a string/],
    [{ name: 'x', labels: {}, ts: T0 + 0.5, value: 1 }, /sample 1 \(x\): ts must be an integer/],
    [{ name: 'x', labels: {}, ts: 2 ** 48, value: 1 }, /sample 1 \(x\): ts must be an integer ms epoch within ±2\^47, got 281474976710656/],
    [{ name: 'x', labels: {}, ts: T0, value: '1' }, /sample 1 \(x\): value must be a number/],
    [{ name: 'x', labels: null, ts: T0, value: 1 }, /^sample 1: labels of x must be an object/],
  ];
  for (const [bad, pattern] of cases) {
    assert.throws(() => store.writeSamples([ok, bad as Sample]), (e: unknown) => e instanceof InvalidSampleError && pattern.test(e.message));
  }
  assert.deepEqual(store.findSeries(parseSelector('{__name__=~".+"}')), [], 'no series survived a failed batch');
  assert.equal(store.db.prepare('SELECT count(*) FROM sample_chunks').pluck().get(), 0);
  assert.equal(store.db.prepare('SELECT count(*) FROM samples_head').pluck().get(), 0);
});

test('frozen label objects resolve by identity, and a rolled-back batch leaves no stale series id behind', (t) => {
  const { store } = tempStore(t, { now: () => T0 });
  const labels = Object.freeze({ host: 'a' });
  const bad = { name: 'bad name', labels: {}, ts: T0, value: 1 };
  assert.throws(() => store.writeSamples([{ name: 'frozen', labels, ts: T0, value: 1 }, bad]), InvalidSampleError);
  assert.deepEqual(store.findSeries(parseSelector('frozen')), [], 'the series of the failed batch is gone');
  store.writeSamples([{ name: 'frozen', labels, ts: T0, value: 2 }]);
  store.writeSamples([{ name: 'frozen', labels, ts: T0 + 60_000, value: 3 }, { name: 'frozen', labels: { host: 'a' }, ts: T0 + 120_000, value: 4 }]);
  const found = store.findSeries(parseSelector('frozen'));
  assert.equal(found.length, 1);
  assert.deepEqual(store.rawPoints(found[0]!.id, 0, T0 + DAY), [[T0, 2], [T0 + 60_000, 3], [T0 + 120_000, 4]]);
  // the same frozen object under another name is another series
  store.writeSamples([{ name: 'frozen_other', labels, ts: T0, value: 5 }]);
  assert.equal(store.findSeries(parseSelector('frozen_other')).length, 1);
});

test('firstDataTs is the oldest sample, not the start of its rollup hour; a rollup hour counts once raw retention removed what it holds', (t) => {
  const { store } = tempStore(t, { now: () => T0 + DAY });
  store.writeSamples([{ name: 'late_start', labels: { a: '1' }, ts: T0 + 49 * 60_000, value: 1 }]);
  store.updateRollups(); // the hour T0 now has a rollup that begins at T0
  assert.equal(store.firstDataTs(parseSelector('late_start')), T0 + 49 * 60_000);
  // history below the raw horizon lives only in rollups: its hour is the best there is
  const { store: old } = tempStore(t, { now: () => T0 + 40 * DAY, retention: { rawMs: 15 * DAY } });
  old.applyRetention();
  old.writeSamples([
    { name: 'old_start', labels: {}, ts: T0 + 20 * 60_000, value: 1 },
    { name: 'old_start', labels: {}, ts: T0 + 39 * DAY, value: 2 },
  ]);
  old.updateRollups();
  assert.equal(old.firstDataTs(parseSelector('old_start')), T0);
});
