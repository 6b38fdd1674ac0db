/**
 * Value codes for compressed chunks (`chunkCodec.ts`). Both are lossless: every float64 comes
 * back with the same 64 bits, NaN payloads (Prometheus stale markers), -0 and ±Inf included.
 *
 * - XOR (Gorilla, as Prometheus's XOR chunk): each value's bits XOR the previous value's;
 *   `0` for a repeat, `10` + the meaningful bits when they fit the previous window of
 *   leading/trailing zeros, `11` + 5-bit leading zeros + 6-bit length + the bits otherwise.
 * - Decimal: when every value of a chunk is exactly `d / 10^e` for safe integers d and one
 *   e ≤ 18 (counters, integer gauges, values a program printed with a few decimals — most
 *   monitoring data), the chunk stores the integers d, as deltas or delta-of-deltas, in the
 *   adaptive integer code of `chunkBits.ts`. Decoding computes `d / 10^e`, which IEEE division
 *   rounds correctly, and the encoder checks that this gives back each value's exact bits
 *   before choosing it. Nothing is ever rounded.
 */
import { AdaptiveIntReader, AdaptiveIntWriter, BitReader, BitWriter, CorruptChunkError } from './chunkBits.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LE ? 1 : 0;
const LO = LE ? 0 : 1;

/** Largest |d| a decimal chunk holds, so delta-of-deltas stay exact in a double (≤ 2^51). */
export const DECIMAL_MAX_INT = 2 ** 49;
/** Largest scale: 10^18 is exact in a double, so `d / 10^e` is one correctly rounded division. */
export const DECIMAL_MAX_EXP = 18;
const POW10 = Array.from({ length: DECIMAL_MAX_EXP + 1 }, (_, e) => 10 ** e);

// ---- XOR ----

export class XorWriter {
  private first = true;
  private hi = 0;
  private lo = 0;
  private lead = -1;
  private trail = 0;
  constructor(private readonly w: BitWriter) {}

  put(v: number): void {
    f64[0] = v;
    const hi = u32[HI]!;
    const lo = u32[LO]!;
    const w = this.w;
    if (this.first) {
      this.first = false;
      w.write(hi, 32);
      w.write(lo, 32);
    } else {
      const xh = (hi ^ this.hi) >>> 0;
      const xl = (lo ^ this.lo) >>> 0;
      if (xh === 0 && xl === 0) {
        w.write(0, 1);
      } else {
        let lz = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
        if (lz > 31) lz = 31; // 5 bits, as Prometheus
        const tz = xl !== 0 ? ctz32(xl) : 32 + ctz32(xh);
        if (this.lead >= 0 && lz >= this.lead && tz >= this.trail) {
          w.write(0b10, 2);
          writeField(w, xh, xl, this.lead, this.trail);
        } else {
          const sig = 64 - lz - tz;
          w.write(0b11, 2);
          w.write(lz, 5);
          w.write(sig & 63, 6); // 64 is written as 0
          writeField(w, xh, xl, lz, tz);
          this.lead = lz;
          this.trail = tz;
        }
      }
    }
    this.hi = hi;
    this.lo = lo;
  }
}

export class XorReader {
  private first = true;
  private hi = 0;
  private lo = 0;
  private lead = -1;
  private trail = 0;
  constructor(private readonly r: BitReader) {}

