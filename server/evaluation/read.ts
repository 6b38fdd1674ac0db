import { aggregate, QUANTILE_AGGREGATIONS, ratio, type Aggregated, type Aggregation, type AggregateContext } from '../scoring/aggregate.js';
import type { SeriesInfo } from '../store/index.js';
import { aggregateChunks } from './chunk-aggregate.js';
import type { SeriesData } from './data.js';
import type { AggregateSource, IndicatorSource, RatioSource } from './spec.js';
import { hourChunks, planWindow, readSplit, type WindowPlan } from './window.js';

/**
 * One number from the store for an indicator source, at time `now`.
 *
 * - The window is (now − windowMs, now], read as window.ts plans it: short windows and
 *   quantiles within raw retention from raw samples, aggregated by scoring's aggregate()
 *   exactly as docs/scoring.md says; longer windows from raw samples at the edges and hourly
 *   rollups between, aggregated by chunk-aggregate.ts (exact for avg/min/max/sum/count/last,
 *   increase exact unless a reset hides inside an hour); beyond raw retention, quantiles are
 *   the quantile of hourly means.
 * - Each matched series is aggregated on its own, then the values combine across series
 *   (`combine`: sum, avg, min, max). A series with no value in the window is left out of the
 *   combination, so a pod that went away does not turn a sum into "no data"; only when no
 *   series has a value is the result no_data, with the first series' reason.
 */

export interface SourceReading {
  value: number | null;
  /** Why `value` is null (`no series matches …`, `no samples for … in the last 1h`); null with a value. */
  reason: string | null;
  /** The selector, as written, that matched no series when that is why `value` is null; else null. */
  unmatched: string | null;
  /** Every series the source's selectors matched (feeds staleness and the `series` count). */
  series: SeriesInfo[];
  /** 'rollup' when hourly rollups took part, 'raw' when every value came from raw samples. */
  source: 'raw' | 'rollup';
}

/** Reads and aggregates an `aggregate` source (see the contract at the top of this file). */
export function readAggregate(data: SeriesData, src: AggregateSource, now: number): SourceReading {
  const series = data.findSeries(src.series.selector);
  const plan = planWindow(now, src.windowMs, data.rawRetentionMs, isQuantile(src.aggregation));
  const source = plan.kind === 'raw' ? 'raw' : 'rollup';
  if (series.length === 0) return { value: null, reason: `no series matches ${src.series.text}`, unmatched: src.series.text, series, source };
  const context: AggregateContext = { series: src.series.text, windowMs: src.windowMs };
  const values: number[] = [];
  let firstReason: string | null = null;
  for (const s of series) {
    const result = aggregateOne(data, s.id, src, now, plan, context);
    if (result.value === null) firstReason ??= result.reason;
    else values.push(result.value);
  }
  if (values.length === 0) return { value: null, reason: firstReason ?? `no samples for ${src.series.text}`, unmatched: null, series, source };
  return { value: combineValues(src.combine, values), reason: null, unmatched: null, series, source };
}

function aggregateOne(
  data: SeriesData,
  seriesId: number,
  src: AggregateSource,
  now: number,
  plan: WindowPlan,
  context: AggregateContext,
): Aggregated {
  if (plan.kind === 'raw') return aggregate(src.aggregation, data.rawPoints(seriesId, plan.from, plan.to), context);
  if (isQuantile(src.aggregation)) {
    // Beyond raw retention: the quantile of the hourly means, the current hour's included.
    const from = plan.hours?.from ?? plan.tail.from;
    return aggregateChunks(src.aggregation, hourChunks(data.rollupHours(seriesId, from, now), now), context);
  }
  return aggregateChunks(src.aggregation, readSplit(data, seriesId, plan, now), context);
}

function isQuantile(fn: Aggregation): boolean {
  return Object.hasOwn(QUANTILE_AGGREGATIONS, fn);
}

/** Values of several series → one. `values` is not empty. */
export function combineValues(combine: AggregateSource['combine'], values: readonly number[]): number {
  let out = values[0]!;
  for (let i = 1; i < values.length; i++) {
    const v = values[i]!;
    if (combine === 'sum' || combine === 'avg') out += v;
    else if (combine === 'min' ? v < out : v > out) out = v;
  }
  return combine === 'avg' ? out / values.length : out;
}

/** numerator / denominator, each read as an aggregate source; a zero denominator is no_data (scoring's ratio()). */
export function readRatio(data: SeriesData, src: RatioSource, now: number): SourceReading {
  const num = readAggregate(data, src.numerator, now);
  const den = readAggregate(data, src.denominator, now);
  const result = ratio(asAggregated(num), asAggregated(den), {
    numerator: src.numerator.series.text,
    denominator: src.denominator.series.text,
  });
  const seen = new Set(num.series.map((s) => s.id));
  const series = [...num.series, ...den.series.filter((s) => !seen.has(s.id))];
  const source = num.source === 'rollup' || den.source === 'rollup' ? 'rollup' : 'raw';
  // ratio() reports the numerator's problem first, so the unmatched selector is chosen the same way.
  const unmatched = result.value !== null ? null : num.value === null ? num.unmatched : den.value === null ? den.unmatched : null;
  return { value: result.value, reason: result.reason, unmatched, series, source };
}

export function readSource(data: SeriesData, src: IndicatorSource, now: number): SourceReading {
  return src.kind === 'ratio' ? readRatio(data, src, now) : readAggregate(data, src, now);
}

function asAggregated(r: SourceReading): Aggregated {
  return r.value === null ? { value: null, reason: r.reason ?? 'no value' } : { value: r.value, reason: null };
}
