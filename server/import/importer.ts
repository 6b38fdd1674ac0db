/**
 * History from a file into the store: the text is parsed in a stream and written in batches
 * of `batchSize` samples, each batch one transaction, each checked in full before it is
 * written. A bad line therefore stops the import with nothing of its batch stored; the batches
 * before it are stored, and `ImportInputError.stats` says how far (every sample replaces the one
 * at the same series and timestamp, so running the fixed file again is safe and complete).
 */
import type { Sample } from '../../collectors/types.js';
import { SeriesLimitError, type Store } from '../store/index.js';
import { LineTooLongError, wholeLines } from './chunks.js';
import { HistoryParser, ImportSyntaxError, type ImportFormat } from './parse.js';
import { ImportTally, type TallyFields } from './tally.js';

export type ImportStore = Pick<Store, 'writeSamples' | 'updateRollups' | 'seriesCount' | 'compactHeadBefore'>;

export interface ImportOptions {
  format?: ImportFormat;
  /** Samples per transaction (default 50,000). */
  batchSize?: number;
  /** The store may hold at most this many series (storage.series_limit); 0: no limit. */
  seriesLimit?: number;
  /** Samples older than these are counted (retention would delete them, or keep only rollups). */
  rawCutoff?: number;
  hourlyCutoff?: number;
  now: () => number;
  /** Called after each chunk of input (about 1 MiB). */
  onProgress?: (stats: ImportStats) => void;
  /** Aborted (Ctrl-C): the import stops after the chunk it is reading; its unwritten batch is dropped. */
  signal?: AbortSignal;
}

export interface ImportStats extends TallyFields {
  /** Samples stored (committed). */
  written: number;
  /** The last line whose sample is stored (0: none). */
  writtenThroughLine: number;
  /** Series the store did not hold before. */
  newSeries: number;
}

export class ImportInputError extends Error {
  override name = 'ImportInputError';
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
    readonly stats: ImportStats,
  ) {
    super(message);
  }
}

/** The import stopped for something other than its input (I/O, a full disk, Ctrl-C); `stats` says what is stored. */
export class ImportStoppedError extends Error {
  override name = 'ImportStoppedError';
  constructor(
    message: string,
    readonly stats: ImportStats,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** Rollups are brought up to date every this many samples written: the store's memory of dirty series-hours stays bounded. */
export const ROLLUP_EVERY = 1_000_000;

/**
 * Reads `source` to its end and writes it to `store` (undefined: a dry run, which reads and
 * checks everything and writes nothing). Throws ImportInputError for bad input.
 */
export async function importHistory(source: AsyncIterable<Buffer | string>, store: ImportStore | undefined, opts: ImportOptions): Promise<ImportStats> {
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 50_000));
  const rawCutoff = opts.rawCutoff ?? -Infinity;
  const hourlyCutoff = opts.hourlyCutoff ?? -Infinity;
  const seriesBefore = store?.seriesCount() ?? 0;
  const stats: ImportStats = {
    reason: '', bytes: 0, lines: 0, samples: 0, written: 0, writtenThroughLine: 0, series: 0, newSeries: 0,
    olderThanRaw: 0, olderThanHourly: 0, eof: false,
  };
  // Sample objects are reused from batch to batch (the store keeps none after a write): an
  // import allocates no object per sample.
  const pool: Sample[] = [];
  let n = 0;
  const tally = new ImportTally(rawCutoff, hourlyCutoff);
  let rolledAt = 0;

  const parser = new HistoryParser(
    (ref, ts, value) => {
      tally.sample(ts);
      if (n < pool.length) {
        const s = pool[n]!;
        s.name = ref.name;
        s.labels = ref.labels;
        s.ts = ts;
        s.value = value;
      } else {
        pool.push({ name: ref.name, labels: ref.labels, ts, value });
      }
      if (++n >= batchSize) flush();
    },
    opts.format,
    (ref) => tally.series(ref, parser.lineNo),
  );

  const snapshot = (): ImportStats => {
    tally.fill(stats, parser);
    if (store) stats.newSeries = store.seriesCount() - seriesBefore;
    return stats;
  };

  function flush(): void {
    const lastLine = parser.lineNo;
    if (n === 0) return;
    const batch = n === pool.length ? pool : pool.slice(0, n);
    if (store) {
      try {
        writeBatch(store, batch, tally.batchMaxTs, opts);
      } catch (err) {
        if (err instanceof SeriesLimitError) {
          throw new ImportInputError(
            tally.firstNewSeriesLine || lastLine,
            1,
            `storage.series_limit exceeded: the store holds ${err.existing} series and this batch would take it past ${err.limit}; nothing of this batch was written`,
            snapshot(),
          );
        }
        throw err;
      }
      if (stats.written + n - rolledAt >= ROLLUP_EVERY) {
        // Bounded memory: the store remembers dirty series-hours until rollups are built.
        store.updateRollups();
        rolledAt = stats.written + n;
      }
    }
    stats.written += n;
    stats.writtenThroughLine = lastLine;
    n = 0;
    tally.nextBatch();
  }

  try {
    for await (const { text, bytes } of wholeLines(source)) {
      if (opts.signal?.aborted) throw new ImportStoppedError('interrupted', snapshot());
      parser.feed(text);
      stats.bytes += bytes;
      opts.onProgress?.(snapshot());
    }
    flush();
  } catch (err) {
    if (err instanceof ImportSyntaxError) throw new ImportInputError(err.line, err.column, err.message, snapshot());
    if (err instanceof LineTooLongError) {
      throw new ImportInputError(parser.lineNo + err.lineOffset + 1, 1, `${err.message}; is this exposition text?`, snapshot());
    }
    if (err instanceof ImportInputError || err instanceof ImportStoppedError) throw err;
    throw new ImportStoppedError((err as Error).message, snapshot(), err);
  } finally {
    // What was written gets its rollups, whatever stopped the import (a failing store may refuse).
    try {
      store?.updateRollups();
    } catch {
      // the next open of the store rebuilds them from its dirty markers
    }
  }
  return snapshot();
}

/**
 * The one place samples reach the store (it must not keep the batch's objects, which are
 * reused). History usually predates what the store holds, so the head is first cut at the
 * batch's newest sample (never beyond now): the store then writes the batch straight into
 * compressed chunks, grouped per series, as it does any history batch (docs/store.md). The series limit is checked inside the batch's
 * transaction, so a refused batch leaves no series behind.
 */
export function writeBatch(store: ImportStore, batch: readonly Sample[], batchMaxTs: number, opts: ImportOptions): void {
  store.compactHeadBefore(Math.min(batchMaxTs + 1, opts.now()));
  const limit = opts.seriesLimit ?? 0;
  const before = store.seriesCount();
  store.writeSamples(batch, limit > 0 ? () => {
    const after = store.seriesCount();
    if (after > limit && after > before) throw new SeriesLimitError(limit, before);
  } : undefined);
}
