/**
 * Compressed-chunk benchmark (issue 13, goal 1, first step): bytes per sample of
 * `server/store/chunkCodec.ts` and its encode/decode throughput, on
 *  (a) the issue's data set shape: 100 series × 30 days at 60 s (4.32 M samples), values from
 *      bench/support/dataset.ts (every 5th series: 60 latency gauges, 20 request counters,
 *      10 job counters that reset, 10 probes), one chunk per series per UTC day;
 *  (a') the same shape with store.bench.ts's full-precision values (sin·100 + m mod 7), the
 *      hardest case for an exact encoding;
 *  (b) a real node_exporter page's series: 120 scrapes of a real `prometheus-node-exporter`
 *      ~1 s apart, stamped as if 15 s apart (the real scrape-time jitter in ms is kept), one
 *      120-sample chunk per series, as Prometheus cuts them.
 * Baselines in the same run: raw (ts, value) = 16 bytes; the current store's `samples` table,
 *  measured here on 100 series × 2 days of (a) (bytes of the database file after a
 *  checkpoint / samples); and the issue's figures for Prometheus 2.42 (7.2 bytes/sample on
 *  disk) and VictoriaMetrics 1.79.5 (6.34, with values rounded to ~12 digits).
 * Alternatives measured on the same chunks: values as XOR only (Prometheus's code) against
 *  the per-chunk choice (XOR or exact decimals), and timestamps under Prometheus's buckets,
 *  the finer buckets, and zigzag varints of the delta-of-delta.
 * `node --import tsx bench/chunk-codec.bench.ts`; prints figures, then `BENCH_JSON {...}`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseExposition } from '../collectors/exposition.js';
import { zigzag } from '../server/store/chunkBits.js';
import { TS_AGAINST_FIRST, TS_CODES, decodeChunk, encodeChunk, readChunkHeader, timestampBits } from '../server/store/chunkCodec.js';
import { openStore } from '../server/store/index.js';
import { startNodeExporter } from '../test/support/real-binaries.js';
import { DAY, END, MINUTE, defs } from './support/dataset.js';

const PROMETHEUS_BPS = 7.2;
const VICTORIA_BPS = 6.34;
const RAW_BPS = 16;
const results: Array<{ metric: string; value: number; unit: string; target?: string; pass?: boolean }> = [];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const f2 = (n: number) => n.toFixed(2);

interface Series {
  ts: Float64Array;
  values: Float64Array;
}
interface Measure {
  samples: number;
  autoBytes: number;
  xorBytes: number;
  tsBits: number[]; // per timestamp code (TS_CODES)
  tsVarintBytes: number;
  codes: Record<string, number>;
  encodeMs: number;
  decodeMs: number;
  chunks: Buffer[];
}

function varintBytes(z: number): number {
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}

/** Encodes every chunk of every series (timed: the auto code only), then decodes them all (timed). */
function measure(series: Series[], chunkOf: (ts: Float64Array) => Array<[number, number]>): Measure {
  const m: Measure = { samples: 0, autoBytes: 0, xorBytes: 0, tsBits: TS_CODES.map(() => 0), tsVarintBytes: 0, codes: {}, encodeMs: 0, decodeMs: 0, chunks: [] };
  for (const s of series) {
    for (const [a, b] of chunkOf(s.ts)) {
      const ts = s.ts.subarray(a, b);
      const values = s.values.subarray(a, b);
      const t = performance.now();
      const buf = encodeChunk(ts, values);
      m.encodeMs += performance.now() - t;
      m.chunks.push(buf);
      m.samples += ts.length;
      m.autoBytes += buf.length;
      m.xorBytes += encodeChunk(ts, values, { values: 'xor', tsCode: 0 }).length;
      const code = readChunkHeader(buf).valueCode;
      m.codes[code] = (m.codes[code] ?? 0) + 1;
      TS_CODES.forEach((c, k) => (m.tsBits[k]! += timestampBits(ts, c)));
      let prevDelta = 0;
      for (let i = 1; i < ts.length; i++) {
        const delta = ts[i]! - ts[i - 1]!;
        m.tsVarintBytes += varintBytes(zigzag(delta - prevDelta));
        prevDelta = delta;
      }
    }
  }
  const t = performance.now();
  let decoded = 0;
  for (const c of m.chunks) decoded += decodeChunk(c).ts.length;
  m.decodeMs = performance.now() - t;
  if (decoded !== m.samples) throw new Error(`decoded ${decoded} samples of ${m.samples}`);
  return m;
}

