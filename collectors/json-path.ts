import { JSONPath } from 'jsonpath-plus';

/**
 * JSONPath for the `json` collector: the syntax of RFC 9535 without filter expressions,
 * checked strictly when the workload file is loaded, and evaluated by jsonpath-plus.
 *
 * Why a checker in front of the library: jsonpath-plus parses leniently and never reports a
 * syntax error (`$.data[` silently means `$.data`), so a typo would pass `check` and read the
 * wrong thing for months. The checker accepts only what the library evaluates as RFC 9535
 * says, and hands it a normalized spelling (no blanks, names quoted, negative indices as
 * slices) so the library's own parser cannot read it differently.
 *
 * Filter (`[?(…)]`) and script (`[(…)]`) expressions are refused here, and evaluation runs
 * with `eval: false` as well: in jsonpath-plus they run JavaScript, and a workload file must
 * not be a way to execute code in the server.
 */

export interface CompiledPath {
  /** As written in the workload file, for messages. */
  source: string;
  /** The spelling handed to jsonpath-plus. */
  normalized: string;
  /**
   * For a path ending in a wildcard, slice or union: the path without that last selector,
   * so "the array is empty" can be told from "the path leads nowhere".
   */
  parent?: string;
  /**
   * For a path of single names and indices only (`$.count`, `$.a[0].b`, the usual per-item
   * path): its steps, walked directly instead of through the library, which costs ~5 µs a
   * call — 20,000 items × 4 paths would be half a second per page.
   */
  steps?: (string | number)[];
}

export type ParseResult = { ok: true; path: CompiledPath } | { ok: false; message: string };

/** Characters jsonpath-plus's parser gives a meaning to even inside a quoted name. */
const UNSELECTABLE = /['"[\]();,~^@`?%\\]/;
const SLICE_LIKE = /^-?\d*:-?\d*:?\d*$/;
const NAME_FIRST = /[A-Za-z_\u0080-\uffff]/;
const NAME_CHAR = /[A-Za-z0-9_\-\u0080-\uffff]/;
const MAX_INDEX = 2 ** 53 - 1;

class PathSyntaxError extends Error {}

export function parseJsonPath(source: string): ParseResult {
  try {
    return { ok: true, path: new Parser(source).parse() };
  } catch (err) {
    if (err instanceof PathSyntaxError) return { ok: false, message: err.message };
    throw err;
  }
}

/** Every node the path selects in `doc`, in document order; [] when it selects nothing. */
export function selectAll(path: CompiledPath, doc: unknown): unknown[] {
  if (path.steps) return walk(path.steps, doc);
  return evaluate(path.normalized, doc);
}

/** RFC 9535 for names and indices: a name selects in objects only, an index in arrays only. */
function walk(steps: readonly (string | number)[], doc: unknown): unknown[] {
  let node = doc;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(node)) return [];
      const i = step < 0 ? node.length + step : step;
      if (i < 0 || i >= node.length) return [];
      node = node[i];
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, step)) return [];
      node = (node as Record<string, unknown>)[step];
    }
  }
  return node === undefined ? [] : [node];
}

/** True when the path selects nothing only because the array or object it walks is empty. */
export function selectsFromEmpty(path: CompiledPath, doc: unknown): boolean {
  if (path.parent === undefined) return false;
  return evaluate(path.parent, doc).some((c) => c !== null && typeof c === 'object' && Object.keys(c).length === 0);
}

function evaluate(normalized: string, doc: unknown): unknown[] {
  // jsonpath-plus returns nothing for a falsy document (0, "", false, null) even for `$`.
  if (normalized === '$') return doc === undefined ? [] : [doc];
  if (doc === null || typeof doc !== 'object') return [];
  const found: unknown = JSONPath({ path: normalized, json: doc, eval: false, wrap: true, resultType: 'value' });
  return Array.isArray(found) ? found : [];
}

type Selector =
  | { kind: 'name'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start?: number; end?: number; step?: number };

