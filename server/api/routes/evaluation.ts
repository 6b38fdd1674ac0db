import { Router, type Request } from 'express';
import type { AppDeps, ActiveWorkloadView } from '../deps.js';
import { badParam, notFound, Problem } from '../problem.js';
import { parseRange } from '../timeRange.js';
import { bodyEncoding, compressBody } from '../encoding.js';
import { workloadFileView } from '../workload-view.js';
import { PILLARS } from '../../scoring/types.js';
import type { EvaluationSnapshot } from '../../evaluation/snapshot.js';
import { historyTargetSelector, type HistoryPoints, type HistoryTarget, type IndicatorHistoryMetric } from '../../evaluation/history.js';
import type { RangeQuery } from '../../store/types.js';
import { notificationStatusView } from './notifications.js';
import { collectorsSummaryView, indicatorsById, indicatorView, isPillar, iso, outcomeView, pillarView, summaryView, PILLAR_TITLES } from '../views.js';

const DAY = 86_400_000;
const METRICS: IndicatorHistoryMetric[] = ['score', 'value', 'budget_remaining'];

function active(deps: AppDeps): ActiveWorkloadView {
  const w = deps.workload();
  if (!w) throw new Problem(503, 'not-ready', 'No workload loaded', 'the server has not loaded a valid workload yet');
  return w;
}

function snapshot(deps: AppDeps): EvaluationSnapshot {
  const s = deps.evaluation.latest();
  if (!s) throw new Problem(503, 'not-ready', 'Not evaluated yet', 'the first evaluation has not finished; retry in a moment');
  return s;
}

function limitParam(req: Request, def: number, max: number): number {
  if (req.query.limit === undefined) return def;
  const n = Number(req.query.limit);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badParam('limit', `must be an integer from 1 to ${max}`);
  return n;
}

function historyView(range: { from: number; to: number; step: number }, h: HistoryPoints) {
  return {
    from: iso(range.from),
    to: iso(range.to),
    stepSeconds: h.step / 1000,
    dataSince: iso(h.dataSince),
    source: h.source,
    points: h.points.map(([t, v]) => [t / 1000, v]),
  };
}

/** Everything the summary is built from. */
function summaryInputs(deps: AppDeps) {
  const w = active(deps);
  return {
    active: w,
    reload: w.reload?.(),
    meta: w.meta,
    snapshot: deps.evaluation.latest(),
    collectors: deps.collectors(),
    outcomes: w.outcomes,
    evaluationIntervalMs: w.evaluationIntervalMs,
    now: deps.clock.now(),
  };
}

/** The summary's notifications part, as JSON text (compared to decide whether the cached summary still holds). */
function notificationsPart(deps: AppDeps, snapshot: EvaluationSnapshot | null, now: number): string {
  return JSON.stringify(notificationStatusView(deps.notifications?.status(snapshot) ?? null, now));
}

/** Builds the summary the wall screen and the SSE stream send. */
export function buildSummary(deps: AppDeps) {
  const i = summaryInputs(deps);
  return summaryFrom(i, notificationsPart(deps, i.snapshot, i.now));
}

function summaryFrom(i: ReturnType<typeof summaryInputs>, notifications: string) {
  return {
    ...summaryView(i.meta, i.snapshot, i.collectors, i.outcomes, i.evaluationIntervalMs, i.now),
    workloadFile: workloadFileView(i.active),
    notifications: JSON.parse(notifications) as ReturnType<typeof notificationStatusView>,
  };
}

/** A summary serialised once, with what it was built from. */
interface CachedSummary {
  snapshot: EvaluationSnapshot | null;
  meta: ActiveWorkloadView['meta'];
  outcomes: ActiveWorkloadView['outcomes'];
  /** The reload status object (a new one on every change) and the active version. */
  reload: unknown;
  versionId: number;
  stale: boolean;
  collectors: string;
  notifications: string;
  json: string;
  bytes?: Buffer;
  etag?: string | false;
  /** The bytes compressed once per coding (on libuv's pool), shared by every request of this state. */
  encoded?: Partial<Record<'br' | 'gzip', Promise<Buffer>>>;
}
const summaries = new WeakMap<AppDeps, CachedSummary>();

/**
 * `JSON.stringify(buildSummary(deps))`, built once per state rather than once per request: a
 * wall screen polls it, and with 50 outcomes it is ~130 KB of views to build. Of its inputs
 * (summaryInputs), the snapshot, the workload's meta and outcomes (the same objects until a
 * reload) are compared by identity, the clock only through whether the snapshot is stale, and
 * the collectors through their part of the summary (small, built every time and compared as
 * text) — so a new evaluation, a reload, a collector run that changes the collectors' part or
 * the snapshot turning stale rebuilds it, and the text is exactly what buildSummary gives.
 */
