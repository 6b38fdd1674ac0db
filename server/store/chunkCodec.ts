/**
 * Compressed chunks: one series' run of (ts, value) samples in one Buffer, decoded back
 * exactly. The byte layout is documented in docs/store.md ("Compressed chunks"); in short:
 *
 *   0  u8     format version (1)
 *   1  u8     value code (0 XOR, 1 decimal deltas, 2 decimal delta-of-deltas)
 *   2  u8     timestamp code: bucket table (low 4 bits: 0 Prometheus, 1 fine, 2 jitter, 3 tight; see
 *             chunkBits.ts) | 0x10 when deltas are coded against the chunk's first delta
 *   3  u8     decimal exponent e (0 for XOR)
 *   4  u32le  sample count (≥ 1)
 *   8  i48le  first ts (ms)
 *   14 i48le  last ts (ms)
 *   20 u32le  CRC-32 of bytes 0..20 and 24..end
 *   24 …      bit stream: first value; then per sample, ts delta-of-delta (or delta minus the
 *             first delta, under 0x10), then value
 *
 * The header alone answers "does this chunk overlap [from, to]?" (`readChunkHeader`), so a
 * range query skips chunks without decoding them. The encoder picks, per chunk, the smaller
 * of the timestamp codes and of the value codes. Pure; no I/O.
 */
import { crc32 } from 'node:zlib';
import * as bitsModule from './chunkBits.js';
import { BUCKET_CODES, BitReader, BitWriter, CorruptChunkError, type BucketCode } from './chunkBits.js';
import * as valuesModule from './chunkValues.js';
import { DecimalReader, DecimalWriter, XorReader, XorWriter } from './chunkValues.js';

// Module-local copies of the functions called per sample: under tsx (the tests and benches)
// each imported binding is a getter call (see query.ts).
const { bitLength, bucketedBits, readBucketed, writeBucketed, zigzag } = bitsModule;
const { decimalBits, decimalExponent, toDecimal } = valuesModule;

export { CorruptChunkError } from './chunkBits.js';

export const CHUNK_VERSION = 1;
export const CHUNK_HEADER_BYTES = 24;
/** Timestamps a chunk can hold: ±2^47 ms (±4,400 years around 1970). */
export const CHUNK_MAX_TS = 2 ** 47 - 1;

export type ValueCode = 'xor' | 'decimal-delta' | 'decimal-dod';
const VALUE_CODES: readonly ValueCode[] = ['xor', 'decimal-delta', 'decimal-dod'];

export interface ChunkHeader {
  count: number;
  firstTs: number;
  lastTs: number;
  valueCode: ValueCode;
  /** Timestamp code: bucket table (0 Prometheus's, 1 fine, 2 jitter, 3 tight) | TS_AGAINST_FIRST. */
  tsCode: number;
  decimalExponent: number;
}

export interface EncodeOptions {
  /** Force a value code ('decimal' tries both orders); default: the smallest that is exact. */
  values?: 'auto' | 'xor' | 'decimal';
  /** Force a timestamp code (bucket table 0..3, | TS_AGAINST_FIRST); default: the smallest. */
  tsCode?: number;
}

export interface DecodedChunk {
  ts: Float64Array;
  values: Float64Array;
}

/** A chunk refused at encode time; `field` names the offending input, e.g. `ts[3]`. */
export class ChunkInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ChunkInputError';
  }
}

function validate(ts: ArrayLike<number>, values: ArrayLike<number>): void {
  if (ts.length !== values.length) throw new ChunkInputError('values', `has ${values.length} entries for ${ts.length} timestamps`);
  if (ts.length === 0) throw new ChunkInputError('ts', 'a chunk needs at least one sample');
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (!Number.isInteger(t) || Math.abs(t) > CHUNK_MAX_TS) throw new ChunkInputError(`ts[${i}]`, `${t} is not an integer ms timestamp within ±2^47`);
    if (i > 0 && t <= ts[i - 1]!) throw new ChunkInputError(`ts[${i}]`, `${t} is not after the previous timestamp ${ts[i - 1]}`);
    if (typeof values[i] !== 'number') throw new ChunkInputError(`values[${i}]`, 'is not a number');
  }
}

