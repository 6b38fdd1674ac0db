import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample } from '../collectors/types.js';
import { openStore, parseSelector, type Store } from '../server/store/index.js';
import { DAY, HOUR, prng, T0, tempStore } from './fixtures/store-helpers.js';

/**
 * Compaction in steps (server/store/compaction.ts): writes carry a compaction out a step at a
 * time, with reads, late samples and replacements in between, and a crash may stop it at any
 * step. Reads must always see exactly what was written, on the writer and on a read-only
 * connection alike.
 */

const SERIES = 12;
const key = (i: number) => ({ name: 'g', labels: { i: String(i) } });

function expectAll(store: Store, truth: Map<number, Map<number, number>>, what: string): void {
  const all = store.findSeries(parseSelector('g'));
  assert.equal(all.length, truth.size, `${what}: series`);
  for (const s of all) {
    const expected = [...truth.get(Number(s.labels.i))!.entries()].sort((a, b) => a[0] - b[0]);
    const got = store.rawPoints(s.id, T0 - DAY, T0 + 10 * DAY);
    assert.deepEqual(got, expected, `${what}: series i=${s.labels.i}`);
  }
}

test('reads see every sample exactly once at every step of a compaction, with late samples and replacements between the steps', (t) => {
  const { store, file } = tempStore(t, { now: () => T0 + 2 * DAY, headMaxRows: 400, compactionStepRows: { copy: 40, drop: 30 } });
  const reader = openStore({ path: file, readOnly: true, now: () => T0 + 2 * DAY });
  t.after(() => reader.close());
  const rnd = prng(424242);
  const truth = new Map<number, Map<number, number>>();
  for (let i = 0; i < SERIES; i++) truth.set(i, new Map());
  const countBusy = { steps: 0, copyReads: 0 };
  let minute = 0;
  for (let run = 0; run < 150; run++) {
    const batch: Sample[] = [];
    // a collector's run: every series at the next minute
    for (let i = 0; i < SERIES; i++) batch.push({ ...key(i), ts: T0 + minute * 60_000, value: Math.round(rnd() * 1e4) / 100 });
    minute++;
    // now and then a late sample or a replacement of an older one (head or chunk)
    if (rnd() < 0.5) {
      const i = Math.floor(rnd() * SERIES);
      const back = Math.floor(rnd() * minute);
      batch.push({ ...key(i), ts: T0 + back * 60_000 + (rnd() < 0.5 ? 30_000 : 0), value: -(run + 1) });
    }
    if (run === 3) {
      // -0 into the head: the writer reads back what a read-only connection reads (SQLite keeps 0)
      batch.push({ ...key(0), ts: T0 + minute * 60_000 + 1, value: -0 });
    }
    store.writeSamples(batch);
    for (const s of batch) truth.get(Number(s.labels.i))!.set(s.ts, s.value === 0 ? 0 : s.value);
    const busy = (store as unknown as { p(): { compactor: { busy: boolean } } }).p().compactor.busy;
    if (busy) countBusy.steps++;
    if (run % 5 === 0 || busy) {
      expectAll(store, truth, `writer after run ${run}`);
      expectAll(reader, truth, `read-only connection after run ${run}`);
      if (busy) countBusy.copyReads++;
    }
  }
  assert.ok(countBusy.steps > 20, `compactions went through many steps (${countBusy.steps} writes found one under way)`);
  const chunked = store.db.prepare('SELECT count(*) FROM sample_chunks').pluck().get() as number;
  assert.ok(chunked > 0, 'rows were moved into chunks');
  store.compactHead(0);
  expectAll(store, truth, 'after a whole compaction');
  assert.equal(store.db.prepare('PRAGMA integrity_check').pluck().get(), 'ok');
});

