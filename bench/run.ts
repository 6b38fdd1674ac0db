/**
 * `npm run bench`: runs every bench/*.bench.ts in its own process (so each one's peak RSS is
 * its own) one after the other, and prints their figures and a summary of targets.
 * `npm run bench -- NAME…` runs those whose file name contains a NAME. Opt-in benches (the
 * side-by-side run against real Prometheus and VictoriaMetrics, several minutes) run only when
 * named or with `--vs-prometheus`. Other `--flags` are passed to every bench run (e.g.
 * `--small` for the side-by-side run, `npm run bench -- soak --quick` for a one-minute soak).
 * Each bench prints human-readable lines and a last line `BENCH_JSON {...}` with
 * `{ name, results: [{ metric, value, unit, target?, pass? }], peakRssMb }`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const dir = __dirname;
const OPT_IN = ['versus.bench.ts'];
const args = process.argv.slice(2);
const versus = args.includes('--vs-prometheus');
const VALUED = ['--reps', '--scale-hours'];
const flags = args.filter((a, i) => (a.startsWith('--') && a !== '--vs-prometheus') || (i > 0 && VALUED.includes(args[i - 1]!)));
const only = args.filter((a) => !flags.includes(a) && a !== '--vs-prometheus');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) =>
    only.length > 0 ? only.some((o) => f.includes(o)) || (versus && OPT_IN.includes(f)) : versus ? OPT_IN.includes(f) : !OPT_IN.includes(f),
  )
  .sort();

interface BenchJson {
  name: string;
  results: Array<{ metric: string; value: number; unit: string; target?: string; pass?: boolean }>;
  peakRssMb?: number;
}

const summary: BenchJson[] = [];
let failed = false;
for (const f of files) {
  process.stdout.write(`\n=== ${f}\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(dir, f), ...flags], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = (r.stdout ?? '').split('\n');
  for (const line of lines) if (line && !line.startsWith('BENCH_JSON ')) process.stdout.write(line + '\n');
  const json = lines.find((l) => l.startsWith('BENCH_JSON '));
  if (r.status !== 0 || !json) {
    failed = true;
    process.stdout.write(`${f}: exited ${r.status}${json ? '' : ' without BENCH_JSON'}\n`);
    continue;
  }
  const parsed = JSON.parse(json.slice('BENCH_JSON '.length)) as BenchJson;
  if (!Array.isArray(parsed.results)) {
    failed = true;
    process.stdout.write(`${f}: BENCH_JSON has no results array\n`);
    continue;
  }
  summary.push(parsed);
}

process.stdout.write('\n=== summary\n');
for (const b of summary) {
  for (const res of b.results) {
    const verdict = res.pass === undefined ? '' : res.pass ? 'PASS' : 'MISS';
    process.stdout.write(
      `${b.name.padEnd(10)} ${res.metric.padEnd(42)} ${String(res.value).padStart(12)} ${res.unit.padEnd(10)} ${(res.target ?? '').padEnd(16)} ${verdict}\n`,
    );
  }
  if (b.peakRssMb !== undefined) process.stdout.write(`${b.name.padEnd(10)} ${'peak RSS'.padEnd(42)} ${String(b.peakRssMb).padStart(12)} MB\n`);
}
process.exitCode = failed ? 1 : 0;
