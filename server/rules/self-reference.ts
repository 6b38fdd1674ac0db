import { compilePattern } from '../../collectors/pattern.js';

/**
 * Whether a PromQL expression selects series named `name`: a bare metric name outside strings,
 * label-matcher braces and grouping lists, or a `__name__` matcher that accepts `name`.
 *
 * Used before recording `record: name, expr: query`: if the query selects `name` itself, the
 * rule would read its own output on the next evaluation (values inflate, sums double), so
 * `pillarboard rules` refuses it. A scanner, not a parser: it errs towards "selects" only
 * for a token that is a metric name in every PromQL position it can occupy.
 */
export function selectsMetric(expr: string, name: string): boolean {
  let i = 0;
  const n = expr.length;
  const ident = /[A-Za-z_:][A-Za-z0-9_:]*/y;
  let previousWord = '';
  while (i < n) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
      continue;
    }
    if (c === '#') {
      // A comment runs to the end of the line.
      const nl = expr.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
      continue;
    }
    if (c === '{') {
      const end = matching(expr, i, '{', '}');
      if (nameMatcherAccepts(expr.slice(i + 1, end), name)) return true;
      i = end + 1;
      continue;
    }
    if (c === '(' && GROUPING.has(previousWord)) {
      // by (...), without (...), on (...), ignoring (...), group_left (...): label names.
      i = matching(expr, i, '(', ')') + 1;
      previousWord = '';
      continue;
    }
    if (c === '[') {
      i = matching(expr, i, '[', ']') + 1;
      continue;
    }
    ident.lastIndex = i;
    const m = ident.exec(expr);
    if (m && (i === 0 || !/[A-Za-z0-9_:.]/.test(expr[i - 1]!))) {
      const word = m[0];
      i += word.length;
      let j = i;
      while (j < n && /\s/.test(expr[j]!)) j++;
      const isCall = expr[j] === '(';
      if (word === name && !isCall && !KEYWORDS.has(word.toLowerCase())) return true;
      previousWord = word.toLowerCase();
      continue;
    }
    if (!/\s/.test(c)) previousWord = '';
    i++;
  }
  return false;
}

const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

function skipString(s: string, start: number): number {
  const q = s[start]!;
  let i = start + 1;
  while (i < s.length && s[i] !== q) i += q !== '`' && s[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Index of the bracket closing the one at `start` (strings inside skipped), or the end. */
function matching(s: string, start: number, open: string, close: string): number {
  let depth = 0;
  let i = start;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(s, i);
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return i;
    i++;
  }
  return s.length;
}

/** `__name__="x"` / `__name__=~"x|y"` inside braces that would match `name`. */
function nameMatcherAccepts(matchers: string, name: string): boolean {
  const re = /__name__\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/g;
  for (const m of matchers.matchAll(re)) {
    const value = unquote(m[2]!);
    const op = m[1];
    if (op === '=' && value === name) return true;
    if (op === '=~') {
      try {
        // RE2 semantics, as Prometheus matches it, in linear time.
        if (compilePattern(value, { anchored: true }).test(name)) return true;
      } catch {
        // Not a pattern Prometheus would accept either: be conservative and say no.
      }
    }
  }
  return false;
}

function unquote(q: string): string {
  if (q.startsWith('`')) return q.slice(1, -1);
  return q.slice(1, -1).replace(/\\(.)/g, '$1');
}
