import { formatPath, type Path } from '../validation/path.js';
import { toWorkloadPath, type Workload } from './schema.js';

export const REDACTED = '<redacted>';

/**
 * Words that make a key's value secret wherever it appears, e.g. `password`,
 * `db_password`, `accessToken`, `bearer`, `api_key`, `X-Api-Key`, `client_secret`.
 * Matched per word of the key (split at `_`, `-`, `.` and camelCase), so
 * `tokens_per_run` is not caught but `refresh_token` is.
 */
const SECRET_WORDS = new Set(['password', 'passwd', 'token', 'secret', 'bearer', 'authorization', 'credentials']);
const SECRET_PAIRS = new Set(['api key', 'private key', 'access key']);

export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_.-]+/)
    .filter(Boolean);
  if (words.some((w) => SECRET_WORDS.has(w) || w === 'apikey')) return true;
  return words.some((w, i) => i + 1 < words.length && SECRET_PAIRS.has(`${w} ${words[i + 1]}`));
}

/**
 * A JSON-safe copy of `workload` for display (API, logs): every value that came
 * from `${VAR}` substitution (`secretPaths`, as the loader reports them) and
 * every value under a secret-named key is replaced by "<redacted>".
 *
 * Limits: env-derived values are found by their path, which assumes a
 * collector's config schema keeps its keys (it validates rather than
 * reshapes); secret-named keys are caught whatever the shape.
 */
export function redactWorkload(workload: Workload, secretPaths: readonly Path[]): unknown {
  const secret = new Set(secretPaths.map((p) => formatPath(toWorkloadPath(p))));
  const walk = (value: unknown, path: Path): unknown => {
    if (secret.has(formatPath(path))) return REDACTED;
    return toJsonSafe(value, path, walk);
  };
  return walk(workload, []);
}

function toJsonSafe(value: unknown, path: Path, walk: (v: unknown, p: Path) => unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]) ?? null);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof RegExp || value instanceof URL) return String(value);
  if (value instanceof Map) return walk(Object.fromEntries(value), path);
  if (value instanceof Set) return walk([...value], path);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const safe = isSecretKey(key) ? REDACTED : walk(v, [...path, key]);
    if (safe !== undefined) Object.defineProperty(out, key, { value: safe, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