test('a crash at any step of a compaction loses nothing and leaves nothing twice; the next compaction completes it', (t) => {
  // crash after each possible number of steps: the copy phase, the switch, the drop phase
  for (let crashAfter = 1; crashAfter <= 14; crashAfter++) {
    const { store, file } = tempStore(t, { now: () => T0 + 2 * DAY, headMaxRows: 10_000, compactionStepRows: { copy: 25, drop: 20 } });
    const truth = new Map<number, Map<number, number>>();
    for (let i = 0; i < SERIES; i++) truth.set(i, new Map());
    const write = (batch: Sample[]) => {
      store.writeSamples(batch);
      for (const s of batch) truth.get(Number(s.labels.i))!.set(s.ts, s.value);
    };
    for (let m = 0; m < 30; m++) write(Array.from({ length: SERIES }, (_, i) => ({ ...key(i), ts: T0 + m * 60_000, value: m * 100 + i })));
    const compactor = (store as unknown as { p(): { compactor: { step(keep: number, rows: { copy: number; drop: number }): { done: boolean } } } }).p().compactor;
    let steps = 0;
    let done = false;
    while (!done && steps < crashAfter) {
      done = compactor.step(120, { copy: 25, drop: 20 }).done;
      steps++;
      // between steps: a replacement below the cut and a new sample
      write([{ ...key(steps % SERIES), ts: T0 + (steps % 20) * 60_000, value: -steps }, { ...key(0), ts: T0 + (30 + steps) * 60_000, value: steps }]);
    }
    store.db.close(); // a crash: close() would finish the compaction
    const again = openStore({ path: file, now: () => T0 + 2 * DAY });
    try {
      expectAll(again, truth, `reopened after ${steps} steps`);
      again.compactHead(0);
      expectAll(again, truth, `compacted after the crash at step ${steps}`);
      const below = again.db.prepare("SELECT count(*) FROM samples_head WHERE ts < (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'head_from')").pluck().get() as number;
      assert.equal(below, 0, 'the next compaction deleted what the crashed one left in the head');
      assert.equal(again.db.prepare('PRAGMA integrity_check').pluck().get(), 'ok');
    } finally {
      again.close();
    }
  }
});

test('rollups computed while a compaction is under way equal those of the same data compacted at once', (t) => {
  const write = (store: Store) => {
    for (let m = 0; m < 180; m++) store.writeSamples(Array.from({ length: SERIES }, (_, i) => ({ ...key(i), ts: T0 + m * 60_000, value: ((m * 7 + i) % 13) / 4 })));
  };
  const { store: stepped } = tempStore(t, { now: () => T0 + 2 * DAY, headMaxRows: 300, compactionStepRows: { copy: 30, drop: 25 } });
  write(stepped);
  const { store: whole } = tempStore(t, { now: () => T0 + 2 * DAY, headMaxRows: 1_000_000 });
  write(whole);
  whole.compactHead(0);
  const q = { from: T0, to: T0 + 3 * HOUR - 1, step: HOUR, aggregation: 'avg' as const, source: 'rollup' as const };
  assert.deepEqual(stepped.querySeries(parseSelector('g'), q).series.map((s) => s.points), whole.querySeries(parseSelector('g'), q).series.map((s) => s.points));
});

test('compactHeadStep advances a compaction that writes began a step at a time and starts none itself', (t) => {
  const { store } = tempStore(t, { now: () => T0 + 2 * DAY, headMaxRows: 240, compactionStepRows: { copy: 24, drop: 24 } });
  assert.deepEqual(store.compactHeadStep(), { done: true }, 'nothing under way');
  const truth = new Map<number, Map<number, number>>();
  for (let i = 0; i < SERIES; i++) truth.set(i, new Map());
  let m = 0;
  const busy = () => (store as unknown as { p(): { compactor: { busy: boolean } } }).p().compactor.busy;
  while (!busy()) {
    const batch = Array.from({ length: SERIES }, (_, i) => ({ ...key(i), ts: T0 + m * 60_000, value: m + i / 100 }));
    store.writeSamples(batch);
    for (const s of batch) truth.get(Number(s.labels.i))!.set(s.ts, s.value);
    m++;
  }
  let steps = 0;
  while (!store.compactHeadStep().done) {
    steps++;
    expectAll(store, truth, `after step ${steps}`);
  }
  assert.ok(steps >= 3, `it took several steps (${steps})`);
  assert.equal(busy(), false);
  assert.deepEqual(store.compactHeadStep(), { done: true });
  expectAll(store, truth, 'at the end');
});