class Parser {
  private i = 0;
  private readonly out: string[] = ['$'];
  private lastParent: string | undefined;
  private steps: (string | number)[] | undefined = [];

  constructor(private readonly src: string) {}

  parse(): CompiledPath {
    const s = this.src;
    if (s.trim() !== s) this.fail('has blanks at its start or end');
    if (s[0] !== '$') {
      this.fail(s[0] === '@' ? 'must start with "$" (here "$" is the item itself; "@" is not used)' : 'must start with "$"');
    }
    this.i = 1;
    while (this.i < s.length) this.segment();
    return { source: s, normalized: this.out.join(''), parent: this.lastParent, steps: this.steps };
  }

  private segment(): void {
    const s = this.src;
    const before = this.out.join('');
    let prefix = '';
    if (s.startsWith('..', this.i)) {
      prefix = '..';
      this.i += 2;
      if (s[this.i] === '[') return this.emit(prefix, this.bracket(), before);
    } else if (s[this.i] === '.') {
      this.i += 1;
    } else if (s[this.i] === '[') {
      return this.emit('', this.bracket(), before);
    } else {
      this.fail(`unexpected "${s[this.i]}" at character ${this.i + 1}: expected ".", ".." or "["`);
    }
    if (s[this.i] === '*') {
      this.i += 1;
      return this.emit(prefix, [{ kind: 'wildcard' }], before);
    }
    const start = this.i;
    if (!NAME_FIRST.test(s[this.i] ?? '')) {
      const what = this.i >= s.length ? 'the end' : `"${s[this.i]}"`;
      this.fail(`expected a name or "*" after "${prefix || '.'}" at character ${start + 1}, found ${what} (quote other names: ['my name'])`);
    }
    while (this.i < s.length && NAME_CHAR.test(s[this.i]!)) this.i++;
    this.emit(prefix, [{ kind: 'name', name: s.slice(start, this.i) }], before);
  }

  private emit(prefix: string, selectors: Selector[], before: string): void {
    const spelled = selectors.map((sel) => this.spell(sel, selectors.length > 1));
    this.out.push(prefix + '[' + spelled.join(',') + ']');
    const single = selectors.length === 1 ? selectors[0]! : undefined;
    if (prefix === '' && single?.kind === 'name') this.steps?.push(single.name);
    else if (prefix === '' && single?.kind === 'index') this.steps?.push(single.index);
    else this.steps = undefined;
    this.lastParent = single && (single.kind === 'name' || single.kind === 'index') ? undefined : before;
  }

  /** jsonpath-plus's spelling of one selector; inside a union names go unquoted. */
  private spell(sel: Selector, inUnion: boolean): string {
    switch (sel.kind) {
      case 'wildcard':
        return '*';
      case 'name':
        if (UNSELECTABLE.test(sel.name) || SLICE_LIKE.test(sel.name) || ['*', '..', '$', ''].includes(sel.name)) {
          this.fail(`the name "${sel.name}" cannot be selected: names that are empty, "*", "$", look like a slice, or contain any of ' " [ ] ( ) ; , ~ ^ @ \` ? % \\ are not supported`);
        }
        return inUnion ? sel.name : `'${sel.name}'`;
      case 'index':
        // A negative index is a one-element slice: jsonpath-plus reads "-1" as a name.
        if (sel.index >= 0) return String(sel.index);
        return sel.index === -1 ? '-1:' : `${sel.index}:${sel.index + 1}`;
      case 'slice': {
        if (sel.step !== undefined && sel.step < 1) this.fail('a slice step must be 1 or more (walking backwards is not supported)');
        if (sel.end === 0) this.fail('a slice that ends at 0 selects nothing');
        return `${sel.start ?? ''}:${sel.end ?? ''}${sel.step !== undefined ? ':' + sel.step : ''}`;
      }
    }
  }

