/**
 * Bit streams for compressed chunks (`chunkCodec.ts`): a writer and a reader of big-endian
 * bit fields, and the two integer codes the chunk format uses on top of them. Pure; no I/O.
 *
 * Contract of the reader: it never reads past the end of its buffer. Every read that would
 * throws `CorruptChunkError`, so a truncated or damaged chunk fails loudly instead of looping
 * or yielding values made up from bytes that are not there.
 */

export class CorruptChunkError extends Error {
  constructor(message: string) {
    super(`corrupt chunk: ${message}`);
    this.name = 'CorruptChunkError';
  }
}

const TWO32 = 4294967296;

export class BitWriter {
  private buf: Uint8Array;
  private pos = 0; // bytes fully written
  private acc = 0; // pending bits, left-aligned in the low `accBits` bits
  private accBits = 0;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
  }

  /** Writes the low `n` bits of `v` (0 ≤ n ≤ 32, v an unsigned integer < 2^n). */
  write(v: number, n: number): void {
    if (n === 0) return;
    if (n > 24) {
      // Split so the accumulator (< 8 pending bits) never exceeds 32 bits.
      const hi = n - 16;
      this.write(Math.floor(v / 65536), hi);
      this.write(v & 0xffff, 16);
      return;
    }
    this.acc = ((this.acc << n) | (v & ((1 << n) - 1))) >>> 0;
    this.accBits += n;
    if (this.pos + 4 > this.buf.length) this.grow();
    while (this.accBits >= 8) {
      this.accBits -= 8;
      this.buf[this.pos++] = (this.acc >>> this.accBits) & 0xff;
    }
    this.acc &= (1 << this.accBits) - 1;
  }

  /** Writes the low `n` bits (0 ≤ n ≤ 53) of a non-negative safe integer. */
  writeWide(v: number, n: number): void {
    if (n <= 32) return this.write(v, n);
    this.write(Math.floor(v / TWO32), n - 32);
    this.write(v >>> 0, 32);
  }

  bit(b: boolean): void {
    this.write(b ? 1 : 0, 1);
  }

  /** Total bits written so far. */
  get bits(): number {
    return this.pos * 8 + this.accBits;
  }

  /** The stream, padded with zero bits to a whole byte. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.pos + (this.accBits > 0 ? 1 : 0));
    out.set(this.buf.subarray(0, this.pos));
    if (this.accBits > 0) out[this.pos] = (this.acc << (8 - this.accBits)) & 0xff;
    return out;
  }

  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    next.set(this.buf);
    this.buf = next;
  }
}

export class BitReader {
  private bitPos: number;
  private readonly endBit: number;

  constructor(
    private readonly buf: Uint8Array,
    startByte: number,
    endByte = buf.length,
  ) {
    this.bitPos = startByte * 8;
    this.endBit = endByte * 8;
  }

  /** Reads `n` bits (0 ≤ n ≤ 32) as an unsigned integer. */
  read(n: number): number {
    if (n === 0) return 0;
    if (this.bitPos + n > this.endBit) throw new CorruptChunkError(`truncated: needs ${n} more bits at bit ${this.bitPos}, stream ends at ${this.endBit}`);
    let v = 0;
    let left = n;
    while (left > 0) {
      const byte = this.buf[this.bitPos >>> 3]!;
      const off = this.bitPos & 7;
      const avail = 8 - off;
      const take = avail < left ? avail : left;
      const bits = (byte >>> (avail - take)) & ((1 << take) - 1);
      v = v * (1 << take) + bits; // multiplication, not <<, so 32-bit reads stay unsigned
      left -= take;
      this.bitPos += take;
    }
    return v;
  }

  /** Reads `n` bits (0 ≤ n ≤ 53) as a non-negative safe integer. */
  readWide(n: number): number {
    if (n <= 32) return this.read(n);
    const hi = this.read(n - 32);
    return hi * TWO32 + this.read(32);
  }

  bit(): boolean {
    if (this.bitPos >= this.endBit) throw new CorruptChunkError(`truncated at bit ${this.bitPos}`);
    const b = (this.buf[this.bitPos >>> 3]! >>> (7 - (this.bitPos & 7))) & 1;
    this.bitPos++;
    return b === 1;
  }

  /** Bits not yet read. */
  get remaining(): number {
    return this.endBit - this.bitPos;
  }
}

