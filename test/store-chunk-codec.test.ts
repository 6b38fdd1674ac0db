import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CHUNK_HEADER_BYTES,
  ChunkBuilder,
  ChunkInputError,
  CorruptChunkError,
  decodeChunk,
  encodeChunk,
  readChunkHeader,
  timestampBits,
  TS_CODES,
} from '../server/store/chunkCodec.js';
import { seededRandom as rng } from './support/seeded-random.js';


/** A Prometheus stale marker: NaN with payload 2 (0x7ff0000000000002). */
const STALE = (() => {
  const f = new Float64Array(1);
  new Uint32Array(f.buffer).set(new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? [2, 0x7ff00000] : [0x7ff00000, 2]);
  return f;
})();

function randomBits(r: () => number): number {
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  u[0] = (r() * 2 ** 32) >>> 0;
  u[1] = (r() * 2 ** 32) >>> 0;
  return f[0]!;
}

type Kind = 'bits' | 'gauge' | 'decimal' | 'counter' | 'constant' | 'printed' | 'special' | 'mixed';
const KINDS: Kind[] = ['bits', 'gauge', 'decimal', 'counter', 'constant', 'printed', 'special', 'mixed'];
const SPECIALS = [Number.NaN, Infinity, -Infinity, -0, 0, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 1e308, 1e-320, 2 ** 53, -(2 ** 60), 0.1 + 0.2];

/** Samples of one kind: timestamps strictly increasing with jitter, gaps and odd steps. */
function series(seed: number, kind: Kind, n: number): { ts: number[]; values: Float64Array } {
  const r = rng(seed);
  const ts: number[] = [];
  const step = [1, 15_000, 60_000, 10_000 + Math.floor(r() * 50_000)][seed % 4]!;
  let t = Math.floor((r() - 0.5) * 2 ** 44);
  for (let i = 0; i < n; i++) {
    ts.push(t);
    const jitter = r() < 0.5 ? Math.floor(r() * 7) - 3 : 0;
    const gap = r() < 0.02 ? Math.floor(r() * 100) * step : 0;
    t += Math.max(1, step + jitter + gap);
  }
  const values = new Float64Array(n);
  let c = Math.floor(r() * 1e6);
  const digits = Math.floor(r() * 18);
  const magnitude = 10 ** (Math.floor(r() * 28) - 12);
  for (let i = 0; i < n; i++) {
    const k = kind === 'mixed' ? KINDS[Math.floor(r() * 7)]! : kind;
    if (k === 'bits') values[i] = randomBits(r);
    else if (k === 'gauge') values[i] = 0.2 + 0.1 * Math.sin(i / 60) + r() / 100;
    else if (k === 'decimal') values[i] = Math.round(r() * 100_000) / 1000;
    else if (k === 'counter') values[i] = c += Math.floor(r() * 500);
    else if (k === 'constant') values[i] = 42.5;
    // As a program prints them: 0–17 decimals at magnitudes 1e-12..1e15, up to the decimal code's limits.
    else if (k === 'printed') values[i] = Number(((r() - 0.3) * magnitude).toFixed(digits));
    else values[i] = SPECIALS[Math.floor(r() * SPECIALS.length)]!;
    if (r() < 0.01) values[i] = STALE[0]!;
  }
  return { ts, values };
}

/** The 64 bits of each value, so NaN payloads and -0 are compared too. */
function bits(values: Float64Array): number[] {
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length * 2));
}

function assertExact(buf: Buffer, ts: number[], values: Float64Array, what: string): void {
  const d = decodeChunk(buf);
  assert.deepEqual(Array.from(d.ts), ts, `${what}: timestamps`);
  assert.deepEqual(bits(d.values), bits(values), `${what}: value bits`);
}

