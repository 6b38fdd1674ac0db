import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { runImport, type ImportFlags } from '../server/commands/import.js';
import { openStore, type Store } from '../server/store/index.js';
import { captureIo } from './support/capture-io.js';
import { FakeClock } from './support/fake-clock.js';
import { PROMTOOL_BIN } from './support/promtool.js';
import { freePort, requireBinary } from './support/real-binaries.js';
import { tempDir, waitFor } from './support/tmp.js';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'server', 'cli.ts');
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const FROM = NOW - 2 * 24 * HOUR; // inside the default raw retention
const POINTS = 360; // 6 hours at 60 s

/** Three series; values exact in binary (quarters), so sums and averages compare exactly. */
const SERIES: Array<{ name: string; labels: Record<string, string>; value: (i: number) => number }> = [
  { name: 'app_latency_seconds', labels: { service: 'shop', instance: 'a' }, value: (i: number) => 0.25 * (i % 8) },
  { name: 'app_latency_seconds', labels: { service: 'shop', instance: 'b' }, value: (i: number) => 100 + i },
  { name: 'app_requests_total', labels: { service: 'shop', city: 'Zürich\tZH' }, value: (i: number) => 1000 * i },
];

const labelText = (labels: Record<string, string>, quote: (v: string) => string) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(',');
/** The text format's escaping: backslash, quote and newline; a tab is written as it is. */
const textQuote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

function openMetrics(value = (s: number, i: number) => SERIES[s]!.value(i)): string {
  let out = '# HELP app_latency_seconds Latency.\n# TYPE app_latency_seconds gauge\n';
  SERIES.forEach((s, k) => {
    if (k === 2) out += '# TYPE app_requests counter\n';
    for (let i = 0; i < POINTS; i++) out += `${s.name}{${labelText(s.labels, textQuote)}} ${value(k, i)} ${(FROM + i * 60_000) / 1000}\n`;
  });
  return out + '# EOF\n';
}

/** Prometheus text, as a federation export or VictoriaMetrics' export is: ordered by time, milliseconds. */
function prometheusText(): string {
  let out = '';
  for (let i = 0; i < POINTS; i++) SERIES.forEach((s) => (out += `${s.name}{${labelText(s.labels, textQuote)}} ${s.value(i)} ${FROM + i * 60_000}\n`));
  return out;
}

interface Fixture {
  dir: string;
  db: string;
  config: string;
  clock: FakeClock;
  run(file: string, more?: Partial<ImportFlags>): Promise<{ code: number; out: string; err: string }>;
  open(): Store;
}

function fixture(workloadExtra = ''): Fixture {
  const dir = tempDir('pillarboard-import-');
  const db = path.join(dir, 'pb.db');
  const config = path.join(dir, 'workload.yaml');
  fs.writeFileSync(config, `workload: { id: import-test, title: "Import test" }\n${workloadExtra}`);
  const clock = new FakeClock(NOW);
  openStore({ path: db, now: () => clock.now() }).close();
  return {
    dir,
    db,
    config,
    clock,
    async run(file, more = {}) {
      const cap = captureIo();
      const code = await runImport({ file, config, db, env: {}, stdin: Readable.from([]), out: cap.io.out, err: cap.io.err, clock, ...more });
      await new Promise((r) => setImmediate(r));
      return { code, out: cap.out(), err: cap.err() };
    },
    open: () => openStore({ path: db, now: () => clock.now() }),
  };
}

