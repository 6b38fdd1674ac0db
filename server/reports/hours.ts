import type { HourPoint } from './types.js';
import { HOUR_MS, localDate, formatCivil, type WeekRange } from './week.js';

/**
 * The hours of a report week and statistics of hourly history points over them — pure.
 *
 * History is read from the store's hourly rollups, whose hours are UTC hours. An hour belongs
 * to the week when its midpoint lies in [from, to): in every zone with a whole-hour offset
 * that is exactly the hours starting in the week; in the few zones offset by 30 or 45 minutes
 * (India, Nepal, parts of Australia, Newfoundland) the week's edges are rounded to the
 * nearest UTC hour, and the week still has its 167/168/169 hours.
 */

export interface WeekSlots {
  from: number;
  to: number;
  /** Hour starts (ms), oldest first. */
  starts: number[];
  /** Index into the week's `days` (0 = Monday) of each hour. */
  dayIndex: number[];
}

const HALF = HOUR_MS / 2;

export function weekSlots(w: WeekRange): WeekSlots {
  const first = Math.ceil((w.from - HALF) / HOUR_MS) * HOUR_MS;
  const starts: number[] = [];
  const dayIndex: number[] = [];
  for (let h = first; h + HALF < w.to; h += HOUR_MS) {
    starts.push(h);
    const day = w.days.indexOf(formatCivil(localDate(h + HALF, w.timezone)));
    dayIndex.push(day === -1 ? (h < w.from ? 0 : 6) : day);
  }
  return { from: w.from, to: w.to, starts, dayIndex };
}

/** Index of the slot starting at `hour`, or -1. */
export function slotOf(slots: WeekSlots, hour: number): number {
  if (slots.starts.length === 0) return -1;
  const i = (hour - slots.starts[0]!) / HOUR_MS;
  return Number.isInteger(i) && i >= 0 && i < slots.starts.length ? i : -1;
}

export interface SeriesWeekStats {
  /** Σsum / Σcount over the week's hours: the mean of every sample. */
  mean: number | null;
  /** The last sample of the last hour with data. */
  end: number | null;
  byDay: Array<number | null>;
  /** Slots (by index) that hold at least one sample. */
  slotsWithData: number[];
}

export function seriesWeekStats(points: readonly HourPoint[] | undefined, slots: WeekSlots): SeriesWeekStats {
  const daySum = new Array<number>(7).fill(0);
  const dayCount = new Array<number>(7).fill(0);
  let sum = 0;
  let count = 0;
  let end: number | null = null;
  let endHour = -Infinity;
  const slotsWithData: number[] = [];
  for (const p of points ?? []) {
    const i = slotOf(slots, p.hour);
    if (i === -1 || p.count <= 0) continue;
    sum += p.sum;
    count += p.count;
    const d = slots.dayIndex[i]!;
    daySum[d]! += p.sum;
    dayCount[d]! += p.count;
    slotsWithData.push(i);
    if (p.hour > endHour) {
      endHour = p.hour;
      end = p.last;
    }
  }
  return {
    mean: count > 0 ? sum / count : null,
    end,
    byDay: daySum.map((s, d) => (dayCount[d]! > 0 ? s / dayCount[d]! : null)),
    slotsWithData,
  };
}

/** The last sample stored before `t` (from the newest hour whose midpoint is before t), or null. */
export function lastBefore(points: readonly HourPoint[] | undefined, t: number): number | null {
  let best: HourPoint | undefined;
  for (const p of points ?? []) {
    if (p.count > 0 && p.hour + HALF < t && (!best || p.hour > best.hour)) best = p;
  }
  return best ? best.last : null;
}

export const round1 = (x: number) => Math.round(x * 10) / 10;
export const round3 = (x: number) => Math.round(x * 1000) / 1000;
export const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
export const mapNullable = <T, U>(x: T | null, f: (v: T) => U): U | null => (x === null ? null : f(x));
