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

/** First byte of a packed day (`encodeDay`); a 1,152-byte day of the first format starts with 0. */
const PACKED_VERSION = 1;
/** Header bytes: format, 3 bytes of hour mask, 4 bytes of zeros (keeps the hours 8-byte aligned). */
const HEADER = 8;
/** Bytes per non-empty hour in a packed day: count u32, lastTs offset u32, sum, min, max, last f64. */
const HOUR_BYTES = 40;
const scratch = { f64: new Float64Array(1 + 24 * 5), u32: new Uint32Array(0), u8: new Uint8Array(0) };
scratch.u32 = new Uint32Array(scratch.f64.buffer);
scratch.u8 = new Uint8Array(scratch.f64.buffer);

/**
 * A day as stored (docs/store.md, "The packed day"): byte 0 the format (1), bytes 1–3 the
 * mask of non-empty hours (bit h = hour h, little-endian), bytes 4–7 zero, then per
 * non-empty hour, in order, 40 bytes little-endian: count (u32), lastTs as its offset into
 * the hour (u32), and sum, min, max, last (float64). Lossless; at most 968 bytes, so a row
 * stays in its leaf page; decoding is one copy and aligned reads.
 */
export function encodeDay(day: Float64Array): Buffer {
  let mask = 0;
  let n = 0;
  for (let h = 0; h < 24; h++) {
    if (day[h * FIELDS + F_COUNT] !== 0) {
      mask |= 1 << h;
      n++;
    }
  }
  const out = Buffer.alloc(HEADER + n * HOUR_BYTES);
  out[0] = PACKED_VERSION;
  out[1] = mask & 0xff;
  out[2] = (mask >>> 8) & 0xff;
  out[3] = (mask >>> 16) & 0xff;
  let p = HEADER;
  for (let h = 0; h < 24; h++) {
    if ((mask & (1 << h)) === 0) continue;
    const o = h * FIELDS;
    const lastTs = day[o + F_LAST_TS]!;
    out.writeUInt32LE(day[o + F_COUNT]!, p);
    out.writeUInt32LE(lastTs - Math.floor(lastTs / HOUR_MS) * HOUR_MS, p + 4);
    out.writeDoubleLE(day[o + F_SUM]!, p + 8);
    out.writeDoubleLE(day[o + F_MIN]!, p + 16);
    out.writeDoubleLE(day[o + F_MAX]!, p + 24);
    out.writeDoubleLE(day[o + F_LAST]!, p + 32);
    p += HOUR_BYTES;
  }
  return out;
}

/**
 * Decodes a stored day of either format (packed, or the first format's 1,152 bytes of
 * float64) into 24 × FIELDS slots: count, sum, min, max, last, lastTs (absolute ms).
 * `dayIndex` (floor(ts / 1 d)) restores lastTs from its offset. With `into`, a packed day is
 * decoded into it (its empty hours then have count 0 and nothing else set): for reads.
 */
