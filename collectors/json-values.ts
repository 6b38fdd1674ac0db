/**
 * Turning the JSON values a path found into sample values, label values and timestamps.
 * Each function returns the converted value or a problem text (never throws), so the caller
 * can add which collector, metric, item and path it was.
 */

export type Converted<T> = { ok: true; value: T } | { ok: false; problem: string };

/** A decimal number as JSON writes it, optionally signed; no blanks, hex, underscores or "1." tricks beyond that. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL: Record<string, number> = { NaN: NaN, '+Inf': Infinity, Inf: Infinity, '-Inf': -Infinity };

export function toSampleValue(v: unknown): Converted<number> {
  if (typeof v === 'number') return { ok: true, value: v };
  if (typeof v === 'boolean') return { ok: true, value: v ? 1 : 0 };
  if (typeof v === 'string') {
    if (DECIMAL.test(v)) return { ok: true, value: Number(v) };
    if (Object.hasOwn(SPECIAL, v)) return { ok: true, value: SPECIAL[v]! };
    return { ok: false, problem: `the string ${quote(v)} is not a number` };
  }
  return { ok: false, problem: `found ${describe(v)}, not a number` };
}

export function toLabelValue(v: unknown): Converted<string> {
  if (typeof v === 'string') return { ok: true, value: v };
  if (typeof v === 'number' || typeof v === 'boolean') return { ok: true, value: String(v) };
  return { ok: false, problem: `found ${describe(v)}, not a string, number or boolean` };
}

export type TimeUnit = 's' | 'ms' | 'us' | 'ns';
const UNIT_MS: Record<TimeUnit, number> = { s: 1000, ms: 1, us: 1e-3, ns: 1e-6 };

/**
 * The unit of a numeric time given without one, by its size: below 10^11 seconds (10^11 s is
 * the year 5138, 10^11 ms is 1973), below 10^14 milliseconds, below 10^17 microseconds, else
 * nanoseconds — each range covers 1973 to 5138.
 */
function guessUnit(n: number): TimeUnit {
  const a = Math.abs(n);
  return a < 1e11 ? 's' : a < 1e14 ? 'ms' : a < 1e17 ? 'us' : 'ns';
}
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|z|[+-]\d{2}:?\d{2})?$/;

/** ms since the epoch (integer) from ISO 8601 text or a Unix time in s, ms, µs or ns. */
export function toTimestamp(v: unknown, unit: TimeUnit | undefined): Converted<number> {
  if (typeof v === 'number') return fromEpoch(v, unit);
  if (typeof v === 'string') {
    if (DECIMAL.test(v)) return fromEpoch(Number(v), unit);
    const m = ISO.exec(v);
    if (!m) return { ok: false, problem: `${quote(v)} is neither ISO 8601 (2026-03-01T12:00:00Z) nor a Unix time` };
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
    const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
    const utc = Date.UTC(...parts);
    const check = new Date(utc);
    if (check.getUTCMonth() !== parts[1] || check.getUTCDate() !== parts[2] || parts[3] > 23 || parts[4] > 59 || parts[5] > 59) {
      return { ok: false, problem: `${quote(v)} is not a real date and time` };
    }
    const ms = utc + Math.round(Number('0' + (frac || '.0')) * 1000) - zoneOffsetMs(zone);
    return { ok: true, value: ms };
  }
  return { ok: false, problem: `found ${describe(v)}, not a time` };
}

function fromEpoch(n: number, unit: TimeUnit | undefined): Converted<number> {
  if (!Number.isFinite(n)) return { ok: false, problem: `${n} is not a time` };
  return { ok: true, value: Math.round(n * UNIT_MS[unit ?? guessUnit(n)]) };
}

function zoneOffsetMs(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array (${v.length} elements)`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${quote(v)}`;
  return `${typeof v} ${String(v)}`;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? s.slice(0, 59) + '…' : s);
}
