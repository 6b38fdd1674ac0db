import { BURN_WINDOWS, BURN_WINDOW_MS, type BurnWindow } from '../scoring/burn-rate.js';
import type { EventCounts } from '../scoring/slo.js';
import type { SeriesInfo } from '../store/index.js';
import { chunkIncrease, probeSuccesses } from './chunk-aggregate.js';
import type { SeriesData } from './data.js';
import type { SelectorSpec, SloSpec } from './spec.js';
import { hourChunks, planWindow, pointChunks, type Chunk, type WindowPlan } from './window.js';

/**
 * Event counts of an SLO over its own window and over every burn-rate window, read from the
 * store at time `now`. Windows are (now − w, now].
 *
 * Counters (`good` or `bad`, with `total`): events in a window = the counter's increase over
 * it (reset-aware, not extrapolated), summed over the matched series.
 * Probes (`success`): every non-NaN sample is one event, good when its value is > 0.
 *
 * Each window is read as window.ts plans it: short windows (5m … 2h, usually) from raw
 * samples; longer ones (6h, 1d, 3d, the SLO window) from raw samples at the edges and hourly
 * rollups between; beyond raw retention the old edge starts at the first whole hour. Per
 * series the store is read once for the longest raw span (the short windows and the newest
 * edge are sliced from it by binary search over prefix sums), once for the hours of the
 * longest window, and once per long window for its old edge (at most an hour of samples).
 * Counter increase over chunks is exact unless a reset leaves no trace in an hour; probe
 * successes in an hour are exact for 0/1 probes and a lower bound otherwise
 * (chunk-aggregate.ts).
 *
 * Missing data: `total` or `good` (or `success`) matching no series is no_data with the
 * reason `no series matches <selector>`. A `bad` counter matching no series, or without
 * samples in a window, counts 0 bad: error counters commonly appear only at the first error.
 * A window in which `total`/`good` has no sample has no counts (null: no burn rate).
 */

export type SloWindow = 'window' | BurnWindow;

export interface SloCounts {
  /** Counts over the SLO window; null when they cannot be known. */
  window: EventCounts | null;
  burn: Record<BurnWindow, EventCounts | null>;
  /** Every series matched by the SLO's selectors. */
  series: SeriesInfo[];
  /** The no_data reason when a required selector matched no series; null otherwise. */
  reason: string | null;
  /** That selector, as written; null otherwise. */
  unmatched: string | null;
}

interface Tally {
  /** Counter increase, or the number of good probe samples. */
  events: number;
  /** Probe samples in the window (all events); for counters the number of samples seen. */
  samples: number;
}

interface SelectorTally {
  series: SeriesInfo[];
  /** Per window, in the order of `windows`; summed over series. */
  tallies: Tally[];
}

export function countSloEvents(data: SeriesData, slo: SloSpec, now: number): SloCounts {
  const windows: Array<{ key: SloWindow; ms: number }> = [
    { key: 'window', ms: slo.windowMs },
    ...BURN_WINDOWS.map((w) => ({ key: w, ms: BURN_WINDOW_MS[w] })),
  ];
  const burn = Object.fromEntries(BURN_WINDOWS.map((w) => [w, null])) as Record<BurnWindow, EventCounts | null>;
  const tally = (sel: SelectorSpec, probe: boolean) => tallySelector(data, sel, windows, now, probe);
  const ev = slo.events;

  if (ev.kind === 'probes') {
    const success = tally(ev.success, true);
    if (success.series.length === 0) return { window: null, burn, series: [], reason: `no series matches ${ev.success.text}`, unmatched: ev.success.text };
    const counts = success.tallies.map((t) => ({ good: t.events, total: t.samples }));
    return assemble(windows, counts, burn, success.series);
  }

  const total = tally(ev.total, false);
  const part = ev.good !== undefined ? { name: 'good' as const, sel: ev.good } : ev.bad !== undefined ? { name: 'bad' as const, sel: ev.bad } : null;
  if (part === null) throw new Error('an SLO on counters needs a good or a bad selector besides total');
  const other = tally(part.sel, false);
  const series = union(total.series, other.series);
  if (total.series.length === 0) return { window: null, burn, series, reason: `no series matches ${ev.total.text}`, unmatched: ev.total.text };
  if (part.name === 'good' && other.series.length === 0) return { window: null, burn, series, reason: `no series matches ${part.sel.text}`, unmatched: part.sel.text };

  const counts = windows.map((_, i): EventCounts | null => {
    const t = total.tallies[i]!;
    const o = other.tallies[i]!;
    if (t.samples === 0) return null;
    if (part.name === 'bad') return { bad: o.samples === 0 ? 0 : o.events, total: t.events };
    return o.samples === 0 ? null : { good: o.events, total: t.events };
  });
  return assemble(windows, counts, burn, series);
}

