import { Counter, Gauge, type Registry } from 'prom-client';
import type { OtlpStats } from './ingest.js';

/**
 * The receiver's figures on /metrics, read at scrape time: data points stored and refused
 * (`partial_success`), samples written, and the delta series whose totals are kept in memory.
 * Requests refused whole (400, 413…) show in `pillarboard_http_request_duration_seconds` by status.
 */
export function registerOtlpMetrics(registry: Registry, stats: () => OtlpStats | null): void {
  new Counter({
    name: 'pillarboard_otlp_data_points_total',
    help: 'OTLP data points received at POST /v1/metrics, by result: stored, or refused (reported in partial_success).',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      const s = stats();
      this.reset();
      this.inc({ result: 'stored' }, s?.pointsStored ?? 0);
      this.inc({ result: 'refused' }, s?.pointsRefused ?? 0);
    },
  });
  new Counter({
    name: 'pillarboard_otlp_samples_written_total',
    help: 'Samples written from OTLP data points (a histogram point is several: its buckets, _sum and _count).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(stats()?.samplesWritten ?? 0);
    },
  });
  new Gauge({
    name: 'pillarboard_otlp_delta_series',
    help: 'Delta-temporality series whose running totals are kept in memory (lost on restart).',
    registers: [registry],
    collect() {
      this.set(stats()?.deltaSeries ?? 0);
    },
  });
}
