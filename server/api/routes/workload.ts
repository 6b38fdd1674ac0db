import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { Problem } from '../problem.js';
import { requireScope } from '../auth.js';
import { reloadView } from '../workload-view.js';
import { answer } from '../contract/route.js';
import { ReloadAnswerSchema, WorkloadAnswerSchema, WorkloadVersionsSchema } from '../contract/collection.js';

/** The active workload (secrets redacted) and the history of applied versions. */
export function workloadRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/api/workload', (_req, res) => {
    const w = deps.workload();
    if (!w) throw new Problem(503, 'not-ready', 'No workload loaded', 'the server has not loaded a valid workload yet');
    res.json(answer(WorkloadAnswerSchema, {
      version: { id: w.versionId, hash: w.hash, appliedAt: new Date(w.appliedAt).toISOString(), path: w.path },
      reload: reloadView(w),
      workload: w.redacted() as Record<string, unknown>, // the parsed workload file: an object
    }));
  });
  r.get('/api/workload/versions', async (_req, res) => {
    const stored = await deps.versions.listWorkloadVersions();
    const active = deps.workload();
    res.json(answer(WorkloadVersionsSchema, {
      versions: stored.map((v) => ({
        id: v.id,
        hash: v.hash,
        appliedAt: new Date(v.appliedAt).toISOString(),
        path: v.path,
        active: active?.versionId === v.id,
      })),
    }));
  });
  r.post('/api/workload/reload', requireScope('admin', deps), async (_req, res) => {
    if (!deps.reloadWorkload) throw new Problem(404, 'not-found', 'Not found', 'this server cannot reload its workload');
    const result = await deps.reloadWorkload();
    if (result.issues?.length) {
      throw new Problem(
        422,
        'invalid-workload',
        'The workload file is invalid',
        `${result.issues.length} problem(s); the previous workload keeps running`,
        result.issues.map((i) => ({ name: i.path || '(file)', in: 'body' as const, message: `${i.file}:${i.line}:${i.column}: ${i.message}` })),
      );
    }
    const w = deps.workload();
    res.json(answer(ReloadAnswerSchema, { applied: result.applied, unchanged: Boolean(result.unchanged), version: w ? { id: w.versionId, hash: w.hash } : null }));
  });
  return r;
}