export function decodeDay(blob: Buffer, dayIndex: number, into?: Float64Array): Float64Array {
  if (blob.length === BYTES && blob[0] === 0) return decodeFloat64Day(blob);
  const mask = blob.length >= HEADER && blob[0] === PACKED_VERSION ? blob[1]! | (blob[2]! << 8) | (blob[3]! << 16) : -1;
  let hours = 0;
  for (let m = mask; m > 0; m &= m - 1) hours++;
  if (mask < 0 || blob.length !== HEADER + hours * HOUR_BYTES) throw new Error(`corrupt rollup blob: ${blob.length} bytes, format ${blob[0]}`);
  const { f64, u32, u8 } = scratch;
  if (LE) u8.set(blob);
  else for (let i = 0; i < blob.length; i += 8) f64[i >> 3] = blob.readDoubleLE(i); // (counts below are then read LE explicitly)
  // `into` (a read that drops the day before the next): empty hours only need count 0.
  const d = into ? into.fill(0) : emptyDay();
  const first = (dayIndex * 24) * HOUR_MS;
  let q = 1; // f64 index of the current hour's record
  for (let h = 0; h < 24; h++) {
    if ((mask & (1 << h)) === 0) continue;
    const o = h * FIELDS;
    d[o + F_COUNT] = LE ? u32[2 * q]! : blob.readUInt32LE(8 * q);
    d[o + F_LAST_TS] = first + h * HOUR_MS + (LE ? u32[2 * q + 1]! : blob.readUInt32LE(8 * q + 4));
    d[o + F_SUM] = f64[q + 1]!;
    d[o + F_MIN] = f64[q + 2]!;
    d[o + F_MAX] = f64[q + 3]!;
    d[o + F_LAST] = f64[q + 4]!;
    q += 5;
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

/**
 * Gets one decoded day ready for the dirty hours' new samples (both stores' rollup update):
 * an hour whose new samples are all newer than its last one is extended from just after that
 * sample; an hour with a late or replaced sample is cleared, to be recomputed from its start.
 * `fromTs[h]` is the first ts to fold into hour h (+Infinity: not updated); [readFrom, readTo]
 * is the raw range the day needs read.
 */
export function planDay(d: Float64Array, day: number, hours: ReadonlyArray<readonly [hourOfDay: number, minTs: number]>): { fromTs: Float64Array; readFrom: number; readTo: number } {
  const fromTs = new Float64Array(24).fill(Number.POSITIVE_INFINITY);
  let readFrom = Number.POSITIVE_INFINITY;
  let readTo = Number.NEGATIVE_INFINITY;
  for (const [h, minTs] of hours) {
    const o = h * FIELDS;
    const hourStart = (day * 24 + h) * HOUR_MS;
    const lastTs = d[o + F_COUNT] === 0 ? Number.NEGATIVE_INFINITY : d[o + F_LAST_TS]!;
    let from = hourStart;
    if (minTs > lastTs) {
      if (lastTs >= hourStart) from = lastTs + 1;
    } else {
      clearHour(d, o);
    }
    fromTs[h] = Math.min(fromTs[h]!, from);
    if (from < readFrom) readFrom = from;
    if (hourStart + HOUR_MS - 1 > readTo) readTo = hourStart + HOUR_MS - 1;
  }
  return { fromTs, readFrom, readTo };
}

/** True when no hour of the decoded day holds a sample. */
export function isEmptyDay(d: Float64Array): boolean {
  for (let h = 0; h < 24; h++) if (d[h * FIELDS + F_COUNT] !== 0) return false;
  return true;
}

/** Appends the non-empty hours of one decoded day whose start lies in [from, to] to `out`. */
export function pushHours(out: HourAggregate[], day: number, d: Float64Array, from: number, to: number): void {
  for (let h = 0; h < 24; h++) {
    const o = h * FIELDS;
    const hour = (day * 24 + h) * HOUR_MS;
    if (d[o + F_COUNT] === 0 || hour < from || hour > to) continue;
    out.push({ hour, count: d[o + F_COUNT]!, sum: d[o + F_SUM]!, min: d[o + F_MIN]!, max: d[o + F_MAX]!, last: d[o + F_LAST]! });
  }
}

/** Dirty hours grouped for an update: series id → day → [hourOfDay, minTs][] (both stores). */
export type DirtyWork = Map<number, Map<number, Array<[hourOfDay: number, minTs: number]>>>;

/** Adds one dirty series-hour to `work`. */
export function addDirtyHour(work: DirtyWork, sid: number, hour: number, minTs: number): void {
  const day = Math.floor(hour / 24);
  let days = work.get(sid);
  if (!days) work.set(sid, (days = new Map()));
  let hours = days.get(day);
  if (!hours) days.set(day, (hours = []));
  hours.push([hour - day * 24, minTs]);
}
