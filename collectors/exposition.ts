/**
 * A parser for the Prometheus text exposition format (0.0.4), tolerant of the parts
 * of OpenMetrics a target may send instead (`# EOF`, exemplars, `_created`, seconds
 * timestamps when told the body is OpenMetrics).
 *
 * Contract: a malformed line never fails the page. It is reported in `errors` with its
 * 1-based line number and skipped; every other line is kept. The caller decides what
 * too many errors mean. Written as a single pass over char codes with no regexes in
 * the per-line path: a 2,000-series page must parse in a few milliseconds.
 */

import { parseFloatToken } from './prom-float.js';
import { METRIC_TYPES, seriesSuffix, unescapeHelp, type MetricType } from './exposition-syntax.js';

export type { MetricType };
export { parseFloatToken };

export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** From the page, in ms; absent when the line carries none. */
  timestampMs?: number;
  /** The family this sample belongs to: `x` for `x_bucket`, `x_sum`, `x_count` of histogram `x`. */
  family: string;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help?: string;
}

export interface ExpositionError {
  line: number;
  message: string;
}

export interface ExpositionResult {
  samples: ExpositionSample[];
  /** Every family seen, typed or not (a sample with no TYPE line is `untyped`). */
  families: Map<string, MetricFamily>;
  errors: ExpositionError[];
  /** Lines read, blank and comment lines included. */
  lines: number;
}

export interface ParseOptions {
  /** The body is OpenMetrics: timestamps are in seconds. */
  openMetrics?: boolean;
}

// Char codes and classes of the hot path.
const SPACE = 32, TAB = 9, CR = 13, HASH = 35, LBRACE = 123, RBRACE = 125, COMMA = 44, EQ = 61, QUOTE = 34, BSLASH = 92;

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58; // a-z A-Z _ :
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}
function isLabelStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isLabelChar(c: number): boolean {
  return isLabelStart(c) || (c >= 48 && c <= 57);
}

/** A problem with the current line: recorded with its number, and parsing goes on. */
class LineError extends Error {}

export function parseExposition(text: string, opts: ParseOptions = {}): ExpositionResult {
  return new Parser(text, opts).run();
}

class Parser {
  private i = 0;
  private end = 0;
  private lineNo = 0;
  private readonly samples: ExpositionSample[] = [];
  private readonly families = new Map<string, MetricFamily>();
  private readonly errors: ExpositionError[] = [];
  private readonly typed = new Set<string>();
  private readonly helped = new Set<string>();
  /** The family of the last HELP/TYPE line: samples that follow belong to it. */
  private current: MetricFamily | undefined;

  constructor(
    private readonly text: string,
    private readonly opts: ParseOptions,
  ) {}

  run(): ExpositionResult {
    const { text } = this;
    const len = text.length;
    let pos = 0;
    while (pos < len) {
      let nl = text.indexOf('\n', pos);
      if (nl === -1) nl = len;
      this.lineNo++;
      let end = nl;
      if (end > pos && text.charCodeAt(end - 1) === CR) end--;
      this.i = pos;
      this.end = end;
      try {
        if (this.line() === 'eof') break;
      } catch (err) {
        if (!(err instanceof LineError)) throw err;
        this.errors.push({ line: this.lineNo, message: err.message });
      }
      pos = nl + 1;
    }
    return { samples: this.samples, families: this.families, errors: this.errors, lines: this.lineNo };
  }

  private fail(message: string): never {
    throw new LineError(message);
  }

  private skipBlanks(): void {
    const { text } = this;
    while (this.i < this.end) {
      const c = text.charCodeAt(this.i);
      if (c !== SPACE && c !== TAB) break;
      this.i++;
    }
  }

  private line(): 'eof' | void {
    this.skipBlanks();
    if (this.i >= this.end) return;
    if (this.text.charCodeAt(this.i) === HASH) return this.comment();
    this.sample();
  }

