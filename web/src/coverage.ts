import { h } from './dom.js';
import { formatDuration, formatWhen } from './format.js';
import type { History } from './model.js';

/**
 * Words for how much history a figure rests on, so a young installation does not claim more
 * than it has: a 7-day SLO six minutes after the first sample reads "over 6 min of 7 d", not
 * "over 7 d"; a chart whose series began after its range starts at the first sample and says
 * "collecting since 14:10" (in the workload's time zone).
 */

/** "over 7 d" once the window is covered; "over 6 min of 7 d" before; null without a window. */
export function windowWords(windowSeconds: number | null, coverage: number | null): string | null {
  if (windowSeconds === null || !(windowSeconds > 0)) return null;
  const windowMs = windowSeconds * 1000;
  const whole = formatDuration(windowMs);
  if (coverage === null || coverage >= 0.999) return `over ${whole}`;
  return `over ${formatDuration(Math.max(1000, coverage * windowMs))} of ${whole}`;
}

/** Where the chart's x axis starts: the first sample when that is later than the range's start. */
export function historyStart(h: History): number {
  return h.dataSince !== null && h.dataSince > h.from && h.dataSince < h.to ? h.dataSince : h.from;
}

/** "collecting since 14:10" (or "since Dec 7, 14:10" on another day) when the history began inside the range; null otherwise. */
export function collectingSince(h: History, now: number): string | null {
  const start = historyStart(h);
  return start > h.from ? `collecting since ${formatWhen(start, now)}` : null;
}

/** "over 6 min of 7 d" under a value whose window the history does not cover yet; nothing once it does. */
export function partialWindow(i: { windowSeconds: number | null; windowCoverage: number | null }): HTMLElement | null {
  if (i.windowCoverage === null || i.windowCoverage >= 0.999) return null;
  return h('span', { class: 'cover' }, windowWords(i.windowSeconds, i.windowCoverage));
}
