import type { HourAggregate } from '../store/index.js';
import type { SeriesData } from './data.js';

export const HOUR_MS = 3_600_000;

/**
 * How a window (now − w, now] is read from the store. Raw samples are exact but cost one row
 * each (a 3-day window at 60 s is 4,320 rows per series); hourly rollups cost one row per
 * series-day. So:
 *
 * - `raw`: the whole window from raw samples — windows within raw retention with fewer than
 *   MIN_SPLIT_HOURS whole hours inside, and every quantile within raw retention (a quantile
 *   needs every value).
 * - `split`: raw samples for the partial hour at each edge, hourly rollups for the whole hours
 *   between. Count, sum, avg, min, max and last are as exact as from raw; a counter's increase
 *   too, except for a reset that leaves no trace in an hour's min/max/last (chunk-aggregate.ts).
 *   Beyond raw retention the old edge has no raw samples left, so the window starts at the
 *   first whole hour inside it (hour resolution at that edge only).
 *
 * Quantiles beyond raw retention are the one approximation: the quantile of hourly means.
 */
export const MIN_SPLIT_HOURS = 3;

export type WindowPlan =
  | { kind: 'raw'; from: number; to: number }
  | {
      kind: 'split';
      /** Raw samples at the old edge, [from, to] (inclusive), or null (empty, or beyond raw retention). */
      head: { from: number; to: number } | null;
      /** Start of the first and last whole hours read from rollups (inclusive). */
      hours: { from: number; to: number } | null;
      /** Raw samples at the new edge: [from, to] inclusive, from = start of the current hour. */
      tail: { from: number; to: number };
      /** True when the old edge was cut to the hour (beyond raw retention). */
      cut: boolean;
    };

/** The plan for (now − windowMs, now]; timestamps are integer ms, so the first one included is ⌊now − w⌋ + 1. */
export function planWindow(now: number, windowMs: number, rawRetentionMs: number, needsEveryValue = false): WindowPlan {
  const from = Math.floor(now - windowMs) + 1;
  const inRaw = windowMs <= rawRetentionMs;
  const firstHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const currentHour = Math.floor(now / HOUR_MS) * HOUR_MS;
  const wholeHours = Math.max(0, (currentHour - firstHour) / HOUR_MS);
  if (inRaw && (needsEveryValue || wholeHours < MIN_SPLIT_HOURS)) return { kind: 'raw', from, to: now };
  return {
    kind: 'split',
    head: inRaw && from < firstHour ? { from, to: firstHour - 1 } : null,
    hours: wholeHours > 0 ? { from: firstHour, to: currentHour - HOUR_MS } : null,
    tail: { from: Math.max(from, currentHour), to: now },
    cut: !inRaw,
  };
}

/**
 * A run of samples summarised: one raw sample (count 1, start = end = its ts) or one hour's
 * rollup (start = the hour, end = the hour's end capped at now). Chunks of one series are
 * kept oldest first; NaN samples never become chunks.
 */
export interface Chunk {
  start: number;
  end: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
}

export function pointChunks(points: ReadonlyArray<readonly [number, number]>, out: Chunk[] = []): Chunk[] {
  for (const [ts, v] of points) {
    if (!Number.isNaN(v)) out.push({ start: ts, end: ts, count: 1, sum: v, min: v, max: v, last: v });
  }
  return out;
}

export function hourChunks(hours: ReadonlyArray<HourAggregate>, now: number, out: Chunk[] = []): Chunk[] {
  for (const h of hours) {
    out.push({ start: h.hour, end: Math.min(now, h.hour + HOUR_MS), count: h.count, sum: h.sum, min: h.min, max: h.max, last: h.last });
  }
  return out;
}

/** Reads one series' window per a split plan, as chunks oldest first. */
export function readSplit(data: SeriesData, seriesId: number, plan: Extract<WindowPlan, { kind: 'split' }>, now: number): Chunk[] {
  const out: Chunk[] = [];
  if (plan.head) pointChunks(data.rawPoints(seriesId, plan.head.from, plan.head.to), out);
  if (plan.hours) hourChunks(data.rollupHours(seriesId, plan.hours.from, plan.hours.to), now, out);
  pointChunks(data.rawPoints(seriesId, plan.tail.from, plan.tail.to), out);
  return out;
}
