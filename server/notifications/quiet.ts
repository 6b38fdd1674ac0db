/**
 * Quiet hours: recurring windows, in the workload's time zone, during which messages are held,
 * not dropped — their deliveries wait until the window ends, so a status that is still bad in
 * the morning is reported then (with its recovery, if it recovered meanwhile).
 */

export interface QuietWindow {
  /** Days the window starts on, 0 = Sunday … 6 = Saturday. */
  days: number[];
  /** Minutes after local midnight; `to` ≤ `from` means it ends the next day. */
  fromMin: number;
  toMin: number;
}

const DAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formats = new Map<string, Intl.DateTimeFormat>();

function localParts(at: number, tz: string): { day: number; minute: number } {
  let f = formats.get(tz);
  if (!f) formats.set(tz, (f = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return { day: DAYS[parts['weekday']!]!, minute: Number(parts['hour']) * 60 + Number(parts['minute']) };
}

/** True when `at` is inside one of the windows. */
export function isQuiet(at: number, windows: readonly QuietWindow[], tz: string): boolean {
  if (windows.length === 0) return false;
  const { day, minute } = localParts(at, tz);
  const yesterday = (day + 6) % 7;
  return windows.some((w) =>
    w.fromMin < w.toMin
      ? w.days.includes(day) && minute >= w.fromMin && minute < w.toMin
      : (w.days.includes(day) && minute >= w.fromMin) || (w.days.includes(yesterday) && minute < w.toMin),
  );
}

/** When the quiet hours around `at` end (a whole minute), or null when `at` is not in any. */
export function quietUntil(at: number, windows: readonly QuietWindow[], tz: string): number | null {
  if (!isQuiet(at, windows, tz)) return null;
  let t = Math.floor(at / 60_000) * 60_000;
  // Windows that chain into each other end within a week; a week of minutes bounds the search.
  for (let i = 0; i < 7 * 24 * 60 + 1; i++) {
    t += 60_000;
    if (!isQuiet(t, windows, tz)) return t;
  }
  return null;
}
