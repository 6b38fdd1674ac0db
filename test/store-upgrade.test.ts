import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openStore, parseSelector } from '../server/store/index.js';
import { findMigrationsDir } from '../server/store/migrate.js';
import { DAY, HOUR, T0, prng, tempDir } from './fixtures/store-helpers.js';

/** A database as release 0008 left it: raw rows in `samples`, rollup days as 1,152 bytes of float64. */
function legacyDatabase(dir: string) {
  const old = path.join(dir, 'migrations-0008');
  fs.mkdirSync(old);
  for (const f of fs.readdirSync(findMigrationsDir())) {
    if (f.endsWith('.sql') && Number(f.slice(0, 4)) <= 8) fs.copyFileSync(path.join(findMigrationsDir(), f), path.join(old, f));
  }
  const file = path.join(dir, 'old.db');
  const store = openStore({ path: file, migrationsDir: old, now: Date.now });
  const db = store.db;
  const rand = prng(13);
  const truth = new Map<string, Array<[number, number]>>();
  db.transaction(() => {
    const series = db.prepare('INSERT INTO series (name, labels) VALUES (?, ?) RETURNING id').pluck();
    const row = db.prepare('INSERT INTO samples (series_id, ts, value) VALUES (?, ?, ?)');
    for (let k = 0; k < 30; k++) {
      const id = series.get('legacy', JSON.stringify({ k: String(k) })) as number;
      const points: Array<[number, number]> = [];
      for (let ts = T0; ts < T0 + 2 * DAY; ts += 60_000 + Math.floor(rand() * 3)) {
        const v = k % 3 === 0 ? Math.round(rand() * 1000) : k % 3 === 1 ? rand() * 100 : Number.NaN;
        row.run(id, ts, Number.isNaN(v) ? null : v);
        points.push([ts, v]);
      }
      truth.set(String(k), points);
    }
    db.prepare("INSERT INTO meta (key, value) VALUES ('head_from', ?)").run(String(T0 + 2 * DAY));
    // one rollup day in the first format: hour 0 holds 60 samples
    const day = new Float64Array(24 * 6);
    for (let h = 0; h < 24; h++) day[h * 6 + 5] = Number.NEGATIVE_INFINITY;
    day.set([60, 1770, 0.5, 59, 42, T0 - DAY + 59 * 60_000], 0);
    db.prepare('INSERT INTO rollup_1h (series_id, day, data) VALUES (1, ?, ?)').run(T0 / DAY - 1, Buffer.from(day.buffer));
  })();
  store.close();
  return { file, truth };
}

test('opening a database of the previous layout converts its raw rows into chunks and its rollup days, keeping every sample', (t) => {
  const dir = tempDir(t);
  const { file, truth } = legacyDatabase(dir);
  const store = openStore({ path: file, now: () => T0 + 3 * DAY });
  t.after(() => store.close());
  const series = store.findSeries(parseSelector('legacy'));
  assert.equal(series.length, 30);
  for (const s of series) {
    const got = store.rawPoints(s.id, 0, T0 + 3 * DAY);
    const want = truth.get(s.labels.k!)!;
    assert.equal(got.length, want.length, `series ${s.labels.k}`);
    for (let i = 0; i < want.length; i++) {
      assert.equal(got[i]![0], want[i]![0]);
      assert.ok(Object.is(got[i]![1], want[i]![1]), `series ${s.labels.k} sample ${i}: ${got[i]![1]} != ${want[i]![1]}`);
    }
  }
  assert.equal(store.db.prepare('SELECT count(*) FROM samples').pluck().get(), 0, 'the old table is empty');
  assert.ok((store.db.prepare('SELECT count(*) FROM sample_chunks').pluck().get() as number) >= 30);
  const old = store.db.prepare('SELECT data FROM rollup_1h WHERE series_id = 1 AND day = ?').pluck().get(T0 / DAY - 1) as Buffer;
  assert.ok(old.length < 100, `the old rollup day was rewritten packed (${old.length} bytes)`);
  assert.deepEqual(store.rollupHours(1, T0 - DAY, T0 - DAY + HOUR), [{ hour: T0 - DAY, count: 60, sum: 1770, min: 0.5, max: 59, last: 42 }]);
});

test('a read-only store reads chunks and the head but refuses every write', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'ro.db');
  const writer = openStore({ path: file, now: () => T0 + DAY });
  t.after(() => writer.close());
  const samples = Array.from({ length: 2000 }, (_, i) => ({ name: 'ro', labels: {}, ts: T0 + i * 60_000, value: i }));
  writer.writeSamples(samples);
  writer.writeSamples([{ name: 'ro', labels: {}, ts: T0 + 3000 * 60_000, value: -1 }]);
  const reader = openStore({ path: file, readOnly: true, now: () => T0 + DAY });
  t.after(() => reader.close());
  const [s] = reader.findSeries(parseSelector('ro'));
  const raw = reader.rawPoints(s!.id, 0, T0 + 10 * DAY);
  assert.equal(raw.length, 2001);
  assert.deepEqual(raw[2000], [T0 + 3000 * 60_000, -1]);
  assert.throws(() => reader.writeSamples(samples), /opened read-only/);
  assert.throws(() => reader.updateRollups(), /opened read-only/);
  assert.throws(() => reader.applyRetention(), /opened read-only/);
});

test('a read-only store follows the writer: new head rows, a replaced value, a compaction into chunks, a late sample', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'follow.db');
  const writer = openStore({ path: file, now: () => T0 + DAY, headMaxRows: 1_000_000 });
  t.after(() => writer.close());
  const run = (i: number, value = i) => writer.writeSamples([{ name: 'f', labels: {}, ts: T0 + i * 60_000, value }]);
  for (let i = 0; i < 10; i++) run(i);
  const reader = openStore({ path: file, readOnly: true, now: () => T0 + DAY });
  t.after(() => reader.close());
  const id = reader.findSeries(parseSelector('f'))[0]!.id;
  const values = () => reader.rawPoints(id, 0, T0 + DAY).map(([, v]) => v);
  assert.deepEqual(values(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (let i = 10; i < 20; i++) run(i);
  run(3, 33); // replaces a head row
  assert.deepEqual(values(), [0, 1, 2, 33, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  writer.compactHead(5); // 15 rows move into a chunk
  run(20);
  assert.deepEqual(values().slice(-3), [18, 19, 20]);
  run(1, 11); // a late sample, older than the head: merged into its chunk
  const after = values();
  assert.equal(after.length, 21);
  assert.deepEqual(after.slice(0, 4), [0, 11, 2, 33]);
  assert.deepEqual(reader.latestSample(id), { ts: T0 + 20 * 60_000, value: 20 });
  assert.equal(reader.firstSampleAt(id), T0);
});
