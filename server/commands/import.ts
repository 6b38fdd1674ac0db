import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectorRegistry } from '../../collectors/index.js';
import type { Clock } from '../clock.js';
import { importFile } from '../import/importFile.js';
import { importHistory, ImportInputError, ImportStoppedError, type ImportOptions, type ImportStats } from '../import/importer.js';
import type { ImportFormat } from '../import/parse.js';
import { openStore, type Store } from '../store/index.js';
import { acquireWriterLock, WriterLockError, type WriterLock } from '../store/writerLock.js';
import { formatIssue, loadWorkloadFile } from '../workload/index.js';

export interface ImportFlags {
  /** A file, or `-` for standard input. */
  file: string;
  format?: ImportFormat;
  dryRun?: boolean;
  /** Samples per transaction. */
  batchSize?: number;
  config: string;
  db: string;
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadableStream | AsyncIterable<Buffer>;
  out: NodeJS.WritableStream;
  /** Progress goes here only when it is a terminal (`isTTY`). */
  err: NodeJS.WritableStream & { isTTY?: boolean };
  clock: Pick<Clock, 'now'>;
  /** Aborted on Ctrl-C: the import stops after its current chunk; what is stored stays. */
  signal?: AbortSignal;
}

const PROGRESS_EVERY_MS = 250;

/**
 * `pillarboard import FILE`: timestamped exposition text (OpenMetrics, Prometheus text,
 * `promtool tsdb dump` output) into the database as history. Holds the writer lock like
 * `collect`; reads the workload file only for `storage.series_limit` and the retention. Exit 0
 * when all of it is stored, 2 for bad input (file:line:column; the batches before the bad line
 * are stored and the summary says how far), 1 for a runtime failure.
 */
