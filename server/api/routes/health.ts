import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { Problem } from '../problem.js';
import { reloadView } from '../workload-view.js';
import { answer } from '../contract/route.js';
import { ReadyAnswerSchema } from '../contract/evaluation.js';

/**
 * Liveness (the process answers) and readiness (database open, workload loaded).
 *
 * A refused reload leaves the server ready: it serves the last good version, as it should,
 * and taking it out of a load balancer would hide the wall screen rather than the mistake.
 * `/readyz` shows it (`workload` says which version runs and that the file was refused) for
 * whoever looks; alert on `pillarboard_workload_last_reload_successful == 0` instead.
 */
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
    const w = deps.workload();
    checks.workload = w ? 'ok' : 'not loaded';
    const ready = Object.values(checks).every((v) => v === 'ok');
    if (!ready) {
      throw new Problem(503, 'not-ready', 'Not ready', Object.entries(checks).map(([k, v]) => `${k}: ${v}`).join('; '));
    }
    const reload = reloadView(w!, 0);
    const running = `running version ${w!.versionId} from ${new Date(w!.appliedAt).toISOString()}`;
    res.json(answer(ReadyAnswerSchema, {
      status: 'ready',
      checks,
      workload: {
        version: w!.versionId,
        appliedAt: new Date(w!.appliedAt).toISOString(),
        lastReloadSuccessful: reload.lastSuccessful,
        detail: reload.refused
          ? `the last reload (${reload.refused.at}) was refused: the workload file has ${reload.refused.errorCount} error(s) (see GET /api/workload or pillarboard check); still ${running}`
          : running,
      },
    }));
  });
  return r;
}
