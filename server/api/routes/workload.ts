import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { Problem } from '../problem.js';

/** The active workload (secrets redacted) and the history of applied versions. */
export function workloadRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/api/workload', (_req, res) => {
    const w = deps.workload();
    if (!w) throw new Problem(503, 'not-ready', 'No workload loaded', 'the server has not loaded a valid workload yet');
    res.json({
      version: { id: w.versionId, hash: w.hash, appliedAt: new Date(w.appliedAt).toISOString(), path: w.path },
      workload: w.redacted(),
    });
  });
  r.get('/api/workload/versions', (_req, res) => {
    const active = deps.workload();
    res.json({
      versions: deps.versions.listWorkloadVersions().map((v) => ({
        id: v.id,
        hash: v.hash,
        appliedAt: new Date(v.appliedAt).toISOString(),
        path: v.path,
        active: active?.versionId === v.id,
      })),
    });
  });
  return r;
}
