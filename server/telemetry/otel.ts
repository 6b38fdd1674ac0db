import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';

export interface TelemetrySettings {
  /** OTLP/HTTP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); tracing is off without one. */
  otlpEndpoint?: string;
  serviceName: string;
  version: string;
  /** True in tests and under OTEL_SDK_DISABLED: never start the SDK. */
  disabled: boolean;
}

export interface Telemetry {
  enabled: boolean;
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
  return { enabled: true, shutdown: () => sdk.shutdown() };
}
