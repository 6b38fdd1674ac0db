import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { badParam, notFound, Problem } from '../problem.js';
import { answer } from '../contract/route.js';
import { DoraAnswerSchema } from '../contract/dora.js';
import { BENCHMARK_SOURCES, DORA_KEYS, WINDOW_IDS, type DoraKeys, type ScopeMetrics, type WindowId } from '../../dora/index.js';

/**
 * GET /api/dora?service=&window=30d — the four keys with value, unit, tier and sample size,
 * for one service, or for the workload and every service when `service` is absent. Served
 * from the derived-series job's latest run (the numbers the dora_* series hold), computed
 * on the spot before its first run. docs/dora.md has the formulas.
 */
export function doraRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/api/dora', (req, res) => {
    const window = (req.query.window ?? '30d') as WindowId;
    if (typeof window !== 'string' || !WINDOW_IDS.includes(window)) throw badParam('window', `must be one of ${WINDOW_IDS.join(', ')}`);
    const service = req.query.service;
    if (service !== undefined && (typeof service !== 'string' || service === '')) throw badParam('service', 'must be a service name');
    if (!deps.dora) throw new Problem(503, 'not-ready', 'DORA metrics unavailable', 'this server does not compute DORA metrics');
    const report = deps.dora.report();
    let scopes: ScopeMetrics[];
    if (service === undefined) scopes = [report.workload, ...report.services];
    else {
      const s = report.services.find((x) => x.service === service);
      if (!s) throw notFound('Service', `no production deployments, incidents, game days or action items for service "${service}"`);
      scopes = [s];
    }
    res.json(answer(DoraAnswerSchema, {
      at: new Date(report.at).toISOString(),
      window,
      benchmark: { year: report.benchmarkYear, source: BENCHMARK_SOURCES[report.benchmarkYear] },
      incidentLinks: report.incidentLinks,
      scopes: scopes.map((s) => scopeView(s, window)),
    }));
  });
  return r;
}

function scopeView(s: ScopeMetrics, window: WindowId) {
  const w = s.windows[window];
  return {
    scope: s.service === null ? ('workload' as const) : ('service' as const),
    service: s.service,
    deployments: w.deployments,
    failedDeployments: w.failedDeployments,
    keys: Object.fromEntries(DORA_KEYS.map((k) => [k, w.keys[k]])) as DoraKeys,
  };
}