/**
 * Timestamp-code flag: code each delta against the chunk's first delta instead of the previous
 * one. Scrape jitter j_i makes a delta-of-delta j_i − 2·j_(i−1) + j_(i−2), but a delta minus the
 * interval only j_i − j_(i−1): half the spread, so about one bit less per sample.
 */
export const TS_AGAINST_FIRST = 0x10;
/** Every timestamp code the format defines. */
export const TS_CODES: readonly number[] = [...BUCKET_CODES.map((c) => c.id), ...BUCKET_CODES.map((c) => c.id | TS_AGAINST_FIRST)];

function tsTable(tsCode: number): BucketCode | undefined {
  return (tsCode & ~(TS_AGAINST_FIRST | 0x0f)) === 0 ? BUCKET_CODES[tsCode & 0x0f] : undefined;
}

/** Bits the timestamps after the first cost under `tsCode`. */
export function timestampBits(ts: ArrayLike<number>, tsCode: number): number {
  const code = tsTable(tsCode)!;
  const againstFirst = (tsCode & TS_AGAINST_FIRST) !== 0;
  let bits = 0;
  let ref = 0;
  for (let i = 1; i < ts.length; i++) {
    const delta = ts[i]! - ts[i - 1]!;
    bits += bucketedBits(code, delta - ref);
    if (!againstFirst || i === 1) ref = delta;
  }
  return bits;
}

/**
 * The timestamp code (in TS_CODES order, first on a tie) giving the fewest bits: the same
 * choice as computing timestampBits under every code, in two passes instead of eight. A
 * residual's cost depends only on the bit length of its zigzag value, so each reference
 * (previous delta, first delta) gets a histogram of bit lengths, priced per bucket table.
 */
function smallestTsCode(ts: ArrayLike<number>): number {
  const hist = [new Float64Array(54), new Float64Array(54)];
  let prev = 0;
  let first = 0;
  for (let i = 1; i < ts.length; i++) {
    const delta = ts[i]! - ts[i - 1]!;
    if (i === 1) first = delta;
    hist[0]![bitLength(zigzag(delta - prev))]!++;
    hist[1]![bitLength(zigzag(delta - (i === 1 ? 0 : first)))]!++;
    prev = delta;
  }
  let best = Infinity;
  let bestCode = TS_CODES[0]!;
  for (const code of TS_CODES) {
    const h = hist[(code & TS_AGAINST_FIRST) !== 0 ? 1 : 0]!;
    const widths = tsTable(code)!.widths;
    const last = widths.length - 1;
    let bits = h[0]!;
    for (let len = 1; len < 54; len++) {
      const c = h[len]!;
      if (c === 0) continue;
      let i = 0;
      while (i < last && len > widths[i]!) i++;
      bits += c * (i < last ? i + 2 + widths[i]! : last + 1 + widths[last]!);
    }
    if (bits < best) [best, bestCode] = [bits, code];
  }
  return bestCode;
}

/** Encodes samples (ts strictly increasing integers, ms) into one chunk. */
export function encodeChunk(ts: ArrayLike<number>, values: ArrayLike<number>, opts: EncodeOptions = {}): Buffer {
  validate(ts, values);
  let tsCode = opts.tsCode ?? -1;
  if (tsCode < 0) tsCode = smallestTsCode(ts);
  else if (!tsTable(tsCode)) throw new ChunkInputError('tsCode', `${tsCode} is not a timestamp code (${TS_CODES.join(', ')})`);

  const mode = opts.values ?? 'auto';
  let valueCode: ValueCode = 'xor';
  let exponent = 0;
  let ints: Float64Array | undefined;
  if (mode !== 'xor') {
    exponent = decimalExponent(values);
    if (exponent >= 0) {
      ints = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) ints[i] = toDecimal(values[i]!, exponent);
      valueCode = decimalBits(ints, 1) <= decimalBits(ints, 2) ? 'decimal-delta' : 'decimal-dod';
    } else if (mode === 'decimal') {
      throw new ChunkInputError('values', 'are not all exact decimals with at most 18 places (NaN, ±Inf and -0 are not)');
    } else exponent = 0;
  }
  const candidate = writeChunk(ts, values, tsCode, valueCode, exponent, ints);
  if (mode !== 'auto' || valueCode === 'xor') return candidate;
  const xor = writeChunk(ts, values, tsCode, 'xor', 0, undefined);
  return xor.length < candidate.length ? xor : candidate;
}

