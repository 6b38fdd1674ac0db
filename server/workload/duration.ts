import { z } from 'zod';
import { docs } from './doc-meta.js';

/**
 * Durations in the workload file use Prometheus's syntax, so a value can be
 * copied between a Prometheus config and this file unchanged: one or more
 * `<integer><unit>` terms, units in descending order, each unit at most once,
 * e.g. `30s`, `5m`, `1h30m`, `500ms`, `15d`, `2w`. `0` alone is zero.
 *
 * A bare number (`interval: 60`) is rejected on purpose: seconds or
 * milliseconds would be a guess, and a wrong guess is off by a factor of 1000.
 */

const UNITS = [
  ['y', 365 * 24 * 3_600_000], // as in Prometheus: a year is 365 days, no calendar
  ['w', 7 * 24 * 3_600_000],
  ['d', 24 * 3_600_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
] as const;

// Prometheus's own pattern (model.ParseDuration): the order is enforced by the regex.
const PATTERN = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

const HINT = 'expected a duration like 30s, 5m, 1h30m, 500ms, 15d or 2w';

export class DurationError extends Error {
  override name = 'DurationError';
}

/** Milliseconds in `text`; throws DurationError with a message fit for the user. */
export function parseDuration(text: string): number {
  const result = tryParseDuration(text);
  if (typeof result === 'string') throw new DurationError(result);
  return result;
}

/** Milliseconds, or the reason `text` is not a duration. */
export function tryParseDuration(text: string): number | string {
  if (text === '') return `empty duration; ${HINT}`;
  if (text === '0') return 0;
  if (text.startsWith('-')) return `"${text}" is negative; durations are never negative`;
  const match = PATTERN.exec(text);
  if (!match) return `"${text}" is not a duration; ${HINT} (units ms, s, m, h, d, w, y; largest first)`;
  let ms = 0;
  UNITS.forEach(([, factor], i) => {
    const n = match[i + 1];
    if (n !== undefined) ms += Number(n) * factor;
  });
  if (!Number.isSafeInteger(ms)) return `"${text}" is too long`;
  return ms;
}

/**
 * The shortest Prometheus-style text for `ms`, largest unit first, e.g. 5400000 → "1h30m".
 * Stops at days (no weeks or years) so `400d` prints as written, not as "57w1d".
 * The result always parses back to the same number (for non-negative integers).
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`cannot format ${ms} as a duration`);
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, factor] of UNITS) {
    if (unit === 'y' || unit === 'w') continue;
    const n = Math.floor(rest / factor);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * factor;
    }
  }
  return out;
}

/**
 * A duration string in the file → milliseconds in the Workload.
 * Only strings: see the note at the top of this file about bare numbers.
 */
export const durationSchema = z
  .string({
    error: (iss) =>
      typeof iss.input === 'number'
        ? `a bare number is ambiguous; write the unit, e.g. "${iss.input}s" or "${iss.input}ms"`
        : `${HINT}`,
  })
  .transform((text, ctx) => {
    const result = tryParseDuration(text.trim());
    if (typeof result === 'string') {
      ctx.addIssue({ code: 'custom', message: result });
      return z.NEVER;
    }
    return result;
  })
  .register(docs, { type: 'duration' });

/** A duration that must be at least `minMs` (a positive floor, e.g. an interval of at least 1s). */
export function durationAtLeast(minMs: number) {
  return durationSchema
    .refine((ms) => ms >= minMs, {
      message: minMs <= 1 ? 'must be greater than 0' : `must be at least ${formatDuration(minMs)}`,
    })
    .register(docs, { type: minMs <= 1 ? 'duration > 0' : `duration ≥ ${formatDuration(minMs)}` });
}
