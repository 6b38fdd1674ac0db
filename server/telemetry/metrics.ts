import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunObserver } from '../scheduler/index.js';
import type { CollectorStatus } from '../scheduler/types.js';
import type { EvaluationSnapshot } from '../evaluation/snapshot.js';
import { registerEvaluationMetrics } from './evaluationMetrics.js';

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
  evaluation?: () => EvaluationSnapshot | null;
}

export function createMetrics(sources: MetricsSources): AppMetrics {
  const registry = new Registry();
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

  if (sources.evaluation) registerEvaluationMetrics(registry, sources.evaluation);

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
    },
    onRemove(id) {
      duration.remove({ collector: id });
      samples.remove({ collector: id });
      runs.remove({ collector: id, result: 'success' });
      runs.remove({ collector: id, result: 'failure' });
    },
  };

  return { registry, collectorObserver, httpDuration };
}