function writeChunk(ts: ArrayLike<number>, values: ArrayLike<number>, tsCode: number, valueCode: ValueCode, e: number, ints: Float64Array | undefined): Buffer {
  const n = ts.length;
  const w = new BitWriter(Math.ceil(n * 2.5) + 16);
  const code = tsTable(tsCode)!;
  const againstFirst = (tsCode & TS_AGAINST_FIRST) !== 0;
  const put: (i: number) => void = ints
    ? ((dw) => (i: number) => dw.put(ints[i]!))(new DecimalWriter(w, valueCode === 'decimal-delta' ? 1 : 2))
    : ((xw) => (i: number) => xw.put(values[i]!))(new XorWriter(w));
  put(0);
  let ref = 0;
  for (let i = 1; i < n; i++) {
    const delta = ts[i]! - ts[i - 1]!;
    writeBucketed(w, code, delta - ref);
    if (!againstFirst || i === 1) ref = delta;
    put(i);
  }
  const body = w.bytes();
  const buf = Buffer.allocUnsafe(CHUNK_HEADER_BYTES + body.length);
  buf[0] = CHUNK_VERSION;
  buf[1] = VALUE_CODES.indexOf(valueCode);
  buf[2] = tsCode;
  buf[3] = e;
  buf.writeUInt32LE(n, 4);
  buf.writeIntLE(ts[0]!, 8, 6);
  buf.writeIntLE(ts[n - 1]!, 14, 6);
  buf.set(body, CHUNK_HEADER_BYTES);
  buf.writeUInt32LE(checksum(buf), 20);
  return buf;
}

function checksum(buf: Uint8Array): number {
  return crc32(buf.subarray(CHUNK_HEADER_BYTES), crc32(buf.subarray(0, 20)));
}

/** The header alone, with its fields checked (not the checksum: that needs the body). */
export function readChunkHeader(buf: Uint8Array): ChunkHeader {
  if (buf.length < CHUNK_HEADER_BYTES) throw new CorruptChunkError(`${buf.length} bytes is shorter than the ${CHUNK_HEADER_BYTES}-byte header`);
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  if (b[0] !== CHUNK_VERSION) throw new CorruptChunkError(`format version ${b[0]} is not ${CHUNK_VERSION}`);
  const valueCode = VALUE_CODES[b[1]!];
  if (!valueCode) throw new CorruptChunkError(`value code ${b[1]} is unknown`);
  const tsCode = b[2]!;
  if (!tsTable(tsCode)) throw new CorruptChunkError(`timestamp code ${tsCode} is unknown`);
  const decimalExponent = b[3]!;
  if (decimalExponent > 18 || (valueCode === 'xor' && decimalExponent !== 0)) throw new CorruptChunkError(`decimal exponent ${decimalExponent} is invalid for ${valueCode}`);
  const count = b.readUInt32LE(4);
  const firstTs = b.readIntLE(8, 6);
  const lastTs = b.readIntLE(14, 6);
  if (count === 0) throw new CorruptChunkError('sample count is 0');
  // Every sample after the first costs at least 2 bits (ts and value); the first value ≥ 1.
  if (count - 1 > (b.length - CHUNK_HEADER_BYTES) * 4) throw new CorruptChunkError(`sample count ${count} cannot fit in ${b.length - CHUNK_HEADER_BYTES} body bytes`);
  if (count === 1 ? lastTs !== firstTs : lastTs <= firstTs) throw new CorruptChunkError(`last ts ${lastTs} does not fit first ts ${firstTs} and ${count} samples`);
  return { count, firstTs, lastTs, valueCode, tsCode, decimalExponent };
}

/**
 * Decodes the samples with from ≤ ts ≤ to (default: all). Stops reading at the first sample
 * after `to`. Throws CorruptChunkError on a bad header, a checksum mismatch, or a stream that
 * does not decode to exactly the header's count and last ts.
 */
