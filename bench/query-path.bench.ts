/**
 * What a read worker spends on a series answer after the store (issue 13, goal 2): writing the
 * JSON and compressing it, for the two side-by-side queries (bench/versus.bench.ts) — 30 d × 100
 * series hourly (72,000 points) and raw 24 h × 1 series at 60 s (1,440 points). The baseline,
 * in the same run, is the settings used before (br quality 4, gzip level 6); the current ones
 * are server/workers/tasks.ts's BROTLI_OPTIONS and GZIP_OPTIONS. Point values are averages of
 * a noisy gauge (12–17 significant digits, as rollup averages print), times on the step grid.
 * `node --import tsx bench/query-path.bench.ts`; prints figures, then `BENCH_JSON {...}`. ~10 s.
 */
import zlib from 'node:zlib';
import type { RangeResult } from '../server/store/index.js';
import { seriesQueryJson } from '../server/workers/series-json.js';
import { BROTLI_OPTIONS, GZIP_OPTIONS } from '../server/workers/tasks.js';

const END = Date.UTC(2025, 5, 30, 9);
const HOUR = 3_600_000;
const REPS = 15;

function result(seriesCount: number, points: number, step: number): RangeResult {
  let seed = 1;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const series = Array.from({ length: seriesCount }, (_, i) => ({
    series: { id: i + 1, name: 'bench_latency_seconds', labels: { instance: `i${i}`, job: 'bench' } },
    points: Array.from({ length: points }, (_, j): [number, number] => [END - (points - j) * step, 0.2 + Math.sin(i + j / 7) * 0.05 + rand() / 1000]),
  }));
  return { source: 'rollup', series } as unknown as RangeResult;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(f: () => number): { ms: number; bytes: number } {
  let bytes = 0;
  const ts: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    bytes = f();
    ts.push(performance.now() - t);
  }
  return { ms: median(ts), bytes };
}

const BEFORE_BR: zlib.BrotliOptions = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT } };
const BEFORE_GZIP: zlib.ZlibOptions = { level: 6 };
const out: Record<string, number> = {};
const kb = (n: number) => `${Math.round(n / 1024).toLocaleString('en-US')} KB`;

for (const [key, label, n, points, step] of [
  ['hourly30d100', '30 d × 100 series hourly', 100, 720, HOUR],
  ['raw24h1', 'raw 24 h × 1 series @60 s', 1, 1440, 60_000],
] as const) {
  const head = { from: END - points * step, to: END, step, aggregation: 'avg' };
  // seriesQueryJson consumes its result: one fresh copy per repetition, built beforehand.
  const results = Array.from({ length: REPS }, () => result(n, points, step));
  const json = time(() => seriesQueryJson(head, results.pop()!).length);
  const body = Buffer.from(seriesQueryJson(head, result(n, points, step)));
  const rows = [
    ['gzip', BEFORE_GZIP, GZIP_OPTIONS],
    ['br', BEFORE_BR, BROTLI_OPTIONS],
  ] as const;
  console.log(`${label}: JSON ${kb(body.length)} written in ${json.ms.toFixed(1)} ms`);
  out[`${key}_json_ms`] = json.ms;
  for (const [coding, before, now] of rows) {
    const compress = (o: zlib.ZlibOptions | zlib.BrotliOptions) => () =>
      (coding === 'br' ? zlib.brotliCompressSync(body, o as zlib.BrotliOptions) : zlib.gzipSync(body, o as zlib.ZlibOptions)).length;
    const b = time(compress(before));
    const a = time(compress(now));
    console.log(
      `  ${coding.padEnd(4)} before ${b.ms.toFixed(1)} ms ${kb(b.bytes)} → now ${a.ms.toFixed(1)} ms ${kb(a.bytes)}: ` +
        `${(b.ms / a.ms).toFixed(1)}× faster, ${((a.bytes / b.bytes - 1) * 100).toFixed(0)} % more bytes`,
    );
    Object.assign(out, {
      [`${key}_${coding}_before_ms`]: b.ms,
      [`${key}_${coding}_now_ms`]: a.ms,
      [`${key}_${coding}_before_bytes`]: b.bytes,
      [`${key}_${coding}_now_bytes`]: a.bytes,
      [`${key}_${coding}_speedup`]: b.ms / a.ms,
    });
  }
}
console.log(`BENCH_JSON ${JSON.stringify(out)}`);
