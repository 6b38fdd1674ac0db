/**
 * ISO weeks in a time zone, and "local midnight in zone Z" as a UTC instant — pure, no clock.
 *
 * A report week is Monday 00:00 to the next Monday 00:00 in the report's time zone, so it is
 * 168 hours long, or 167/169 hours in a week with a daylight-saving change. Offsets come from
 * `Intl.DateTimeFormat` (the runtime's IANA database), the same source every other date in
 * Pillarboard is formatted with.
 */

const MINUTE = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A calendar date (no zone): year, month 1–12, day 1–31. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export interface IsoWeek {
  /** The ISO week-numbering year (may differ from the calendar year around New Year). */
  year: number;
  week: number;
}

/** A week resolved in a zone: [from, to) as ms epoch. */
export interface WeekRange extends IsoWeek {
  /** "2026-W47" */
  id: string;
  timezone: string;
  from: number;
  to: number;
  /** (to − from) / 1 h: 168, or 167/169 across a daylight-saving change. */
  hours: number;
  /** The seven local dates, Monday first (YYYY-MM-DD). */
  days: string[];
  /**
   * Set for the week in progress ("so far"): the instant the report's figures end, from < asOf < to.
   * Such a report covers [from, asOf) and is never archived as the week's report.
   */
  asOf?: number;
}

/** What `--week` / the API accept for the week in progress. */
export const CURRENT_WEEK = 'current';

