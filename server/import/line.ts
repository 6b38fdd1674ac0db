/**
 * One history line read in full, with the column of whatever is wrong: the slow path of the
 * import parser, taken the first time a series' text is seen and for any line the fast path
 * cannot read. Three shapes are accepted:
 *
 *   name{label="v",…} value timestamp          Prometheus text / OpenMetrics
 *   name value timestamp
 *   {__name__="name", label="v", …} value ts   `promtool tsdb dump` (labels Go-quoted)
 *
 * followed, in OpenMetrics, by an optional exemplar (`# {…} value [ts]`), which is skipped.
 * Label values use the text format's escapes (`\\`, `\"`, `\n`; any other kept as written,
 * as Prometheus's scrape does) in the first two shapes, and Go's strconv.Quote escapes in the
 * dump shape, which is how promtool writes them.
 */
import { parseFloatToken } from '../../collectors/prom-float.js';
import { unquoteGo } from './go-quote.js';
import { MAX_TS_MS, MAX_TS_YEAR } from './numbers.js';

export class ImportSyntaxError extends Error {
  override name = 'ImportSyntaxError';
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

export interface FullLine {
  name: string;
  labels: Record<string, string>;
  value: number;
  ts: number;
  /** Where the series text (`name{…}`) ends: the fast path may cache it under text[start, keyEnd). */
  keyEnd: number;
}

const SP = 32, TAB = 9, HASH = 35, LB = 123, RB = 125, COMMA = 44, EQ = 61, QUOTE = 34, BS = 92;

const isBlank = (c: number) => c === SP || c === TAB;
const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57);
const isLabelStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isLabelChar = (c: number) => isLabelStart(c) || (c >= 48 && c <= 57);