export function decodeChunk(buf: Uint8Array, range: { from?: number; to?: number } = {}): DecodedChunk {
  const h = readChunkHeader(buf);
  const stored = (buf[20]! | (buf[21]! << 8) | (buf[22]! << 16) | (buf[23]! << 24)) >>> 0;
  if (checksum(buf) !== stored) throw new CorruptChunkError('checksum mismatch');
  const from = range.from ?? -Infinity;
  const to = range.to ?? Infinity;
  if (to < h.firstTs || from > h.lastTs || from > to) return { ts: new Float64Array(0), values: new Float64Array(0) };

  const r = new BitReader(buf, CHUNK_HEADER_BYTES);
  const code = tsTable(h.tsCode)!;
  const againstFirst = (h.tsCode & TS_AGAINST_FIRST) !== 0;
  const reader =
    h.valueCode === 'xor' ? new XorReader(r) : new DecimalReader(r, h.valueCode === 'decimal-delta' ? 1 : 2, h.decimalExponent);
  const outTs = new Float64Array(h.count);
  const outV = new Float64Array(h.count);
  let n = 0;
  let t = h.firstTs;
  let v = reader.next();
  let ref = 0;
  const full = to >= h.lastTs;
  for (let i = 0; ; ) {
    if (t > to) break;
    if (t >= from) {
      outTs[n] = t;
      outV[n++] = v;
    }
    if (++i === h.count) break;
    const delta = ref + readBucketed(r, code);
    if (delta <= 0) throw new CorruptChunkError(`timestamp ${i} does not increase (delta ${delta})`);
    if (!againstFirst || i === 1) ref = delta;
    t += delta;
    if (t > h.lastTs) throw new CorruptChunkError(`timestamp ${i} (${t}) is after the header's last ts ${h.lastTs}`);
    v = reader.next();
  }
  if (full) {
    if (t !== h.lastTs) throw new CorruptChunkError(`stream ends at ts ${t}, header says ${h.lastTs}`);
    if (r.remaining >= 8) throw new CorruptChunkError(`${r.remaining} bits left after ${h.count} samples`);
  }
  return { ts: outTs.subarray(0, n), values: outV.subarray(0, n) };
}

/**
 * Collects one series' samples for a chunk: append in time order, `encode()` when the chunk is
 * due. `ChunkBuilder.from(chunk)` reopens an encoded chunk to append to it (one decode).
 * Keeps typed arrays: a plain JS array may canonicalise NaN and lose a stale marker's payload.
 */
export class ChunkBuilder {
  private ts = new Float64Array(64);
  private values = new Float64Array(64);
  private n = 0;

  static from(buf: Uint8Array): ChunkBuilder {
    const b = new ChunkBuilder();
    const d = decodeChunk(buf);
    b.ts = new Float64Array(Math.max(64, d.ts.length * 2));
    b.values = new Float64Array(b.ts.length);
    b.ts.set(d.ts);
    b.values.set(d.values);
    b.n = d.ts.length;
    return b;
  }

  get count(): number {
    return this.n;
  }

  get lastTs(): number | undefined {
    return this.n > 0 ? this.ts[this.n - 1] : undefined;
  }

  /** Adds a sample after the last one; throws ChunkInputError (field `ts`) otherwise. */
  append(ts: number, value: number): void {
    if (!Number.isInteger(ts) || Math.abs(ts) > CHUNK_MAX_TS) throw new ChunkInputError('ts', `${ts} is not an integer ms timestamp within ±2^47`);
    if (typeof value !== 'number') throw new ChunkInputError('value', 'is not a number');
    const last = this.lastTs;
    if (last !== undefined && ts <= last) throw new ChunkInputError('ts', `${ts} is not after the chunk's last timestamp ${last}`);
    if (this.n === this.ts.length) {
      const ts2 = new Float64Array(this.n * 2);
      const v2 = new Float64Array(this.n * 2);
      ts2.set(this.ts);
      v2.set(this.values);
      this.ts = ts2;
      this.values = v2;
    }
    this.ts[this.n] = ts;
    this.values[this.n++] = value;
  }

  encode(opts?: EncodeOptions): Buffer {
    return encodeChunk(this.ts.subarray(0, this.n), this.values.subarray(0, this.n), opts);
  }
}