function write(fx: Fixture, name: string, text: string): string {
  const file = path.join(fx.dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Every stored raw point of the three series, and their hourly averages from the rollups. */
function stored(store: Store) {
  const out: Record<string, { raw: Array<[number, number]>; hourly: Array<[number, number]> }> = {};
  for (const s of SERIES) {
    const [info] = store.findSeries({ name: s.name, matchers: Object.entries(s.labels).map(([label, value]) => ({ label, op: '=' as const, value })) });
    assert.ok(info, `${s.name}${JSON.stringify(s.labels)} is stored`);
    const hourly = store.querySeries({ name: s.name, matchers: Object.entries(s.labels).map(([label, value]) => ({ label, op: '=' as const, value })) }, {
      from: FROM,
      to: FROM + POINTS * 60_000,
      step: HOUR,
      source: 'rollup',
    });
    out[`${s.name}${JSON.stringify(s.labels)}`] = { raw: store.rawPoints(info.id, 0, NOW), hourly: hourly.series[0]!.points };
  }
  return out;
}

/** What the store must hold after importing SERIES: every point, and per-hour averages computed here. */
function expected() {
  const out: Record<string, { raw: Array<[number, number]>; hourly: Array<[number, number]> }> = {};
  for (const s of SERIES) {
    const raw: Array<[number, number]> = Array.from({ length: POINTS }, (_, i) => [FROM + i * 60_000, s.value(i)]);
    const hours = new Map<number, number[]>();
    for (const [ts, v] of raw) {
      const h = Math.floor(ts / HOUR) * HOUR;
      hours.set(h, [...(hours.get(h) ?? []), v]);
    }
    const hourly = [...hours].map(([h, vs]) => [h, vs.reduce((a, b) => a + b, 0) / vs.length] as [number, number]);
    out[`${s.name}${JSON.stringify(s.labels)}`] = { raw, hourly };
  }
  return out;
}

test('import of an OpenMetrics file stores every sample exactly, builds the hourly rollups, and says what it read', async () => {
  const fx = fixture();
  const r = await fx.run(write(fx, 'h.om', openMetrics()));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`imported .*h\\.om: ${3 * POINTS} samples, 3 series \\(3 new\\)`));
  assert.match(r.out, /format: openmetrics \(the timestamp on line 3 \(\d+\) is in seconds\)/);
  assert.match(r.out, new RegExp(`time range: ${new Date(FROM).toISOString()} … ${new Date(FROM + (POINTS - 1) * 60_000).toISOString()}`));
  assert.match(r.out, /samples\/s.*hourly rollups built/);
  // Built by the import, not left for the first reader: no hour is marked behind.
  const raw = new Database(fx.db, { readonly: true });
  try {
    assert.equal(raw.prepare('SELECT count(*) FROM rollup_dirty').pluck().get(), 0);
  } finally {
    raw.close();
  }
  const store = fx.open();
  try {
    assert.deepEqual(stored(store), expected());
  } finally {
    store.close();
  }
});

test('import of Prometheus text with millisecond timestamps, ordered by time, stores the same as the OpenMetrics file', async () => {
  const fx = fixture();
  const r = await fx.run(write(fx, 'h.prom', prometheusText()), { format: 'prometheus' });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /format: prometheus \(given with --format\)/);
  const store = fx.open();
  try {
    assert.deepEqual(stored(store), expected());
  } finally {
    store.close();
  }
});