function assemble(
  windows: ReadonlyArray<{ key: SloWindow }>,
  counts: ReadonlyArray<EventCounts | null>,
  burn: Record<BurnWindow, EventCounts | null>,
  series: SeriesInfo[],
): SloCounts {
  let window: EventCounts | null = null;
  windows.forEach(({ key }, i) => {
    if (key === 'window') window = counts[i] ?? null;
    else burn[key] = counts[i] ?? null;
  });
  return { window, burn, series, reason: null, unmatched: null };
}

function tallySelector(
  data: SeriesData,
  sel: SelectorSpec,
  windows: ReadonlyArray<{ ms: number }>,
  now: number,
  probe: boolean,
): SelectorTally {
  const series = data.findSeries(sel.selector);
  const tallies: Tally[] = windows.map(() => ({ events: 0, samples: 0 }));
  const plans = windows.map((w) => planWindow(now, w.ms, data.rawRetentionMs));
  // One raw read reaches back to the oldest raw window or newest edge; one rollup read to the oldest whole hour.
  let rawFrom = now;
  let hoursFrom = Number.POSITIVE_INFINITY;
  let hoursTo = Number.NEGATIVE_INFINITY;
  for (const p of plans) {
    rawFrom = Math.min(rawFrom, p.kind === 'raw' ? p.from : p.tail.from);
    if (p.kind === 'split' && p.hours) {
      hoursFrom = Math.min(hoursFrom, p.hours.from);
      hoursTo = Math.max(hoursTo, p.hours.to);
    }
  }
  for (const s of series) {
    const recent = pointChunks(data.rawPoints(s.id, rawFrom, now));
    const prefix = prefixSums(recent, probe);
    const hours = hoursFrom <= hoursTo ? hourChunks(data.rollupHours(s.id, hoursFrom, hoursTo), now) : [];
    plans.forEach((plan, i) => {
      const part = plan.kind === 'raw' ? prefix.over(plan.from) : splitTally(data, s.id, plan, recent, hours, probe);
      tallies[i]!.events += part.events;
      tallies[i]!.samples += part.samples;
    });
  }
  return { series, tallies };
}

/** A long window: its old edge read now, its hours and newest edge sliced from the shared reads. */
function splitTally(
  data: SeriesData,
  seriesId: number,
  plan: Extract<WindowPlan, { kind: 'split' }>,
  recent: Chunk[],
  hours: Chunk[],
  probe: boolean,
): Tally {
  const chunks = plan.head ? pointChunks(data.rawPoints(seriesId, plan.head.from, plan.head.to)) : [];
  if (plan.hours) for (let i = firstAtOrAfter(hours, plan.hours.from); i < hours.length; i++) chunks.push(hours[i]!);
  for (let i = firstAtOrAfter(recent, plan.tail.from); i < recent.length; i++) chunks.push(recent[i]!);
  let samples = 0;
  let good = 0;
  for (const c of chunks) {
    samples += c.count;
    if (probe) good += probeSuccesses(c);
  }
  if (probe) return { events: good, samples };
  return { events: samples >= 2 ? chunkIncrease(chunks) : 0, samples };
}

/** Index of the first chunk starting at or after `ts` (chunks sorted by start). */
function firstAtOrAfter(chunks: ReadonlyArray<Chunk>, ts: number): number {
  let lo = 0;
  let hi = chunks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (chunks[mid]!.start < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Prefix sums over raw sample chunks (oldest first), so each raw window ending at the newest
 * sample is answered by a binary search: counters keep the cumulative reset-aware growth,
 * probes the cumulative count of good samples.
 */
function prefixSums(points: ReadonlyArray<Chunk>, probe: boolean) {
  const n = points.length;
  const cum = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const v = points[i]!.last;
    if (probe) {
      if (v > 0) acc += 1;
    } else if (i > 0) {
      const prev = points[i - 1]!.last;
      acc += v >= prev ? v - prev : v;
    }
    cum[i] = acc;
  }
  return {
    /** Events and samples among the points with ts ≥ from. */
    over(from: number): Tally {
      const lo = firstAtOrAfter(points, from);
      const samples = n - lo;
      if (samples === 0) return { events: 0, samples: 0 };
      // Probes: the good samples in [lo, n); counters: the growth from point lo to the newest.
      const before = probe ? (lo === 0 ? 0 : cum[lo - 1]!) : cum[lo]!;
      return { events: cum[n - 1]! - before, samples };
    },
  };
}

function union(a: SeriesInfo[], b: SeriesInfo[]): SeriesInfo[] {
  const seen = new Set(a.map((s) => s.id));
  return [...a, ...b.filter((s) => !seen.has(s.id))];
}
