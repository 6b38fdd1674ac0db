/**
 * `pillarboard import` benchmark on the issue-13 data: 100 series × 30 days at 60 s = 4.32 M
 * samples, written as an OpenMetrics file (seconds, series after series, as
 * `promtool tsdb create-blocks-from openmetrics` takes it) and as Prometheus text
 * (milliseconds, ordered by time, as a federation or VictoriaMetrics export is). Half the
 * series are gauges with full-precision floats, half integer counters.
 *
 * Measured in one run, each against a baseline of the same run:
 * - baseline: reading the file and counting its lines (a `wc -l` in Node: the floor of any
 *   streaming parser);
 * - parse only: the import parser over the whole file, nothing written (`--dry-run`'s path);
 * - collectors/exposition.ts over the same chunks (why import has its own parser);
 * - end to end: `runImport`, the command's own function (file → store → hourly rollups), into
 *   a fresh database, without the CLI's start-up; target ≥ 1 M samples/s; and the same with the
 *   parse on the writing thread (as stdin is read), to show what the parse worker gains;
 * - a bare prepared INSERT of the same samples into `samples` (what SQLite alone costs);
 * - the live heap (after a full GC) at each quarter of the parse: constant memory.
 * Rates are given per wall-clock second and per CPU second of this process: on a machine shared
 * with other work the second is the steadier one.
 *
 *   node --import tsx bench/import.bench.ts            (BENCH_QUICK=1: 5 days)
 *
 * The last line is `BENCH_JSON {...}`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { parseExposition } from '../collectors/exposition.js';
import { systemClock } from '../server/clock.js';
import { runImport } from '../server/commands/import.js';
import { wholeLines } from '../server/import/chunks.js';
import { importHistory } from '../server/import/importer.js';
import { openStore } from '../server/store/index.js';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const SERIES = 100;
const DAYS = QUICK ? 5 : 30;
const STEP = 60_000;
const POINTS = (DAYS * 86_400_000) / STEP;
const TOTAL = SERIES * POINTS;
const END = Date.UTC(2026, 11, 1);
const T0 = END - DAYS * 86_400_000;
const TARGET = 1_000_000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-import-bench-'));
const config = path.join(dir, 'workload.yaml');
fs.writeFileSync(config, 'workload: { id: import-bench, title: "Import bench" }\nstorage: { series_limit: 0 }\n');

const seriesText = (s: number) =>
  s < SERIES / 2
    ? `bench_latency_seconds{service="s${s % 10}",instance="i${s}",collector="c${s % 10}"}`
    : `bench_requests_total{service="s${s % 10}",code="200",instance="i${s}",collector="c${s % 10}"}`;
const value = (s: number, i: number) => (s < SERIES / 2 ? 0.2 + 0.1 * Math.sin(i / 60 + s) + ((i * 7 + s) % 13) / 100 : 100 * i + s);

function writeFile(file: string, seriesFirst: boolean, seconds: boolean): number {
  const fd = fs.openSync(file, 'w');
  let buf = seconds ? '# TYPE bench_latency_seconds gauge\n' : '';
  const line = (s: number, i: number) => {
    const ts = T0 + i * STEP;
    buf += `${seriesText(s)} ${value(s, i)} ${seconds ? ts / 1000 : ts}\n`;
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  };
  if (seriesFirst) for (let s = 0; s < SERIES; s++) for (let i = 0; i < POINTS; i++) line(s, i);
  else for (let i = 0; i < POINTS; i++) for (let s = 0; s < SERIES; s++) line(s, i);
  if (seconds) buf += '# EOF\n';
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
  return fs.statSync(file).size;
}

const read = (file: string) => fs.createReadStream(file, { highWaterMark: 1 << 20 });
const secs = (t0: number) => (performance.now() - t0) / 1000;
/** CPU seconds of this process: on a machine shared with other work, a steadier measure than the wall clock. */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** Heap in use after a full collection (run with --expose-gc, as bench/run.ts does), in MB. */
const liveHeapMb = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
interface Rate {
  wall: number;
  cpu: number;
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function baseline(file: string): Promise<Rate> {
  const t0 = performance.now();
  const c0 = cpu();
  let lines = 0;
  for await (const chunk of read(file)) for (let i = (chunk as Buffer).indexOf(10); i !== -1; i = (chunk as Buffer).indexOf(10, i + 1)) lines++;
  if (lines < TOTAL) throw new Error(`baseline counted ${lines} lines`);
  return { wall: lines / secs(t0), cpu: lines / (cpu() - c0) };
}

async function parseOnly(file: string): Promise<Rate & { heapMb: number[] }> {
  const heapMb: number[] = [];
  let next = 1;
  const t0 = performance.now();
  const c0 = cpu();
  let gcCpu = 0;
  const stats = await importHistory(read(file), undefined, {
    now: Date.now,
    onProgress: (s) => {
      if (s.samples >= (TOTAL * next) / 4) {
        const g = cpu();
        heapMb.push(liveHeapMb());
        gcCpu += cpu() - g;
        next++;
      }
    },
  });
  const s = secs(t0);
  if (stats.samples !== TOTAL) throw new Error(`parsed ${stats.samples} samples, expected ${TOTAL}`);
  return { wall: TOTAL / s, cpu: TOTAL / (cpu() - c0 - gcCpu), heapMb };
}

async function expositionParser(file: string, openMetrics: boolean): Promise<Rate> {
  const t0 = performance.now();
  const c0 = cpu();
  let n = 0;
  for await (const { text } of wholeLines(read(file))) n += parseExposition(text, { openMetrics }).samples.length;
  return { wall: n / secs(t0), cpu: n / (cpu() - c0) };
}

/** The same import with the parse on the writing thread (what stdin gets): the worker thread's gain. */
async function endToEndInThread(file: string): Promise<Rate> {
  const db = path.join(dir, `inthread-${path.basename(file)}.db`);
  const store = openStore({ path: db, now: Date.now });
  const t0 = performance.now();
  const c0 = cpu();
  const stats = await importHistory(read(file), store, { now: Date.now });
  const rate = { wall: TOTAL / secs(t0), cpu: TOTAL / (cpu() - c0) };
  store.close();
  if (stats.written !== TOTAL) throw new Error(`in-thread import wrote ${stats.written}`);
  return rate;
}

async function endToEnd(file: string): Promise<Rate & { bytesPerSample: number; out: string }> {
  const db = path.join(dir, `e2e-${path.basename(file)}.db`);
  openStore({ path: db, now: Date.now }).close();
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  const err = new PassThrough();
  let errText = '';
  err.on('data', (d) => (errText += d));
  const t0 = performance.now();
  const c0 = cpu();
  const code = await runImport({ file, config, db, env: {}, stdin: process.stdin, out, err, clock: systemClock });
  const rate = { wall: TOTAL / secs(t0), cpu: TOTAL / (cpu() - c0) };
  await new Promise((r) => setImmediate(r));
  if (code !== 0) throw new Error(`import exited ${code}: ${errText}`);
  const store = openStore({ path: db, now: Date.now });
  let n = 0;
  for (const s of store.findSeries({ matchers: [{ label: '__name__', op: '=~', value: 'bench_.*' }] })) n += store.rawPoints(s.id, T0, END).length;
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  if (n !== TOTAL) throw new Error(`stored ${n} samples, expected ${TOTAL}`);
  const bytes = fs.statSync(db).size;
  return { ...rate, bytesPerSample: bytes / TOTAL, out: text.trim() };
}

function bareInsert(): Rate {
  const db = new Database(path.join(dir, 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE samples (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL, PRIMARY KEY (series_id, ts)) STRICT, WITHOUT ROWID');
  const ins = db.prepare('INSERT INTO samples (series_id, ts, value) VALUES (?, ?, ?) ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value');
  const t0 = performance.now();
  const c0 = cpu();
  const batch = 50_000;
  for (let s = 0; s < SERIES; s++) {
    for (let i0 = 0; i0 < POINTS; i0 += batch) {
      db.transaction(() => {
        for (let i = i0; i < Math.min(POINTS, i0 + batch); i++) ins.run(s + 1, T0 + i * STEP, value(s, i));
      })();
    }
  }
  const rate = { wall: TOTAL / secs(t0), cpu: TOTAL / (cpu() - c0) };
  db.close();
  return rate;
}

async function main(): Promise<void> {
  const om = path.join(dir, 'history.om');
  const prom = path.join(dir, 'history.prom');
  const omBytes = writeFile(om, true, true);
  const promBytes = writeFile(prom, false, false);
  console.log(`data: ${SERIES} series × ${DAYS} d at 60 s = ${fmt(TOTAL)} samples; OpenMetrics ${(omBytes / 1e6).toFixed(0)} MB, Prometheus text ${(promBytes / 1e6).toFixed(0)} MB`);
  const results: Array<{ metric: string; value: number; unit: string; target?: string; pass?: boolean }> = [];

  for (const [label, file, seconds] of [['openmetrics', om, true], ['prometheus', prom, false]] as const) {
    const base = await baseline(file);
    const parse = await parseOnly(file);
    const expo = await expositionParser(file, seconds);
    const e2e = await endToEnd(file);
    const inThread = await endToEndInThread(file);
    const r = (x: Rate) => `${fmt(x.wall).padStart(11)} /s wall  ${fmt(x.cpu).padStart(11)} /s of CPU`;
    console.log(`import.${label}.baseline_line_count   ${r(base)}  (lines)`);
    console.log(`import.${label}.parse_only            ${r(parse)}  (${(parse.cpu / base.cpu).toFixed(2)} × baseline, CPU)`);
    console.log(`import.${label}.exposition_ts_parser  ${r(expo)}  (import parser ${(parse.cpu / expo.cpu).toFixed(2)} × faster, CPU)`);
    console.log(`import.${label}.end_to_end            ${r(e2e)}  (parse on a worker thread; target ≥ ${fmt(TARGET)}/s)`);
    console.log(`import.${label}.end_to_end_in_thread  ${r(inThread)}  (worker thread ${(e2e.wall / inThread.wall).toFixed(2)} × faster, wall)`);
    console.log(`import.${label}.live_heap_during_parse ${parse.heapMb.map((m) => m.toFixed(0)).join(' / ')} MB at 25 / 50 / 75 / 100%`);
    console.log(`import.${label}.db_bytes_per_sample   ${e2e.bytesPerSample.toFixed(1)}`);
    console.log(e2e.out.replace(/^/gm, `    `));
    results.push(
      { metric: `${label}: parse only samples/s`, value: Math.round(parse.wall), unit: 'samples/s' },
      { metric: `${label}: parse only samples/CPU-s`, value: Math.round(parse.cpu), unit: 'samples/s' },
      { metric: `${label}: parse / line count (CPU)`, value: Number((parse.cpu / base.cpu).toFixed(3)), unit: 'ratio' },
      { metric: `${label}: import parser / exposition.ts (CPU)`, value: Number((parse.cpu / expo.cpu).toFixed(2)), unit: 'ratio' },
      { metric: `${label}: end to end samples/s`, value: Math.round(e2e.wall), unit: 'samples/s', target: `>= ${TARGET}`, pass: e2e.wall >= TARGET },
      { metric: `${label}: end to end samples/CPU-s`, value: Math.round(e2e.cpu), unit: 'samples/s', target: `>= ${TARGET}`, pass: e2e.cpu >= TARGET },
      { metric: `${label}: worker / in-thread end to end (wall)`, value: Number((e2e.wall / inThread.wall).toFixed(2)), unit: 'ratio' },
      { metric: `${label}: live heap growth 25%→100%`, value: Math.round(parse.heapMb[parse.heapMb.length - 1]! - parse.heapMb[0]!), unit: 'MB' },
    );
  }
  const bare = bareInsert();
  console.log(`import.bare_prepared_insert           ${fmt(bare.wall)} /s wall  ${fmt(bare.cpu)} /s of CPU  (SQLite alone, series order, 50k per transaction)`);
  results.push({ metric: 'bare prepared insert samples/CPU-s', value: Math.round(bare.cpu), unit: 'samples/s' });

  fs.rmSync(dir, { recursive: true, force: true });
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(`import.peak_rss  ${peakRssMb} MB`);
  console.log(`BENCH_JSON ${JSON.stringify({ name: 'import', results, peakRssMb })}`);
}

main().catch((err) => {
  fs.rmSync(dir, { recursive: true, force: true });
  console.error(err);
  process.exitCode = 1;
});