  private comment(): 'eof' | void {
    this.i++;
    this.skipBlanks();
    const word = this.token();
    if (word === 'EOF' && this.opts.openMetrics && this.i >= this.end) return 'eof';
    if (word !== 'HELP' && word !== 'TYPE') return; // an ordinary comment
    this.skipBlanks();
    const name = this.metricName();
    if (word === 'HELP') {
      if (this.helped.has(name)) this.fail(`second HELP line for ${name}`);
      this.helped.add(name);
      this.skipBlanks();
      this.family(name).help = unescapeHelp(this.text.slice(this.i, this.end));
      return;
    }
    this.skipBlanks();
    const type = this.token().toLowerCase();
    if (type === '') this.fail(`missing metric type for ${name}`);
    if (!METRIC_TYPES.has(type)) this.fail(`unknown metric type "${type}" for ${name}`);
    if (this.typed.has(name)) this.fail(`second TYPE line for ${name}`);
    this.typed.add(name);
    this.family(name).type = type as MetricType;
  }

  private family(name: string): MetricFamily {
    let f = this.families.get(name);
    if (!f) {
      f = { name, type: 'untyped' };
      this.families.set(name, f);
    }
    this.current = f;
    return f;
  }

  /** Characters up to the next blank or end of line. */
  private token(): string {
    const start = this.i;
    const { text } = this;
    while (this.i < this.end) {
      const c = text.charCodeAt(this.i);
      if (c === SPACE || c === TAB) break;
      this.i++;
    }
    return text.slice(start, this.i);
  }

  private metricName(): string {
    const { text } = this;
    const start = this.i;
    if (this.i >= this.end || !isNameStart(text.charCodeAt(this.i))) {
      this.fail(`expected a metric name, found ${this.found()}`);
    }
    this.i++;
    while (this.i < this.end && isNameChar(text.charCodeAt(this.i))) this.i++;
    return text.slice(start, this.i);
  }

  private found(): string {
    if (this.i >= this.end) return 'end of line';
    const rest = this.text.slice(this.i, Math.min(this.end, this.i + 20));
    return JSON.stringify(rest + (this.end - this.i > 20 ? '…' : ''));
  }

  private sample(): void {
    const { text } = this;
    const name = this.metricName();
    const afterName = this.i;
    this.skipBlanks();
    const labels: Record<string, string> = {};
    if (this.i < this.end && text.charCodeAt(this.i) === LBRACE) {
      this.i++;
      this.labels(labels);
      this.skipBlanks();
    } else if (this.i === afterName && this.i < this.end) {
      this.fail(`unexpected ${this.found()} in metric name ${name}`);
    }
    const valueTok = this.token();
    if (valueTok === '') this.fail(`missing value for ${name}`);
    const value = parseFloatToken(valueTok);
    if (value === undefined) this.fail(`invalid value ${JSON.stringify(valueTok)} for ${name}`);
    this.skipBlanks();
    let timestampMs: number | undefined;
    if (this.i < this.end && text.charCodeAt(this.i) !== HASH) {
      const tsTok = this.token();
      timestampMs = this.timestamp(tsTok);
      this.skipBlanks();
    }
    // `# {...} 1.0` after the value is an OpenMetrics exemplar: not a sample, ignored.
    if (this.i < this.end && text.charCodeAt(this.i) !== HASH) {
      this.fail(`unexpected text after the sample: ${this.found()}`);
    }
    const family = this.familyOf(name);
    if ((family.type === 'histogram' || family.type === 'gaugehistogram') && name.length === family.name.length + 7 && name.endsWith('_bucket') && labels['le'] === undefined) {
      this.fail(`${family.type} bucket ${name} has no "le" label`);
    }
    const s: ExpositionSample = { name, labels, value, family: family.name };
    if (timestampMs !== undefined) s.timestampMs = timestampMs;
    this.samples.push(s);
  }

