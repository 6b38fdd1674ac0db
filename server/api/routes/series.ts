import { Router, type Request } from 'express';
import type { AppDeps } from '../deps.js';
import { badParam, Problem } from '../problem.js';
import { parseRange } from '../timeRange.js';
import { bodyEncoding, builtHere, sendBuilt } from '../encoding.js';
import { parseSelector } from '../../store/selector.js';
import type { PointAggregation, Selector } from '../../store/types.js';
import { writeSeriesList } from '../../workers/series-json.js';
import { queryJson } from '../../workers/tasks.js';
import { BodyBuffer } from '../../workers/body-buffer.js';
import { estimatedPoints, MAIN_THREAD_POINTS } from '../readPlace.js';

const AGGREGATIONS: PointAggregation[] = ['avg', 'min', 'max', 'sum', 'count', 'last'];
const MAX_SERIES = 1000;

function selectorParam(req: Request): Selector {
  const raw = req.query.match;
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw badParam('match', 'a series selector is required, e.g. match=node_load1{instance="host:9100"}');
  }
  try {
    return parseSelector(raw);
  } catch (err) {
    throw badParam('match', (err as Error).message);
  }
}

function limitParam(req: Request, def: number): number {
  if (req.query.limit === undefined) return def;
  const n = Number(req.query.limit);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SERIES) throw badParam('limit', `must be an integer from 1 to ${MAX_SERIES}`);
  return n;
}

const tooManySeries = (limit: number) =>
  new Problem(422, 'too-many-series', 'Too many series', `the selector matches more than ${limit} series; narrow it or raise limit`, [
    { name: 'match', in: 'query', message: `matches more than ${limit} series` },
  ]);

/**
 * Series discovery and range queries over the store (raw or hourly rollups, picked by range and
 * step). Parameters are checked here; the reading and the JSON text run on a read worker when
 * the app has them (deps.offThread), else here, with the same bytes either way. A range query
 * on a metric name that reads few points is answered here even with workers (readPlace.ts).
 * Bodies leave compressed as the client accepts (built bodies: the compression middleware is
 * not in their way, app.ts).
 */
export function seriesRoutes(deps: AppDeps): Router {
  const r = Router();
  const now = () => deps.clock.now();
  const scratch = new BodyBuffer();

  r.get('/api/series', async (req, res) => {
    const selector = selectorParam(req);
    const limit = limitParam(req, MAX_SERIES);
    if (deps.offThread) return sendBuilt(res, await deps.offThread.seriesList(selector, limit, bodyEncoding(req)));
    const series = deps.series.findSeries(selector, limit + 1);
    const out = scratch.reset();
    writeSeriesList((t) => out.put(t), series.slice(0, limit), series.length > limit);
    sendBuilt(res, await builtHere(out.view(), bodyEncoding(req)));
  });

  r.get('/api/series/query', async (req, res) => {
    const selector = selectorParam(req);
    const range = parseRange(req.query as Record<string, unknown>, now());
    const aggregation = (req.query.agg ?? 'avg') as PointAggregation;
    if (!AGGREGATIONS.includes(aggregation)) throw badParam('agg', `must be one of ${AGGREGATIONS.join(', ')}`);
    const source = (req.query.source ?? 'auto') as 'auto' | 'raw' | 'rollup';
    if (!['auto', 'raw', 'rollup'].includes(source)) throw badParam('source', 'must be auto, raw or rollup');
    const limit = limitParam(req, 100);
    const q = { selector, range: { ...range, aggregation, source }, aggregation, limit };
    if (deps.offThread) {
      // Counting the series first is cheap only through the name index; other selectors go to a worker.
      if (selector.name !== undefined) {
        const found = deps.series.findSeries(selector, limit + 1).length;
        if (found > limit) throw tooManySeries(limit);
        const shortestIntervalMs = Math.min(...deps.collectors().map((c) => c.intervalMs));
        const points = estimatedPoints({ series: found, ...range, source, shortestIntervalMs: Number.isFinite(shortestIntervalMs) ? shortestIntervalMs : undefined });
        if (points <= MAIN_THREAD_POINTS) {
          // As before a worker read: a rollup catch-up here would otherwise run inside the query, in one piece.
          await deps.offThread.freshRollups();
          return sendBuilt(res, await builtHere(stepErrors(() => queryJson(deps.series, q, scratch)), bodyEncoding(req)));
        }
      }
      const answer = await withStepErrors(() => deps.offThread!.seriesQuery(q, bodyEncoding(req)));
      if ('tooManySeries' in answer) throw tooManySeries(limit);
      return sendBuilt(res, answer);
    }
    if (deps.series.findSeries(selector, limit + 1).length > limit) throw tooManySeries(limit);
    // No await between writing into the scratch buffer and builtHere's copy: no other request can reuse it meanwhile.
    sendBuilt(res, await builtHere(stepErrors(() => queryJson(deps.series, q, scratch)), bodyEncoding(req)));
  });
  return r;
}

/** A range the store refuses for its size is the `step` parameter's fault (400 naming it). */
async function withStepErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw stepError(err);
  }
}

function stepErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw stepError(err);
  }
}

function stepError(err: unknown): unknown {
  return (err as Error).name === 'RangeTooLargeError' ? badParam('step', (err as Error).message) : err;
}