export async function runImport(f: ImportFlags): Promise<number> {
  const loaded = loadWorkloadFile(f.config, { registry: collectorRegistry, env: f.env });
  if (!loaded.ok) {
    for (const issue of loaded.errors) f.err.write(formatIssue(issue) + '\n');
    return 2;
  }
  const storage = loaded.workload.storage;
  const name = f.file === '-' ? 'stdin' : f.file;
  let size: number | undefined;
  if (f.file !== '-') {
    try {
      const st = fs.statSync(f.file);
      if (!st.isFile() && !st.isFIFO()) return usage(f, `${f.file} is not a file`);
      size = st.isFile() ? st.size : undefined;
    } catch (err) {
      return usage(f, `cannot read ${f.file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  }

  let lock: WriterLock | undefined;
  let store: Store | undefined;
  let created: string | undefined;
  if (!f.dryRun) {
    try {
      // Bringing history in is often the first thing done, before any serve: a missing database
      // is created (as migrate does), and the summary names it, so a wrong --db is seen at once.
      if (!fs.existsSync(f.db)) {
        fs.mkdirSync(path.dirname(path.resolve(f.db)), { recursive: true });
        created = path.resolve(f.db);
      }
      // One writer per database: a running serve or collect would interleave its own writes and head moves.
      lock = acquireWriterLock(f.db, { command: 'import', now: () => f.clock.now() });
    } catch (err) {
      if (err instanceof WriterLockError) return usage(f, err.message);
      throw err;
    }
  }
  const started = f.clock.now();
  const progress = f.err.isTTY ? new Progress(f.err, size, started, f.clock) : undefined;
  try {
    if (lock) {
      store = openStore({ path: f.db, now: () => f.clock.now() });
      store.assertWritable(f.db);
      if (created) f.err.write(`pillarboard: created the database ${created} (there was none)\n`);
    }
    const now = f.clock.now();
    let stats: ImportStats;
    try {
      // A file is parsed on a worker thread while this one writes; stdin is read here.
      const run = f.file === '-' ? (o: ImportOptions) => importHistory(f.stdin as AsyncIterable<Buffer>, store, o) : (o: ImportOptions) => importFile(f.file, store, o);
      stats = await run({
        format: f.format,
        batchSize: f.batchSize,
        seriesLimit: storage.seriesLimit,
        rawCutoff: now - storage.retention.rawMs,
        hourlyCutoff: now - storage.retention.hourlyMs,
        now: () => f.clock.now(),
        onProgress: progress ? (s) => progress.update(s) : undefined,
        signal: f.signal,
      });
    } catch (err) {
      progress?.clear();
      if (err instanceof ImportInputError) {
        f.err.write(`${name}:${err.line}:${err.column}: ${err.message}\n`);
        if (err.stats.format) f.err.write(`pillarboard: format ${err.stats.format} (${err.stats.reason})\n`);
        f.err.write(stored(err.stats, Boolean(f.dryRun), 'the fixed file can be imported whole'));
        return 2;
      }
      if (err instanceof ImportStoppedError) {
        f.err.write(`pillarboard: import of ${name} stopped at line ${err.stats.lines}: ${err.message}\n`);
        f.err.write(stored(err.stats, Boolean(f.dryRun), 'running it again finishes it'));
        return 1;
      }
      throw err;
    }
    progress?.clear();
    f.out.write(summary(name, stats, (f.clock.now() - started) / 1000, Boolean(f.dryRun), storage.retention));
    return 0;
  } finally {
    store?.close();
    lock?.release();
  }
}

function summary(name: string, s: ImportStats, seconds: number, dryRun: boolean, retention: { rawMs: number; hourlyMs: number }): string {
  const lines: string[] = [];
  const rate = seconds > 0 ? Math.round(s.samples / seconds) : s.samples;
  lines.push(`${dryRun ? 'checked (dry run, nothing written)' : 'imported'} ${name}: ${s.samples} samples, ${s.series} series${dryRun ? '' : ` (${s.newSeries} new)`}`);
  lines.push(`format: ${s.format ?? 'none (no samples)'}${s.format ? ` (${s.reason})` : ''}`);
  if (s.minTs !== undefined && s.maxTs !== undefined) lines.push(`time range: ${new Date(s.minTs).toISOString()} … ${new Date(s.maxTs).toISOString()}`);
  lines.push(`took ${seconds.toFixed(1)} s: ${rate} samples/s, ${(s.bytes / 1e6).toFixed(1)} MB${dryRun ? '' : '; hourly rollups built'}`);
  if (s.format === 'openmetrics' && !s.eof) lines.push('warning: no "# EOF" line: an OpenMetrics file ends with one; was it cut short?');
  if (s.olderThanHourly > 0) {
    lines.push(`warning: ${s.olderThanHourly} samples are older than storage.retention.hourly (${days(retention.hourlyMs)}): the next retention pass of serve deletes them`);
  }
  if (s.olderThanRaw - s.olderThanHourly > 0) {
    lines.push(`note: ${s.olderThanRaw - s.olderThanHourly} samples are older than storage.retention.raw (${days(retention.rawMs)}): serve keeps only their hourly rollups`);
  }
  return lines.join('\n') + '\n';
}

/** What an import that stopped left in the store. */
function stored(s: ImportStats, dryRun: boolean, again: string): string {
  if (dryRun) return 'pillarboard: dry run: nothing was written\n';
  if (s.written === 0) return 'pillarboard: nothing was written\n';
  return (
    `pillarboard: lines 1–${s.writtenThroughLine} are stored (${s.written} sample${s.written === 1 ? '' : 's'}); nothing after line ${s.writtenThroughLine} was written. ` +
    `Importing again replaces samples at the same series and time, so ${again}.\n`
  );
}

const days = (ms: number) => `${Math.round((ms / 86_400_000) * 10) / 10}d`;

function usage(f: ImportFlags, message: string): number {
  f.err.write(`pillarboard: ${message}\n`);
  return 2;
}

/** One line on a terminal, rewritten at most every PROGRESS_EVERY_MS. */
class Progress {
  private last = 0;
  private shown = false;
  constructor(
    private readonly err: NodeJS.WritableStream,
    private readonly size: number | undefined,
    private readonly started: number,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  update(s: ImportStats): void {
    const now = this.clock.now();
    if (now - this.last < PROGRESS_EVERY_MS) return;
    this.last = now;
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? s.samples / secs : 0;
    const where = this.size ? `${((100 * s.bytes) / this.size).toFixed(1)}% of ${mb(this.size)}` : `${mb(s.bytes)} read`;
    this.err.write(`\r\x1b[Kimporting: ${s.samples} samples, ${Math.round(rate)} samples/s, ${where}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.err.write('\r\x1b[K');
    this.shown = false;
  }
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
