import type { HistoryParser, ImportFormat, SeriesRef } from './parse.js';

/** What both parse paths report of the input so far (ImportStats and ParseProgress share it). */
export interface TallyFields {
  format?: ImportFormat;
  /** Why that format. */
  reason: string;
  bytes: number;
  lines: number;
  /** Samples read and checked. */
  samples: number;
  /** Distinct series read. */
  series: number;
  minTs?: number;
  maxTs?: number;
  /** Samples older than the raw / hourly retention. */
  olderThanRaw: number;
  olderThanHourly: number;
  /** OpenMetrics without `# EOF` may be cut short. */
  eof: boolean;
}

/**
 * What an import has read, kept the same way whether it parses on the writing thread
 * (importer.ts, stdin) or on a worker (parse-worker.ts, a file): the time range, samples older
 * than retention, distinct series, and per batch its newest timestamp and the line of its
 * first series this import had not seen (where a series limit is exceeded).
 */
export class ImportTally {
  minTs = Infinity;
  maxTs = -Infinity;
  olderThanRaw = 0;
  olderThanHourly = 0;
  /** Of the batch being gathered: the newest timestamp, and the first line with a new series (0: none). */
  batchMaxTs = -Infinity;
  firstNewSeriesLine = 0;
  private readonly keys = new Set<string>();

  constructor(
    private readonly rawCutoff: number,
    private readonly hourlyCutoff: number,
  ) {}

  sample(ts: number): void {
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
    if (ts > this.batchMaxTs) this.batchMaxTs = ts;
    if (ts < this.rawCutoff) {
      this.olderThanRaw++;
      if (ts < this.hourlyCutoff) this.olderThanHourly++;
    }
  }

  /** The parser met a series (once per series per parser): counted once per import, by name and labels. */
  series(ref: SeriesRef, lineNo: number): void {
    const key = ref.name + JSON.stringify(Object.entries(ref.labels).sort());
    if (this.keys.has(key)) return;
    this.keys.add(key);
    if (this.firstNewSeriesLine === 0) this.firstNewSeriesLine = lineNo;
  }

  /** The batch was handed on: the next one starts with no newest timestamp and no new series. */
  nextBatch(): void {
    this.batchMaxTs = -Infinity;
    this.firstNewSeriesLine = 0;
  }

  /** Writes the counts so far into `out` (the parser's own and this tally's). */
  fill<T extends TallyFields>(out: T, parser: HistoryParser): T {
    out.format = parser.format;
    out.reason = parser.reason;
    out.lines = parser.lineNo;
    out.samples = parser.samples;
    out.series = this.keys.size;
    out.olderThanRaw = this.olderThanRaw;
    out.olderThanHourly = this.olderThanHourly;
    out.eof = parser.eof;
    if (this.minTs <= this.maxTs) {
      out.minTs = this.minTs;
      out.maxTs = this.maxTs;
    }
    return out;
  }
}
