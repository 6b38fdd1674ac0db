import { aggregate, quantile, QUANTILE_AGGREGATIONS, type Aggregated, type Aggregation, type AggregateContext } from '../scoring/aggregate.js';
import type { Chunk } from './window.js';

/**
 * Aggregations over chunks (raw samples and hourly rollups, window.ts), oldest first, for
 * windows that are not read entirely from raw samples. Over raw samples alone every result
 * equals scoring's aggregate(); with hourly rollups in the mix:
 *
 * | aggregation    | from chunks                                        | exact?                          |
 * |----------------|----------------------------------------------------|---------------------------------|
 * | count, sum     | Σcount, Σsum                                       | yes                             |
 * | avg            | Σsum / Σcount (every sample weighs the same)       | yes                             |
 * | min, max       | min of mins, max of maxes                          | yes                             |
 * | last           | `last` of the newest chunk                         | yes                             |
 * | increase       | chunkIncrease                                      | yes unless a reset leaves no trace in an hour |
 * | rate           | increase / (end of newest − start of oldest chunk) | exact span when both edges are raw samples; else to the hour |
 * | p50 … p99      | the quantile of the chunk means                    | no: over hours it smooths spikes shorter than an hour, so high quantiles come out low |
 *
 * No chunk gives the same reason as raw data: `no samples for <series> in the last <window>`.
 */
export function aggregateChunks(fn: Aggregation, chunks: ReadonlyArray<Chunk>, context: AggregateContext): Aggregated {
  const newest = chunks[chunks.length - 1];
  if (newest === undefined) return aggregate(fn, [], context);
  let count = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const c of chunks) {
    count += c.count;
    sum += c.sum;
    if (c.min < min) min = c.min;
    if (c.max > max) max = c.max;
  }
  const found = (value: number): Aggregated => ({ value, reason: null });
  switch (fn) {
    case 'count':
      return found(count);
    case 'sum':
      return found(sum);
    case 'avg':
      return found(sum / count);
    case 'min':
      return found(min);
    case 'max':
      return found(max);
    case 'last':
      return found(newest.last);
    case 'increase':
    case 'rate': {
      // Fewer than 2 samples, or no time span: word it exactly as the raw path does.
      if (count < 2) return aggregate(fn, [[newest.end, newest.last]], context);
      const increase = chunkIncrease(chunks);
      if (fn === 'increase') return found(increase);
      const spanMs = newest.end - chunks[0]!.start;
      if (!(spanMs > 0)) return aggregate(fn, [[newest.end, newest.last], [newest.end, newest.last]], context);
      return found(increase / (spanMs / 1000));
    }
    default:
      return found(quantile(QUANTILE_AGGREGATIONS[fn], chunks.map((c) => c.sum / c.count))!);
  }
}

/**
 * A counter's growth over consecutive chunks, with the reset rule of raw data (a lower value
 * means the counter restarted from 0, and counts as growth itself):
 * - inside the oldest chunk: last − min (its first sample is its min, unless it reset; then
 *   max > last, and only last — the growth since the restart — is counted);
 * - from chunk i−1 to chunk i, with prev = last(i−1):
 *   - no sign of a reset (min(i) ≥ prev and last(i) ≥ prev): last(i) − prev — exact;
 *   - a reset inside chunk i (min(i) < prev, or last(i) < prev): last(i) is the growth since the
 *     restart; if max(i) > last(i), that max was the peak before the restart, so max(i) − prev
 *     is added for the growth before it. Exact for one reset in the chunk.
 * For raw samples (count 1: min = max = last) this is exactly the raw rule. A reset that leaves
 * no trace (the counter restarted and climbed past prev within one hour) is missed: the
 * result can undercount, never overcount.
 */
export function chunkIncrease(chunks: ReadonlyArray<Chunk>): number {
  const first = chunks[0];
  if (first === undefined) return 0;
  let total = first.max > first.last ? first.last : first.last - first.min;
  for (let i = 1; i < chunks.length; i++) {
    const prev = chunks[i - 1]!.last;
    const c = chunks[i]!;
    if (c.min < prev || c.last < prev) total += c.last + (c.max > c.last ? c.max - prev : 0);
    else total += c.last - prev;
  }
  return total;
}

/**
 * Probe events that succeeded (value > 0) in a chunk: all when its min > 0, none when its
 * max ≤ 0, else sum / max — exact for 0/1 probes (sum / 1 = the number of 1s), and a lower
 * bound for other non-negative values (each success is ≤ max), so never more good events than
 * there were. For a raw sample this is simply 1 or 0.
 */
export function probeSuccesses(c: Chunk): number {
  if (c.min > 0) return c.count;
  if (c.max <= 0) return 0;
  return Math.max(0, Math.min(c.count, c.sum / c.max));
}
