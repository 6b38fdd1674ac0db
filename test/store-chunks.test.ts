import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample } from '../collectors/types.js';
import { chunkTargetBytes } from '../server/store/chunks.js';
import { parseSelector } from '../server/store/index.js';
import { DAY, T0, prng, tempStore } from './fixtures/store-helpers.js';

function history(seed: number, days: number): Sample[] {
  const rnd = prng(seed);
  const out: Sample[] = [];
  for (let k = 0; k < 3; k++) {
    for (let ts = T0; ts < T0 + days * DAY; ts += 60_000) {
      const value = k === 0 ? Math.floor((ts - T0) / 1000) : k === 1 ? rnd() * 100 : Math.round(rnd() * 10) / 10;
      out.push({ name: 'hist', labels: { k: String(k) }, ts, value });
    }
  }
  return out;
}

test('a batch of history goes into chunks and rollup days that fit a leaf page, and writing it again with changed values replaces them', (t) => {
  const { store } = tempStore(t, { now: () => T0 + 5 * DAY });
  const first = history(1, 4);
  for (let i = 0; i < first.length; i += 10_000) store.writeSamples(first.slice(i, i + 10_000));
  assert.equal(store.db.prepare('SELECT count(*) FROM samples_head').pluck().get(), 0, 'history did not pass through the head');
  // again, in time order, with every 7th value changed
  const second = first.map((s, i) => (i % 7 === 0 ? { ...s, value: -i } : s)).sort((a, b) => a.ts - b.ts);
  for (let i = 0; i < second.length; i += 4_000) store.writeSamples(second.slice(i, i + 4_000));
  store.updateRollups();

  const target = chunkTargetBytes(store.db.pragma('page_size', { simple: true }) as number);
  const sizes = store.db.prepare('SELECT length(data) FROM sample_chunks').pluck().all() as number[];
  assert.ok(sizes.every((b) => b <= target), `every chunk is at most ${target} bytes (largest ${Math.max(...sizes)})`);
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const overflow = store.db.prepare("SELECT count(*) FROM dbstat WHERE name = 'sample_chunks' AND pagetype = 'overflow'").pluck().get();
  assert.equal(overflow, 0, 'no chunk spills onto an overflow page');
  const days = store.db.prepare('SELECT length(data) FROM rollup_1h').pluck().all() as number[];
  assert.ok(days.length >= 12 && days.some((b) => b === 968), 'full rollup days (24 hours, 968 bytes) were written');
  const rollupOverflow = store.db.prepare("SELECT count(*) FROM dbstat WHERE name = 'rollup_1h' AND pagetype = 'overflow'").pluck().get();
  assert.equal(rollupOverflow, 0, 'no rollup day spills onto an overflow page');

  for (const s of store.findSeries(parseSelector('hist'))) {
    const want = second.filter((x) => x.labels.k === s.labels.k).map((x) => [x.ts, x.value]);
    assert.deepEqual(store.rawPoints(s.id, 0, T0 + 10 * DAY), want, `series ${s.labels.k}`);
    // a range inside the data decodes only what it asks for, exactly
    const from = T0 + DAY + 17 * 60_000 + 5;
    const to = T0 + 2 * DAY + 3 * 60_000;
    assert.deepEqual(store.rawPoints(s.id, from, to), want.filter(([ts]) => ts! >= from && ts! <= to));
  }
});

test('retention trims the chunk that straddles the raw horizon and deletes the ones below it', (t) => {
  const { store } = tempStore(t, { now: () => T0 + 5 * DAY + 1800_000, retention: { rawMs: 3 * DAY }, retentionBatchRows: 700 });
  const data = history(2, 5);
  store.writeSamples(data);
  const r = store.applyRetention();
  const horizon = T0 + 2 * DAY; // floor((now - 3 d) / 1 h) * 1 h
  assert.equal(r.rawDeleted, data.filter((s) => s.ts < horizon).length);
  for (const s of store.findSeries(parseSelector('hist'))) {
    const want = data.filter((x) => x.labels.k === s.labels.k && x.ts >= horizon).map((x) => [x.ts, x.value]);
    assert.deepEqual(store.rawPoints(s.id, 0, T0 + 10 * DAY), want);
  }
});
