import * as codec from './rollupCodec.js';
import type { RollupStore } from './rollups.js';
import type { SampleWriter } from './samples.js';
import type { SeriesRegistry } from './series.js';
import type { PointAggregation, RangeQuery, RangeResult, RangeSeries, Selector } from './types.js';

// Module-local copies: the hot loop must not pay for cross-module binding lookups
// (under tsx each imported constant is a getter call).
const { DAY_MS, F_COUNT, F_LAST, F_MAX, F_MIN, F_SUM, FIELDS, HOUR_MS } = codec;

/** Prometheus's cap on points per series in a range query. */
export const MAX_POINTS_PER_SERIES = 11_000;

/** A range query the caller asked for wrongly; `field` names the parameter (answer 400). */
export class QueryError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'QueryError';
  }
}

/** More than MAX_POINTS_PER_SERIES points per series: a larger `step` is needed (answer 422). */
export class RangeTooLargeError extends QueryError {
  constructor(readonly points: number) {
    super('step', `the range would give ${points} points per series, more than the limit of ${MAX_POINTS_PER_SERIES}; use a larger step`);
    this.name = 'RangeTooLargeError';
  }
}

export interface QueryDeps {
  series: SeriesRegistry;
  samples: SampleWriter;
  rollups: RollupStore;
  now: () => number;
  rawRetentionMs: number;
  /** Bring rollups up to date before reading them (false on a read-only connection). */
  updateRollups: boolean;
}

export interface RangePlan {
  step: number;
  agg: PointAggregation;
  /** Start of the first and of the last bucket. */
  first: number;
  last: number;
  source: 'raw' | 'rollup';
}

/**
 * Checks a range query (QueryError naming the parameter, RangeTooLargeError) and chooses its
 * buckets and source; shared by every backend so they answer alike.
 */
export function planRange(q: RangeQuery, now: number, rawRetentionMs: number): RangePlan {
  const { from, to, step } = q;
  if (!Number.isSafeInteger(from)) throw new QueryError('from', 'must be an integer ms epoch');
  if (!Number.isSafeInteger(to)) throw new QueryError('to', 'must be an integer ms epoch');
  if (to < from) throw new QueryError('to', 'must not be before from');
  if (!Number.isSafeInteger(step) || step <= 0) throw new QueryError('step', 'must be a positive integer number of ms');
  const agg: PointAggregation = q.aggregation ?? 'avg';
  if (!AGGREGATIONS.has(agg)) throw new QueryError('aggregation', `must be one of ${[...AGGREGATIONS].join(', ')}`);
  const first = Math.floor(from / step) * step;
  const last = Math.floor(to / step) * step;
  const points = (last - first) / step + 1;
  if (points > MAX_POINTS_PER_SERIES) throw new RangeTooLargeError(points);

  const wanted = q.source ?? 'auto';
  const source: 'raw' | 'rollup' =
    wanted !== 'auto'
      ? wanted
      : (step >= HOUR_MS && step % HOUR_MS === 0) || from < now - rawRetentionMs
        ? 'rollup'
        : 'raw';
  return { step, agg, first, last, source };
}

/**
 * Points bucketed to `step`: bucket b covers [b, b + step) with b a multiple of
 * step; `from`/`to` choose the buckets (those whose start lies in
 * [floor(from/step)*step, to]) and each point aggregates its whole bucket, so raw
 * and rollups agree exactly when step is a multiple of 1 h. From rollups with a
 * step that is not a multiple of 1 h, each hour counts in the bucket holding
 * its start (hour resolution). NaN is never aggregated.
 */
export function queryRange(deps: QueryDeps, selector: Selector, q: RangeQuery): RangeResult {
  const { step, agg, first, last, source } = planRange(q, deps.now(), deps.rawRetentionMs);
  if (source === 'rollup' && deps.updateRollups) deps.rollups.update();

  const out: RangeSeries[] = [];
  for (const series of deps.series.find(selector)) {
    const b = new Buckets(step, agg);
    if (source === 'raw') {
      for (const [ts, v] of deps.samples.rows(series.id, first, last + step - 1)) {
        if (v === v) b.add(ts, 1, v, v, v, v);
      }
    } else {
      const end = last + step; // exclusive
      deps.rollups.eachDay(series.id, Math.floor(first / DAY_MS), Math.floor((end - 1) / DAY_MS), (day, d) => addRollupDay(b, day, d, first, end));
    }
    out.push({ series, points: b.finish() });
  }
  return { source, series: out };
}

/** Adds the non-empty hours of one decoded rollup day whose start lies in [first, end) to `b` (both stores' rollup queries). */
export function addRollupDay(b: Buckets, day: number, d: Float64Array, first: number, end: number): void {
  const dayStart = day * DAY_MS;
  for (let h = 0, o = 0; h < 24; h++, o += FIELDS) {
    const c = d[o + F_COUNT]!;
    if (c === 0) continue;
    const hour = dayStart + h * HOUR_MS;
    if (hour < first || hour >= end) continue;
    b.add(hour, c, d[o + F_SUM]!, d[o + F_MIN]!, d[o + F_MAX]!, d[o + F_LAST]!);
  }
}

const AGGREGATIONS = new Set<PointAggregation>(['avg', 'min', 'max', 'sum', 'count', 'last']);

/** Accumulates time-ordered partial aggregates into step buckets. */
export class Buckets {
  private readonly points: Array<[number, number]> = [];
  private bucket = Number.NaN;
  private count = 0;
  private sum = 0;
  private min = 0;
  private max = 0;
  private last = 0;

  constructor(
    private readonly step: number,
    private readonly agg: PointAggregation,
  ) {}

  add(ts: number, count: number, sum: number, min: number, max: number, last: number): void {
    const bucket = Math.floor(ts / this.step) * this.step;
    if (bucket !== this.bucket) {
      this.flush();
      this.bucket = bucket;
      this.count = count;
      this.sum = sum;
      this.min = min;
      this.max = max;
    } else {
      this.count += count;
      this.sum += sum;
      if (min < this.min) this.min = min;
      if (max > this.max) this.max = max;
    }
    this.last = last;
  }

  finish(): Array<[number, number]> {
    this.flush();
    return this.points;
  }

  private flush(): void {
    if (this.count === 0) return;
    let v: number;
    switch (this.agg) {
      case 'avg': v = this.sum / this.count; break;
      case 'min': v = this.min; break;
      case 'max': v = this.max; break;
      case 'sum': v = this.sum; break;
      case 'count': v = this.count; break;
      case 'last': v = this.last; break;
    }
    this.points.push([this.bucket, v]);
    this.count = 0;
  }
}
