import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { notFound } from '../problem.js';
import type { CollectorStatus, RunInfo } from '../../scheduler/types.js';
import type { BackfillStatus } from '../../backfill/index.js';
import { answer } from '../contract/route.js';
import { CollectorListSchema, CollectorSchema } from '../contract/collection.js';

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

function backfillView(b: BackfillStatus | null | undefined) {
  if (!b) return null;
  return {
    state: b.state,
    progress: b.progress,
    from: iso(b.from),
    to: iso(b.to),
    samplesWritten: b.samplesWritten,
    error: b.error,
    nextAttemptAt: iso(b.nextAttemptAt),
    parts: b.parts.map((p) => ({
      part: p.part,
      series: p.series,
      state: p.state,
      from: iso(p.from),
      to: iso(p.to),
      through: iso(p.through),
      samplesWritten: p.samplesWritten,
      error: p.error,
    })),
  };
}

export function collectorView(c: CollectorStatus, backfill?: BackfillStatus | null) {
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
    backfill: backfillView(backfill),
  };
}

export function collectorRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/api/collectors', (_req, res) => {
    res.json(answer(CollectorListSchema, { collectors: deps.collectors().map((c) => collectorView(c, deps.backfill?.(c.id))) }));
  });
  r.get('/api/collectors/:id', (req, res) => {
    const c = deps.collectors().find((x) => x.id === req.params.id);
    if (!c) throw notFound('collector', `no collector with id "${req.params.id}" in the active workload`);
    res.json(answer(CollectorSchema, collectorView(c, deps.backfill?.(c.id))));
  });
  return r;
}