  next(): number {
    const r = this.r;
    if (this.first) {
      this.first = false;
      this.hi = r.read(32);
      this.lo = r.read(32);
    } else if (r.bit()) {
      if (r.bit()) {
        const lz = r.read(5);
        const sig = r.read(6) || 64;
        const tz = 64 - lz - sig;
        if (tz < 0) throw new CorruptChunkError(`XOR window of ${lz} leading zeros and ${sig} bits exceeds 64`);
        this.lead = lz;
        this.trail = tz;
      } else if (this.lead < 0) {
        throw new CorruptChunkError('XOR value reuses a window before any was set');
      }
      readField(r, this.lead, this.trail);
      this.hi = (this.hi ^ fieldHi) >>> 0;
      this.lo = (this.lo ^ fieldLo) >>> 0;
    }
    u32[HI] = this.hi;
    u32[LO] = this.lo;
    return f64[0]!;
  }
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Writes bits [tz, 64 - lz) of the 64-bit word hi:lo. */
function writeField(w: BitWriter, hi: number, lo: number, lz: number, tz: number): void {
  if (tz >= 32) w.write(hi >>> (tz - 32), 64 - lz - tz);
  else if (lz >= 32) w.write(lo >>> tz, 64 - lz - tz);
  else {
    w.write(lz === 0 ? hi : hi & (2 ** (32 - lz) - 1), 32 - lz);
    w.write(lo >>> tz, 32 - tz);
  }
}

let fieldHi = 0;
let fieldLo = 0;
function readField(r: BitReader, lz: number, tz: number): void {
  if (tz >= 32) {
    fieldHi = r.read(64 - lz - tz) * 2 ** (tz - 32);
    fieldLo = 0;
  } else if (lz >= 32) {
    fieldHi = 0;
    fieldLo = r.read(64 - lz - tz) * 2 ** tz;
  } else {
    fieldHi = r.read(32 - lz);
    fieldLo = r.read(32 - tz) * 2 ** tz;
  }
}

// ---- decimal ----

/**
 * The smallest exponent e such that every value is exactly d / 10^e with |d| ≤ 2^49, or -1.
 * Refuses NaN, ±Inf and -0 (no integer gives them back), so such chunks fall back to XOR.
 */
export function decimalExponent(values: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v) || (v === 0 && 1 / v < 0)) return -1;
    while (!fitsDecimal(v, e)) {
      if (++e > DECIMAL_MAX_EXP) return -1;
    }
  }
  // A value exact at a smaller e is exact at this one too (same real number, correctly
  // rounded), but the multiplication on the way in may not be: check every value again.
  for (let i = 0; i < values.length; i++) if (!fitsDecimal(values[i]!, e)) return -1;
  return e;
}

function fitsDecimal(v: number, e: number): boolean {
  const p = POW10[e]!;
  const d = Math.round(v * p);
  return Math.abs(d) <= DECIMAL_MAX_INT && d / p === v;
}

export function toDecimal(v: number, e: number): number {
  return Math.round(v * POW10[e]!);
}

export function fromDecimal(d: number, e: number): number {
  return d / POW10[e]!;
}

/** Integers as deltas (`order` 1) or delta-of-deltas (`order` 2), first value as itself. */
export class DecimalWriter {
  private readonly ints: AdaptiveIntWriter;
  private prev = 0;
  private prevDelta = 0;
  constructor(w: BitWriter, private readonly order: 1 | 2) {
    this.ints = new AdaptiveIntWriter(w);
  }
  put(d: number): void {
    const delta = d - this.prev;
    this.ints.put(this.order === 1 ? delta : delta - this.prevDelta);
    this.prev = d;
    this.prevDelta = delta;
  }
}

export class DecimalReader {
  private readonly ints: AdaptiveIntReader;
  private prev = 0;
  private prevDelta = 0;
  constructor(r: BitReader, private readonly order: 1 | 2, private readonly e: number) {
    this.ints = new AdaptiveIntReader(r);
  }
  next(): number {
    const x = this.ints.next();
    const delta = this.order === 1 ? x : x + this.prevDelta;
    const d = this.prev + delta;
    if (Math.abs(d) > DECIMAL_MAX_INT) throw new CorruptChunkError(`decimal integer ${d} exceeds 2^49`);
    this.prev = d;
    this.prevDelta = delta;
    return fromDecimal(d, this.e);
  }
}

/** Size in bits of `ints` under the adaptive code at `order`, without writing them. */
export function decimalBits(ints: ArrayLike<number>, order: 1 | 2): number {
  let bits = 0;
  let width = 0;
  let prev = 0;
  let prevDelta = 0;
  for (let i = 0; i < ints.length; i++) {
    const delta = ints[i]! - prev;
    const x = order === 1 ? delta : delta - prevDelta;
    prev = ints[i]!;
    prevDelta = delta;
    if (x === 0) bits += 1;
    else {
      const z = x >= 0 ? x * 2 : -x * 2 - 1;
      if (width > 0 && z < 2 ** width) bits += 2 + width;
      else {
        width = z < 4294967296 ? 32 - Math.clz32(z) : 64 - Math.clz32(Math.floor(z / 4294967296));
        bits += 8 + width;
      }
    }
  }
  return bits;
}
