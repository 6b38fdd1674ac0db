import assert from 'node:assert/strict';
import { renameSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Logger } from '../collectors/types.js';
import type { WorkloadVersionRecord } from '../server/store/types.js';
import {
  WorkloadInvalidError,
  WorkloadManager,
  type ActiveWorkload,
  type WorkloadIssue,
  type WorkloadManagerOptions,
} from '../server/workload/index.js';
import { lines, tempDir, testRegistry, waitFor, writeWorkload } from './workload-helpers.js';
import type { Clock } from '../server/clock.js';
import { FakeClock } from './support/fake-clock.js';

const DEBOUNCE_MS = 40;

function workloadText(collectorUrl: string, interval = '30s'): string {
  return lines('workload: { id: shop, title: Web shop }', 'collectors:', `  - { id: a, type: dummy, url: "${collectorUrl}", interval: ${interval} }`);
}

/** An in-memory version store, as the manager's contract allows. */
function memoryVersions() {
  const saved: WorkloadVersionRecord[] = [];
  return {
    saved,
    saveWorkloadVersion(v: { hash: string; path: string; source: string; appliedAt: number }): WorkloadVersionRecord {
      const record = { id: saved.length + 1, ...v };
      saved.push(record);
      return record;
    },
  };
}

function memoryLog() {
  const entries: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const make = (): Logger => ({
    debug: (msg, fields) => entries.push({ level: 'debug', msg, fields }),
    info: (msg, fields) => entries.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => entries.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => entries.push({ level: 'error', msg, fields }),
    child: () => make(),
  });
  return { entries, log: make() };
}

function setup(t: Parameters<typeof tempDir>[0], text: string, opts: Partial<WorkloadManagerOptions> = {}) {
  const dir = tempDir(t);
  const path = writeWorkload(dir, text);
  const versions = memoryVersions();
  const { entries, log } = memoryLog();
  // File-system events are real; the debounce that follows them is a timer of this clock, which
  // moves only when a test says so. Its reading ticks 1 ms per read, so versions' times differ.
  const fake = new FakeClock(1_000);
  let reads = 0;
  const clock: Clock = {
    now: () => fake.now() + reads++,
    setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
    setInterval: (fn, ms) => fake.setInterval(fn, ms),
    sleep: (ms, signal) => fake.sleep(ms, signal),
  };
  const manager = new WorkloadManager({
    path,
    registry: testRegistry(),
    env: {},
    versions,
    log,
    debounceMs: DEBOUNCE_MS,
    clock,
    ...opts,
  });
  t.after(() => manager.close());
  const applied: Array<[ActiveWorkload, ActiveWorkload]> = [];
  const refused: WorkloadIssue[][] = [];
  manager.on('applied', (next, previous) => applied.push([next, previous]));
  manager.on('refused', (issues) => refused.push(issues));
  return { dir, path, manager, versions, entries, applied, refused, fake };
}

/** Waits (on real time: file-system events are real) until the manager has armed its debounce on `fake`. */
const debounceArmed = (fake: FakeClock) => waitFor(() => fake.pending() > 0, 3000, 'the debounce timer');

/** Writes `text` to `path` and resolves once a watcher of our own has seen it (so the manager's would have too). */
async function writeSeen(path: string, text: string): Promise<void> {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dir = path.slice(0, path.lastIndexOf('/'));
  await new Promise<void>((resolve) => {
    const w = watch(dir, (_e, f) => {
      if (f?.toString() !== name) return;
      w.close();
      resolve();
    });
    writeFileSync(path, text);
  });
}

test('load() returns the workload, records the first version and makes it current', (t) => {
  const { manager, versions, path } = setup(t, workloadText('http://one'), { watch: false });
  const workload = manager.load();
  assert.equal(workload.collectors[0]!.config && (workload.collectors[0]!.config as { url: string }).url, 'http://one');
  assert.equal(versions.saved.length, 1);
  assert.equal(versions.saved[0]!.path, path);
  assert.equal(versions.saved[0]!.source, workloadText('http://one'));
  const current = manager.current()!;
  assert.equal(current.versionId, 1);
  assert.equal(current.hash, versions.saved[0]!.hash);
  assert.equal(current.appliedAt, versions.saved[0]!.appliedAt);
  assert.deepEqual(current.secretPaths, []);
});

test('load() throws WorkloadInvalidError carrying every issue when the file is invalid', (t) => {
  const { manager, versions } = setup(t, lines('workload: { id: Shop }'), { watch: false });
  assert.throws(
    () => manager.load(),
    (err: unknown) =>
      err instanceof WorkloadInvalidError &&
      err.issues.length === 2 &&
      /workload\.yaml:1:11: workload\.title: missing required key "title".*\n.*workload\.yaml:1:17: workload\.id: must start with a lowercase letter/.test(err.message),
  );
  assert.equal(manager.current(), undefined);
  assert.equal(versions.saved.length, 0);
});

test('current() is undefined before load()', (t) => {
  const { manager } = setup(t, workloadText('http://one'), { watch: false });
  assert.equal(manager.current(), undefined);
  assert.throws(() => manager.reload('api'), /not loaded yet/);
});

