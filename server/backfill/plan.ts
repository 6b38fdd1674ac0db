import type { IndicatorSpec } from '../evaluation/spec.js';
import { longestWindowReading } from '../evaluation/windows.js';

export const DAY_MS = 86_400_000;

/**
 * How far back serve fills a new part on its own: the longest window of the indicators that
 * read its series, but at least BACKFILL_MIN_MS — the dashboard's 7-day charts and the first
 * weekly report (the last complete week, which began up to 14 days ago) — and at most
 * BACKFILL_MAX_MS, so pointing Pillarboard at a Prometheus never pulls more than five weeks
 * per query. `pillarboard backfill --since` may reach further.
 */
export const BACKFILL_MIN_MS = 15 * DAY_MS;
export const BACKFILL_MAX_MS = 35 * DAY_MS;

export function autoSpanMs(indicators: readonly IndicatorSpec[], collectorId: string, series: readonly string[]): number {
  const window = longestWindowReading(indicators, collectorId, series) ?? 0;
  return Math.min(BACKFILL_MAX_MS, Math.max(BACKFILL_MIN_MS, window));
}

/**
 * The range to fill: from now − span (rounded up to a multiple of the step, so points fall
 * where Prometheus's own step-aligned range queries put them) up to the last step before
 * `before` — the oldest data already stored for the part, or what earlier backfills
 * covered — so a backfill never overlaps what live collection or an earlier backfill stored.
 * `to < from` when there is nothing to fill.
 */
export function planRange(now: number, spanMs: number, stepMs: number, before: number): { from: number; to: number } {
  const from = Math.ceil((now - spanMs) / stepMs) * stepMs;
  const end = Math.min(now, before - 1);
  const to = end < from ? from - stepMs : from + Math.floor((end - from) / stepMs) * stepMs;
  return { from, to };
}
