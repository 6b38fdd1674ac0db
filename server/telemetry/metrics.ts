import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LIMIT_NAMES } from '../../collectors/types.js';
import type { RunObserver } from '../scheduler/index.js';
import type { CollectorStatus } from '../scheduler/types.js';
import { CachingRegistry } from './cachingRegistry.js';

/**
 * The Prometheus registry behind `/metrics`. One per app (no global registry), so tests can
 * build several apps side by side.
 *
 * Gauges that describe current state are computed at scrape time from their source of truth
 * (`collect()` callbacks), so nothing goes stale and a collector removed by a reload simply
 * stops appearing. Histograms and counters are fed by events (each run, each request).
 */
export interface AppMetrics {
  registry: Registry;
  collectorObserver: RunObserver;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

export interface MetricsSources {
  version: string;
  collectors: () => CollectorStatus[];
  /** Weekly report archive (ReportRepository on either backend, or the SQLite archive), read at scrape time. */
  reports?: () => ReportMetricsSource | null;
  /** How the latest workload loads and reloads went (workload/manager.ts ReloadStatus), read at scrape time. */
  workloadReload?: () => { lastSuccessful: boolean; lastSuccessAt: number } | null;
  /**
   * Gauges a feature registers itself (evaluation: server/evaluation/metrics.ts; review:
   * server/review/metrics.ts), so telemetry depends on no feature; the runtime passes them in.
   */
  features?: Array<(registry: Registry) => void>;
}

/** What the report metrics read: the archive's record of generations and delivery attempts. */
export interface ReportMetricsSource {
  /** Per channel, the last success (`archive`: the last report generated). */
  lastSuccess(): Array<{ channel: string; at: number }> | Promise<Array<{ channel: string; at: number }>>;
  /** Per channel, failed delivery attempts ever recorded. */
  failureCounts(): Array<{ channel: string; count: number }> | Promise<Array<{ channel: string; count: number }>>;
}

export function createMetrics(sources: MetricsSources): AppMetrics {
  // Caching: the evaluation gauges are rendered once per snapshot (see server/evaluation/metrics.ts).
  const registry = new CachingRegistry();
  collectDefaultMetrics({ register: registry });
  // prom-client names three gauges with a counter's `_total` suffix, which `promtool check
  // metrics` rejects; they add little beside the event-loop and heap metrics, so they go.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }

  new Gauge({
    name: 'pillarboard_build_info',
    help: 'Build information; the value is always 1.',
    labelNames: ['version', 'nodejs'],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ version: sources.version, nodejs: process.version }, 1);
    },
  });

  new Gauge({
    name: 'pillarboard_collector_up',
    help: '1 if the collector\'s last run succeeded, 0 if it failed; absent before its first run.',
    labelNames: ['collector'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of sources.collectors()) if (c.lastRun) this.set({ collector: c.id }, c.lastRun.ok ? 1 : 0);
    },
  });

  new Gauge({
    name: 'pillarboard_collector_last_success_timestamp_seconds',
    help: 'Unix time of the start of the collector\'s last successful run.',
    labelNames: ['collector'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of sources.collectors()) {
        if (c.lastSuccess) this.set({ collector: c.id }, c.lastSuccess.startedAt / 1000);
      }
    },
  });

  new Gauge({
    name: 'pillarboard_collector_consecutive_failures',
    help: 'Failed runs of the collector since its last success.',
    labelNames: ['collector'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of sources.collectors()) this.set({ collector: c.id }, c.consecutiveFailures);
    },
  });

  const duration = new Histogram({
    name: 'pillarboard_collector_duration_seconds',
    help: 'Duration of collector runs, successful or not.',
    labelNames: ['collector'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const samples = new Counter({
    name: 'pillarboard_collector_samples_total',
    help: 'Samples written by the collector.',
    labelNames: ['collector'],
    registers: [registry],
  });
  const runs = new Counter({
    name: 'pillarboard_collector_runs_total',
    help: 'Collector runs by result.',
    labelNames: ['collector', 'result'],
    registers: [registry],
  });

  const refusals = new Counter({
    name: 'pillarboard_collector_limit_refusals_total',
    help: 'Collector runs refused for exceeding a limit (sample_limit, label_limit, label_value_length_limit, series_limit); such a run stores nothing.',
    labelNames: ['collector', 'limit'],
    registers: [registry],
  });

  if (sources.workloadReload) registerWorkloadReloadMetrics(registry, sources.workloadReload);
  if (sources.reports) registerReportMetrics(registry, sources.reports);
  for (const register of sources.features ?? []) register(registry);

  const httpDuration = new Histogram({
    name: 'pillarboard_http_request_duration_seconds',
    help: 'Duration of HTTP requests served, by route template.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const collectorObserver: RunObserver = {
    onRun(entry, info) {
      duration.observe({ collector: entry.id }, info.durationMs / 1000);
      samples.inc({ collector: entry.id }, info.samplesWritten);
      runs.inc({ collector: entry.id, result: info.ok ? 'success' : 'failure' });
      // Every limit's series exists from the first run, so a rate() or an alert sees 0 before the first refusal.
      for (const limit of LIMIT_NAMES) refusals.inc({ collector: entry.id, limit }, limit === info.limit ? 1 : 0);
    },
    onRemove(id) {
      duration.remove({ collector: id });
      samples.remove({ collector: id });
      runs.remove({ collector: id, result: 'success' });
      runs.remove({ collector: id, result: 'failure' });
      for (const limit of LIMIT_NAMES) refusals.remove({ collector: id, limit });
    },
  };

  return { registry, collectorObserver, httpDuration };
}

/**
 * Weekly report state, computed at scrape time from the archive so it survives restarts: the
 * failure counter counts every failed delivery attempt ever recorded (monotonic, as a counter
 * must be), and a channel with no success yet has no last-success sample.
 */
function registerReportMetrics(registry: Registry, source: () => ReportMetricsSource | null): void {
  new Gauge({
    name: 'pillarboard_report_last_success_timestamp_seconds',
    help: 'Unix time of the last successful weekly report delivery per channel; channel="archive" is the last report generated.',
    labelNames: ['channel'],
    registers: [registry],
    async collect() {
      const rows = (await source()?.lastSuccess()) ?? [];
      this.reset();
      for (const { channel, at } of rows) this.set({ channel }, at / 1000);
    },
  });
  new Counter({
    name: 'pillarboard_report_delivery_failures_total',
    help: 'Failed weekly report delivery attempts per channel (each retry counts).',
    labelNames: ['channel'],
    registers: [registry],
    async collect() {
      const rows = (await source()?.failureCounts()) ?? [];
      this.reset();
      for (const { channel, count } of rows) this.inc({ channel }, count);
    },
  });
}

/**
 * The workload file's reloads, named and defined as Prometheus names its own configuration
 * reloads (`prometheus_config_last_reload_successful`, `…_success_timestamp_seconds`), so the
 * same alert works: `pillarboard_workload_last_reload_successful == 0` means an edit was
 * refused and an older version is running. Absent before the first successful load.
 */
function registerWorkloadReloadMetrics(registry: Registry, source: NonNullable<MetricsSources['workloadReload']>): void {
  new Gauge({
    name: 'pillarboard_workload_last_reload_successful',
    help: 'Whether the last workload file (re)load attempt was successful (1) or refused as invalid (0).',
    registers: [registry],
    collect() {
      this.reset();
      const s = source();
      if (s) this.set(s.lastSuccessful ? 1 : 0);
    },
  });
  new Gauge({
    name: 'pillarboard_workload_last_reload_success_timestamp_seconds',
    help: 'Unix time of the last successful workload file (re)load.',
    registers: [registry],
    collect() {
      this.reset();
      const s = source();
      if (s) this.set(s.lastSuccessAt / 1000);
    },
  });
}