  private timestamp(tok: string): number {
    const n = Number(tok);
    if (tok === '' || !Number.isFinite(n)) this.fail(`invalid timestamp ${JSON.stringify(tok)}`);
    if (this.opts.openMetrics) return Math.round(n * 1000);
    if (!Number.isInteger(n)) this.fail(`timestamp ${JSON.stringify(tok)} is not an integer number of milliseconds`);
    return n;
  }

  /** The sample's family: the current HELP/TYPE family if the name is one of its series. */
  private familyOf(name: string): MetricFamily {
    const cur = this.current;
    if (cur !== undefined) {
      if (name === cur.name) return cur;
      if (name.length > cur.name.length && name.startsWith(cur.name) && name.charCodeAt(cur.name.length) === 95) {
        const suffix = name.slice(cur.name.length);
        if (seriesSuffix(cur.type, suffix)) return cur;
      }
    }
    const known = this.families.get(name);
    if (known) return known;
    const f: MetricFamily = { name, type: 'untyped' };
    this.families.set(name, f);
    return f;
  }

  private labels(into: Record<string, string>): void {
    const { text } = this;
    for (;;) {
      this.skipBlanks();
      if (this.i >= this.end) this.fail('unterminated label set: missing "}"');
      if (text.charCodeAt(this.i) === RBRACE) {
        this.i++;
        return;
      }
      const start = this.i;
      if (!isLabelStart(text.charCodeAt(this.i))) this.fail(`expected a label name, found ${this.found()}`);
      this.i++;
      while (this.i < this.end && isLabelChar(text.charCodeAt(this.i))) this.i++;
      const label = text.slice(start, this.i);
      // Assigning __proto__ on a plain object would change its prototype, not add a label.
      if (label === '__proto__') this.fail('label name __proto__ is not allowed');
      this.skipBlanks();
      if (this.i >= this.end || text.charCodeAt(this.i) !== EQ) this.fail(`expected "=" after label ${label}, found ${this.found()}`);
      this.i++;
      this.skipBlanks();
      if (this.i >= this.end || text.charCodeAt(this.i) !== QUOTE) this.fail(`expected a quoted value for label ${label}, found ${this.found()}`);
      this.i++;
      const value = this.labelValue(label);
      if (into[label] !== undefined) this.fail(`duplicate label ${label}`);
      into[label] = value;
      this.skipBlanks();
      const c = this.i < this.end ? text.charCodeAt(this.i) : -1;
      if (c === COMMA) this.i++;
      else if (c !== RBRACE) this.fail(`expected "," or "}" after the value of label ${label}, found ${this.found()}`);
    }
  }

  /** From after the opening quote to after the closing one; unescapes \\, \" and \n, keeps any other escape as written. */
  private labelValue(label: string): string {
    const { text } = this;
    const start = this.i;
    let out: string | undefined; // built only when the value has escapes
    let chunk = start;
    while (this.i < this.end) {
      const c = text.charCodeAt(this.i);
      if (c === QUOTE) {
        const value = out === undefined ? text.slice(start, this.i) : out + text.slice(chunk, this.i);
        this.i++;
        return value;
      }
      if (c === BSLASH) {
        const n = text.charCodeAt(this.i + 1);
        if (this.i + 1 >= this.end) break; // a backslash ending the line escapes nothing: unterminated
        // An unknown escape (`\z`) is kept as written, backslash included: Prometheus 2.42's
        // scrape does the same (its lexer accepts `\\.`, its replacer knows only three).
        const rep = n === BSLASH ? '\\' : n === QUOTE ? '"' : n === 110 /* n */ ? '\n' : text.slice(this.i, this.i + 2);
        out = (out ?? '') + text.slice(chunk, this.i) + rep;
        this.i += 2;
        chunk = this.i;
        continue;
      }
      this.i++;
    }
    this.fail(`unterminated value for label ${label}: missing closing quote`);
  }
}
