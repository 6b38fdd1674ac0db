import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { Problem } from '../problem.js';

/** Liveness (the process answers) and readiness (database open, workload loaded). */
export function healthRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', (_req, res) => {
    const checks: Record<string, string> = {};
    try {
      deps.pingDatabase();
      checks.database = 'ok';
    } catch (err) {
      checks.database = `failed: ${(err as Error).message}`;
    }
    checks.workload = deps.workload() ? 'ok' : 'not loaded';
    const ready = Object.values(checks).every((v) => v === 'ok');
    if (!ready) {
      throw new Problem(503, 'not-ready', 'Not ready', Object.entries(checks).map(([k, v]) => `${k}: ${v}`).join('; '));
    }
    res.json({ status: 'ready', checks });
  });
  return r;
}
