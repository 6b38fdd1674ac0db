import type { PathIssue } from '../validation/issues.js';
import type { Path } from '../validation/path.js';

/**
 * `${VAR}` substitution in the workload file's string values.
 *
 * Rules (as in POSIX shells and docker compose, restricted to what a config needs):
 * - `${NAME}` is the variable's value; an unset variable is an error at that value.
 * - `${NAME:-default}` is the default when NAME is unset *or empty*; the default
 *   is taken literally up to the first `}` (no nesting).
 * - `$${` is a literal `${`; any other `$` is a literal `$`.
 * - NAME matches [A-Za-z_][A-Za-z0-9_]*.
 *
 * Substitution happens after YAML parsing and only in string values (never in
 * keys), and the result is always a string: a secret containing `: ` or `#`
 * cannot change the file's structure. Fields that want a number therefore
 * cannot come from the environment; durations, URLs and secrets can.
 *
 * Every value that held a reference is recorded in `secretPaths`, default or
 * not, so redaction errs on the side of hiding.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface SubstitutionResult {
  value: unknown;
  secretPaths: Path[];
  issues: PathIssue[];
}

const NAME = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/** A copy of `value` with references resolved; inputs are plain data from YAML's toJS(). */
export function substituteEnv(value: unknown, env: Env): SubstitutionResult {
  const secretPaths: Path[] = [];
  const issues: PathIssue[] = [];
  const walk = (node: unknown, path: Path): unknown => {
    if (typeof node === 'string') {
      const r = substituteString(node, env);
      if (r.referenced) secretPaths.push(path);
      for (const message of r.errors) issues.push({ path, message });
      return r.value;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (isPlainObject(node)) {
      const out: Record<string, unknown> = {};
      // defineProperty, not assignment: a YAML key "__proto__" must stay a plain key.
      for (const [k, v] of Object.entries(node)) {
        Object.defineProperty(out, k, { value: walk(v, [...path, k]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return node;
  };
  return { value: walk(value, []), secretPaths, issues };
}

export interface StringSubstitution {
  value: string;
  /** True when the text held at least one `${...}` reference. */
  referenced: boolean;
  errors: string[];
}

export function substituteString(text: string, env: Env): StringSubstitution {
  let value = '';
  let referenced = false;
  const errors: string[] = [];
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar === -1) {
      value += text.slice(i);
      break;
    }
    value += text.slice(i, dollar);
    if (text.startsWith('$${', dollar)) {
      value += '${';
      i = dollar + 3;
      continue;
    }
    if (!text.startsWith('${', dollar)) {
      value += '$';
      i = dollar + 1;
      continue;
    }
    const close = text.indexOf('}', dollar + 2);
    if (close === -1) {
      errors.push(`unterminated "\${" in "${text}"; write $\${ for a literal \${`);
      value += text.slice(dollar);
      break;
    }
    referenced = true;
    const inner = text.slice(dollar + 2, close);
    const m = NAME.exec(inner);
    if (!m) {
      errors.push(`invalid reference "\${${inner}}"; expected \${NAME} or \${NAME:-default}`);
    } else {
      const name = m[1] as string;
      const fallback = m[2];
      const set = env[name];
      if (fallback !== undefined && (set === undefined || set === '')) value += fallback;
      else if (set !== undefined) value += set;
      else errors.push(`environment variable ${name} is not set`);
    }
    i = close + 1;
  }
  return { value, referenced, errors };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}