test('a valid change on disk is applied once after the debounce, stored, and emitted with the previous version', async (t) => {
  const { path, manager, versions, applied, fake } = setup(t, workloadText('http://one'));
  manager.load();
  // An editor saving in several writes: one reload for the burst.
  writeFileSync(path, workloadText('http://two'));
  writeFileSync(path, workloadText('http://three'));
  writeFileSync(path, workloadText('http://four', '45s'));
  await debounceArmed(fake);
  fake.advance(DEBOUNCE_MS - 1);
  assert.equal(applied.length, 0, 'nothing before the debounce has passed');
  fake.advance(1);
  assert.equal(applied.length, 1);
  fake.advance(DEBOUNCE_MS * 10);
  assert.equal(applied.length, 1, 'one reload for the burst (later events of it re-arm one more, which finds nothing new)');
  const [next, previous] = applied[0]!;
  assert.equal(next.workload.collectors[0]!.intervalMs, 45_000);
  assert.equal((previous.workload.collectors[0]!.config as { url: string }).url, 'http://one');
  assert.equal(next.versionId, 2);
  assert.equal(versions.saved.length, 2);
  assert.equal(versions.saved[1]!.source, workloadText('http://four', '45s'));
  assert.equal(manager.current(), next);
});

test('a file replaced by rename, as editors save, is picked up', async (t) => {
  const { dir, path, manager, applied, fake } = setup(t, workloadText('http://one'));
  manager.load();
  const tmp = join(dir, '.workload.yaml.swp');
  writeFileSync(tmp, workloadText('http://renamed'));
  renameSync(tmp, path);
  await debounceArmed(fake);
  fake.advance(DEBOUNCE_MS);
  assert.equal(applied.length, 1);
  assert.equal((manager.current()!.workload.collectors[0]!.config as { url: string }).url, 'http://renamed');
});

test('an invalid edit is refused, each issue is logged, and the previous workload stays current', async (t) => {
  const { path, manager, versions, applied, refused, entries, fake } = setup(t, workloadText('http://one'));
  manager.load();
  const before = manager.current();
  writeFileSync(path, lines('workload: { id: shop, title: Web shop }', 'collectors:', '  - { id: a, type: dummy, url: "http://one", interval: 5x }'));
  await debounceArmed(fake);
  fake.advance(DEBOUNCE_MS);
  assert.ok(refused.length > 0, 'the refused event');
  assert.equal(refused[0]![0]!.path, 'collectors[0].interval');
  assert.ok(entries.some((e) => e.level === 'error' && e.msg.startsWith(`${path}:3:56: collectors[0].interval: "5x" is not a duration`)), JSON.stringify(entries));
  assert.equal(manager.current(), before);
  assert.equal(applied.length, 0);
  assert.equal(versions.saved.length, 1);
});

test('rewriting the file with the same text emits nothing and stores nothing', async (t) => {
  const { path, manager, versions, applied, entries, fake } = setup(t, workloadText('http://one'));
  manager.load();
  writeFileSync(path, workloadText('http://one'));
  await debounceArmed(fake);
  fake.advance(DEBOUNCE_MS);
  assert.ok(entries.some((e) => e.msg === 'workload unchanged'), 'the unchanged reload');
  assert.equal(applied.length, 0);
  assert.equal(versions.saved.length, 1);
});

test("reload('signal') applies a changed file without watching", (t) => {
  const { path, manager, applied, versions } = setup(t, workloadText('http://one'), { watch: false });
  manager.load();
  writeFileSync(path, workloadText('http://two'));
  assert.deepEqual(manager.reload('signal'), { applied: true });
  assert.equal(applied.length, 1);
  assert.equal(versions.saved.length, 2);
  assert.deepEqual(manager.reload('signal'), { applied: false, unchanged: true });
  assert.equal(applied.length, 1);
});

test("reload('api') returns the issues of an invalid file and keeps the active version", (t) => {
  const { path, manager, refused } = setup(t, workloadText('http://one'), { watch: false });
  manager.load();
  const before = manager.current();
  writeFileSync(path, lines('workload: { id: shop, title: Web shop }', 'bogus: true'));
  const result = manager.reload('api');
  assert.equal(result.applied, false);
  assert.deepEqual(
    result.issues?.map((i) => `${i.line}:${i.column} ${i.path}`),
    ['2:1 bogus'],
  );
  assert.equal(refused.length, 1);
  assert.equal(manager.current(), before);
});

test('a deleted file is refused on reload and the active version stays', (t) => {
  const { dir, manager } = setup(t, workloadText('http://one'), { watch: false });
  manager.load();
  renameSync(join(dir, 'workload.yaml'), join(dir, 'moved.yaml'));
  const result = manager.reload('signal');
  assert.equal(result.applied, false);
  assert.match(result.issues?.[0]?.message ?? '', /cannot read the file: no such file/);
  assert.ok(manager.current());
});

test('close() stops watching; later changes are applied only by an explicit reload', async (t) => {
  const { path, manager, applied, fake } = setup(t, workloadText('http://one'));
  manager.load();
  manager.close();
  await writeSeen(path, workloadText('http://two'));
  assert.equal(fake.pending(), 0, 'no reload armed');
  fake.advance(DEBOUNCE_MS * 10);
  assert.equal(applied.length, 0);
  assert.equal((manager.current()!.workload.collectors[0]!.config as { url: string }).url, 'http://one');
  assert.equal(manager.reload('signal').applied, true);
});

test('a version store failure on reload throws and applies nothing', (t) => {
  const { path, manager, versions } = setup(t, workloadText('http://one'), { watch: false });
  manager.load();
  const before = manager.current();
  versions.saveWorkloadVersion = () => {
    throw new Error('database is locked');
  };
  writeFileSync(path, workloadText('http://two'));
  assert.throws(() => manager.reload('api'), /database is locked/);
  assert.equal(manager.current(), before);
});