  private bracket(): Selector[] {
    const open = this.i;
    this.i += 1; // [
    const selectors: Selector[] = [];
    for (;;) {
      this.blanks();
      if (this.i >= this.src.length) this.fail(`"[" at character ${open + 1} is never closed`);
      selectors.push(this.selector());
      this.blanks();
      const c = this.src[this.i];
      if (c === ']') {
        this.i += 1;
        return selectors;
      }
      if (c === ',') {
        this.i += 1;
        continue;
      }
      if (c === undefined) this.fail(`"[" at character ${open + 1} is never closed`);
      this.fail(`unexpected "${c}" at character ${this.i + 1}: expected "," or "]"`);
    }
  }

  private selector(): Selector {
    const c = this.src[this.i]!;
    if (c === "'" || c === '"') return { kind: 'name', name: this.quoted(c) };
    if (c === '*') {
      this.i += 1;
      return { kind: 'wildcard' };
    }
    if (c === '?') this.fail(`filter expressions ([?…]) are not supported: in jsonpath-plus they run code (character ${this.i + 1}); select with paths and labels instead`);
    if (c === '(') this.fail(`script expressions ([(…)]) are not supported: they run code (character ${this.i + 1})`);
    if (c === '-' || c === ':' || /\d/.test(c)) return this.indexOrSlice();
    if (c === ']') this.fail(`empty brackets at character ${this.i + 1}: expected a name in quotes, an index, a slice or "*"`);
    this.fail(`unexpected "${c}" at character ${this.i + 1}: inside [ ] expected a name in quotes ('name'), an index, a slice or "*"`);
  }

  private indexOrSlice(): Selector {
    const first = this.integer();
    this.blanks();
    if (this.src[this.i] !== ':') {
      if (first === undefined) this.fail(`expected an index at character ${this.i + 1}`);
      return { kind: 'index', index: first };
    }
    this.i += 1;
    this.blanks();
    const end = this.integer();
    this.blanks();
    let step: number | undefined;
    if (this.src[this.i] === ':') {
      this.i += 1;
      this.blanks();
      step = this.integer();
    }
    return { kind: 'slice', start: first, end, step };
  }

  private integer(): number | undefined {
    const m = /^-?(0|[1-9]\d*)/.exec(this.src.slice(this.i));
    if (!m) {
      if (this.src[this.i] === '-') this.fail(`expected a number after "-" at character ${this.i + 1}`);
      return undefined;
    }
    const digits = /^-?\d+/.exec(this.src.slice(this.i))![0];
    if (digits !== m[0] || m[0] === '-0') this.fail(`"${digits}" at character ${this.i + 1}: write integers without leading zeros (and not -0)`);
    const n = Number(m[0]);
    if (Math.abs(n) > MAX_INDEX) this.fail(`${m[0]} at character ${this.i + 1} is out of range`);
    this.i += m[0].length;
    return n;
  }

  private quoted(q: string): string {
    const start = this.i;
    this.i += 1;
    let name = '';
    while (this.i < this.src.length) {
      const c = this.src[this.i]!;
      if (c === q) {
        this.i += 1;
        return name;
      }
      if (c === '\\') {
        const e = this.src[this.i + 1];
        const simple: Record<string, string> = { "'": "'", '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && simple[e] !== undefined) {
          name += simple[e];
          this.i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.src.slice(this.i + 2, this.i + 6))) {
          name += String.fromCharCode(parseInt(this.src.slice(this.i + 2, this.i + 6), 16));
          this.i += 6;
        } else this.fail(`invalid escape "\\${e ?? ''}" at character ${this.i + 1}`);
        continue;
      }
      if (c < ' ') this.fail(`a control character at character ${this.i + 1} must be escaped`);
      name += c;
      this.i += 1;
    }
    this.fail(`the quoted name at character ${start + 1} is never closed`);
  }

  private blanks(): void {
    while (/[ \t\n\r]/.test(this.src[this.i] ?? '')) this.i++;
  }

  private fail(message: string): never {
    throw new PathSyntaxError(message);
  }
}