/** A week string the user got wrong: `message` says what and how to write it. */
export class WeekError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeekError';
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall-clock time in `tz` at instant `t`, expressed as if it were UTC (ms, whole seconds). */
export function localWallMs(t: number, tz: string): number {
  const parts = formatter(tz).formatToParts(new Date(t));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

/** UTC offset of `tz` at instant `t`, ms (local − UTC), e.g. +3,600,000 for CET. */
export function offsetAt(t: number, tz: string): number {
  const whole = Math.floor(t / 1000) * 1000;
  return localWallMs(whole, tz) - whole;
}

/** The local calendar date in `tz` at instant `t`. */
export function localDate(t: number, tz: string): CivilDate {
  const d = new Date(localWallMs(t, tz));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * The UTC instant at which the local date `date` begins in `tz` (its 00:00).
 * - Normal days: the one instant whose local time is 00:00.
 * - 00:00 occurs twice (a fall-back at midnight): the first.
 * - 00:00 does not exist (a spring-forward at midnight, e.g. America/Santiago): the first
 *   instant of the date, i.e. the moment of the change (local 01:00).
 */
export function startOfLocalDay(date: CivilDate, tz: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day);
  const before = offsetAt(wall - DAY_MS, tz);
  const after = offsetAt(wall + DAY_MS, tz);
  const candidates = [...new Set([wall - before, wall - after, wall - offsetAt(wall, tz)])].sort((a, b) => a - b);
  for (const t of candidates) if (localWallMs(t, tz) === wall) return t;
  // Midnight falls in a gap. The day starts where the gap ends; with the offset in force
  // before the change, wall − before is exactly that instant when the change is at 00:00.
  let lo = wall - before - 3 * HOUR_MS;
  let hi = wall - before + 3 * HOUR_MS;
  // Smallest t (to the minute) whose local wall time is at or after midnight of `date`.
  while (hi - lo > MINUTE) {
    const mid = Math.floor((lo + hi) / 2 / MINUTE) * MINUTE;
    if (localWallMs(mid, tz) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Day of the week of a civil date, ISO numbering: Monday 1 … Sunday 7. */
export function isoWeekday(d: CivilDate): number {
  const wd = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
  return wd === 0 ? 7 : wd;
}

function addDays(d: CivilDate, n: number): CivilDate {
  const x = new Date(Date.UTC(d.year, d.month - 1, d.day) + n * DAY_MS);
  return { year: x.getUTCFullYear(), month: x.getUTCMonth() + 1, day: x.getUTCDate() };
}

export function formatCivil(d: CivilDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** The ISO week a civil date belongs to. */
export function isoWeekOf(d: CivilDate): IsoWeek {
  // The week belongs to the year of its Thursday.
  const thursday = addDays(d, 4 - isoWeekday(d));
  const jan1 = Date.UTC(thursday.year, 0, 1);
  const week = Math.floor((Date.UTC(thursday.year, thursday.month - 1, thursday.day) - jan1) / DAY_MS / 7) + 1;
  return { year: thursday.year, week };
}

/** 52 or 53: a year has 53 ISO weeks when it starts on a Thursday, or is a leap year starting on a Wednesday. */
export function weeksInYear(year: number): number {
  return isoWeekOf({ year, month: 12, day: 28 }).week;
}

/** The Monday of an ISO week. */
export function mondayOf(w: IsoWeek): CivilDate {
  const jan4: CivilDate = { year: w.year, month: 1, day: 4 };
  return addDays(jan4, 1 - isoWeekday(jan4) + 7 * (w.week - 1));
}

export function formatWeek(w: IsoWeek): string {
  return `${String(w.year).padStart(4, '0')}-W${String(w.week).padStart(2, '0')}`;
}

const WEEK_RE = /^(\d{4})-W(\d{2})$/;

/** Parses "2026-W47". Throws WeekError naming what is wrong (format, week 00, week 54, W53 of a 52-week year). */
export function parseWeek(text: string): IsoWeek {
  const m = WEEK_RE.exec(text);
  if (!m) throw new WeekError(`"${text}" is not an ISO week; write it as YYYY-Www, e.g. 2026-W47`);
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (year < 1970) throw new WeekError(`"${text}": the year must be 1970 or later`);
  const max = weeksInYear(year);
  if (week < 1 || week > max) throw new WeekError(`"${text}": ${year} has ISO weeks 01 to ${max}`);
  return { year, week };
}

/** The week [Monday 00:00, next Monday 00:00) in `tz`. */
export function weekRange(w: IsoWeek, tz: string): WeekRange {
  const monday = mondayOf(w);
  const from = startOfLocalDay(monday, tz);
  const to = startOfLocalDay(addDays(monday, 7), tz);
  const days = Array.from({ length: 7 }, (_, i) => formatCivil(addDays(monday, i)));
  return { ...w, id: formatWeek(w), timezone: tz, from, to, hours: (to - from) / HOUR_MS, days };
}

/** The ISO week containing instant `t` in `tz`. */
export function weekContaining(t: number, tz: string): IsoWeek {
  return isoWeekOf(localDate(t, tz));
}

/** The week before `w`. */
export function previousWeek(w: IsoWeek): IsoWeek {
  return isoWeekOf(addDays(mondayOf(w), -7));
}

/** The last week that has ended at `now` in `tz` (the week before the one containing now). */
export function lastCompletedWeek(now: number, tz: string): IsoWeek {
  return previousWeek(weekContaining(now, tz));
}

/**
 * Parses a week a user asked a report for and checks that it has ended at `now`.
 * Throws WeekError: malformed, out of range, or "future" (not ended yet).
 */
export function parseReportWeek(text: string, tz: string, now: number): WeekRange {
  const range = weekRange(parseWeek(text), tz);
  if (range.to > now) {
    const last = formatWeek(lastCompletedWeek(now, tz));
    const current = range.from <= now ? `; "${CURRENT_WEEK}" gives this week so far` : '';
    throw new WeekError(
      `${range.id} has not ended yet (it ends ${new Date(range.to).toISOString()}, ${tz}); the latest complete week is ${last}${current}`,
    );
  }
  return range;
}

/** The week containing `now`, cut at `now`: the week so far. */
export function currentWeekSoFar(now: number, tz: string): WeekRange {
  return { ...weekRange(weekContaining(now, tz), tz), asOf: now };
}

/** The part of `w` a report covers: [from, asOf) for the week in progress, else the whole week. */
export function coveredRange(w: WeekRange): WeekRange {
  return w.asOf !== undefined && w.asOf < w.to ? { ...w, to: Math.max(w.from, w.asOf) } : w;
}
