import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Just enough Markdown reading for the docs-match test: fenced code blocks (with their
 * language and first line), inline code spans outside fences, and pipe tables. The docs are
 * plain CommonMark written by us — no nested fences, no indented code blocks — so a line
 * scanner is exact for them.
 */

export interface DocFile {
  /** Path relative to the repository root, e.g. `docs/events.md`. */
  file: string;
  text: string;
  lines: string[];
}

export interface Fence {
  doc: DocFile;
  lang: string;
  /** 1-based line of the first content line. */
  line: number;
  body: string;
}

export interface Span {
  doc: DocFile;
  line: number;
  code: string;
  /** The whole source line the span is on (for context such as tables). */
  source: string;
}

export const where = (x: { doc: DocFile; line: number }) => `${x.doc.file}:${x.line}`;

/** README.md and every docs/*.md. */
export function readDocs(root: string): DocFile[] {
  const files = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  return files.map((file) => {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    return { file, text, lines: text.split('\n') };
  });
}

/** Fenced blocks and, outside them, inline code spans. */
export function scan(doc: DocFile): { fences: Fence[]; spans: Span[] } {
  const fences: Fence[] = [];
  const spans: Span[] = [];
  let open: { lang: string; line: number; body: string[] } | null = null;
  doc.lines.forEach((raw, i) => {
    const fence = /^\s*```(\w*)/.exec(raw);
    if (fence) {
      if (open) {
        fences.push({ doc, lang: open.lang, line: open.line, body: open.body.join('\n') + '\n' });
        open = null;
      } else open = { lang: fence[1]!, line: i + 2, body: [] };
      return;
    }
    if (open) {
      open.body.push(raw);
      return;
    }
    // Inline code: a run of N backticks up to the next run of exactly N.
    const re = /(`+)([\s\S]*?[^`])\1(?!`)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(raw))) spans.push({ doc, line: i + 1, code: m[2]!.trim(), source: raw });
  });
  return { fences, spans };
}

export interface Table {
  doc: DocFile;
  line: number;
  header: string[];
  rows: Array<{ line: number; cells: string[] }>;
}

/** Splits a table row on `|` that is neither escaped (`\|`) nor inside a code span. */
export function cells(row: string): string[] {
  const out: string[] = [];
  let cur = '';
  let code = false;
  const s = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && s[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (c === '`') {
      code = !code;
      cur += c;
    } else if (c === '|' && !code) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

export function tables(doc: DocFile): Table[] {
  const out: Table[] = [];
  let inFence = false;
  for (let i = 0; i < doc.lines.length; i++) {
    const line = doc.lines[i]!;
    if (/^\s*```/.test(line)) inFence = !inFence;
    if (inFence) continue;
    if (/^\|.*\|\s*$/.test(line) && /^\|[\s:|-]+\|\s*$/.test(doc.lines[i + 1] ?? '')) {
      const t: Table = { doc, line: i + 1, header: cells(line), rows: [] };
      let j = i + 2;
      for (; j < doc.lines.length && /^\|/.test(doc.lines[j]!); j++) t.rows.push({ line: j + 1, cells: cells(doc.lines[j]!) });
      out.push(t);
      i = j - 1;
    }
  }
  return out;
}

/** Code spans in a piece of Markdown (a table cell). */
export function codeSpans(md: string): string[] {
  return [...md.matchAll(/(`+)([\s\S]*?[^`])\1(?!`)/g)].map((m) => m[2]!.trim());
}
