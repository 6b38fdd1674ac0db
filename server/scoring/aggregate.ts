import { formatDuration } from './format.js';

/**
 * Aggregations that turn the points of one series in a window into one value.
 *
 * Contract for every function here:
 * - `points` are `[timestampMs, value]`, sorted by time ascending, already cut to the window.
 * - NaN values are ignored (Prometheus uses NaN as its staleness marker); ±Infinity is kept.
 * - No usable point → `{ value: null, reason }`, never 0: a collector that stopped must not
 *   look like "zero errors". This holds for `count` and `sum` too.
 * Formulas and worked examples: docs/scoring.md.
 */

export type Point = readonly [tsMs: number, value: number];

export const QUANTILE_AGGREGATIONS = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 } as const;
export const AGGREGATIONS = [
  'last',
  'avg',
  'min',
  'max',
  'sum',
  'count',
  'p50',
  'p90',
  'p95',
  'p99',
  'increase',
  'rate',
] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** A value, or the reason there is none (for an indicator's no_data status). */
export type Aggregated = { value: number; reason: null } | { value: null; reason: string };

/** Only used to word reasons: `no samples for <series> in the last <window>`. */
export interface AggregateContext {
  series?: string;
  windowMs?: number;
}

const found = (value: number): Aggregated => ({ value, reason: null });
const missing = (reason: string): Aggregated => ({ value: null, reason });

function where(context: AggregateContext): string {
  const series = context.series === undefined ? '' : ` for ${context.series}`;
  const window = context.windowMs === undefined ? ' in the window' : ` in the last ${formatDuration(context.windowMs)}`;
  return `${series}${window}`;
}

/** Applies `fn` to the points of one series; see the contract at the top of this file. */
export function aggregate(fn: Aggregation, points: ReadonlyArray<Point>, context: AggregateContext = {}): Aggregated {
  const usable = points.filter(([, v]) => !Number.isNaN(v));
  if (usable.length === 0) return missing(`no samples${where(context)}`);
  if (fn === 'increase' || fn === 'rate') {
    if (usable.length < 2) return missing(`only 1 sample${where(context)}; ${fn} of a counter needs at least 2`);
    const first = usable[0]![0];
    const last = usable[usable.length - 1]![0];
    const increase = counterIncrease(usable);
    if (fn === 'increase') return found(increase);
    if (last <= first) return missing(`all samples${where(context)} share one timestamp; rate needs a time span`);
    return found(increase / ((last - first) / 1000));
  }
  const values = usable.map(([, v]) => v);
  switch (fn) {
    case 'last':
      return found(values[values.length - 1]!);
    case 'count':
      return found(values.length);
    case 'sum':
      return found(sum(values));
    case 'avg':
      return found(sum(values) / values.length);
    case 'min':
      return found(values.reduce((a, b) => (b < a ? b : a)));
    case 'max':
      return found(values.reduce((a, b) => (b > a ? b : a)));
    default:
      return found(quantile(QUANTILE_AGGREGATIONS[fn], values)!);
  }
}

// Loops and reduce, not Math.min(...values): a 28-day raw window can exceed the argument limit.
function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of `values` (any order) by linear interpolation between the two
 * nearest ranks — numpy's default ("linear", Hyndman & Fan type 7), and the definition of
 * Prometheus's quantile_over_time: rank = q·(n−1), result = v[⌊rank⌋]·(1−f) + v[⌊rank⌋+1]·f,
 * f = rank − ⌊rank⌋, over the values sorted ascending. Null for no values (NaN ignored).
 */
export function quantile(q: number, values: readonly number[]): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is outside 0..1`);
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const rank = q * (sorted.length - 1);
  const lower = Math.floor(rank);
  const below = sorted[lower]!;
  const above = sorted[Math.min(lower + 1, sorted.length - 1)]!;
  const f = rank - lower;
  return f === 0 ? below : below * (1 - f) + above * f;
}

/**
 * How much a counter grew between its first and last point, with reset handling: a value
 * lower than the one before means the counter restarted from 0, so the new value itself is
 * the growth since the restart. Not extrapolated to the window edges (unlike Prometheus's
 * increase()): the result is exactly what was observed, so integer counters give integers.
 * Expects at least 2 points; NaN values are skipped.
 */
export function counterIncrease(points: ReadonlyArray<Point>): number {
  let total = 0;
  let previous: number | undefined;
  for (const [, v] of points) {
    if (Number.isNaN(v)) continue;
    if (previous !== undefined) total += v >= previous ? v - previous : v;
    previous = v;
  }
  return total;
}

/** Names used to word the reasons of `ratio`. */
export interface RatioContext {
  numerator?: string;
  denominator?: string;
}

/**
 * numerator / denominator. A missing side passes its own reason on; a zero denominator
 * is no_data (a ratio of nothing is not measured — 0/0 is not 100% and not 0%).
 */
export function ratio(
  numerator: Aggregated | number,
  denominator: Aggregated | number,
  context: RatioContext = {},
): Aggregated {
  const num = typeof numerator === 'number' ? found(numerator) : numerator;
  const den = typeof denominator === 'number' ? found(denominator) : denominator;
  if (num.value === null) return num;
  if (den.value === null) return den;
  if (Number.isNaN(num.value) || Number.isNaN(den.value)) return missing('ratio of a value that is not a number');
  if (den.value === 0) {
    const name = context.denominator === undefined ? 'denominator' : `denominator ${context.denominator}`;
    return missing(`${name} is 0, so the ratio is undefined`);
  }
  return found(num.value / den.value);
}
