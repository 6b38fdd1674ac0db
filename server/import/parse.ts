/**
 * The streaming parser of `pillarboard import`: timestamped exposition text in, one callback
 * per sample out, in constant memory (the text arrives in chunks of whole lines; only the
 * distinct series' texts are remembered, and at most SERIES_CACHE of them).
 *
 * Why not collectors/exposition.ts: that parser builds a labels object and a sample object for
 * every line of a page, which is right for one scrape and measured at about a third of the
 * speed needed here (bench/import.bench.ts). History repeats each series' text on thousands of
 * lines, so this one splits a line from its end (timestamp, value, series text), looks the
 * series text up among those already read, and reads the two numbers without a substring.
 * A series text seen for the first time, and any line the fast path cannot read, goes through
 * `readFullLine`, which checks everything and names the column of what is wrong.
 */
import { ImportSyntaxError, readFullLine } from './line.js';
import { readMillis, readSecondsAsMillis, readValue } from './numbers.js';

export { ImportSyntaxError };

export type ImportFormat = 'openmetrics' | 'prometheus';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['openmetrics', 'prometheus'];

/** One series as read: shared by every sample of it, never mutated. */
export interface SeriesRef {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A series text already read in full, and the one that followed it last time. */
interface Entry {
  readonly key: string;
  readonly ref: SeriesRef;
  next: Entry | undefined;
}

export type SampleSink = (series: SeriesRef, ts: number, value: number) => void;

/** Series texts remembered for the fast path; past this many the cache starts over (memory stays bounded). */
const SERIES_CACHE = 100_000;

const SP = 32, TAB = 9, CR = 13, HASH = 35, LB = 123;
const isBlank = (c: number) => c === SP || c === TAB;

/** text[at, at + key.length) === key, compared from the end, where series of one metric differ (measured 2–4× faster than startsWith(key, at)). */
function sameText(text: string, at: number, key: string): boolean {
  for (let i = key.length - 1; i >= 0; i--) if (text.charCodeAt(at + i) !== key.charCodeAt(i)) return false;
  return true;
}

export class HistoryParser {
  /** Lines read so far (the 1-based number of the last one). */
  lineNo = 0;
  samples = 0;
  /** OpenMetrics `# EOF` was read (nothing may follow it). */
  eof = false;
  format: ImportFormat | undefined;
  /** Why this format: "given with --format", or what gave it away. */
  reason = '';
  private seconds = false;
  private readonly cache = new Map<string, Entry>();
  /** The series of the last sample line read through the cache. */
  private prev: Entry | undefined;

  constructor(
    private readonly sink: SampleSink,
    format?: ImportFormat,
    /** Called once for each series text read in full (the same series written two ways is reported twice). */
    private readonly onSeries?: (series: SeriesRef) => void,
  ) {
    if (format) this.decide(format, 'given with --format');
  }

  /** Reads `text`, which holds whole lines (the last one may lack its newline). */
  feed(text: string): void {
    const len = text.length;
    let pos = 0;
    while (pos < len) {
      let nl = text.indexOf('\n', pos);
      if (nl === -1) nl = len;
      this.lineNo++;
      this.line(text, pos, nl);
      pos = nl + 1;
    }
  }

  private decide(format: ImportFormat, reason: string): void {
    this.format = format;
    this.reason = reason;
    this.seconds = format === 'openmetrics';
  }

  private line(text: string, start: number, end: number): void {
    let e = end;
    for (let c = text.charCodeAt(e - 1); e > start && (c === CR || c === SP || c === TAB); c = text.charCodeAt(e - 1)) e--;
    let s = start;
    while (s < e && isBlank(text.charCodeAt(s))) s++;
    if (s === e) return;
    if (this.eof) throw new ImportSyntaxError(this.lineNo, s - start + 1, 'text after "# EOF" (OpenMetrics ends there)');
    if (text.charCodeAt(s) === HASH) return this.comment(text, s, e);

    // Most often the line's series is the previous line's (a file written series by series) or
    // the one that followed it last time (a file written time by time): read it forwards.
    const prev = this.prev;
    if (prev !== undefined) {
      if (this.forward(text, s, e, prev)) return;
      const next = prev.next;
      if (next !== undefined && this.forward(text, s, e, next)) {
        this.prev = next;
        return;
      }
    }

    // Split from the end: timestamp, value, and the series text before them.
    let q = e;
    while (q > s && !isBlank(text.charCodeAt(q - 1))) q--;
    const tsStart = q;
    while (q > s && isBlank(text.charCodeAt(q - 1))) q--;
    const valEnd = q;
    while (q > s && !isBlank(text.charCodeAt(q - 1))) q--;
    const valStart = q;
    while (q > s && isBlank(text.charCodeAt(q - 1))) q--;
    const keyEnd = q;
    if (keyEnd > s && this.format !== undefined) {
      const known = this.cache.get(text.slice(s, keyEnd));
      if (known !== undefined) {
        const ts = this.seconds ? readSecondsAsMillis(text, tsStart, e) : readMillis(text, tsStart, e);
        const value = readValue(text, valStart, valEnd);
        if (ts === ts && value !== undefined) {
          this.follow(known);
          this.samples++;
          this.sink(known.ref, ts, value);
          return;
        }
      }
    }
    this.slowLine(text, s, e, start, keyEnd);
  }

