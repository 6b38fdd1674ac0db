import os from 'node:os';

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

/** The blob as stored: always little-endian float64, whatever the platform. */
export function encodeDay(day: Float64Array): Buffer {
  if (LE) return Buffer.from(day.buffer, day.byteOffset, BYTES);
  const b = Buffer.allocUnsafe(BYTES);
  for (let i = 0; i < SLOTS; i++) b.writeDoubleLE(day[i]!, i * 8);
  return b;
}

/**
 * Decodes a stored day. The result may share memory with `blob` (read path);
 * pass copy=true when it will be modified.
 */
export function decodeDay(blob: Buffer, copy = false): Float64Array {
  if (blob.length !== BYTES) throw new Error(`corrupt rollup blob: ${blob.length} bytes, expected ${BYTES}`);
  if (LE) {
    if (!copy && blob.byteOffset % 8 === 0) return new Float64Array(blob.buffer, blob.byteOffset, SLOTS);
    const d = new Float64Array(SLOTS);
    new Uint8Array(d.buffer).set(blob);
    return d;
  }
  const d = new Float64Array(SLOTS);
  for (let i = 0; i < SLOTS; i++) d[i] = blob.readDoubleLE(i * 8);
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
