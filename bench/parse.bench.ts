/**
 * Exposition parser benchmark: a synthetic 2,000-series node_exporter-like page
 * (HELP/TYPE on every family, labelled counters and gauges, histograms, a summary),
 * parsed many times. Target: median <= 10 ms on the 2-core reference machine.
 *
 *   node --import tsx bench/parse.bench.ts
 *
 * The last line is `BENCH_JSON {...}` for scripts.
 */
import { performance } from 'node:perf_hooks';
import { parseExposition } from '../collectors/exposition.js';

const SERIES = 2000;
const WARMUP = 50;
const RUNS = 300;
const TARGET_MS = 10;

/** Deterministic pseudo-random numbers, so every run parses the same page. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export function syntheticNodeExporterPage(series = SERIES): string {
  const rand = rng(42);
  const out: string[] = [];
  let count = 0;
  const big = () => (rand() * 1e10).toExponential(9).replace('e+', 'e+0').replace(/e\+0(\d\d)/, 'e+$1');
  const family = (name: string, type: string, help: string) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  const sample = (name: string, labels: string, value: string) => {
    if (count >= series) return;
    out.push(labels ? `${name}{${labels}} ${value}` : `${name} ${value}`);
    count++;
  };

  family('node_cpu_seconds_total', 'counter', 'Seconds the CPUs spent in each mode.');
  for (let cpu = 0; cpu < 16; cpu++) {
    for (const mode of ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user']) {
      sample('node_cpu_seconds_total', `cpu="${cpu}",mode="${mode}"`, (rand() * 1e6).toFixed(2));
    }
  }
  const devices = ['eth0', 'eth1', 'lo', 'docker0', 'veth1a2b3c', 'veth4d5e6f', 'br-01ab', 'wg0', 'tun0', 'bond0'];
  for (const metric of ['receive_bytes', 'transmit_bytes', 'receive_packets', 'transmit_packets', 'receive_errs', 'transmit_errs', 'receive_drop', 'transmit_drop', 'receive_multicast', 'transmit_colls']) {
    family(`node_network_${metric}_total`, 'counter', `Network device statistic ${metric}.`);
    for (const d of devices) sample(`node_network_${metric}_total`, `device="${d}"`, big());
  }
  const mounts = Array.from({ length: 15 }, (_, i) => (i === 0 ? '/' : `/mnt/volume-${i}`));
  for (const metric of ['avail_bytes', 'free_bytes', 'size_bytes', 'files', 'files_free', 'readonly', 'device_error']) {
    family(`node_filesystem_${metric}`, 'gauge', `Filesystem ${metric}.`);
    mounts.forEach((m, i) => sample(`node_filesystem_${metric}`, `device="/dev/vd${String.fromCharCode(97 + i)}",fstype="ext4",mountpoint="${m}"`, big()));
  }
  const disks = ['vda', 'vdb', 'vdc', 'nvme0n1', 'nvme1n1', 'sda', 'sdb', 'dm-0', 'dm-1', 'loop0'];
  for (const metric of ['reads_completed', 'writes_completed', 'read_bytes', 'written_bytes', 'io_time_seconds', 'read_time_seconds', 'write_time_seconds', 'reads_merged', 'writes_merged', 'io_time_weighted_seconds']) {
    family(`node_disk_${metric}_total`, 'counter', `Disk statistic ${metric}.`);
    for (const d of disks) sample(`node_disk_${metric}_total`, `device="${d}"`, big());
  }
  family('http_request_duration_seconds', 'histogram', 'Request latency by handler.');
  const les = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
  for (const handler of ['/', '/api/v1/query', '/api/v1/series', '/metrics', '/health', '/login', '/checkout', '/cart', '/search', '/static']) {
    for (const code of ['200', '404', '500']) {
      let cumulative = 0;
      for (const le of les) {
        cumulative += Math.floor(rand() * 1000);
        sample('http_request_duration_seconds_bucket', `handler="${handler}",code="${code}",le="${le}"`, String(cumulative));
      }
      sample('http_request_duration_seconds_sum', `handler="${handler}",code="${code}"`, (rand() * 1e4).toFixed(6));
      sample('http_request_duration_seconds_count', `handler="${handler}",code="${code}"`, String(cumulative));
    }
  }
  family('go_gc_duration_seconds', 'summary', 'A summary of the pause duration of garbage collection cycles.');
  for (const q of ['0', '0.25', '0.5', '0.75', '1']) sample('go_gc_duration_seconds', `quantile="${q}"`, (rand() / 1e4).toExponential(6));
  sample('go_gc_duration_seconds_sum', '', '0.0123');
  sample('go_gc_duration_seconds_count', '', '4211');
  // Fill the rest with single-series gauges, as node_memory_* and friends are.
  for (let i = 0; count < series; i++) {
    family(`node_memory_Field${i}_bytes`, 'gauge', `Memory information field Field${i}_bytes.`);
    sample(`node_memory_Field${i}_bytes`, '', big());
  }
  return out.join('\n') + '\n';
}

function main(): void {
  const page = syntheticNodeExporterPage();
  const check = parseExposition(page);
  if (check.samples.length !== SERIES || check.errors.length > 0) {
    throw new Error(`synthetic page parsed to ${check.samples.length} samples and ${check.errors.length} errors`);
  }
  for (let i = 0; i < WARMUP; i++) parseExposition(page);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    parseExposition(page);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const p95 = times[Math.floor(times.length * 0.95)]!;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
  console.log(`exposition parse: ${SERIES} series, ${check.lines} lines, ${(page.length / 1024).toFixed(1)} KiB`);
  console.log(`median ${median.toFixed(3)} ms, p95 ${p95.toFixed(3)} ms over ${RUNS} runs (target <= ${TARGET_MS} ms): ${median <= TARGET_MS ? 'OK' : 'TOO SLOW'}`);
  console.log(`peak RSS ${maxRssMiB.toFixed(1)} MiB`);
  console.log(
    'BENCH_JSON ' +
      JSON.stringify({
        name: 'parse',
        results: [
          { metric: `exposition parse, ${SERIES} series (${(page.length / 1024).toFixed(0)} KiB), median`, value: round(median), unit: 'ms', target: `<= ${TARGET_MS} ms`, pass: median <= TARGET_MS },
          { metric: 'exposition parse p95', value: round(p95), unit: 'ms' },
        ],
        peakRssMb: round(maxRssMiB, 1),
      }),
  );
}

if (require.main === module) main();