function cachedSummary(deps: AppDeps): CachedSummary {
  const i = summaryInputs(deps);
  const stale = i.snapshot ? i.now - i.snapshot.at > 3 * i.evaluationIntervalMs : true;
  // Without the snapshot: its identity is compared below, which covers each collector's `feeds`.
  const collectors = JSON.stringify(collectorsSummaryView(i.collectors));
  const notifications = notificationsPart(deps, i.snapshot, i.now);
  const c = summaries.get(deps);
  if (
    c && c.snapshot === i.snapshot && c.meta === i.meta && c.outcomes === i.outcomes && c.stale === stale && c.collectors === collectors &&
    c.notifications === notifications && c.reload === i.reload && c.versionId === i.active.versionId
  ) return c;
  const json = JSON.stringify(summaryFrom(i, notifications));
  const next: CachedSummary = { snapshot: i.snapshot, meta: i.meta, outcomes: i.outcomes, reload: i.reload, versionId: i.active.versionId, stale, collectors, notifications, json };
  summaries.set(deps, next);
  return next;
}

/** The summary as JSON text (what `/api/summary` sends and each SSE `summary` event carries). */
export function summaryJson(deps: AppDeps): string {
  return cachedSummary(deps).json;
}

/** Indicators → outcomes → pillars: the latest evaluation, drill-downs and history. */
export function evaluationRoutes(deps: AppDeps): Router {
  const r = Router();
  const now = () => deps.clock.now();
  const histRange = (req: Request) => parseRange(req.query as Record<string, unknown>, now(), { defaultSpanMs: DAY, targetPoints: 300 });

  r.get('/api/summary', async (req, res) => {
    // As res.json(buildSummary(deps)) sends it (the app sets no JSON spaces or replacer),
    // with the bytes, their compressed forms and the ETag kept with the cached summary.
    const c = cachedSummary(deps);
    c.bytes ??= Buffer.from(c.json, 'utf8');
    if (c.etag === undefined) {
      const etagFn = req.app.get('etag fn') as ((body: Buffer) => string) | undefined;
      c.etag = typeof etagFn === 'function' ? etagFn(c.bytes) : false;
    }
    res.set('Content-Type', 'application/json; charset=utf-8');
    if (c.etag) res.set('ETag', c.etag);
    const coding = bodyEncoding(req);
    if (coding === 'identity' || c.bytes.length < 1024) return res.send(c.bytes);
    c.encoded ??= {};
    const encoded = (c.encoded[coding] ??= compressBody(c.bytes, coding));
    let body: Buffer;
    try {
      body = await encoded;
    } catch {
      delete c.encoded[coding]; // tried again by the next request; this one goes uncompressed
      return res.send(c.bytes);
    }
    res.vary('Accept-Encoding');
    res.set('Content-Encoding', coding);
    res.send(body);
  });

  r.get('/api/pillars', (_req, res) => {
    const snap = snapshot(deps);
    res.json({ evaluatedAt: iso(snap.at), pillars: PILLARS.map((p) => pillarView(snap, p)) });
  });

  r.get('/api/pillars/:pillar', async (req, res) => {
    const p = req.params.pillar!;
    if (!isPillar(p)) throw notFound('pillar', `no pillar "${p}"; the pillars are ${PILLARS.join(', ')}`);
    const w = active(deps);
    const snap = snapshot(deps);
    const states = await deps.evaluation.states();
    res.json({
      evaluatedAt: iso(snap.at),
      ...pillarView(snap, p),
      indicators: snap.indicators
        .filter((i) => i.pillar === p)
        .map((i) => indicatorView(i, w.indicators.find((s) => s.id === i.id), { since: states.get(i.id)?.since, outcomes: outcomesOf(w, i.id) })),
    });
  });

  r.get('/api/outcomes', (_req, res) => {
    const w = active(deps);
    const snap = snapshot(deps);
    const byId = indicatorsById(snap);
    res.json({ evaluatedAt: iso(snap.at), outcomes: snap.outcomes.map((o) => outcomeView(o, snap, w.outcomes.find((s) => s.id === o.id), byId)) });
  });

  r.get('/api/outcomes/:id', (req, res) => {
    const w = active(deps);
    const snap = snapshot(deps);
    const o = snap.outcomes.find((x) => x.id === req.params.id);
    if (!o) throw notFound('outcome', `no outcome "${req.params.id}" in the active workload`);
    res.json({ evaluatedAt: iso(snap.at), ...outcomeView(o, snap, w.outcomes.find((s) => s.id === o.id)) });
  });

  r.get('/api/indicators', async (req, res) => {
    const w = active(deps);
    const snap = snapshot(deps);
    const pillar = req.query.pillar;
    if (pillar !== undefined && (typeof pillar !== 'string' || !isPillar(pillar))) throw badParam('pillar', `must be one of ${PILLARS.join(', ')}`);
    const status = req.query.status;
    const statuses = ['ok', 'warning', 'critical', 'no_data', 'stale'];
    if (status !== undefined && (typeof status !== 'string' || !statuses.includes(status))) throw badParam('status', `must be one of ${statuses.join(', ')}`);
    const states = await deps.evaluation.states();
    res.json({
      evaluatedAt: iso(snap.at),
      indicators: snap.indicators
        .filter((i) => (!pillar || i.pillar === pillar) && (!status || i.status === status))
        .map((i) => indicatorView(i, w.indicators.find((s) => s.id === i.id), { since: states.get(i.id)?.since, outcomes: outcomesOf(w, i.id) })),
    });
  });

  r.get('/api/indicators/:id', async (req, res) => {
    const w = active(deps);
    const snap = snapshot(deps);
    const i = snap.indicators.find((x) => x.id === req.params.id);
    if (!i) throw notFound('indicator', `no indicator "${req.params.id}" in the active workload`);
    const [transitions, states] = await Promise.all([deps.evaluation.transitions(i.id, limitParam(req, 20, 1000)), deps.evaluation.states()]);
    res.json({
      evaluatedAt: iso(snap.at),
      ...indicatorView(i, w.indicators.find((s) => s.id === i.id), { since: states.get(i.id)?.since, outcomes: outcomesOf(w, i.id) }),
      transitions: transitions.map((t) => ({ at: iso(t.at), from: t.from, to: t.to, value: t.value, score: t.score, reason: t.reason })),
    });
  });

  /** A history read: on a read worker when the app has them, else here through deps.evaluation. */
  const history = async (t: HistoryTarget, range: RangeQuery): Promise<HistoryPoints> =>
    withStepErrors(() => {
      if (deps.offThread) return deps.offThread.history(historyTargetSelector(t), range);
      if (t.of === 'indicator') return deps.evaluation.indicatorHistory(t.id, range, t.metric);
      return t.of === 'outcome' ? deps.evaluation.outcomeHistory(t.id, range) : deps.evaluation.pillarHistory(t.id, range);
    });

  r.get('/api/indicators/:id/history', async (req, res) => {
    const w = active(deps);
    const id = req.params.id!;
    if (!w.indicators.some((s) => s.id === id)) throw notFound('indicator', `no indicator "${id}" in the active workload`);
    const metric = (req.query.metric ?? 'score') as IndicatorHistoryMetric;
    if (!METRICS.includes(metric)) throw badParam('metric', `must be one of ${METRICS.join(', ')}`);
    const range = histRange(req);
    res.json({ indicator: id, metric, ...historyView(range, await history({ of: 'indicator', id, metric }, range)) });
  });

  r.get('/api/outcomes/:id/history', async (req, res) => {
    const w = active(deps);
    const id = req.params.id!;
    if (!w.outcomes.some((s) => s.id === id)) throw notFound('outcome', `no outcome "${id}" in the active workload`);
    const range = histRange(req);
    res.json({ outcome: id, metric: 'score', ...historyView(range, await history({ of: 'outcome', id }, range)) });
  });

  r.get('/api/pillars/:pillar/history', async (req, res) => {
    const p = req.params.pillar!;
    if (!isPillar(p)) throw notFound('pillar', `no pillar "${p}"; the pillars are ${PILLARS.join(', ')}`);
    const range = histRange(req);
    res.json({ pillar: p, title: PILLAR_TITLES[p], metric: 'score', ...historyView(range, await history({ of: 'pillar', id: p }, range)) });
  });

  return r;
}

function outcomesOf(w: ActiveWorkloadView, indicatorId: string): string[] {
  return w.outcomes.filter((o) => o.indicators.some((r) => r.ref === indicatorId)).map((o) => o.id);
}

async function withStepErrors<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if ((err as Error).name === 'RangeTooLargeError') throw badParam('step', (err as Error).message);
    throw err;
  }
}
