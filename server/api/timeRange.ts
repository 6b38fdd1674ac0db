import { badParam } from './problem.js';

/** Times outside 1970-01-01 … 9999-12-31 are refused: nothing is stored there, and beyond it dates cannot even be printed. */
export const EARLIEST_TIME_MS = 0;
export const LATEST_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** Longest duration accepted (steps, windows, `now-<duration>`): 100 years. */
export const MAX_DURATION_MS = 100 * 365 * 86_400_000;

/**
 * Parses the time parameters the API accepts, as Prometheus's HTTP API does: RFC 3339
 * (`2026-11-26T09:00:00Z`) or Unix seconds (`1764147600`, fractions allowed), plus
 * `now` and `now-<duration>` for hand-typed URLs. Returns ms epoch, between 1970 and 9999
 * (anything else is a 400 naming the parameter).
 */
export function parseTime(name: string, raw: unknown, now: number): number {
  if (typeof raw !== 'string' || raw === '') throw badParam(name, 'expected a time');
  if (raw.length > 64) throw badParam(name, 'is too long to be a time');
  let ms: number;
  const rel = /^now-(.+)$/.exec(raw);
  if (raw === 'now') ms = now;
  else if (rel) ms = now - parseDurationParam(name, rel[1]!);
  else if (/^-?\d+(\.\d+)?$/.test(raw)) ms = Math.round(Number(raw) * 1000);
  else {
    ms = Date.parse(raw);
    if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(raw)) {
      throw badParam(name, `"${raw}" is neither RFC 3339 nor Unix seconds`);
    }
  }
  if (!Number.isFinite(ms) || ms < EARLIEST_TIME_MS || ms > LATEST_TIME_MS) {
    throw badParam(name, `"${raw}" is outside the times accepted (1970-01-01 to 9999-12-31)`);
  }
  return ms;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A step or window: Prometheus duration (`5m`, `1h30m`) or a number of seconds. Returns ms. */
export function parseDurationParam(name: string, raw: unknown): number {
  if (typeof raw !== 'string' || raw === '') throw badParam(name, 'expected a duration');
  if (raw.length > 64) throw badParam(name, 'is too long to be a duration');
  const tooLong = () => badParam(name, `"${raw}" is longer than the longest duration accepted (100 years)`);
  if (/^\d+(\.\d+)?$/.test(raw)) {
    const ms = Math.round(Number(raw) * 1000);
    if (ms <= 0) throw badParam(name, 'must be greater than zero');
    if (ms > MAX_DURATION_MS) throw tooLong();
    return ms;
  }
  const re = /(\d+)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed !== raw.length || total <= 0) {
    throw badParam(name, `"${raw}" is not a duration (like 30s, 5m, 1h) or a number of seconds`);
  }
  if (!(total <= MAX_DURATION_MS)) throw tooLong();
  return total;
}

export interface TimeRange {
  from: number;
  to: number;
  step: number;
}

/**
 * from/to/step with defaults (last hour; a step that gives about 240 points) and limits:
 * from before to, at most `maxPoints` steps.
 */
export function parseRange(
  q: Record<string, unknown>,
  now: number,
  opts: { defaultSpanMs?: number; maxPoints?: number; targetPoints?: number } = {},
): TimeRange {
  const to = q.to === undefined ? now : parseTime('to', q.to, now);
  const from = q.from === undefined ? to - (opts.defaultSpanMs ?? 3_600_000) : parseTime('from', q.from, now);
  if (from >= to) throw badParam('from', `must be before to (from=${new Date(from).toISOString()}, to=${new Date(to).toISOString()})`);
  const maxPoints = opts.maxPoints ?? 11_000;
  const step =
    q.step === undefined
      ? Math.max(1000, Math.ceil((to - from) / (opts.targetPoints ?? 240) / 1000) * 1000)
      : parseDurationParam('step', q.step);
  const points = Math.floor((to - from) / step) + 1;
  if (points > maxPoints) {
    throw badParam('step', `the range and step give ${points} points; at most ${maxPoints} are allowed — use a larger step`);
  }
  return { from, to, step };
}