/** Reads text[start, end) (trimmed, not a comment) as one sample line, or throws ImportSyntaxError. */
export function readFullLine(text: string, start: number, end: number, lineNo: number, seconds: boolean): FullLine {
  let i = start;
  const fail: (message: string, at?: number) => never = (message, at = i) => {
    throw new ImportSyntaxError(lineNo, at - start + 1, message);
  };
  const found = () => (i >= end ? 'end of line' : JSON.stringify(text.slice(i, Math.min(end, i + 20)) + (end - i > 20 ? '…' : '')));
  const skipBlanks = () => {
    while (i < end && isBlank(text.charCodeAt(i))) i++;
  };
  const token = () => {
    const s = i;
    while (i < end && !isBlank(text.charCodeAt(i))) i++;
    return text.slice(s, i);
  };

  const labels: Record<string, string> = {};
  let name: string | undefined;
  if (text.charCodeAt(i) === LB) {
    i++;
    readLabels(true);
    name = labels['__name__'];
    if (name === undefined) fail('a series written as {…} needs a __name__ label (promtool tsdb dump writes one)', start);
    delete labels['__name__'];
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) fail(`__name__ ${JSON.stringify(name)} is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)`, start);
  } else {
    if (!isNameStart(text.charCodeAt(i))) fail(`expected a metric name or "{", found ${found()}`);
    while (i < end && isNameChar(text.charCodeAt(i))) i++;
    name = text.slice(start, i);
    if (i < end && text.charCodeAt(i) === LB) {
      i++;
      readLabels(false);
      if (labels['__name__'] !== undefined) fail(`${name} has a __name__ label as well as a name`, start);
    }
  }
  const keyEnd = i;
  if (i < end && !isBlank(text.charCodeAt(i))) fail(`unexpected ${found()} after the series ${name}`);
  skipBlanks();
  const valueAt = i;
  const valueTok = token();
  if (valueTok === '') fail(`missing value for ${name}`);
  const value = parseFloatToken(valueTok);
  if (value === undefined) fail(`invalid value ${JSON.stringify(valueTok)} for ${name}`, valueAt);
  skipBlanks();
  const tsAt = i;
  if (i >= end || text.charCodeAt(i) === HASH) {
    fail(`sample of ${name} has no timestamp; import loads history, so every sample needs one (${seconds ? 'OpenMetrics: seconds since the epoch' : 'Prometheus text: milliseconds since the epoch'})`);
  }
  const tsTok = token();
  const ts = timestamp(tsTok, tsAt);
  skipBlanks();
  // An OpenMetrics exemplar after the timestamp is not a sample: skipped.
  if (i < end && !(seconds && text.charCodeAt(i) === HASH)) fail(`unexpected ${found()} after the timestamp`);
  return { name: name!, labels, value: value!, ts, keyEnd };

  function timestamp(tok: string, at: number): number {
    const n = Number(tok);
    if (!Number.isFinite(n) || tok.trim() !== tok || /^[+-]?0[xXbBoO]/.test(tok)) fail(`invalid timestamp ${JSON.stringify(tok)}`, at);
    const ms = seconds ? Math.round(n * 1000) : n;
    if (!seconds && !Number.isInteger(n)) fail(`timestamp ${tok} is not a whole number of milliseconds (Prometheus text); OpenMetrics timestamps are seconds: use --format openmetrics`, at);
    if (ms < 0) fail(`timestamp ${tok} is before 1970`, at);
    if (ms > MAX_TS_MS) {
      fail(
        seconds
          ? `timestamp ${tok} s is after the latest time the store holds (year ${MAX_TS_YEAR}); if the file's timestamps are milliseconds, use --format prometheus`
          : `timestamp ${tok} ms is after the latest time the store holds (year ${MAX_TS_YEAR})`,
        at,
      );
    }
    return ms;
  }

  function readLabels(goQuoted: boolean): void {
    for (;;) {
      skipBlanks();
      if (i >= end) fail('unterminated label set: missing "}"');
      if (text.charCodeAt(i) === RB) {
        i++;
        return;
      }
      const at = i;
      if (!isLabelStart(text.charCodeAt(i))) fail(`expected a label name, found ${found()}`);
      while (i < end && isLabelChar(text.charCodeAt(i))) i++;
      const label = text.slice(at, i);
      // Assigning __proto__ on a plain object would change its prototype, not add a label.
      if (label === '__proto__') fail('label name __proto__ is not allowed', at);
      skipBlanks();
      if (i >= end || text.charCodeAt(i) !== EQ) fail(`expected "=" after label ${label}, found ${found()}`);
      i++;
      skipBlanks();
      if (i >= end || text.charCodeAt(i) !== QUOTE) fail(`expected a quoted value for label ${label}, found ${found()}`);
      const quoteAt = i;
      i++;
      const value = goQuoted ? goValue(label, quoteAt) : textValue(label, quoteAt);
      if (labels[label] !== undefined) fail(`duplicate label ${label}`, at);
      labels[label] = value;
      skipBlanks();
      const c = i < end ? text.charCodeAt(i) : -1;
      if (c === COMMA) i++;
      else if (c !== RB) fail(`expected "," or "}" after the value of label ${label}, found ${found()}`);
    }
  }

  /** From after the opening quote to after the closing one; the text format's three escapes. */
  function textValue(label: string, quoteAt: number): string {
    let out = '';
    let chunk = i;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        out += text.slice(chunk, i);
        i++;
        return out;
      }
      if (c === BS) {
        if (i + 1 >= end) break;
        const n = text.charCodeAt(i + 1);
        out += text.slice(chunk, i) + (n === BS ? '\\' : n === QUOTE ? '"' : n === 110 ? '\n' : text.slice(i, i + 2));
        i += 2;
        chunk = i;
        continue;
      }
      i++;
    }
    return fail(`unterminated value for label ${label}: missing closing quote`, quoteAt);
  }

  /** A Go-quoted value (strconv.Quote), from its opening quote at `quoteAt`. */
  function goValue(label: string, quoteAt: number): string {
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      i += c === BS ? 2 : 1;
    }
    if (i >= end) fail(`unterminated value for label ${label}: missing closing quote`, quoteAt);
    i++;
    const v = unquoteGo(text.slice(quoteAt + 1, i - 1));
    if (typeof v !== 'string') fail(`label ${label}: ${v.error}`, quoteAt + 1 + v.at);
    return v as string;
  }
}
