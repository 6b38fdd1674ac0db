import os from 'node:os';
import { AdaptiveIntReader, AdaptiveIntWriter, BitReader, BitWriter } from './chunkBits.js';
import { DecimalReader, DecimalWriter, XorReader, XorWriter, decimalExponent, toDecimal } from './chunkValues.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Per hour: count, sum, min, max, last, lastTs (ms of the sample `last` came from). */
export const FIELDS = 6;
export const F_COUNT = 0;
export const F_SUM = 1;
export const F_MIN = 2;
export const F_MAX = 3;
export const F_LAST = 4;
export const F_LAST_TS = 5;
export const SLOTS = 24 * FIELDS;
const BYTES = SLOTS * 8;

/** An hour's aggregate over its non-NaN samples. */
export interface HourAggregate {
  /** Hour start, ms epoch. */
  hour: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
}

const LE = os.endianness() === 'LE';

/** A day with every hour empty (count 0, lastTs -Infinity). */
export function emptyDay(): Float64Array {
  const d = new Float64Array(SLOTS);
  for (let h = 0; h < 24; h++) d[h * FIELDS + F_LAST_TS] = Number.NEGATIVE_INFINITY;
  return d;
}

/** First byte of a packed day (`encodeDay`); a 1,152-byte day of the first format starts with 0. */
const PACKED_VERSION = 1;
const CODE_XOR = 0;
const CODE_DECIMAL = 1;
/** The value fields, each coded as its own stream across the day's non-empty hours. */
const VALUE_FIELDS = [F_SUM, F_MIN, F_MAX, F_LAST] as const;

/**
 * A day as stored (docs/store.md, "Hourly rollups"): byte 0 the format (1), bytes 1–3 the
 * mask of non-empty hours (bit h = hour h, little-endian), bytes 4–7 one code per value field
 * (sum, min, max, last): 0 XOR, or 1 + 16·e for exact decimals d / 10^e coded as deltas.
 * Then a bit stream over the non-empty hours, each: count (delta to the previous hour's, in
 * the adaptive integer code), lastTs as its offset into the hour (same code, as a delta),
 * then sum, min, max, last in their field's code. Lossless: every float64 comes back with
 * the same bits. About 25 bytes an hour for noisy gauges, a few for counters, against 48.
 */
export function encodeDay(day: Float64Array): Buffer {
  let mask = 0;
  const hours: number[] = [];
  for (let h = 0; h < 24; h++) {
    if (day[h * FIELDS + F_COUNT] !== 0) {
      mask |= 1 << h;
      hours.push(h);
    }
  }
  const codes: number[] = [];
  const col = new Float64Array(hours.length);
  for (const f of VALUE_FIELDS) {
    for (let k = 0; k < hours.length; k++) col[k] = day[hours[k]! * FIELDS + f]!;
    const e = hours.length > 0 ? decimalExponent(col) : -1;
    codes.push(e >= 0 ? CODE_DECIMAL + 16 * e : CODE_XOR);
  }
  const w = new BitWriter(hours.length * 24 + 16);
  const counts = new AdaptiveIntWriter(w);
  const offsets = new AdaptiveIntWriter(w);
  const writers = codes.map((c) => (c === CODE_XOR ? new XorWriter(w) : new DecimalWriter(w, 1)));
  let prevCount = 0;
  let prevOffset = 0;
  for (const h of hours) {
    const o = h * FIELDS;
    const count = day[o + F_COUNT]!;
    counts.put(count - prevCount);
    prevCount = count;
    const offset = day[o + F_LAST_TS]! - (Math.floor(day[o + F_LAST_TS]! / HOUR_MS) * HOUR_MS);
    offsets.put(offset - prevOffset);
    prevOffset = offset;
    for (let f = 0; f < VALUE_FIELDS.length; f++) {
      const v = day[o + VALUE_FIELDS[f]!]!;
      const c = codes[f]!;
      if (c === CODE_XOR) (writers[f] as XorWriter).put(v);
      else (writers[f] as DecimalWriter).put(toDecimal(v, c >> 4));
    }
  }
  const body = w.bytes();
  const out = Buffer.allocUnsafe(8 + body.length);
  out[0] = PACKED_VERSION;
  out[1] = mask & 0xff;
  out[2] = (mask >>> 8) & 0xff;
  out[3] = (mask >>> 16) & 0xff;
  for (let f = 0; f < 4; f++) out[4 + f] = codes[f]!;
  out.set(body, 8);
  return out;
}

/**
 * Decodes a stored day of either format (packed, or the first format's 1,152 bytes of
 * float64) into 24 × FIELDS slots: count, sum, min, max, last, lastTs (absolute ms).
 * `dayIndex` (floor(ts / 1 d)) restores lastTs from its offset.
 */
export function decodeDay(blob: Buffer, dayIndex: number): Float64Array {
  if (blob.length === BYTES && blob[0] === 0) return decodeFloat64Day(blob);
  if (blob.length < 8 || blob[0] !== PACKED_VERSION) throw new Error(`corrupt rollup blob: ${blob.length} bytes, format ${blob[0]}`);
  const d = emptyDay();
  const mask = blob[1]! | (blob[2]! << 8) | (blob[3]! << 16);
  const codes = [blob[4]!, blob[5]!, blob[6]!, blob[7]!];
  const r = new BitReader(blob, 8);
  const counts = new AdaptiveIntReader(r);
  const offsets = new AdaptiveIntReader(r);
  const readers = codes.map((c) => (c === CODE_XOR ? new XorReader(r) : new DecimalReader(r, 1, c >> 4)));
  let count = 0;
  let offset = 0;
  for (let h = 0; h < 24; h++) {
    if ((mask & (1 << h)) === 0) continue;
    const o = h * FIELDS;
    count += counts.next();
    offset += offsets.next();
    d[o + F_COUNT] = count;
    d[o + F_LAST_TS] = (dayIndex * 24 + h) * HOUR_MS + offset;
    for (let f = 0; f < VALUE_FIELDS.length; f++) d[o + VALUE_FIELDS[f]!] = readers[f]!.next();
  }
  return d;
}

/** The first format: 24 × 6 little-endian float64. */
function decodeFloat64Day(blob: Buffer): Float64Array {
  const d = new Float64Array(SLOTS);
  if (LE) new Uint8Array(d.buffer).set(blob);
  else for (let i = 0; i < SLOTS; i++) d[i] = blob.readDoubleLE(i * 8);
  return d;
}

/** Folds one sample into hour slot `o` (= hourOfDay * FIELDS). NaN is not aggregated. */
export function foldSample(d: Float64Array, o: number, ts: number, v: number): void {
  if (Number.isNaN(v)) return;
  const c = d[o + F_COUNT]!;
  if (c === 0) {
    d[o + F_SUM] = v;
    d[o + F_MIN] = v;
    d[o + F_MAX] = v;
  } else {
    d[o + F_SUM] = d[o + F_SUM]! + v;
    if (v < d[o + F_MIN]!) d[o + F_MIN] = v;
    if (v > d[o + F_MAX]!) d[o + F_MAX] = v;
  }
  d[o + F_COUNT] = c + 1;
  if (ts >= d[o + F_LAST_TS]!) {
    d[o + F_LAST] = v;
    d[o + F_LAST_TS] = ts;
  }
}

export function clearHour(d: Float64Array, o: number): void {
  d.fill(0, o, o + FIELDS);
  d[o + F_LAST_TS] = Number.NEGATIVE_INFINITY;
}
