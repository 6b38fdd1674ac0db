import type { z } from 'zod';
import type { PathIssue } from './issues.js';
import type { Path } from './path.js';
import { closest } from './suggest.js';

/**
 * zod's issues → PathIssues with messages written for the person editing the
 * file: an unknown key becomes one issue per key, at the key, with a "did you
 * mean" hint; a missing value says which key is missing; a wrong type says
 * what was found.
 */

export interface ConvertOptions {
  /** The validated input, to describe what was found at a path. */
  input: unknown;
  /** The keys allowed at `path` (an object's own path), for unknown-key hints. */
  keysAt?: (path: Path) => readonly string[] | undefined;
  /** Prepended to every issue path (issues from a nested safeParse). */
  prefix?: Path;
}

export function convertZodIssues(issues: readonly z.core.$ZodIssue[], opts: ConvertOptions): PathIssue[] {
  const out: PathIssue[] = [];
  const prefix = opts.prefix ?? [];
  for (const issue of issues) {
    const path = issue.path.map((seg) => (typeof seg === 'symbol' ? String(seg) : seg));
    const full = [...prefix, ...path];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = opts.keysAt?.(path);
        for (const key of issue.keys) {
          out.push({ path: [...full, key], at: 'key', message: unknownKeyMessage(key, allowed) });
        }
        break;
      }
      case 'invalid_type': {
        const found = valueAt(opts.input, path);
        const expected = describeExpected(issue.expected);
        if (found === undefined) {
          const key = path[path.length - 1];
          out.push({ path: full, message: key === undefined ? `missing ${expected}` : `missing required key "${key}" (${expected})` });
        } else if (issue.message.startsWith('Invalid input')) {
          out.push({ path: full, message: `expected ${expected}, found ${describeValue(found)}` });
        } else {
          out.push({ path: full, message: issue.message });
        }
        break;
      }
      case 'invalid_key': {
        const inner = issue.issues.map((i) => tidy(i.message)).join('; ');
        out.push({ path: full, at: 'key', message: `invalid key "${String(path[path.length - 1])}": ${inner}` });
        break;
      }
      case 'custom': {
        // A schema that accepts any input (a transform from unknown) says a value is missing with params.missing.
        const missing = (issue.params as { missing?: unknown } | undefined)?.missing;
        if (typeof missing === 'string' && valueAt(opts.input, path) === undefined) {
          const key = path[path.length - 1];
          out.push({ path: full, message: key === undefined ? `missing ${missing}` : `missing required key "${key}" (${missing})` });
          break;
        }
        const at = (issue.params as { at?: unknown } | undefined)?.at === 'key' ? 'key' : undefined;
        out.push(at ? { path: full, message: issue.message, at } : { path: full, message: issue.message });
        break;
      }
      default:
        out.push({ path: full, message: tidy(issue.message) });
    }
  }
  return out;
}

export function unknownKeyMessage(key: string, allowed: readonly string[] | undefined): string {
  if (!allowed || allowed.length === 0) return `unknown key "${key}"`;
  const near = closest(key, allowed);
  if (near) return `unknown key "${key}"; did you mean "${near}"?`;
  return `unknown key "${key}"; expected one of: ${allowed.join(', ')}`;
}

/** zod's generic prefixes add nothing next to a path. */
function tidy(message: string): string {
  const m = message.replace(/^Invalid input: /, '');
  return m.charAt(0).toLowerCase() + m.slice(1);
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'boolean':
      return 'true or false';
    case 'integer':
    case 'int':
      return 'an integer';
    default:
      return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
  }
}

export function describeValue(v: unknown): string {
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `${v}`;
  return typeof v;
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Object.prototype.hasOwnProperty.call(v, seg) ? (v as Record<string | number, unknown>)[seg] : undefined;
  }
  return v;
}
