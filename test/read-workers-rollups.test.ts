import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test, after } from 'node:test';
import { systemClock } from '../server/clock.js';
import { silentLogger } from '../server/log.js';
import { openStore, parseSelector, ROLLUP_SLICE_SERIES } from '../server/store/index.js';
import { ReadWorkers } from '../server/workers/reads.js';
import { tempDir } from './support/tmp.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;

test('before a worker read, the writer brings rollups up to date a slice at a time, with the event loop turning between slices, and the read sees them', async () => {
  const file = path.join(tempDir(), 'store.db');
  const store = openStore({ path: file, now: () => T0 + HOUR });
  after(() => store.close());
  const series = 3 * ROLLUP_SLICE_SERIES + 10;
  store.writeSamples(Array.from({ length: series }, (_, i) => ({ name: 'm', labels: { i: String(i) }, ts: T0, value: i })));
  // Record each slice and whether the loop ran between two of them.
  const slices: boolean[] = [];
  let turned = false;
  const slice = store.updateRollupsSlice.bind(store);
  const watched = Object.assign(Object.create(store) as typeof store, {
    updateRollupsSlice: (n: number) => {
      slices.push(turned);
      turned = false;
      return slice(n);
    },
  });
  const reads = new ReadWorkers({ dbPath: file, store: watched, clock: systemClock, log: silentLogger, size: 1 });
  after(() => reads.close());
  let ticking = true;
  const tick = () => {
    turned = true;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const answer = await reads.seriesQuery(
    { selector: parseSelector('m{i="7"}'), range: { from: T0, to: T0 + HOUR - 1, step: HOUR, aggregation: 'max', source: 'rollup' }, aggregation: 'max', limit: 10 },
    'identity',
  );
  ticking = false;
  assert.equal(slices.length, 4, 'one call per slice of 256 series, the last one finding the update done');
  assert.ok(slices.slice(1).every(Boolean), `the event loop turned before each slice after the first (${slices.join(',')})`);
  assert.ok(!('tooManySeries' in answer));
  const body = JSON.parse(Buffer.from(answer.body).toString('utf8')) as { series: Array<{ points: Array<[number, number]> }> };
  assert.deepEqual(body.series[0]!.points.map((p) => p[1]), [7], 'the worker read the rollup the slices wrote');
});