  /** Reads the line as a sample of `entry`'s series if its text starts with that series' text; false when it does not, or a number needs the slow path. */
  private forward(text: string, s: number, e: number, entry: Entry): boolean {
    const key = entry.key;
    const afterKey = s + key.length;
    if (afterKey >= e || !isBlank(text.charCodeAt(afterKey)) || !sameText(text, s, key)) return false;
    let v = afterKey + 1;
    while (v < e && isBlank(text.charCodeAt(v))) v++;
    let w = v;
    while (w < e && !isBlank(text.charCodeAt(w))) w++;
    let t = w;
    while (t < e && isBlank(text.charCodeAt(t))) t++;
    if (t === w) return false;
    const ts = this.seconds ? readSecondsAsMillis(text, t, e) : readMillis(text, t, e);
    const value = readValue(text, v, w);
    if (ts !== ts || value === undefined) return false;
    this.samples++;
    this.sink(entry.ref, ts, value);
    return true;
  }

  /** `entry` is the series of this line: the previous line's entry learns it as its successor. */
  private follow(entry: Entry): void {
    if (this.prev !== undefined && this.prev !== entry) this.prev.next = entry;
    this.prev = entry;
  }

  private slowLine(text: string, s: number, e: number, lineStart: number, splitKeyEnd: number): void {
    if (this.format === undefined) this.detect(text, s, e);
    try {
      const full = readFullLine(text, s, e, this.lineNo, this.seconds);
      const ref: SeriesRef = Object.freeze({ name: full.name, labels: Object.freeze(full.labels) });
      this.onSeries?.(ref);
      if (full.keyEnd === splitKeyEnd) {
        if (this.cache.size >= SERIES_CACHE) {
          this.cache.clear();
          this.prev = undefined;
        }
        const entry: Entry = { key: text.slice(s, splitKeyEnd), ref, next: undefined };
        this.cache.set(entry.key, entry);
        this.follow(entry);
      }
      this.samples++;
      this.sink(ref, full.ts, full.value);
    } catch (err) {
      // Columns count from the line's first character, blanks included.
      if (err instanceof ImportSyntaxError && s > lineStart) throw new ImportSyntaxError(err.line, err.column + (s - lineStart), err.message);
      throw err;
    }
  }

  private comment(text: string, s: number, e: number): void {
    const body = text.slice(s + 1, e).trim();
    if (body === 'EOF') {
      if (this.format === 'prometheus') return; // an ordinary comment in Prometheus text
      this.eof = true;
      if (this.format === undefined) this.decide('openmetrics', `line ${this.lineNo} is "# EOF"`);
      return;
    }
    if (this.format !== undefined) return;
    const m = /^(UNIT|TYPE)\s+\S+\s*(\S*)/.exec(body);
    if (m && (m[1] === 'UNIT' || ['unknown', 'gaugehistogram', 'stateset', 'info'].includes(m[2]!))) {
      this.decide('openmetrics', `line ${this.lineNo} is "# ${body.slice(0, 40)}", which only OpenMetrics has`);
    }
  }

  /** The first sample line decides when nothing before it did: by its shape, then by its timestamp's size. */
  private detect(text: string, s: number, e: number): void {
    if (text.charCodeAt(s) === LB) {
      this.decide('prometheus', `line ${this.lineNo} is written {__name__=…}, as promtool tsdb dump writes (timestamps in milliseconds)`);
      return;
    }
    let q = e;
    while (q > s && !isBlank(text.charCodeAt(q - 1))) q--;
    const tok = text.slice(q, e);
    const n = Number(tok);
    // 1e11 ms is March 1973; 1e11 s is the year 5138: a history's timestamps are on one side.
    if (/[.eE]/.test(tok) || (Number.isFinite(n) && Math.abs(n) < 1e11)) {
      this.decide('openmetrics', `the timestamp on line ${this.lineNo} (${tok}) is in seconds`);
    } else {
      this.decide('prometheus', `the timestamp on line ${this.lineNo} (${tok.slice(0, 20)}) is in milliseconds`);
    }
  }
}