function report(name: string, m: Measure, baselineStore?: number): number {
  const bps = m.autoBytes / m.samples;
  const xor = m.xorBytes / m.samples;
  console.log(`chunk.${name}  ${fmt(m.samples)} samples in ${fmt(m.chunks.length)} chunks  codes ${JSON.stringify(m.codes)}`);
  console.log(`  bytes/sample  chosen ${f2(bps)}  XOR-only (Prometheus's code) ${f2(xor)}  raw ${RAW_BPS}` + (baselineStore ? `  current store ${f2(baselineStore)}` : ''));
  console.log(
    `  ratios  vs raw ${f2(RAW_BPS / bps)}x smaller` +
      (baselineStore ? `  vs current store ${f2(baselineStore / bps)}x smaller` : '') +
      `  vs Prometheus ${PROMETHEUS_BPS}: ${f2(bps / PROMETHEUS_BPS)}  vs VictoriaMetrics ${VICTORIA_BPS}: ${f2(bps / VICTORIA_BPS)}  (≤ 1 is smaller)`,
  );
  const ts = m.samples - m.chunks.length; // samples after each chunk's first
  const tables = ['Prometheus', 'fine', 'jitter', 'tight'];
  const codeName = (c: number) => `${tables[c & 0x0f]}${c & TS_AGAINST_FIRST ? ' vs first delta' : ''}`;
  console.log(
    `  timestamps, bits per sample  ${TS_CODES.map((c, k) => `${codeName(c)} ${f2(m.tsBits[k]! / ts)}`).join('  ')}  zigzag varint of dod ${f2((8 * m.tsVarintBytes) / ts)}`,
  );
  const tsCodes: Record<string, number> = {};
  for (const c of m.chunks) tsCodes[codeName(readChunkHeader(c).tsCode)] = (tsCodes[codeName(readChunkHeader(c).tsCode)] ?? 0) + 1;
  console.log(`  timestamp codes chosen ${JSON.stringify(tsCodes)}`);
  const enc = m.samples / (m.encodeMs / 1000);
  const dec = m.samples / (m.decodeMs / 1000);
  console.log(`  encode ${fmt(enc)} samples/s  decode ${fmt(dec)} samples/s`);
  results.push(
    { metric: `${name} bytes/sample`, value: Number(bps.toFixed(3)), unit: 'bytes', target: `<=${VICTORIA_BPS}`, pass: bps <= VICTORIA_BPS },
    { metric: `${name} bytes/sample XOR only`, value: Number(xor.toFixed(3)), unit: 'bytes' },
    { metric: `${name} ratio to Prometheus 7.2`, value: Number((bps / PROMETHEUS_BPS).toFixed(3)), unit: 'ratio', target: '<=1', pass: bps <= PROMETHEUS_BPS },
    { metric: `${name} encode samples/s`, value: Math.round(enc), unit: 'samples/s' },
    { metric: `${name} decode samples/s`, value: Math.round(dec), unit: 'samples/s' },
  );
  return bps;
}

/** Chunk boundaries: one per UTC day. */
const perDay = (ts: Float64Array): Array<[number, number]> => {
  const out: Array<[number, number]> = [];
  let a = 0;
  for (let i = 1; i <= ts.length; i++) {
    if (i === ts.length || Math.floor(ts[i]! / DAY) !== Math.floor(ts[a]! / DAY)) {
      out.push([a, i]);
      a = i;
    }
  }
  return out;
};
const whole = (ts: Float64Array): Array<[number, number]> => [[0, ts.length]];