test('import of real `promtool tsdb dump` output (from a block promtool made of the OpenMetrics file) stores the same as the file itself', { skip: requireBinary(PROMTOOL_BIN) }, async () => {
  const fx = fixture();
  const om = write(fx, 'h.om', openMetrics());
  const blocks = path.join(fx.dir, 'tsdb');
  const made = spawnSync(PROMTOOL_BIN, ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', om, blocks], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  fs.mkdirSync(path.join(blocks, 'wal'), { recursive: true }); // dump reads the WAL too
  const dump = spawnSync(PROMTOOL_BIN, ['tsdb', 'dump', blocks], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(dump.status, 0, dump.stderr);
  assert.match(dump.stdout, /^\{__name__="app_latency_seconds", instance="a", service="shop"\} 0 \d{13}$/m);
  assert.match(dump.stdout, /city="Zürich\\tZH"/, 'promtool writes the tab Go-quoted');
  const r = await fx.run(write(fx, 'dump.txt', dump.stdout));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /format: prometheus \(line 1 is written \{__name__=…\}, as promtool tsdb dump writes/);
  const store = fx.open();
  try {
    assert.deepEqual(stored(store), expected());
  } finally {
    store.close();
  }
});

test('import - reads standard input through the real command line; with stderr not a terminal there is no progress line', async () => {
  const fx = fixture();
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'import', '-', '--db', fx.db, '--config', fx.config], {
    env: { ...process.env, PILLARBOARD_LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = new Promise<number | null>((r) => child.on('close', r));
  child.stdin.end(prometheusText());
  assert.equal(await code, 0, err);
  assert.match(out, new RegExp(`imported stdin: ${3 * POINTS} samples, 3 series`));
  assert.match(out, /format: prometheus \(the timestamp on line 1 \(\d{13}\) is in milliseconds\)/);
  assert.doesNotMatch(err, /\r|importing:/, 'no progress when stderr is a pipe');
  const store = fx.open();
  try {
    assert.equal(store.seriesCount(), 3);
  } finally {
    store.close();
  }
});

test('progress is written to a terminal: samples, samples/s and the share of the file read, then cleared', async () => {
  const fx = fixture();
  const err = Object.assign(captureIo().io.err, { isTTY: true });
  let text = '';
  err.on('data', (d) => (text += d));
  // Each reading of the clock is 300 ms later, so every chunk is worth a progress line.
  const clock = { now: () => (fx.clock.advance(300), fx.clock.now()) };
  const file = write(fx, 'h.om', openMetrics());
  const code = await runImport({
    file, config: fx.config, db: fx.db, env: {}, stdin: Readable.from([]), out: captureIo().io.out, err, clock,
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(code, 0);
  assert.match(text, new RegExp(`\\r\\x1b\\[Kimporting: ${3 * POINTS} samples, \\d+ samples/s, 100\\.0% of 0\\.\\d MB`));
  assert.ok(text.endsWith('\r\x1b[K'), 'the progress line is cleared before the summary');
});

test('importing the same file twice leaves the same data; a changed value at a stored series and time replaces it', async () => {
  const fx = fixture();
  const file = write(fx, 'h.om', openMetrics());
  assert.equal((await fx.run(file)).code, 0);
  const again = await fx.run(file);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /3 series \(0 new\)/);
  let store = fx.open();
  try {
    assert.deepEqual(stored(store), expected());
  } finally {
    store.close();
  }
  // The second series' values doubled: every point replaced, none added.
  const changed = write(fx, 'changed.om', openMetrics((s, i) => (s === 1 ? 2 * SERIES[1]!.value(i) : SERIES[s]!.value(i))));
  assert.equal((await fx.run(changed)).code, 0);
  store = fx.open();
  try {
    const got = stored(store)[`${SERIES[1]!.name}${JSON.stringify(SERIES[1]!.labels)}`]!;
    const want = expected()[`${SERIES[1]!.name}${JSON.stringify(SERIES[1]!.labels)}`]!;
    assert.deepEqual(got.raw, want.raw.map(([t, v]) => [t, 2 * v]));
    assert.deepEqual(got.hourly, want.hourly.map(([t, v]) => [t, 2 * v]));
  } finally {
    store.close();
  }
});

test('a bad line stops the import with file:line:column and exit 2; the batches before it are stored, nothing of its own batch', async () => {
  const fx = fixture();
  const lines = prometheusText().split('\n');
  const bad = 250; // 1-based line number
  lines[bad - 1] = lines[bad - 1]!.replace(/ (\d+)$/, ' 17:00');
  const file = write(fx, 'bad.prom', lines.join('\n'));
  const r = await fx.run(file, { batchSize: 100 });
  assert.equal(r.code, 2);
  assert.match(r.err, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${bad}:\\d+: invalid timestamp "17:00"`, 'm'));
  assert.match(r.err, /lines 1–200 are stored \(200 samples\); nothing after line 200 was written/);
  const store = fx.open();
  try {
    let n = 0;
    for (const s of store.findSeries({ name: undefined, matchers: [{ label: '__name__', op: '=~', value: 'app_.*' }] })) n += store.rawPoints(s.id, 0, NOW).length;
    assert.equal(n, 200);
  } finally {
    store.close();
  }
});

test('--dry-run checks the whole file and writes nothing, without needing a database', async () => {
  const fx = fixture();
  const r = await fx.run(write(fx, 'h.om', openMetrics()), { dryRun: true, db: path.join(fx.dir, 'absent.db') });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /checked \(dry run, nothing written\) .*: 1080 samples, 3 series/);
  assert.ok(!fs.existsSync(path.join(fx.dir, 'absent.db')));
});

test('a batch that would take the store past storage.series_limit is refused whole, naming the line of its first new series', async () => {
  const fx = fixture('storage: { series_limit: 2 }\n');
  const text = prometheusText();
  const r = await fx.run(write(fx, 'h.prom', text));
  assert.equal(r.code, 2);
  assert.match(r.err, /h\.prom:1:1: storage\.series_limit exceeded: the store holds 0 series and this batch would take it past 2; nothing of this batch was written/);
  assert.match(r.err, /nothing was written/);
  const store = fx.open();
  try {
    assert.equal(store.seriesCount(), 0);
  } finally {
    store.close();
  }
});

test('import refuses a database a running serve holds, naming it, and exits 2', async () => {
  const fx = fixture('collectors:\n  - { id: host, type: host, interval: 60s }\n');
  const port = await freePort();
  const serve = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', fx.config, '--db', fx.db, '--host', '127.0.0.1', '--port', String(port)], {
    env: { ...process.env, PILLARBOARD_LOG_LEVEL: 'warn', PILLARBOARD_WATCH: 'false' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => serve.on('exit', r));
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok === true, 60_000, 'serve ready');
    const r = await fx.run(write(fx, 'h.om', openMetrics()));
    assert.equal(r.code, 2);
    assert.match(r.err, new RegExp(`pb\\.db is in use by pillarboard serve \\(pid ${serve.pid} on `));
  } finally {
    serve.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
  const store = fx.open();
  try {
    assert.equal(store.findSeries({ name: 'app_latency_seconds', matchers: [] }).length, 0, 'nothing imported');
  } finally {
    store.close();
  }
});

test('Ctrl-C stops the import after the chunk it is reading: exit 1, the written batches stay and say so, and running it again completes it', async () => {
  const fx = fixture();
  const text = prometheusText();
  const cut = text.indexOf('\n', Math.floor(text.length / 2)) + 1;
  const stop = new AbortController();
  async function* stdin() {
    yield Buffer.from(text.slice(0, cut));
    stop.abort(); // as the SIGINT handler does, while the second chunk is on its way
    yield Buffer.from(text.slice(cut));
  }
  const firstHalf = text.slice(0, cut).split('\n').length - 1;
  // Pulled lazily (a Readable would read ahead and abort before the first chunk is read).
  const r = await fx.run('-', { stdin: stdin(), signal: stop.signal, batchSize: 100 });
  assert.equal(r.code, 1, r.err);
  const written = Math.floor(firstHalf / 100) * 100;
  assert.match(r.err, new RegExp(`import of stdin stopped at line ${firstHalf}: interrupted`));
  assert.match(r.err, new RegExp(`lines 1–${written} are stored \\(${written} samples\\).*running it again finishes it`));
  const again = await fx.run('-', { stdin: Readable.from([text]) });
  assert.equal(again.code, 0, again.err);
  const store = fx.open();
  try {
    assert.deepEqual(stored(store), expected());
  } finally {
    store.close();
  }
});

test('a file (parsed on a worker thread) and the same text on stdin give the same errors, and Ctrl-C stops a file import after its chunk too', async () => {
  const fx = fixture();
  const lines = prometheusText().split('\n');
  lines[249] = lines[249]!.replace(/ (\d+)$/, ' 17:00');
  const bad = lines.join('\n');
  const file = write(fx, 'bad.prom', bad);
  const fromFile = await fx.run(file, { batchSize: 100 });
  const fromStdin = await fx.run('-', { stdin: Readable.from([Buffer.from(bad)]), batchSize: 100 });
  assert.equal(fromFile.code, 2);
  assert.equal(fromStdin.code, 2);
  assert.equal(fromStdin.err, fromFile.err.split(file).join('stdin'));

  const stop = new AbortController();
  stop.abort();
  const good = write(fx, 'good.prom', prometheusText());
  const r = await fx.run(good, { signal: stop.signal, batchSize: 100 });
  assert.equal(r.code, 1, r.err);
  // The whole file is one chunk: its full batches are written, the last partial one is not.
  assert.match(r.err, new RegExp(`import of .*good\\.prom stopped at line ${3 * POINTS}: interrupted`));
  assert.match(r.err, new RegExp(`lines 1–1000 are stored \\(1000 samples\\)`));
});

test('import into a database that does not exist yet creates it (and its folder), says so naming the path, and stores the history', async () => {
  const fx = fixture();
  const file = write(fx, 'h.om', openMetrics());
  const db = path.join(fx.dir, 'new', 'history.db');
  const r = await fx.run(file, { db });
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, new RegExp(`created the database ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(there was none\\)`));
  const store = openStore({ path: db, now: () => fx.clock.now() });
  try {
    assert.equal(store.findSeries({ name: 'app_latency_seconds', matchers: [] }).length, 2);
  } finally {
    store.close();
  }
  // A second import into it is not a creation.
  const again = await fx.run(file, { db });
  assert.equal(again.code, 0, again.err);
  assert.doesNotMatch(again.err, /created the database/);
});
