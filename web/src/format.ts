/** Numbers, units and times as people read them on a wall screen. */

/**
 * Values, percentages, scores and targets: the scoring core's own functions, so the server's
 * reasons and the dashboard's headlines format every number by one rule (see its comment).
 */
export { formatBounds, formatPercent, formatScore, formatTarget, formatValue, type ObjectiveLike } from '../../server/scoring/format.js';
import { formatValue } from '../../server/scoring/format.js';

/** Ticks on a chart axis in the indicator's unit (shorter than formatValue). */
export function axisFormatter(unit: string | null | undefined): (v: number) => string {
  return (v) => formatValue(v, unit);
}

/** "12 s ago", "4 min ago", "3 h ago", "2 d ago". Negative ages (clock skew) read as "just now". */
export function formatAgo(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 2) return 'just now';
  if (s < 90) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}

/** A duration in words: 3600 → "1 h". */
export function formatDuration(ms: number): string {
  return formatAgo(ms).replace(/ ago$/, '').replace('just now', '0 s');
}

/**
 * Times are shown in the workload's time zone (`workload.timezone` in the summary), not the
 * browser's: a TV in a lobby often runs in UTC, and the team reads its day in its own zone.
 * Until the summary says, the browser's zone is used.
 */
let zone: string | undefined;

function formatters() {
  const make = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(undefined, { hourCycle: 'h23', ...o, timeZone: zone });
  return {
    time: make({ hour: '2-digit', minute: '2-digit' }),
    dateTime: make({ month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }),
    weekdayTime: make({ weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }),
    clock: make({ weekday: 'short', hour: '2-digit', minute: '2-digit' }),
    day: make({ weekday: 'short', day: 'numeric', month: 'short' }),
    date: make({ day: 'numeric', month: 'short' }),
    zoneName: make({ timeZoneName: 'short' }),
    /** Fixed locale: read back as numbers (zoneParts). */
    parts: new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' }),
  };
}
let F = formatters();

/** True when `tz` is an IANA zone this browser knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Shows times in `tz` from now on (null or an unknown zone: the browser's). Returns whether it changed. */
export function setTimeZone(tz: string | null): boolean {
  const next = tz && isTimeZone(tz) ? tz : undefined;
  if (next === zone) return false;
  zone = next;
  F = formatters();
  return true;
}

/** The zone times are shown in (an IANA name). */
export const timeZone = (): string => zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The zone's short name at `ms` ("IST", "CET", "UTC", or "GMT+5:30" where it has none). */
export function zoneName(ms: number): string {
  return F.zoneName.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? timeZone();
}

export const formatTime = (ms: number): string => F.time.format(ms);
export const formatDateTime = (ms: number): string => F.dateTime.format(ms);
/** "Thu, Nov 26, 14:05": tooltips and lists that span several days. */
export const formatWeekdayDateTime = (ms: number): string => F.weekdayTime.format(ms);
export const formatClock = (ms: number): string => F.clock.format(ms);
/** "Thu, Nov 26" */
export const formatDay = (ms: number): string => F.day.format(ms);
/** "Nov 26" */
export const formatDate = (ms: number): string => F.date.format(ms);

const CALENDAR_DATE = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
/** A calendar date as written ("2026-12-10" → "Dec 10, 2026"), in no zone. */
export function formatCalendarDate(ymd: string): string {
  const t = Date.parse(`${ymd}T00:00:00Z`);
  return Number.isNaN(t) ? ymd : CALENDAR_DATE.format(t);
}

/** The wall-clock date and time at `ms` in the zone, as numbers (month 1–12, weekday 0 = Sunday). */
export function zoneParts(ms: number): { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number } {
  const p: Record<string, string> = {};
  for (const part of F.parts.formatToParts(ms)) p[part.type] = part.value;
  return {
    year: Number(p['year']),
    month: Number(p['month']),
    day: Number(p['day']),
    hour: Number(p['hour']) % 24,
    minute: Number(p['minute']),
    second: Number(p['second']),
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p['weekday'] ?? ''),
  };
}

/** The zone's offset from UTC at `ms`, in ms (+5:30 → 19 800 000). */
export function zoneOffset(ms: number): number {
  const p = zoneParts(ms);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the zone's wall clock shows `wall` (a wall-clock time written as if it
 * were UTC ms). Around a DST change, a time that does not exist maps to just after the change.
 */
export function fromWallTime(wall: number): number {
  const first = wall - zoneOffset(wall);
  return wall - zoneOffset(first);
}

/** Today (in the zone) → "14:05", otherwise "Nov 24, 14:05". */
export function formatWhen(ms: number, now: number): string {
  return sameDay(ms, now) ? formatTime(ms) : formatDateTime(ms);
}

function sameDay(a: number, b: number): boolean {
  const x = zoneParts(a);
  const y = zoneParts(b);
  return x.year === y.year && x.month === y.month && x.day === y.day;
}
