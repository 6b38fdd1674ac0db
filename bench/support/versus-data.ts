/**
 * The side-by-side benchmark's data (bench/versus.bench.ts, docs/benchmarks.md): 100 series of
 * bench/support/dataset.ts at one sample a minute over 30 days, ending at the last full minute
 * before an hour boundary, so hour buckets and the systems' windows line up.
 *
 * Which series: the first 60 latency gauges (`bench_latency_seconds`, instance i0..i59: a sine
 * plus a saw-tooth, full-precision doubles), the request counters of services s0..s9 (codes 200
 * and 500: 20 integer counters), the job counters of queues q0..q9 (integers that restart every
 * five days) and the probes t0..t9 (0/1). Every series also carries `bench="versus"`, the label
 * the 100-series queries select on. Values are dataset.ts's functions of time, so any span and
 * resolution is consistent; they are written with JavaScript's shortest round-trip form, so every
 * system is given exactly the same doubles.
 */
import fs from 'node:fs';
import { defs, MINUTE, HOUR, type SeriesDef } from './dataset.js';

export { MINUTE, HOUR };
export const DAY = 24 * HOUR;

/** The 100 series (see above), in the order they are written. */
export function versusSeries(): SeriesDef[] {
  const pick = (name: string, n: number) => defs.filter((d) => d.name === name).slice(0, n);
  return [
    ...pick('bench_latency_seconds', 60),
    ...pick('bench_requests_total', 20),
    ...pick('bench_jobs_total', 10),
    ...pick('bench_probe_success', 10),
  ].map((d) => ({ name: d.name, labels: { ...d.labels, bench: 'versus' }, value: d.value }));
}

/**
 * `n` series for the scale run: dataset.ts's 500 series repeated with their own `shard` label
 * and a time shift per repetition (so repeated series do not carry identical values).
 */
export function scaleSeries(n: number): SeriesDef[] {
  const out: SeriesDef[] = [];
  for (let i = 0; i < n; i++) {
    const d = defs[i % defs.length]!;
    const shift = Math.floor(i / defs.length) * 97 * MINUTE;
    out.push({ name: d.name, labels: { ...d.labels, shard: String(Math.floor(i / defs.length)) }, value: (ts) => d.value(ts + shift) });
  }
  return out;
}

export interface Span {
  /** First sample's time (ms, a multiple of `stepMs`). */
  start: number;
  /** Samples per series. */
  count: number;
  stepMs: number;
}

/** 30 days at 60 s ending one minute before the hour at or before `now`: 720 whole hours. */
export function versusSpan(now: number, days: number): Span {
  const endHour = Math.floor(now / HOUR) * HOUR;
  const count = (days * DAY) / MINUTE;
  return { start: endHour - count * MINUTE, count, stepMs: MINUTE };
}

export function lastTs(span: Span): number {
  return span.start + (span.count - 1) * span.stepMs;
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

/**
 * Writes the series as exposition text with a timestamp on every sample, series after series,
 * oldest first. `openmetrics`: timestamps in seconds and a closing `# EOF` (what promtool and
 * `pillarboard import` read); `prometheus-ms`: the Prometheus text format with millisecond
 * timestamps (what VictoriaMetrics' /api/v1/import/prometheus reads). Returns bytes written.
 */
export function writeExposition(file: string, series: readonly SeriesDef[], span: Span, format: 'openmetrics' | 'prometheus-ms'): number {
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  const divisor = format === 'openmetrics' ? 1000 : 1;
  try {
    for (const s of series) {
      const prefix = `${s.name}{${labelText(s.labels)}} `;
      let chunk = '';
      for (let k = 0; k < span.count; k++) {
        const ts = span.start + k * span.stepMs;
        chunk += `${prefix}${String(s.value(ts))} ${ts / divisor}\n`;
        if (chunk.length > 1 << 20) {
          bytes += fs.writeSync(fd, chunk);
          chunk = '';
        }
      }
      bytes += fs.writeSync(fd, chunk);
    }
    if (format === 'openmetrics') bytes += fs.writeSync(fd, '# EOF\n');
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}
