import type * as SdkNode from '@opentelemetry/sdk-node';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as InstrumentationHttp from '@opentelemetry/instrumentation-http';
import type * as InstrumentationExpress from '@opentelemetry/instrumentation-express';
import type { Clock } from '../clock.js';

/** Longest the exporter may take to flush at shutdown; spans still pending then are dropped. */
const SHUTDOWN_BOUND_MS = 5_000;

export interface TelemetrySettings {
  /** OTLP/HTTP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); tracing is off without one. */
  otlpEndpoint?: string;
  serviceName: string;
  version: string;
  /** True in tests and under OTEL_SDK_DISABLED: never start the SDK. */
  disabled: boolean;
  /** The process's one clock: the shutdown bound waits on it. */
  clock: Clock;
  /** Where export failures at shutdown are reported. */
  log?: { warn(msg: string, fields?: Record<string, unknown>): void };
}

export interface Telemetry {
  enabled: boolean;
  /**
   * Flushes and stops tracing, within SHUTDOWN_BOUND_MS. Never rejects: traces are a diagnostic,
   * so an unreachable collector is logged, and never turns a clean shutdown into a failure.
   */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing: spans for HTTP requests (incoming and outgoing, with Express
 * route names) and — through `@opentelemetry/api` in the scheduler — one span per collector run.
 *
 * Must run before Express (and node:http users) are loaded, so the instrumentations can patch
 * them: the CLI calls this first and only then requires the server. Traces only: metrics are
 * pulled from `/metrics` by Prometheus, never pushed, and logs stay on stderr.
 */
export function startTelemetry(settings: TelemetrySettings): Telemetry {
  if (settings.disabled || !settings.otlpEndpoint) return { enabled: false, shutdown: async () => {} };
  // Loaded only when tracing is on: the SDK and its instrumentations are ~30 MB of RSS a server
  // without an OTLP endpoint would carry for nothing.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNode;
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof InstrumentationHttp;
  const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express') as typeof InstrumentationExpress;
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT / _HEADERS itself, per the OTel spec.
    traceExporter: new OTLPTraceExporter(),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // Scrapes and health checks would drown the interesting spans.
        // Kiosk URLs carry read tokens as ?token=: never let them into a trace.
        redactedQueryParamsServer: ['token', 'access_token'],
        ignoreIncomingRequestHook: (req) => /^\/(metrics|healthz|readyz)(\?|$)/.test(req.url ?? ''),
      }),
      new ExpressInstrumentation(),
    ],
  });
  sdk.start();
  return {
    enabled: true,
    shutdown: async () => {
      const giveUp = new AbortController();
      const bound = settings.clock.sleep(SHUTDOWN_BOUND_MS, giveUp.signal).then(() => 'timeout' as const);
      try {
        const r = await Promise.race([sdk.shutdown().then(() => 'done' as const), bound]);
        if (r === 'timeout') settings.log?.warn('trace export did not finish at shutdown; pending spans dropped', { endpoint: settings.otlpEndpoint, boundMs: SHUTDOWN_BOUND_MS });
      } catch (err) {
        settings.log?.warn('trace export failed at shutdown; pending spans dropped', { endpoint: settings.otlpEndpoint, error: (err as Error).message });
      } finally {
        giveUp.abort();
      }
    },
  };
}
