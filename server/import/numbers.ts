/**
 * The numbers of a history line, read straight from the text without a substring in the
 * common case. Each reader answers NaN (or `undefined` for values, where NaN is a value)
 * when its token is not one it can read exactly on the fast path; the caller then takes the
 * slow path, which reads the token with `parseFloatToken` or names what is wrong.
 */
import { parseFloatToken } from '../../collectors/prom-float.js';

import { MAX_SAMPLE_TS } from '../store/index.js';

/** The latest sample time the store holds (6429-10-17T02:45:55.327Z), so import refuses a later one at its line. */
export const MAX_TS_MS = MAX_SAMPLE_TS;
/** The year of MAX_TS_MS, for messages. */
export const MAX_TS_YEAR = new Date(MAX_TS_MS).getUTCFullYear();

const ZERO = 48, NINE = 57, DOT = 46, MINUS = 45, PLUS = 43;

/** 10^k for k ≤ 22: exactly representable, so an integer ≤ 2^53 divided by it is correctly rounded. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * A sample value: `[+-]digits[.digits]` with at most 15 significant digits is computed as
 * integer / 10^k (both exact, so the division is correctly rounded: the same double Number()
 * gives); anything else (exponents, NaN, ±Inf, long mantissas) goes through parseFloatToken.
 * Returns undefined when the token is not a number.
 */
export function readValue(text: string, start: number, end: number): number | undefined {
  let i = start;
  let neg = false;
  const c0 = text.charCodeAt(i);
  if (c0 === MINUS || c0 === PLUS) {
    neg = c0 === MINUS;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let frac = -1; // digits after the dot; -1: no dot yet
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      mant = mant * 10 + (c - ZERO);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === DOT && frac < 0) {
      frac = 0;
    } else {
      return parseFloatToken(text.slice(start, end));
    }
  }
  if (digits === 0 || digits > 15) return parseFloatToken(text.slice(start, end));
  const v = frac > 0 ? mant / POW10[frac]! : mant;
  return neg ? -v : v;
}

/**
 * A Prometheus-text timestamp: an integer number of milliseconds, 0 ≤ ts ≤ MAX_TS_MS.
 * NaN when it is anything else (the slow path says what).
 */
export function readMillis(text: string, start: number, end: number): number {
  if (end - start > 15 || end === start) return Number.NaN;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return Number.NaN;
    n = n * 10 + (c - ZERO);
  }
  return n <= MAX_TS_MS ? n : Number.NaN;
}

/**
 * An OpenMetrics timestamp: seconds, possibly fractional, converted to whole milliseconds by
 * decimal rounding (half up on the fourth decimal), so `1600000000.0005` is …000001 ms whatever
 * the binary value of the float. NaN for exponents, signs or out of range (the slow path reads
 * those or says what is wrong).
 */
export function readSecondsAsMillis(text: string, start: number, end: number): number {
  let secs = 0;
  let intDigits = 0;
  let i = start;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) break;
    if (c < ZERO || c > NINE) return Number.NaN;
    secs = secs * 10 + (c - ZERO);
    intDigits++;
  }
  if (intDigits === 0 || intDigits > 12) return Number.NaN;
  let ms = secs * 1000;
  if (i < end) {
    // fractional part: three digits of milliseconds, the fourth rounds
    let scale = 100;
    let fracDigits = 0;
    for (i++; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < ZERO || c > NINE) return Number.NaN;
      fracDigits++;
      if (scale >= 1) ms += (c - ZERO) * scale;
      else if (fracDigits === 4 && c - ZERO >= 5) ms += 1;
      scale /= 10;
    }
  }
  return ms <= MAX_TS_MS ? ms : Number.NaN;
}