describe('compressed chunk codec', () => {
  it('round-trips every generated series bit for bit, under every value and timestamp code', () => {
    for (let seed = 1; seed <= 140; seed++) {
      const kind = KINDS[seed % KINDS.length]!;
      const n = [1, 2, 3, 120, 1440, 5000][seed % 6]!;
      const { ts, values } = series(seed, kind, n);
      for (const tsCode of [undefined, ...TS_CODES]) {
        assertExact(encodeChunk(ts, values, { tsCode }), ts, values, `seed ${seed} ${kind} n=${n} auto ts=${tsCode}`);
        assertExact(encodeChunk(ts, values, { values: 'xor', tsCode }), ts, values, `seed ${seed} ${kind} n=${n} xor ts=${tsCode}`);
      }
    }
  });

  it('keeps a stale-marker NaN payload, -0, infinities, subnormals and the extremes exact', () => {
    // Built in place: a plain array literal may canonicalise NaN and drop the payload under test.
    const values = new Float64Array(SPECIALS.length + 3);
    values.set(SPECIALS);
    values[SPECIALS.length] = STALE[0]!;
    values[SPECIALS.length + 1] = -0;
    values[SPECIALS.length + 2] = STALE[0]!;
    const ts = Array.from(values, (_, i) => 1_700_000_000_000 + i * 15_000);
    const buf = encodeChunk(ts, values);
    assertExact(buf, ts, values, 'specials');
    const d = decodeChunk(buf);
    assert.ok(Object.is(d.values[3], -0), '-0 stays negative');
    assert.equal(bits(d.values.subarray(SPECIALS.length, SPECIALS.length + 1))[0], 2, 'stale marker payload is kept');
  });

  it('stores exact decimals as scaled integers when that is smaller, and never rounds a value', () => {
    const ts = Array.from({ length: 1440 }, (_, i) => i * 60_000);
    const counter = new Float64Array(ts.map((_, i) => 1_000_000 + i * 37 + (i % 5)));
    const cpu = new Float64Array(ts.map((_, i) => Math.round(12_345.67 * 100 + i * 1503 + (i % 3)) / 100));
    for (const [name, values] of [['counter', counter], ['cpu seconds', cpu]] as const) {
      const auto = encodeChunk(ts, values);
      const xor = encodeChunk(ts, values, { values: 'xor' });
      assert.notEqual(readChunkHeader(auto).valueCode, 'xor', `${name}: decimal code chosen`);
      assert.ok(auto.length < xor.length * 0.75, `${name}: ${auto.length} bytes vs XOR ${xor.length}`);
      assertExact(auto, ts, values, name);
    }
    // 0.1 + 0.2 is not 0.3: it has no short decimal, so the chunk stays exact through XOR.
    const awkward = new Float64Array([0.1, 0.1 + 0.2, 0.3]);
    const buf = encodeChunk([1, 2, 3], awkward);
    assert.equal(readChunkHeader(buf).valueCode, 'xor');
    assertExact(buf, [1, 2, 3], awkward, '0.1 + 0.2');
  });

  it('refuses a forced decimal code for values that are not exact decimals, naming the field', () => {
    assert.throws(() => encodeChunk([1, 2], [1, Number.NaN], { values: 'decimal' }), (e: unknown) => e instanceof ChunkInputError && e.field === 'values');
    assert.throws(() => encodeChunk([1, 2], [1, -0], { values: 'decimal' }), ChunkInputError);
  });

  it('answers count, first and last timestamp from the header alone', () => {
    const { ts, values } = series(7, 'gauge', 300);
    const h = readChunkHeader(encodeChunk(ts, values));
    assert.deepEqual([h.count, h.firstTs, h.lastTs], [300, ts[0], ts[299]]);
  });

  it('decodes a range [from, to] as the filter of the full decode, for random ranges', () => {
    const r = rng(99);
    for (const kind of KINDS) {
      const { ts, values } = series(Math.floor(r() * 1000), kind, 500);
      const buf = encodeChunk(ts, values);
      for (let k = 0; k < 30; k++) {
        const a = ts[0]! + Math.floor((r() * 1.2 - 0.1) * (ts[499]! - ts[0]!));
        const b = a + Math.floor(r() * (ts[499]! - ts[0]!) * 0.6);
        const keep = ts.map((t, i) => [t, i] as const).filter(([t]) => t >= a && t <= b);
        const d = decodeChunk(buf, { from: a, to: b });
        assert.deepEqual(Array.from(d.ts), keep.map(([t]) => t), `${kind} [${a}, ${b}]`);
        const expected = new Float64Array(keep.length);
        keep.forEach(([, i], j) => (expected[j] = values[i]!));
        assert.deepEqual(bits(d.values), bits(expected), `${kind} values [${a}, ${b}]`);
      }
    }
  });

  it('appends to a reopened chunk and encodes the same samples as one chunk would', () => {
    const { ts, values } = series(11, 'mixed', 700);
    const first = new ChunkBuilder();
    for (let i = 0; i < 400; i++) first.append(ts[i]!, values[i]!);
    const reopened = ChunkBuilder.from(first.encode());
    assert.equal(reopened.count, 400);
    for (let i = 400; i < 700; i++) reopened.append(ts[i]!, values[i]!);
    assert.deepEqual(reopened.encode(), encodeChunk(ts, values));
    assert.throws(() => reopened.append(ts[699]!, 1), (e: unknown) => e instanceof ChunkInputError && /not after/.test(e.message));
  });

  it('refuses bad input with the offending index named', () => {
    const cases: Array<[number[], number[], string]> = [
      [[1, 2, 2], [0, 0, 0], 'ts[2]'],
      [[1, 3, 2], [0, 0, 0], 'ts[2]'],
      [[1, 2.5], [0, 0], 'ts[1]'],
      [[1, 2 ** 48], [0, 0], 'ts[1]'],
      [[1, 2], [0], 'values'],
      [[], [], 'ts'],
    ];
    for (const [ts, values, field] of cases) {
      assert.throws(() => encodeChunk(ts, values), (e: unknown) => e instanceof ChunkInputError && e.field === field, field);
    }
  });

  it('rejects every truncation and every flipped bit of a chunk with CorruptChunkError', () => {
    for (const kind of ['gauge', 'counter'] as const) {
      const { ts, values } = series(5, kind, 200);
      const buf = encodeChunk(ts, values);
      for (let len = 0; len < buf.length; len++) {
        assert.throws(() => decodeChunk(buf.subarray(0, len)), CorruptChunkError, `${kind} truncated to ${len}`);
      }
      for (let byte = 0; byte < buf.length; byte++) {
        for (let bit = 0; bit < 8; bit += 3) {
          const bad = Buffer.from(buf);
          bad[byte]! ^= 1 << bit;
          assert.throws(() => decodeChunk(bad), CorruptChunkError, `${kind} byte ${byte} bit ${bit}`);
        }
      }
    }
  });

  it('rejects a damaged stream even when its checksum was recomputed, without looping or allocating for a forged count', async () => {
    const { crc32 } = await import('node:zlib');
    const reseal = (b: Buffer) => {
      b.writeUInt32LE(crc32(b.subarray(CHUNK_HEADER_BYTES), crc32(b.subarray(0, 20))), 20);
      return b;
    };
    const { ts, values } = series(3, 'gauge', 300);
    const buf = encodeChunk(ts, values);
    const count = Buffer.from(buf);
    count.writeUInt32LE(0xffffffff, 4);
    assert.throws(() => decodeChunk(reseal(count)), /cannot fit/);
    const more = Buffer.from(buf);
    more.writeUInt32LE(301, 4);
    assert.throws(() => decodeChunk(reseal(more)), CorruptChunkError);
    const last = Buffer.from(buf);
    last.writeIntLE(ts[299]! + 1, 14, 6);
    assert.throws(() => decodeChunk(reseal(last)), /header says|after the header/);
    const short = reseal(Buffer.concat([buf.subarray(0, 20), Buffer.alloc(4), buf.subarray(CHUNK_HEADER_BYTES, buf.length - 10)]));
    assert.throws(() => decodeChunk(short), CorruptChunkError);
    const version = Buffer.from(buf);
    version[0] = 9;
    assert.throws(() => decodeChunk(version), /format version 9/);
  });
});

it('the encoder picks the timestamp code with the fewest bits, first on a tie, as pricing every code would', () => {
  const rnd = rng(77);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + Math.floor(rnd() * 300);
    const jitter = [0, 3, 30, 300, 70_000][trial % 5]!;
    const ts: number[] = [];
    let t = 1_700_000_000_000;
    for (let i = 0; i < n; i++) {
      t += 15_000 + Math.floor(rnd() * (2 * jitter + 1)) - jitter + (rnd() < 0.01 ? 3_600_000 : 0);
      if (i > 0 && t <= ts[i - 1]!) t = ts[i - 1]! + 1;
      ts.push(t);
    }
    let best = Infinity;
    let want = -1;
    for (const code of TS_CODES) {
      const bits = timestampBits(ts, code);
      if (bits < best) [best, want] = [bits, code];
    }
    const chunk = encodeChunk(ts, ts.map(() => 1));
    assert.equal(readChunkHeader(chunk).tsCode, want, `trial ${trial} (jitter ${jitter})`);
  }
});
