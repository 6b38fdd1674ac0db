/**
 * The parsing half of an import from a file, on a worker thread, so reading and parsing run
 * while the main thread writes the previous batch into SQLite (synchronous there). Posts, in
 * order: `batch` messages (samples as typed arrays, transferred; series new since the last
 * batch as [name, labels]), `progress` after each chunk of the file, and one `error` or `done`.
 * Flow control: at most two batches are unacknowledged (`written` from the main thread) before it
 * reads on, so memory stays bounded however slow the store is.
 */
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { LineTooLongError, wholeLines } from './chunks.js';
import { HistoryParser, ImportSyntaxError, type ImportFormat, type SeriesRef } from './parse.js';
import { ImportTally, type TallyFields } from './tally.js';

export interface ParseJob {
  file: string;
  format?: ImportFormat;
  batchSize: number;
  rawCutoff: number;
  hourlyCutoff: number;
}

/** What the parsing side knows; the writing side adds written, writtenThroughLine and newSeries. */
export type ParseProgress = TallyFields;

export type WorkerMessage =
  | { kind: 'batch'; series: Array<[string, Readonly<Record<string, string>>]>; sid: Int32Array; ts: Float64Array; value: Float64Array; n: number; lastLine: number; maxTs: number; firstNewSeriesLine: number }
  | { kind: 'progress'; progress: ParseProgress }
  | { kind: 'error'; line: number; column: number; message: string; progress: ParseProgress }
  | { kind: 'done'; progress: ParseProgress };

async function run(job: ParseJob): Promise<void> {
  const port = parentPort!;
  let credits = 2;
  let wake: (() => void) | undefined;
  port.on('message', (m) => {
    if (m === 'written') {
      credits++;
      wake?.();
    }
  });
  const index = new Map<SeriesRef, number>();
  const tally = new ImportTally(job.rawCutoff, job.hourlyCutoff);
  let fresh: Array<[string, Readonly<Record<string, string>>]> = [];
  let sid = new Int32Array(job.batchSize);
  let ts = new Float64Array(job.batchSize);
  let value = new Float64Array(job.batchSize);
  let n = 0;
  let lastRef: SeriesRef | undefined;
  let lastIdx = -1;
  const p: ParseProgress = { reason: '', bytes: 0, lines: 0, samples: 0, series: 0, olderThanRaw: 0, olderThanHourly: 0, eof: false };

  const post = () => {
    if (n === 0) return;
    const msg: WorkerMessage = { kind: 'batch', series: fresh, sid, ts, value, n, lastLine: parser.lineNo, maxTs: tally.batchMaxTs, firstNewSeriesLine: tally.firstNewSeriesLine };
    port.postMessage(msg, [sid.buffer, ts.buffer, value.buffer]);
    credits--;
    fresh = [];
    tally.nextBatch();
    sid = new Int32Array(job.batchSize);
    ts = new Float64Array(job.batchSize);
    value = new Float64Array(job.batchSize);
    n = 0;
  };
  const parser = new HistoryParser(
    (ref, t, v) => {
      if (ref !== lastRef) {
        lastRef = ref;
        lastIdx = index.get(ref)!;
      }
      tally.sample(t);
      sid[n] = lastIdx;
      ts[n] = t;
      value[n] = v;
      if (++n >= job.batchSize) post();
    },
    job.format,
    (ref) => {
      index.set(ref, index.size);
      fresh.push([ref.name, ref.labels]);
      tally.series(ref, parser.lineNo);
    },
  );
  const progress = (): ParseProgress => ({ ...tally.fill(p, parser) });

  try {
    for await (const { text, bytes } of wholeLines(fs.createReadStream(job.file, { highWaterMark: 1 << 20 }))) {
      parser.feed(text);
      p.bytes += bytes;
      port.postMessage({ kind: 'progress', progress: progress() } satisfies WorkerMessage);
      while (credits <= 0) await new Promise<void>((r) => (wake = r));
    }
    post();
    port.postMessage({ kind: 'done', progress: progress() } satisfies WorkerMessage);
  } catch (err) {
    if (err instanceof ImportSyntaxError) {
      port.postMessage({ kind: 'error', line: err.line, column: err.column, message: err.message, progress: progress() } satisfies WorkerMessage);
    } else if (err instanceof LineTooLongError) {
      port.postMessage({ kind: 'error', line: parser.lineNo + err.lineOffset + 1, column: 1, message: `${err.message}; is this exposition text?`, progress: progress() } satisfies WorkerMessage);
    } else {
      throw err;
    }
  }
}

if (parentPort) void run(workerData as ParseJob);
