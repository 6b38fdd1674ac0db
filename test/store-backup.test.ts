import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { Sample } from '../collectors/types.js';
import { openStore, parseSelector, type Store } from '../server/store/index.js';
import type { BackupProgress } from '../server/store/types.js';
import { T0, tempStore } from './fixtures/store-helpers.js';

const batch = (run: number): Sample[] =>
  Array.from({ length: 500 }, (_, i) => ({ name: `bk_${i % 5}`, labels: { i: String(i) }, ts: T0 + run * 15_000, value: run + i }));

function countsOf(db: Database.Database) {
  const one = (sql: string) => db.prepare(sql).pluck().get() as number;
  return {
    series: one('SELECT count(*) FROM series'),
    samples: one('SELECT coalesce(sum(count), 0) FROM sample_chunks') + one('SELECT count(*) FROM samples_head'),
    rollups: one('SELECT count(*) FROM rollup_1h'),
    runs: one('SELECT count(*) FROM collector_runs'),
    migrations: one('SELECT count(*) FROM schema_migrations'),
  };
}

function fill(store: Store, runs: number, from = 0): void {
  for (let r = from; r < from + runs; r++) {
    store.recordRun({ collectorId: 'bk', startedAt: T0 + r * 15_000, durationMs: 1, ok: true, samplesWritten: 500 }, batch(r));
  }
  store.updateRollups();
}

test('backup produces a database that opens, passes integrity_check and has the same counts', async (t) => {
  const { store, dir } = tempStore(t, { now: () => T0 });
  fill(store, 100);
  const dest = path.join(dir, 'copy.db');
  const progress: BackupProgress[] = [];
  await store.backup(dest, (p) => progress.push(p));
  assert.ok(progress.length > 0 && progress[0]!.totalPages > 0, 'progress was reported');
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('partial')), [], 'no partial file is left behind');
  const copy = new Database(dest, { readonly: true });
  assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
  assert.deepEqual(countsOf(copy), countsOf(store.db));
  copy.close();
  const reopened = openStore({ path: dest, now: Date.now });
  assert.deepEqual(reopened.migrate(), []);
  assert.equal(reopened.listRuns({ limit: 1000 }).length, 100);
  reopened.close();
});

test('backup taken while runs are being written is consistent: every run in the copy has all its samples', async (t) => {
  const { store, dir } = tempStore(t, { now: () => T0, headMaxRows: 20_000 });
  fill(store, 200);
  let r = 200;
  let writing = true;
  const writer = (async () => {
    while (writing) {
      fill(store, 1, r++);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const dest = path.join(dir, 'live.db');
  let steps = 0;
  await store.backup(dest, () => steps++);
  writing = false;
  await writer;
  assert.ok(r > 200, 'runs were written during the backup');
  t.diagnostic(`${steps} backup steps, ${r - 200} runs written meanwhile`);
  const copy = new Database(dest, { readonly: true });
  assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
  const runs = copy.prepare('SELECT started_at FROM collector_runs ORDER BY id').pluck().all() as number[];
  assert.ok(runs.length >= 200);
  copy.close();
  // Raw samples are read through a read-only store: older ones live in compressed chunks.
  const reader = openStore({ path: dest, readOnly: true, now: Date.now });
  const perTs = new Map<number, number>();
  for (const s of reader.findSeries(parseSelector('{__name__=~"bk_.*"}'))) {
    for (const [ts] of reader.rawPoints(s.id, 0, Number.MAX_SAFE_INTEGER)) perTs.set(ts, (perTs.get(ts) ?? 0) + 1);
  }
  reader.close();
  for (const ts of runs) assert.equal(perTs.get(ts), 500, `run at ${ts} has all its samples in the copy`);
  assert.equal(perTs.size, runs.length, 'no samples without their run');
});
