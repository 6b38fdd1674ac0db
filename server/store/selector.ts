import { compilePattern, PatternError, type Pattern } from '../../collectors/pattern.js';
import type { LabelMatcher, Selector } from './types.js';

/**
 * A selector the user wrote that cannot be used. `position` is 1-based (the
 * character a human would count to); the message names it and what was expected.
 */
export class SelectorError extends Error {
  constructor(
    message: string,
    readonly position?: number,
  ) {
    super(message);
    this.name = 'SelectorError';
  }
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL_CHAR = /[a-zA-Z0-9_]/;
const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', n: '\n', t: '\t', r: '\r' };

/**
 * Parses a PromQL-style series selector: `name`, `name{l="v",l2=~"re"}`,
 * `{__name__=~"node_.*"}`. Strings take " or ' quotes with escapes \" \' \\ \n \t \r.
 * `context` prefixes error messages (the API passes its parameter name).
 * Throws SelectorError on a syntax error, an invalid regex, or a selector that
 * could match every series (PromQL's rule: at least one matcher must not match "").
 */
export function parseSelector(text: string, context = 'match'): Selector {
  let i = 0;
  const fail: (what: string, at?: number) => never = (what, at = i) => {
    const found = at < text.length ? `found '${text[at]}'` : 'found end of input';
    throw new SelectorError(`${context}: expected ${what} at position ${at + 1} (${found})`, at + 1);
  };
  const skipWs = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const ident = (start: RegExp, rest: RegExp): string => {
    const from = i;
    if (i < text.length && start.test(text[i]!)) {
      i++;
      while (i < text.length && rest.test(text[i]!)) i++;
    }
    return text.slice(from, i);
  };
  const quoted = (): string => {
    const q = text[i];
    if (q !== '"' && q !== "'") fail(`'"'`);
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) fail(`closing ${q}`);
      const c = text[i]!;
      if (c === q) {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = text[i + 1];
        const mapped = e === undefined ? undefined : ESCAPES[e];
        if (mapped === undefined) fail(`an escape (\\" \\' \\\\ \\n \\t \\r)`, i + 1);
        out += mapped;
        i += 2;
      } else {
        out += c;
        i++;
      }
    }
  };

  skipWs();
  const sel: Selector = { matchers: [] };
  const name = ident(NAME_START, NAME_CHAR);
  if (name) sel.name = name;
  skipWs();
  if (text[i] === '{') {
    i++;
    skipWs();
    while (text[i] !== '}') {
      const labelAt = i;
      const label = ident(LABEL_START, LABEL_CHAR);
      if (!label) fail('a label name');
      skipWs();
      let op: LabelMatcher['op'];
      if (text.startsWith('=~', i)) op = '=~';
      else if (text.startsWith('!~', i)) op = '!~';
      else if (text.startsWith('!=', i)) op = '!=';
      else if (text[i] === '=') op = '=';
      else return fail(`one of = != =~ !~`);
      i += op.length;
      skipWs();
      const valueAt = i;
      const value = quoted();
      if (op === '=~' || op === '!~') {
        try {
          compilePattern(value, { anchored: true });
        } catch (err) {
          throw new SelectorError(
            `${context}: invalid regular expression for label '${label}' at position ${valueAt + 1}: ${err instanceof PatternError ? err.reason : (err as Error).message}`,
            valueAt + 1,
          );
        }
      }
      if (label === '__name__' && sel.name !== undefined) {
        throw new SelectorError(`${context}: metric name given twice (position ${labelAt + 1})`, labelAt + 1);
      }
      sel.matchers.push({ label, op, value });
      skipWs();
      if (text[i] === ',') {
        i++;
        skipWs();
      } else if (text[i] !== '}') {
        fail(`',' or '}'`);
      }
    }
    i++;
    skipWs();
  } else if (!name) {
    fail(`a metric name or '{'`);
  }
  if (i < text.length) fail('end of selector');
  assertSelective(sel, context);
  return sel;
}

/** PromQL's rule: a selector needs a name or a matcher that does not match the empty string. */
export function assertSelective(sel: Selector, context = 'match'): void {
  if (sel.name !== undefined && sel.name !== '') return;
  if (sel.matchers.some((m) => !compileMatcher(m)(''))) return;
  throw new SelectorError(`${context}: a selector needs a metric name or at least one matcher that does not match the empty string`);
}

const regexCache = new Map<string, Pattern>();
/** RE2 semantics (linear time, as Prometheus), fully anchored; see collectors/pattern.ts. */
function anchored(re: string): Pattern {
  let r = regexCache.get(re);
  if (!r) {
    try {
      r = compilePattern(re, { anchored: true });
    } catch (err) {
      const reason = err instanceof PatternError ? err.reason : (err as Error).message;
      throw new SelectorError(`invalid regular expression "${re.length > 80 ? `${re.slice(0, 80)}…` : re}": ${reason}`);
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(re, r);
  }
  return r;
}

/**
 * A predicate for one matcher over a label value; an absent label is "" (PromQL),
 * so `x!="y"` matches series without x and `x=""` selects series without x.
 * Regexes use RE2 syntax and run in linear time; fully anchored, `.` also matches newline, as in PromQL.
 */
export function compileMatcher(m: LabelMatcher): (value: string) => boolean {
  switch (m.op) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~': {
      const re = anchored(m.value);
      return (v) => re.test(v);
    }
    case '!~': {
      const re = anchored(m.value);
      return (v) => !re.test(v);
    }
  }
}

/** Renders a selector back to text that parseSelector reads to an equal selector. */
export function formatSelector(sel: Selector): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  const body = sel.matchers.map((m) => `${m.label}${m.op}"${esc(m.value)}"`).join(',');
  return `${sel.name ?? ''}${body || !sel.name ? `{${body}}` : ''}`;
}