function generated(value: (k: number, ts: number) => number, days: number): Series[] {
  const T0 = END - days * DAY;
  const n = (END - T0) / MINUTE + 1;
  return Array.from({ length: 100 }, (_, k) => {
    const ts = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ts[i] = T0 + i * MINUTE;
      values[i] = value(k, ts[i]!);
    }
    return { ts, values };
  });
}
const datasetValue = (k: number, ts: number) => defs[k * 5]!.value(ts);

/** Bytes per sample of the current store's raw table: 100 series × `days` of the same values. */
function currentStoreBytes(days: number): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-bench-chunk-'));
  try {
    const file = path.join(dir, 'store.db');
    const store = openStore({ path: file, now: () => END });
    store.writeSamples(Array.from({ length: 100 }, (_, k) => ({ name: 'bench_chunk', labels: { k: String(k) }, ts: END - 40 * DAY, value: 0 })));
    store.close();
    const db = openStore({ path: file, now: () => END }).db;
    const ins = db.prepare('INSERT OR REPLACE INTO samples (series_id, ts, value) VALUES (?, ?, ?)');
    let samples = 0;
    for (const [k, s] of generated(datasetValue, days).entries()) {
      db.transaction(() => {
        for (let i = 0; i < s.ts.length; i++) ins.run(k + 1, s.ts[i]!, s.values[i]!);
      })();
      samples += s.ts.length;
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    const tableBytes = (db.prepare("SELECT SUM(pgsize) AS b FROM dbstat WHERE name IN ('samples')").get() as { b: number }).b;
    db.close();
    return tableBytes / samples;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function nodeExporterSeries(scrapes: number): Promise<Series[]> {
  const ne = await startNodeExporter();
  const bySeries = new Map<string, { ts: number[]; values: number[] }>();
  try {
    const start = Date.now();
    const T0 = Math.floor(start / 15_000) * 15_000;
    for (let k = 0; k < scrapes; k++) {
      const due = start + k * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      const jitter = Date.now() - due; // the real lateness of this scrape, in ms
      const text = await (await fetch(ne.url)).text();
      const { samples } = parseExposition(text);
      for (const s of samples) {
        const key = s.name + JSON.stringify(s.labels);
        let e = bySeries.get(key);
        if (!e) bySeries.set(key, (e = { ts: [], values: [] }));
        e.ts.push(T0 + k * 15_000 + jitter);
        e.values.push(s.value);
      }
    }
  } finally {
    await ne.stop();
  }
  return [...bySeries.values()].map((e) => ({ ts: new Float64Array(e.ts), values: new Float64Array(e.values) }));
}

async function main(): Promise<void> {
  const storeBps = currentStoreBytes(2);
  console.log(`chunk.baseline  current store, samples table: ${f2(storeBps)} bytes/sample on disk (100 series × 2 days of (a), after a checkpoint; issue 13 measured 28.1 for the whole file)`);
  results.push({ metric: 'current store samples table bytes/sample', value: Number(storeBps.toFixed(2)), unit: 'bytes' });

  report('issue-dataset (a)', measure(generated(datasetValue, 30), perDay), storeBps);
  const hard = measure(generated((k, ts) => Math.sin((ts - (END - 30 * DAY)) / MINUTE / 60 + k + 1) * 100 + (((ts - (END - 30 * DAY)) / MINUTE) % 7), 30), perDay);
  report("full-precision floats (a')", hard, storeBps);
  const day120 = measure(generated(datasetValue, 30), (ts) => {
    const out: Array<[number, number]> = [];
    for (let a = 0; a < ts.length; a += 120) out.push([a, Math.min(ts.length, a + 120)]);
    return out;
  });
  report('issue-dataset, 120-sample chunks', day120, storeBps);

  const ne = await nodeExporterSeries(120);
  report(`node_exporter (b), ${ne.length} series`, measure(ne, whole), storeBps);
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(`BENCH_JSON ${JSON.stringify({ name: 'chunk', results, peakRssMb })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
