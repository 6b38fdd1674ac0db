/**
 * An import from a file with reading and parsing on a worker thread (parse-worker.ts) and the
 * writes here: SQLite's writes are synchronous on this thread, so with two cores the parse of
 * batch k+1 runs while batch k is written. Same batches, same checks and the same errors as
 * `importHistory`, which stdin and tests of the parser alone use.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Sample } from '../../collectors/types.js';
import { SeriesLimitError } from '../store/index.js';
import { ImportInputError, ImportStoppedError, ROLLUP_EVERY, writeBatch, type ImportOptions, type ImportStats, type ImportStore } from './importer.js';
import type { ParseJob, ParseProgress, WorkerMessage } from './parse-worker.js';

// parse-worker.js when compiled; parse-worker.ts under tsx (tests, benches), whose loader workers
// do not inherit, so the worker registers it first.
const WORKER_FILE = path.join(__dirname, `parse-worker${path.extname(__filename)}`);
const startWorker = (job: ParseJob) =>
  WORKER_FILE.endsWith('.ts')
    ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(WORKER_FILE)});`, { eval: true, workerData: job })
    : new Worker(WORKER_FILE, { workerData: job });

export function importFile(file: string, store: ImportStore | undefined, opts: ImportOptions): Promise<ImportStats> {
  const job: ParseJob = {
    file,
    format: opts.format,
    batchSize: Math.max(1, Math.floor(opts.batchSize ?? 50_000)),
    rawCutoff: opts.rawCutoff ?? -Infinity,
    hourlyCutoff: opts.hourlyCutoff ?? -Infinity,
  };
  const seriesBefore = store?.seriesCount() ?? 0;
  const refs: Array<{ name: string; labels: Readonly<Record<string, string>> }> = [];
  const pool: Sample[] = [];
  let parsed: ParseProgress = { reason: '', bytes: 0, lines: 0, samples: 0, series: 0, olderThanRaw: 0, olderThanHourly: 0, eof: false };
  let written = 0;
  let writtenThroughLine = 0;
  let rolledAt = 0;
  const stats = (): ImportStats => ({ ...parsed, written, writtenThroughLine, newSeries: store ? store.seriesCount() - seriesBefore : 0 });

  const write = (m: Extract<WorkerMessage, { kind: 'batch' }>) => {
    // Frozen: the store resolves a frozen label object by identity, without building its key per sample.
    for (const [name, labels] of m.series) refs.push({ name, labels: Object.freeze(labels) });
    for (let i = 0; i < m.n; i++) {
      const r = refs[m.sid[i]!]!;
      if (i < pool.length) {
        const s = pool[i]!;
        s.name = r.name;
        s.labels = r.labels;
        s.ts = m.ts[i]!;
        s.value = m.value[i]!;
      } else {
        pool.push({ name: r.name, labels: r.labels, ts: m.ts[i]!, value: m.value[i]! });
      }
    }
    if (store) {
      try {
        writeBatch(store, m.n === pool.length ? pool : pool.slice(0, m.n), m.maxTs, opts);
      } catch (err) {
        if (!(err instanceof SeriesLimitError)) throw err;
        throw new ImportInputError(
          m.firstNewSeriesLine || m.lastLine,
          1,
          `storage.series_limit exceeded: the store holds ${err.existing} series and this batch would take it past ${err.limit}; nothing of this batch was written`,
          stats(),
        );
      }
      if (written + m.n - rolledAt >= ROLLUP_EVERY) {
        store.updateRollups();
        rolledAt = written + m.n;
      }
    }
    written += m.n;
    writtenThroughLine = m.lastLine;
  };

  return new Promise<ImportStats>((resolve, reject) => {
    const worker = startWorker(job);
    let settled = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      try {
        store?.updateRollups(); // what was written gets its rollups, however the import ended
      } catch {
        // the next open of the store rebuilds them from its dirty markers
      }
      if (err === undefined) resolve(stats());
      else reject(err instanceof ImportInputError || err instanceof ImportStoppedError ? err : new ImportStoppedError((err as Error).message, stats(), err));
    };
    worker.on('message', (m: WorkerMessage) => {
      if (settled) return;
      try {
        switch (m.kind) {
          case 'batch':
            write(m);
            worker.postMessage('written');
            return;
          case 'progress':
            parsed = m.progress;
            if (opts.signal?.aborted) return settle(new ImportStoppedError('interrupted', stats()));
            opts.onProgress?.(stats());
            return;
          case 'error':
            parsed = m.progress;
            return settle(new ImportInputError(m.line, m.column, m.message, stats()));
          case 'done':
            parsed = m.progress;
            return settle();
        }
      } catch (err) {
        settle(err);
      }
    });
    worker.on('error', (err) => settle(err));
    worker.on('exit', (code) => settle(new Error(`the parsing thread stopped (exit ${code})`)));
  });
}
