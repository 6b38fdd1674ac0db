import { Router, type Request } from 'express';
import type { AppDeps } from '../deps.js';
import { badParam, Problem } from '../problem.js';
import { parseRange } from '../timeRange.js';
import { parseSelector } from '../../store/selector.js';
import type { PointAggregation, Selector } from '../../store/types.js';

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

/** Series discovery and range queries over the store (raw or hourly rollups, picked by range and step). */
export function seriesRoutes(deps: AppDeps): Router {
  const r = Router();
  const now = () => deps.clock.now();

  r.get('/api/series', (req, res) => {
    const selector = selectorParam(req);
    const limit = limitParam(req, MAX_SERIES);
    const series = deps.series.findSeries(selector, limit + 1);
    res.json({
      series: series.slice(0, limit).map((s) => ({ name: s.name, labels: s.labels })),
      truncated: series.length > limit,
    });
  });

  r.get('/api/series/query', (req, res) => {
    const selector = selectorParam(req);
    const range = parseRange(req.query as Record<string, unknown>, now());
    const aggregation = (req.query.agg ?? 'avg') as PointAggregation;
    if (!AGGREGATIONS.includes(aggregation)) throw badParam('agg', `must be one of ${AGGREGATIONS.join(', ')}`);
    const source = (req.query.source ?? 'auto') as 'auto' | 'raw' | 'rollup';
    if (!['auto', 'raw', 'rollup'].includes(source)) throw badParam('source', 'must be auto, raw or rollup');
    const limit = limitParam(req, 100);
    const matched = deps.series.findSeries(selector, limit + 1);
    if (matched.length > limit) {
      throw new Problem(422, 'too-many-series', 'Too many series', `the selector matches more than ${limit} series; narrow it or raise limit`, [
        { name: 'match', in: 'query', message: `matches more than ${limit} series` },
      ]);
    }
    let result;
    try {
      result = deps.series.querySeries(selector, { ...range, aggregation, source });
    } catch (err) {
      if ((err as Error).name === 'RangeTooLargeError') throw badParam('step', (err as Error).message);
      throw err;
    }
    res.json({
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
      stepSeconds: range.step / 1000,
      aggregation,
      source: result.source,
      series: result.series.map((s) => ({
        name: s.series.name,
        labels: s.series.labels,
        points: s.points.map(([t, v]) => [t / 1000, jsonNumber(v)]),
      })),
    });
  });
  return r;
}

/** JSON has no NaN or Infinity: send them as strings, as Prometheus's API does. */
function jsonNumber(v: number): number | string {
  if (Number.isFinite(v)) return v;
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? '+Inf' : '-Inf';
}
