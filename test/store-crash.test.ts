import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore, parseSelector } from '../server/store/index.js';
import { bucketize, DAY, HOUR, T0, tempDir } from './fixtures/store-helpers.js';

const ROOT = path.join(__dirname, '..');
const WRITER = path.join(__dirname, 'fixtures', 'store-crash-writer.ts');

/** Starts the writer, waits until it has reported `runs` committed runs, SIGKILLs it; returns what it reported. */
function writeThenKill(dbPath: string, runs: number): Promise<Map<number, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dbPath], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const reported = new Map<number, number>(); // run id -> i
    let buf = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer reported only ${reported.size} runs in time; stderr: ${stderr}`));
    }, 30_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        const [id, i] = line.split(' ').map(Number);
        reported.set(id!, i!);
      }
      if (!killed && reported.size >= runs) {
        killed = true;
        child.kill('SIGKILL'); // mid-stream: the writer is inside its loop
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && killed) resolve(reported);
      else reject(new Error(`writer exited ${code ?? signal} before it was killed; stderr: ${stderr}`));
    });
  });
}

test('after a SIGKILL mid-write the database is intact, every reported run is there with its samples, and rollups recover', async (t) => {
  const dbPath = path.join(tempDir(t), 'crash.db');
  const reported = await writeThenKill(dbPath, 400);

  const db = new Database(dbPath);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  const runById = db.prepare('SELECT collector_id, started_at FROM collector_runs WHERE id = ?').raw();
  // Raw samples are read through a read-only store: the head and the compressed chunks.
  const reader = openStore({ path: dbPath, readOnly: true, now: Date.now });
  const bySeries = new Map<string, Map<number, number>>();
  for (const s of reader.findSeries(parseSelector('crash_metric'))) {
    bySeries.set(s.labels.s!, new Map(reader.rawPoints(s.id, 0, Number.MAX_SAFE_INTEGER)));
  }
  reader.close();
  for (const [id, i] of reported) {
    const ts = T0 + i * 60_000;
    assert.deepEqual(runById.get(id), ['crash', ts], `run ${id} (i=${i}) committed`);
    for (let s = 0; s < 20; s++) {
      const v = bySeries.get(String(s))?.get(ts);
      assert.notEqual(v, undefined, `sample of series ${s} for run ${i}`);
      if (s !== 5) assert.equal(v, i * 100 + s);
    }
  }
  const dirty = db.prepare('SELECT count(*) FROM rollup_dirty').pluck().get() as number;
  t.diagnostic(`${reported.size} runs reported; ${dirty} dirty hour(s) left by the killed writer`);
  db.close();

  const store = openStore({ path: dbPath, now: () => T0 + DAY });
  t.after(() => store.close());
  store.updateRollups();
  const all = store.findSeries(parseSelector('crash_metric'));
  assert.equal(all.length, 20);
  const end = T0 + 2 * DAY;
  for (const s of all) {
    const raw = store.rawPoints(s.id, T0 - DAY, end);
    const hours = store.rollupHours(s.id, T0 - DAY, end);
    for (const agg of ['count', 'sum', 'min', 'max', 'last'] as const) {
      const field = agg;
      assert.deepEqual(
        hours.map((h) => [h.hour, h[field]]),
        bucketize(raw, HOUR, agg, T0 - DAY, end),
        `rollup ${agg} of series ${s.labels.s} equals brute force over raw`,
      );
    }
  }
});
