import express, { type Express } from 'express';
import type { AppDeps } from './deps.js';
import { Problem, problemHandler, sendProblem } from './problem.js';
import { healthRoutes } from './routes/health.js';
import { collectorRoutes } from './routes/collectors.js';
import { seriesRoutes } from './routes/series.js';
import { workloadRoutes } from './routes/workload.js';
import { metricsRoute } from './routes/metrics.js';
import { indexRoute } from './routes/index.js';
import { evaluationRoutes } from './routes/evaluation.js';
import { streamRoute } from './routes/stream.js';
import { reportRoutes } from './routes/reports.js';
import { eventRoutes } from './routes/events.js';
import { webhookRoutes } from './routes/webhooks.js';
import { otlpRoutes } from './routes/otlp.js';
import { doraRoutes } from './routes/dora.js';
import { reviewRoutes } from './routes/review.js';
import { notificationRoutes } from './routes/notifications.js';
import { buildOpenApi } from './openapi.js';
import { API_ROUTES } from './contract/index.js';
import { requestChecks } from './contract/validate.js';
import type { RouteSpec, Scope } from './contract/route.js';
import { securityHeaders } from './security.js';
import { requireScope } from './auth.js';
import { writeRateLimit } from './rateLimit.js';
import { jsonDepthGuard, MAX_JSON_DEPTH } from './jsonDepth.js';
import { compressResponses } from './encoding.js';

/** The routes seriesRoutes() answers. */
const isSeriesRead = (r: RouteSpec) => r.method === 'get' && (r.path === '/api/series' || r.path === '/api/series/query');

/**
 * Builds the HTTP application from its dependencies — no globals, so a test can build
 * several side by side. Every error leaves as RFC 9457 problem+json.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('json spaces', 0);

  app.use((req, res, next) => {
    const end = deps.metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ route, status: String(res.statusCode) });
    });
    next();
  });

  app.use(securityHeaders());
  // Probes next: a load balancer's or the wall's health check answers a few bytes and should not
  // pass the wrappers and parsers below (their bodies are under the compression threshold anyway).
  app.use(healthRoutes(deps));
  // Then the series reads: they take no body, never write, and send bodies built and
  // compressed already, so only the read guard and their parameter checks stand before them —
  // not the compression wrapper, body parsers and routers every other request passes
  // (measured per request: bench/query-path.bench.ts).
  const guard = (scope: Scope) => (scope === 'write' || scope === 'admin' ? requireScope(scope, deps) : undefined);
  app.use('/api/series', requireScope('read', deps));
  app.use(requestChecks(API_ROUTES.filter(isSeriesRead), guard));
  app.use(seriesRoutes(deps));
  app.use(compressResponses());
  // Webhooks verify signatures over the raw bytes and authenticate with their provider's
  // secret, so they come before the JSON parser and the read guard (routes/webhooks.ts).
  app.use(webhookRoutes(deps));
  // OTLP/HTTP metrics read their own body (protobuf or JSON, maybe gzip), so they come before the JSON parser too.
  app.use(otlpRoutes(deps));
  app.use(express.json({ limit: '1mb' }));
  app.use(jsonDepthGuard(MAX_JSON_DEPTH));
  app.use('/metrics', requireScope('metrics', deps));
  app.use(metricsRoute(deps));
  // Every /api route needs at least read scope (a no-op when reads are public);
  // write and admin routes add their own guard.
  app.use('/api', requireScope('read', deps));
  app.use('/api', writeRateLimit());
  // Path and query parameters and JSON bodies against the schemas the OpenAPI document is built from.
  app.use(requestChecks(API_ROUTES.filter((r) => !isSeriesRead(r)), guard));
  app.use(collectorRoutes(deps));
  app.use(workloadRoutes(deps));
  app.use(eventRoutes(deps));
  app.use(doraRoutes(deps));
  const openapi = buildOpenApi(deps.version);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use(evaluationRoutes(deps));
  app.use(streamRoute(deps));
  app.use(reportRoutes(deps));
  app.use(reviewRoutes(deps));
  app.use(notificationRoutes(deps));
  app.use(indexRoute(deps));

  app.use((req, res) => {
    sendProblem(res, new Problem(404, 'not-found', 'Not found', `no route for ${req.method} ${req.path}`), req.path);
  });
  app.use(problemHandler(deps.log, deps.storageHealth));
  return app;
}
