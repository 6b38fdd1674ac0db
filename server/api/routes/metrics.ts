import { Router } from 'express';
import type { AppDeps } from '../deps.js';

/** The Prometheus scrape endpoint. Values are computed at scrape time (see telemetry/metrics.ts). */
export function metricsRoute(deps: AppDeps): Router {
  const r = Router();
  r.get('/metrics', async (_req, res) => {
    const body = await deps.metrics.registry.metrics();
    res.type(deps.metrics.registry.contentType).send(body);
  });
  return r;
}
