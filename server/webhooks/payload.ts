import { compilePattern } from '../../collectors/pattern.js';
import { z } from 'zod';
import { formatPath } from '../validation/path.js';
import { convertZodIssues } from '../validation/zod-issues.js';
import { PayloadError } from './types.js';

/**
 * Helpers for reading provider payloads: loose zod schemas of the fields a mapping needs
 * (providers add fields over time; unknown ones are ignored), and provider time formats.
 */

/** Parses `payload` with `schema`, or throws PayloadError naming the first field at fault. */
export function read<T>(schema: z.ZodType<T>, payload: unknown): T {
  const r = schema.safeParse(payload);
  if (r.success) return r.data;
  const issue = convertZodIssues(r.error.issues, { input: payload })[0]!;
  throw new PayloadError(formatPath(issue.path) || 'body', issue.message);
}

const GITLAB_OFFSET = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})$/;
const GITLAB_UTC = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$/;
const ISO_ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * ms epoch of a provider time: ISO 8601 with a zone (GitHub, PagerDuty, GitLab's newer fields),
 * or GitLab's `2021-04-28 21:50:00 +0200` and `2016-08-12 15:23:28 UTC`. Undefined otherwise:
 * a time without a zone is ambiguous and is not guessed.
 */
export function parseProviderTime(s: string): number | undefined {
  let iso: string | undefined;
  let m = GITLAB_OFFSET.exec(s);
  if (m) iso = `${m[1]}T${m[2]}${m[3]}:${m[4]}`;
  else if ((m = GITLAB_UTC.exec(s))) iso = `${m[1]}T${m[2]}Z`;
  else if (ISO_ZONED.test(s)) iso = s;
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A required time field (ms epoch after parsing). */
export const time = z.string().transform((s, ctx) => {
  const ms = parseProviderTime(s);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${s}" is not a date-time with a time zone` });
    return z.NEVER;
  }
  return ms;
});

/** An optional time: absent, null or empty all mean "not given". */
export const optionalTime = z.union([time, z.null(), z.literal('')]).optional().transform((v) => (typeof v === 'number' ? v : undefined));

/** An optional string that providers send as null or "" when unset. */
export const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? undefined : v));

/** A provider id: GitHub and GitLab use integers, PagerDuty strings. */
export const idText = z.union([z.string().min(1), z.number().int()]).transform(String);

/** The first line of a commit message, capped for a title. */
export function firstLine(message: string | undefined, max = 200): string | undefined {
  if (!message) return undefined;
  const line = message.split('\n', 1)[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line || undefined;
}

/**
 * True when any part of `name` matches one of the patterns (regular expressions in RE2 syntax,
 * case-insensitive, linear time; the workload schema has already refused invalid ones).
 */
export function matchesAny(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => compilePattern(p, { anchored: false, caseInsensitive: true }).test(name));
}

/** Severity from a label such as `sev1`, `sev-2`, `severity:high` or `severity::critical`. */
export function severityFromLabels(labels: readonly string[]): string | undefined {
  for (const l of labels) {
    const m = /^sev(?:erity)?(?:[\s:_-]+(\w+)|(\d+))$/i.exec(l.trim());
    if (m) return (m[1] ?? m[2]!).toLowerCase();
  }
  return undefined;
}

/** Only the keys whose value is defined: attrs stay free of `undefined`. */
export function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
