import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { notFound } from '../problem.js';
import type { CollectorStatus, RunInfo } from '../../scheduler/types.js';

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

function runView(run: RunInfo | null) {
  if (!run) return null;
  return {
    startedAt: iso(run.startedAt),
    durationSeconds: Math.round(run.durationMs) / 1000,
    ok: run.ok,
    error: run.error ?? null,
    samplesWritten: run.samplesWritten,
  };
}

export function collectorView(c: CollectorStatus) {
  return {
    id: c.id,
    type: c.type,
    intervalSeconds: c.intervalMs / 1000,
    timeoutSeconds: c.timeoutMs / 1000,
    up: c.lastRun ? c.lastRun.ok : null,
    running: c.running,
    consecutiveFailures: c.consecutiveFailures,
    lastRun: runView(c.lastRun),
    lastSuccess: runView(c.lastSuccess),
    lastError: c.lastError,
    nextRunAt: iso(c.nextRunAt),
  };
}

export function collectorRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/api/collectors', (_req, res) => {
    res.json({ collectors: deps.collectors().map(collectorView) });
  });
  r.get('/api/collectors/:id', (req, res) => {
    const c = deps.collectors().find((x) => x.id === req.params.id);
    if (!c) throw notFound('collector', `no collector with id "${req.params.id}" in the active workload`);
    res.json(collectorView(c));
  });
  return r;
}
