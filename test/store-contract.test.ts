/**
 * The metric store contract (issue 14): the same tests, run once per backend — the embedded
 * SQLite store through its async adapter, and PostgreSQL on a real server started for this
 * file. Whatever one backend answers, the other must answer too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Sample } from '../collectors/types.js';
import type { MetricStore } from '../server/store/backend.js';
import {
  InvalidSampleError, parseSelector, QueryError, RangeTooLargeError, SelectorError, SeriesLimitError,
} from '../server/store/index.js';
import type { PointAggregation } from '../server/store/types.js';
import { assertPointsClose, bucketize, DAY, HOUR, prng, T0 } from './fixtures/store-helpers.js';
import { postgresBackend, sqliteBackend, type ContractOptions, type StoreBackend } from './support/store-backends.js';

const AGGS: PointAggregation[] = ['avg', 'min', 'max', 'sum', 'count', 'last'];
const MIN = 60_000;

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`metric store contract on ${backend.name}`, { skip: backend.skip }, () => {
    before(() => backend.setup());
    after(() => backend.teardown());
    contract(backend);
  });
}

function contract(backend: StoreBackend): void {
  const open = (t: TestContext, opts: Partial<ContractOptions> = {}) => backend.open(t, { now: () => T0 + 3 * DAY, ...opts });
  const s = (name: string, labels: Record<string, string>, ts: number, value: number): Sample => ({ name, labels, ts, value });

  test('samples read back as written, per series, with NaN, infinities and the latest sample', async (t) => {
    const store = await open(t);
    assert.equal(await store.writeSamples([
      s('temp', { room: 'a' }, T0, 1), s('temp', { room: 'a' }, T0 + MIN, Number.NaN), s('temp', { room: 'a' }, T0 + 2 * MIN, Number.POSITIVE_INFINITY),
      s('temp', { room: 'b' }, T0, -2.5), s('temp', { room: 'b' }, T0 + MIN, Number.NEGATIVE_INFINITY),
    ]), 5);
    const [a, b] = await store.findSeries(parseSelector('temp'));
    assert.deepEqual(a!.labels, { room: 'a' });
    assert.deepEqual(b!.labels, { room: 'b' });
    const raw = await store.rawPoints(a!.id, T0, T0 + HOUR);
    assert.equal(raw.length, 3);
    assert.deepEqual(raw[0], [T0, 1]);
    assert.ok(Number.isNaN(raw[1]![1]));
    assert.deepEqual(raw[2], [T0 + 2 * MIN, Number.POSITIVE_INFINITY]);
    assert.deepEqual(await store.rawPoints(b!.id, T0, T0 + HOUR), [[T0, -2.5], [T0 + MIN, Number.NEGATIVE_INFINITY]]);
    assert.deepEqual(await store.rawPoints(a!.id, T0 + 1, T0 + MIN - 1), [], 'bounds are inclusive and nothing lies between');
    assert.deepEqual(await store.latestSample(b!.id), { ts: T0 + MIN, value: Number.NEGATIVE_INFINITY });
    assert.equal(await store.firstSampleAt(a!.id), T0);
    assert.equal(await store.seriesCount(), 2);
    assert.deepEqual(await store.getSeries(a!.id), a);
    assert.equal(await store.getSeries(999_999), undefined);
    assert.equal(await store.latestSample(999_999), undefined);
  });

  test('a staleness marker (NaN) is the latest sample but never the first data', async (t) => {
    const store = await open(t);
    await store.writeSamples([s('up', {}, T0, Number.NaN), s('up', {}, T0 + MIN, 1), s('up', {}, T0 + 2 * MIN, Number.NaN)]);
    const [info] = await store.findSeries(parseSelector('up'));
    const latest = await store.latestSample(info!.id);
    assert.equal(latest?.ts, T0 + 2 * MIN);
    assert.ok(Number.isNaN(latest!.value));
    assert.equal(await store.firstSampleAt(info!.id), T0 + MIN, 'NaN is not data');
    assert.equal(await store.firstDataTs(parseSelector('up')), T0, 'the first raw sample, NaN included');
  });

  test('labels are canonical: empty values are absent, key order does not matter, selectors match as PromQL', async (t) => {
    const store = await open(t);
    await store.writeSamples([
      s('http_requests', { code: '200', method: 'GET' }, T0, 1),
      s('http_requests', { method: 'GET', code: '200', zone: '' }, T0 + MIN, 2),
      s('http_requests', { code: '500', method: 'POST' }, T0, 3),
      s('http_errors', { code: '500' }, T0, 4),
    ]);
    assert.equal(await store.seriesCount(), 3, '{code,method} with an empty zone is the same series');
    const names = async (sel: string) => (await store.findSeries(parseSelector(sel))).map((x) => `${x.name}${JSON.stringify(x.labels)}`);
    assert.deepEqual(await names('http_requests'), ['http_requests{"code":"200","method":"GET"}', 'http_requests{"code":"500","method":"POST"}']);
    assert.deepEqual(await names('http_requests{code=~"5.."}'), ['http_requests{"code":"500","method":"POST"}']);
    assert.deepEqual(await names('http_requests{method!="GET"}'), ['http_requests{"code":"500","method":"POST"}']);
    assert.deepEqual(await names('{__name__=~"http_.*",code="500"}'), ['http_errors{"code":"500"}', 'http_requests{"code":"500","method":"POST"}']);
    assert.deepEqual(await names('{code="500"}'), ['http_errors{"code":"500"}', 'http_requests{"code":"500","method":"POST"}']);
    assert.deepEqual(await names('http_requests{zone=""}'), await names('http_requests'), 'an absent label matches the empty string');
    assert.deepEqual(await names('nothing_here'), []);
    assert.equal((await store.findSeries(parseSelector('{__name__=~".+"}'), 2)).length, 2, 'limit');
    await assert.rejects(store.findSeries({ matchers: [{ label: 'code', op: '=~', value: '.*' }] }), SelectorError, 'a selector matching everything');
    const [first] = await store.findSeries(parseSelector('http_requests'));
    assert.deepEqual(await store.rawPoints(first!.id, T0, T0 + HOUR), [[T0, 1], [T0 + MIN, 2]]);
  });

  test('a sample written again replaces the value and its hour\'s rollup, also after the hour was rolled up', async (t) => {
    const store = await open(t);
    const x = (ts: number, value: number) => s('temp', { room: 'a' }, ts, value);
    await store.writeSamples([x(T0, 1), x(T0 + MIN, 2), x(T0 + 2 * MIN, 3)]);
    await store.updateRollups();
    await store.writeSamples([x(T0 + MIN, 20)]);
    const [info] = await store.findSeries(parseSelector('temp'));
    assert.deepEqual(await store.rawPoints(info!.id, T0, T0 + HOUR), [[T0, 1], [T0 + MIN, 20], [T0 + 2 * MIN, 3]]);
    assert.deepEqual(await store.rollupHours(info!.id, T0, T0), [{ hour: T0, count: 3, sum: 24, min: 1, max: 20, last: 3 }]);
    await store.writeSamples([x(T0 + 30_000, -5)]);
    assert.deepEqual(await store.rollupHours(info!.id, T0, T0), [{ hour: T0, count: 4, sum: 19, min: -5, max: 20, last: 3 }]);
    await store.writeSamples([x(T0 + 3 * MIN, 7), x(T0 + 3 * MIN, 8)]);
    assert.deepEqual(await store.rollupHours(info!.id, T0, T0), [{ hour: T0, count: 5, sum: 27, min: -5, max: 20, last: 8 }], 'of two at one ts in a batch the later wins');
  });

  for (const [label, headMaxRows] of [['everything in the head', 1_000_000], ['the head compacted into chunks again and again', 300]] as const) {
    test(`raw points, hourly rollups and range queries equal brute force over random late and replaced samples (${label})`, async (t) => {
      const store = await open(t, { headMaxRows });
      const rnd = prng(headMaxRows);
      const keys = Array.from({ length: 8 }, (_, i) => ({ name: i % 2 ? 'm_odd' : 'm_even', labels: { host: `h${i}` } }));
      const all: Sample[] = [];
      keys.forEach((k, i) => {
        for (let ts = T0 + Math.floor(rnd() * MIN); ts < T0 + 2 * DAY; ts += MIN + Math.floor(rnd() * 10 * MIN)) {
          all.push(s(k.name, { ...k.labels }, ts, rnd() < 0.02 ? Number.NaN : Math.round((rnd() * 200 - 50) * 1000) / 1000 + i));
        }
      });
      all.sort((a, b) => a.ts - b.ts);
      const onTime: Sample[] = [];
      const late: Sample[] = [];
      for (const x of all) (rnd() < 0.1 ? late : onTime).push(x);
      for (const x of all) if (rnd() < 0.03) late.push({ ...x, value: Math.round(rnd() * 1e6) / 100 });
      const truth = new Map<string, Map<number, number>>();
      let run = 0;
      while (onTime.length || late.length) {
        const batch = onTime.splice(0, 50 + Math.floor(rnd() * 100));
        if (rnd() < 0.3) batch.push(...late.splice(0, Math.floor(rnd() * 40)));
        if (onTime.length === 0) batch.push(...late.splice(0));
        if (rnd() < 0.5) await store.writeSamples(batch);
        else await store.recordRun({ collectorId: 'rand', startedAt: T0 + run, durationMs: 1, ok: true, samplesWritten: batch.length }, batch);
        for (const x of batch) {
          const key = x.name + x.labels.host;
          let m = truth.get(key);
          if (!m) truth.set(key, (m = new Map()));
          m.set(x.ts, x.value);
        }
        run++;
        if (rnd() < 0.25) await store.updateRollups();
      }
      for (const k of keys) {
        const [info] = await store.findSeries(parseSelector(`${k.name}{host="${k.labels.host}"}`));
        const expected = [...truth.get(k.name + k.labels.host)!.entries()].sort((a, b) => a[0] - b[0]);
        const raw = await store.rawPoints(info!.id, T0 - DAY, T0 + 3 * DAY);
        assert.equal(raw.length, expected.length, `${k.labels.host}: raw sample count`);
        raw.forEach(([ts, v], i) => {
          assert.equal(ts, expected[i]![0]);
          assert.ok(Object.is(v, expected[i]![1]) || (Number.isNaN(v) && Number.isNaN(expected[i]![1])), `${k.labels.host} at ${ts}`);
        });
        const hours = await store.rollupHours(info!.id, T0, T0 + 2 * DAY);
        const brute = new Map(AGGS.map((agg) => [agg, bucketize(expected, HOUR, agg, T0, T0 + 2 * DAY)]));
        assert.deepEqual(hours.map((h) => h.hour), brute.get('count')!.map((p) => p[0]), 'the non-empty hours');
        assertPointsClose(hours.map((h) => [h.hour, h.sum]), brute.get('sum')!, 'rollup sums');
        assert.deepEqual(hours.map((h) => [h.hour, h.last]), brute.get('last')!, 'rollup last');
        for (const agg of AGGS) {
          for (const [step, source] of [[HOUR, 'rollup'], [15 * MIN, 'raw'], [6 * HOUR, 'rollup']] as const) {
            const from = T0 + 7 * MIN;
            const to = T0 + 2 * DAY - 3 * MIN;
            const q = await store.querySeries(parseSelector(`${k.name}{host="${k.labels.host}"}`), { from, to, step, aggregation: agg });
            assert.equal(q.source, source);
            assertPointsClose(q.series[0]!.points, bucketize(expected, step, agg, from, to), `${k.labels.host} ${agg} step ${step}`);
          }
        }
      }
    });
  }

  test('a batch of history (1,024+ samples over an hour) goes into chunks and reads back beside newer head samples', async (t) => {
    const store = await open(t);
    const history: Sample[] = [];
    for (let k = 0; k < 4; k++) for (let i = 0; i < 720; i++) history.push(s('hist', { k: String(k) }, T0 + i * MIN, k * 1000 + i));
    await store.writeSamples([s('hist', { k: '0' }, T0 + DAY, -1)]); // a newer sample, in the head
    assert.equal(await store.writeSamples(history), 2880);
    await store.writeSamples([s('hist', { k: '0' }, T0 + DAY + MIN, -2)]);
    const [k0] = await store.findSeries(parseSelector('hist{k="0"}'));
    const raw = await store.rawPoints(k0!.id, T0, T0 + 2 * DAY);
    assert.equal(raw.length, 722);
    assert.deepEqual(raw.slice(0, 2), [[T0, 0], [T0 + MIN, 1]]);
    assert.deepEqual(raw.slice(-3), [[T0 + 719 * MIN, 719], [T0 + DAY, -1], [T0 + DAY + MIN, -2]]);
    const q = await store.querySeries(parseSelector('hist'), { from: T0, to: T0 + 12 * HOUR - 1, step: HOUR, aggregation: 'count' });
    assert.deepEqual(q.series.map((x) => x.points.length), [12, 12, 12, 12]);
    assert.ok(q.series.every((x) => x.points.every(([, c]) => c === 60)));
  });

  test('compactHead moves old head samples into chunks without changing any read', async (t) => {
    const store = await open(t);
    const batch: Sample[] = [];
    for (let i = 0; i < 300; i++) batch.push(s('c', { k: String(i % 3) }, T0 + i * MIN, i));
    for (let i = 0; i < 300; i += 30) await store.writeSamples(batch.slice(i, i + 30));
    const sel = parseSelector('c');
    const before = await store.querySeries(sel, { from: T0, to: T0 + 6 * HOUR, step: 10 * MIN, aggregation: 'sum' });
    const { moved } = await store.compactHead(50);
    assert.ok(moved >= 200 && moved <= 250, `moved ${moved}`);
    assert.deepEqual(await store.querySeries(sel, { from: T0, to: T0 + 6 * HOUR, step: 10 * MIN, aggregation: 'sum' }), before);
    // a late sample below the head bound lands in its chunk and replaces the value there
    await store.writeSamples([s('c', { k: '0' }, T0, 1000)]);
    const [k0] = await store.findSeries(parseSelector('c{k="0"}'));
    assert.deepEqual((await store.rawPoints(k0!.id, T0, T0))[0], [T0, 1000]);
    assert.deepEqual((await store.rollupHours(k0!.id, T0, T0))[0]?.max, 1000);
  });

  test('range queries refuse bad parameters naming the field, and too many points with RangeTooLargeError', async (t) => {
    const store = await open(t);
    const sel = parseSelector('x');
    await assert.doesNotReject(store.querySeries(sel, { from: 0, to: 10_999_000, step: 1000 }));
    await assert.rejects(store.querySeries(sel, { from: 0, to: 11_000_000, step: 1000 }), (e: unknown) => e instanceof RangeTooLargeError && e.field === 'step' && /11001 points/.test(e.message));
    await assert.rejects(store.querySeries(sel, { from: 10, to: 5, step: 1000 }), (e: unknown) => e instanceof QueryError && e.field === 'to');
    await assert.rejects(store.querySeries(sel, { from: 0.5, to: 5, step: 1000 }), (e: unknown) => e instanceof QueryError && e.field === 'from');
    await assert.rejects(store.querySeries(sel, { from: 0, to: 5, step: 0 }), (e: unknown) => e instanceof QueryError && e.field === 'step');
    await assert.rejects(
      store.querySeries(sel, { from: 0, to: 5, step: 1, aggregation: 'median' as PointAggregation }),
      (e: unknown) => e instanceof QueryError && e.field === 'aggregation',
    );
    const now = T0 + 3 * DAY;
    await store.writeSamples([s('x', {}, now - HOUR, 1)]);
    assert.equal((await store.querySeries(sel, { from: now - DAY, to: now, step: MIN })).source, 'raw');
    assert.equal((await store.querySeries(sel, { from: now - DAY, to: now, step: 90 * MIN })).source, 'raw');
    assert.equal((await store.querySeries(sel, { from: now - DAY, to: now, step: HOUR, source: 'raw' })).source, 'raw');
  });

  test('a malformed sample is refused with an error naming it and the field, and nothing of its batch is stored', async (t) => {
    const store = await open(t);
    const ok = s('good', { a: 'b' }, T0, 1);
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'bad name', labels: {}, ts: T0, value: 1 }, /^sample 1: metric name "bad name"/],
      [{ name: 'x', labels: { 'bad-label': 'v' }, ts: T0, value: 1 }, /^sample 1: label name "bad-label"/],
      [{ name: 'x', labels: { a: 1 }, ts: T0, value: 1 }, /^sample 1: label a must be a string/],
      [{ name: 'x', labels: { __name__: 'y' }, ts: T0, value: 1 }, /^sample 1: label __name__ is reserved/],
      [{ name: 'x', labels: {}, ts: T0 + 0.5, value: 1 }, /^sample 1 \(x\): ts must be an integer/],
      [{ name: 'x', labels: {}, ts: 2 ** 48, value: 1 }, /^sample 1 \(x\): ts must be an integer ms epoch within ±2\^47, got 281474976710656/],
      [{ name: 'x', labels: {}, ts: T0, value: '1' }, /^sample 1 \(x\): value must be a number, got string/],
      [{ name: 'x', labels: null, ts: T0, value: 1 }, /^sample 1: labels of x must be an object/],
    ];
    for (const [bad, pattern] of cases) {
      await assert.rejects(store.writeSamples([ok, bad as Sample]), (e: unknown) => e instanceof InvalidSampleError && pattern.test(e.message), String(pattern));
    }
    assert.equal(await store.seriesCount(), 0, 'no series survived a failed batch');
    assert.deepEqual(await store.listRuns(), []);
    await store.writeSamples([ok]);
    const [good] = await store.findSeries(parseSelector('good'));
    assert.deepEqual(await store.rawPoints(good!.id, 0, T0 + DAY), [[T0, 1]]);
  });

  test('a run that would pass the series limit is refused with SeriesLimitError and stores neither samples nor run', async (t) => {
    const store = await open(t);
    const run = (n: number) => ({ collectorId: 'c', startedAt: T0 + n, durationMs: 5, ok: true, samplesWritten: 0 });
    await store.recordRun(run(1), [s('a', { i: '1' }, T0, 1), s('a', { i: '2' }, T0, 1)], { seriesLimit: 3 });
    await assert.rejects(
      store.recordRun(run(2), [s('a', { i: '1' }, T0 + MIN, 2), s('a', { i: '3' }, T0 + MIN, 1), s('a', { i: '4' }, T0 + MIN, 1)], { seriesLimit: 3 }),
      (e: unknown) => e instanceof SeriesLimitError && e.limit === 3 && /series_limit exceeded/.test(e.message),
    );
    assert.equal(await store.seriesCount(), 2);
    assert.deepEqual((await store.listRuns()).map((r) => r.startedAt), [T0 + 1]);
    const [i1] = await store.findSeries(parseSelector('a{i="1"}'));
    assert.deepEqual(await store.rawPoints(i1!.id, 0, T0 + DAY), [[T0, 1]], 'the refused run\'s sample of an existing series is not stored either');
    // within the limit, and without one
    await store.recordRun(run(3), [s('a', { i: '3' }, T0 + MIN, 1)], { seriesLimit: 3 });
    await store.recordRun(run(4), [s('a', { i: '4' }, T0 + MIN, 1), s('a', { i: '5' }, T0 + MIN, 1)]);
    assert.equal(await store.seriesCount(), 5);
  });

  test('retention deletes raw samples, rollup days and runs older than the bounds, and series left with nothing', async (t) => {
    const now = T0 + 10 * DAY;
    const store = await open(t, { now: () => now, retention: { rawMs: 2 * DAY, hourlyMs: 5 * DAY } });
    const batch: Sample[] = [];
    for (let ts = T0; ts < now; ts += 30 * MIN) batch.push(s('kept', {}, ts, ts / MIN));
    batch.push(s('gone', {}, T0, 1));
    for (let i = 0; i < batch.length; i += 100) await store.writeSamples(batch.slice(i, i + 100));
    await store.compactHead(10);
    for (let d = 0; d < 10; d++) await store.recordRun({ collectorId: 'c', startedAt: T0 + d * DAY, durationMs: 1, ok: d % 2 === 0, samplesWritten: 0 }, []);
    const r = await store.applyRetention();
    const rawBound = Math.floor((now - 2 * DAY) / HOUR) * HOUR;
    const hourlyBoundDay = Math.floor((now - 5 * DAY) / DAY);
    const expectRaw = batch.filter((x) => x.ts < rawBound).length;
    assert.equal(r.rawDeleted, expectRaw);
    assert.equal(r.rollupDeleted, hourlyBoundDay - T0 / DAY + 1, 'one rollup day per day of `kept` before the bound, and `gone`s one day');
    assert.equal(r.runsDeleted, 8);
    assert.equal(r.seriesDeleted, 1);
    assert.deepEqual(await store.findSeries(parseSelector('gone')), []);
    const [kept] = await store.findSeries(parseSelector('kept'));
    const raw = await store.rawPoints(kept!.id, 0, now);
    assert.equal(raw[0]![0], rawBound, 'raw starts at the hour-aligned bound');
    assert.equal(raw.length, batch.length - expectRaw, "every sample of `kept` at or above the bound");
    const hours = await store.rollupHours(kept!.id, 0, now);
    assert.equal(hours[0]!.hour, hourlyBoundDay * DAY, 'rollups start at the day bound');
    assert.equal(await store.firstSampleAt(kept!.id), hourlyBoundDay * DAY, 'older than raw: the first rollup hour');
    assert.equal(await store.firstDataTs(parseSelector('kept')), hourlyBoundDay * DAY);
    // a late sample older than the raw horizon goes into its rollup, not into raw
    await store.writeSamples([s('kept', {}, rawBound - DAY + 5 * MIN, -1e6)]);
    assert.equal((await store.rawPoints(kept!.id, 0, rawBound - 1)).length, 0);
    const hour = Math.floor((rawBound - DAY + 5 * MIN) / HOUR) * HOUR;
    const [agg] = await store.rollupHours(kept!.id, hour, hour);
    assert.equal(agg!.min, -1e6);
    assert.equal(agg!.count, 3);
    assert.deepEqual((await store.listRuns()).map((x) => x.startedAt), [T0 + 9 * DAY, T0 + 8 * DAY]);
  });

  test('retention rolls samples written since the last rollup update into their hours before deleting their raw data', async (t) => {
    const now = T0 + 10 * DAY;
    const store = await open(t, { now: () => now, retention: { rawMs: 2 * DAY, hourlyMs: 30 * DAY } });
    await store.writeSamples([s('p', {}, T0 + HOUR, 1), s('p', {}, T0 + HOUR + MIN, 2)]);
    await store.updateRollups();
    await store.writeSamples([s('p', {}, T0 + HOUR + 2 * MIN, 4), s('p', {}, T0 + 2 * HOUR, 8)]); // dirty, not rolled up
    const r = await store.applyRetention();
    assert.equal(r.rawDeleted, 4);
    const [p] = await store.findSeries(parseSelector('p'));
    assert.deepEqual(await store.rawPoints(p!.id, 0, now), []);
    assert.deepEqual(await store.rollupHours(p!.id, T0, T0 + DAY), [
      { hour: T0 + HOUR, count: 3, sum: 7, min: 1, max: 4, last: 4 },
      { hour: T0 + 2 * HOUR, count: 1, sum: 8, min: 8, max: 8, last: 8 },
    ]);
  });

  test('runs list newest first, filter, limit, summarise streaks and answer a range with the streak before it', async (t) => {
    const store = await open(t);
    const rec = (collectorId: string, at: number, ok: boolean, extra: { error?: string; warnings?: string[] } = {}) =>
      store.recordRun({ collectorId, startedAt: T0 + at * MIN, durationMs: 10, ok, samplesWritten: 0, ...extra }, []);
    const first = await rec('a', 0, true, { warnings: ['slow'] });
    assert.deepEqual(first, { id: first.id, collectorId: 'a', startedAt: T0, durationMs: 10, ok: true, samplesWritten: 0, warnings: ['slow'] });
    await rec('a', 1, false, { error: 'timeout' });
    await rec('b', 1, false, { error: 'refused' });
    await rec('a', 2, false, { error: 'timeout' });
    await rec('b', 2, false, { error: 'refused' });
    await rec('a', 3, true);
    await rec('a', 4, false, { error: 'boom' });
    const all = await store.listRuns();
    assert.deepEqual(all.map((r) => `${r.collectorId}${(r.startedAt - T0) / MIN}`), ['a4', 'a3', 'b2', 'a2', 'b1', 'a1', 'a0']);
    assert.deepEqual((await store.listRuns({ collectorId: 'b' })).map((r) => r.error), ['refused', 'refused']);
    assert.equal((await store.listRuns({ limit: 2 })).length, 2);
    assert.deepEqual(all[0], { id: all[0]!.id, collectorId: 'a', startedAt: T0 + 4 * MIN, durationMs: 10, ok: false, error: 'boom', samplesWritten: 0 });
    const sums = await store.runSummaries();
    assert.deepEqual([...sums.keys()].sort(), ['a', 'b']);
    assert.equal(sums.get('a')!.consecutiveFailures, 1);
    assert.equal(sums.get('a')!.lastSuccess!.startedAt, T0 + 3 * MIN);
    assert.equal(sums.get('b')!.consecutiveFailures, 2);
    assert.equal(sums.get('b')!.lastSuccess, undefined);
    const between = await store.collectorRunsBetween('a', T0 + 3 * MIN, T0 + 5 * MIN, 10);
    assert.deepEqual(between, { streakAtStart: 2, during: [{ at: T0 + 3 * MIN, ok: true }, { at: T0 + 4 * MIN, ok: false, error: 'boom' }] });
    assert.equal((await store.collectorRunsBetween('a', T0 + 3 * MIN, T0 + 5 * MIN, 1)).streakAtStart, 1, 'the streak is capped');
  });

  test('workload versions: a new hash is stored, the same hash again returns the newest, listed newest first without text', async (t) => {
    const store = await open(t);
    const v1 = await store.saveWorkloadVersion({ hash: 'h1', path: '/w.yaml', source: 'a: 1', appliedAt: T0 });
    const again = await store.saveWorkloadVersion({ hash: 'h1', path: '/w.yaml', source: 'a: 1', appliedAt: T0 + 1 });
    assert.deepEqual(again, v1);
    const v2 = await store.saveWorkloadVersion({ hash: 'h2', path: '/w.yaml', source: 'a: 2', appliedAt: T0 + 2 });
    assert.ok(v2.id > v1.id);
    const v3 = await store.saveWorkloadVersion({ hash: 'h1', path: '/w.yaml', source: 'a: 1', appliedAt: T0 + 3 });
    assert.notEqual(v3.id, v1.id, 'going back to an older file is a new version');
    assert.deepEqual((await store.listWorkloadVersions()).map((v) => [v.hash, v.appliedAt]), [['h1', T0 + 3], ['h2', T0 + 2], ['h1', T0]]);
    assert.equal((await store.listWorkloadVersions(1)).length, 1);
    assert.equal(Object.hasOwn((await store.listWorkloadVersions())[0]!, 'source'), false);
    assert.deepEqual(await store.getWorkloadVersion(v2.id), { id: v2.id, hash: 'h2', path: '/w.yaml', source: 'a: 2', appliedAt: T0 + 2 });
    assert.equal(await store.getWorkloadVersion(v3.id + 100), undefined);
  });

  test('the retention policy is validated and kept; close is idempotent and a closed store refuses writes', async (t) => {
    const store: MetricStore = await open(t, { retention: { rawMs: DAY } });
    assert.deepEqual(store.retentionPolicy(), { rawMs: DAY, hourlyMs: 400 * DAY });
    assert.throws(() => store.setRetention({ rawMs: 0 }), RangeError);
    store.setRetention({ hourlyMs: 30 * DAY });
    assert.deepEqual(store.retentionPolicy(), { rawMs: DAY, hourlyMs: 30 * DAY });
    await store.writeSamples([s('x', {}, T0, 1)]);
    await store.close();
    await store.close();
    await assert.rejects(async () => store.writeSamples([s('x', {}, T0 + MIN, 1)]), /closed|not open/);
  });
}
