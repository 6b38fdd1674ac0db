import { LineCounter, parseDocument } from 'yaml';
import { locate } from '../../validation/locate.js';
import { LENS_LIMITS, type LensDocument } from './format.js';
import { formatJsonPath, validateLens, type JsonPath } from './validate.js';

/**
 * A lens file's text → a validated lens, or every fault with its JSON path and, where the text
 * lets us find it, its line and column (1-based; 0 when unknown). JSON is parsed with
 * JSON.parse; positions come from reading the same text as YAML (JSON is YAML), which also
 * catches duplicate keys that JSON.parse would silently resolve.
 */

export interface PositionedLensIssue {
  path: string;
  line: number;
  column: number;
  message: string;
}

/** A valid lens may still carry warnings (unknown keys kept, an empty url…), positioned like faults. */
export type LensTextResult = { ok: true; lens: LensDocument; warnings: PositionedLensIssue[] } | { ok: false; issues: PositionedLensIssue[] };

/** `file:line:column: $.path: message` (the position is left out when unknown). */
export function formatLensIssue(file: string, issue: PositionedLensIssue): string {
  const where = issue.line > 0 ? `${file}:${issue.line}:${issue.column}` : file;
  return `${where}: ${issue.path}: ${issue.message}`;
}

export function parseLensText(text: string): LensTextResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > LENS_LIMITS.fileBytes) {
    return fail([{ path: '$', line: 0, column: 0, message: `the lens is ${bytes} bytes; the format allows at most ${LENS_LIMITS.fileBytes} (500 KB)` }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const { line, column } = syntaxPosition(text, (err as Error).message);
    return fail([{ path: '$', line, column, message: `not valid JSON: ${(err as Error).message}` }]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, logLevel: 'silent' });
  const duplicates: PositionedLensIssue[] = doc.errors
    .filter((e) => e.code === 'DUPLICATE_KEY')
    .map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return { path: '$', line: pos.line, column: pos.col, message: 'duplicate key in an object (JSON keeps only the last; remove one)' };
    });
  const result = validateLens(value);
  const position = (issue: { path: JsonPath; message: string }, at: 'key' | 'value'): PositionedLensIssue => {
    const pos = doc.errors.length === 0 ? locate(doc, lines, issue.path as JsonPath, at) : { line: 0, column: 0 };
    return { path: formatJsonPath(issue.path), line: pos.line, column: pos.column, message: issue.message };
  };
  if (result.ok && duplicates.length === 0) {
    return { ok: true, lens: result.lens, warnings: result.warnings.map((w) => position(w, 'key')).sort(byPosition) };
  }
  return fail([...duplicates, ...(result.ok ? [] : result.issues.map((i) => position(i, 'value')))]);
}

const byPosition = (a: PositionedLensIssue, b: PositionedLensIssue) => a.line - b.line || a.column - b.column;

function fail(issues: PositionedLensIssue[]): LensTextResult {
  return { ok: false, issues: issues.sort(byPosition) };
}

/** V8 says "… at position N" (older Node) or "(line L column C)"; otherwise the offset is found by scanning. */
function syntaxPosition(text: string, message: string): { line: number; column: number } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  const offset = pos ? Number(pos[1]) : jsonErrorOffset(text);
  if (offset === null) return { line: 0, column: 0 };
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/**
 * Offset of the first character where `text` stops being JSON (RFC 8259), or null when it is
 * JSON. Only for error positions: JSON.parse in Node 20 no longer says where it failed.
 */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (const ch of word) if (text[i++] !== ch) (i--, fail());
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail();
      const ch = text[i]!;
      if (ch === '"') return void i++;
      if (ch < ' ') fail();
      if (ch === '\\') {
        i++;
        const e = text[i];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail();
      } else i++;
    }
  };
  const value = (depth: number): void => {
    if (depth > 512) fail();
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    const num = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(text.slice(i, i + 400));
    if (!num) fail();
    i += num![0].length;
  };
  try {
    value(0);
    ws();
    return i < text.length ? i : null;
  } catch (at) {
    if (typeof at === 'number') return Math.min(at, text.length);
    throw at;
  }
}