/** Zigzag: 0, -1, 1, -2, … → 0, 1, 2, 3, …; exact for |v| ≤ 2^52. */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}
export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Bits needed for a non-negative integer (0 for 0). */
export function bitLength(z: number): number {
  if (z < TWO32) return 32 - Math.clz32(z);
  return 64 - Math.clz32(Math.floor(z / TWO32));
}

/**
 * A bucketed code for signed integers, as Prometheus codes timestamp delta-of-deltas: `0` for
 * zero, then a unary-ish prefix naming a bucket of `widths[i]` bits of zigzag value. The last
 * bucket must be 53 bits wide (room for any value the format allows).
 */
export interface BucketCode {
  readonly id: number;
  readonly widths: readonly number[];
}

/** Prometheus's timestamp buckets (14, 17, 20 bits, then an escape), widened to zigzag form. */
export const PROMETHEUS_BUCKETS: BucketCode = { id: 0, widths: [14, 17, 20, 53] };
/** Finer buckets for millisecond scrape jitter: ±31 ms costs 8 bits instead of 16. */
export const FINE_BUCKETS: BucketCode = { id: 1, widths: [6, 13, 20, 32, 53] };
/** For jitter of tens of ms (a busy scraper): ±63 ms costs 9 bits. */
export const JITTER_BUCKETS: BucketCode = { id: 2, widths: [7, 13, 20, 32, 53] };
/** For a few ms of jitter (an idle scraper): ±3 ms costs 5 bits. */
export const TIGHT_BUCKETS: BucketCode = { id: 3, widths: [3, 6, 13, 20, 32, 53] };
/** Indexed by the header's timestamp-code byte; the encoder picks the smallest per chunk. */
export const BUCKET_CODES: readonly BucketCode[] = [PROMETHEUS_BUCKETS, FINE_BUCKETS, JITTER_BUCKETS, TIGHT_BUCKETS];

export function writeBucketed(w: BitWriter, code: BucketCode, v: number): void {
  if (v === 0) return w.write(0, 1);
  const z = zigzag(v);
  const { widths } = code;
  const last = widths.length - 1;
  for (let i = 0; i <= last; i++) {
    if (i === last || z < 2 ** widths[i]!) {
      // prefix: i+1 ones, then a zero unless this is the last bucket
      if (i < last) w.write(((1 << (i + 1)) - 1) << 1, i + 2);
      else w.write((1 << (i + 1)) - 1, i + 1);
      w.writeWide(z, widths[i]!);
      return;
    }
  }
}

/** Size in bits of `v` under `code`, without writing it. */
export function bucketedBits(code: BucketCode, v: number): number {
  if (v === 0) return 1;
  const z = zigzag(v);
  const { widths } = code;
  const last = widths.length - 1;
  for (let i = 0; i < last; i++) if (z < 2 ** widths[i]!) return i + 2 + widths[i]!;
  return last + 1 + widths[last]!;
}

export function readBucketed(r: BitReader, code: BucketCode): number {
  const { widths } = code;
  const last = widths.length - 1;
  let i = 0;
  if (!r.bit()) return 0;
  while (i < last && r.bit()) i++;
  return unzigzag(r.readWide(widths[i]!));
}

/**
 * An adaptive code for the integer residuals of decimal chunks, in the spirit of Gorilla's
 * XOR windows: `0` for zero; `10` + w bits when the zigzag value fits the width w last
 * announced; `11` + 6-bit width + that many bits otherwise. Steady noise costs 2 + w bits,
 * and a change of scale pays 8 bits once.
 */
export class AdaptiveIntWriter {
  private width = 0;
  constructor(private readonly w: BitWriter) {}
  put(v: number): void {
    if (v === 0) return this.w.write(0, 1);
    const z = zigzag(v);
    if (this.width > 0 && z < 2 ** this.width) {
      this.w.write(0b10, 2);
      this.w.writeWide(z, this.width);
      return;
    }
    this.width = bitLength(z);
    this.w.write(0b11, 2);
    this.w.write(this.width, 6);
    this.w.writeWide(z, this.width);
  }
}

export class AdaptiveIntReader {
  private width = 0;
  constructor(private readonly r: BitReader) {}
  next(): number {
    if (!this.r.bit()) return 0;
    if (this.r.bit()) {
      const width = this.r.read(6);
      if (width === 0 || width > 53) throw new CorruptChunkError(`integer width ${width} is out of range 1..53`);
      this.width = width;
    } else if (this.width === 0) {
      throw new CorruptChunkError('integer reuses a width before any was set');
    }
    return unzigzag(this.r.readWide(this.width));
  }
}
