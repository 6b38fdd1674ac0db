import { round1 } from './hours.js';
import { slotOf, type WeekSlots } from './hours.js';
import type { DataQuality, HourPoint, ReportInput, StaleCollectorWeek } from './types.js';
import { HOUR_MS } from './week.js';

/**
 * Data quality — pure. "Hours without data" are the week's hours in which no evaluation
 * sample was stored in any history series (the server was down or not evaluating); "stale
 * collectors" are those that failed `stale_after_failures` runs in a row during the week
 * (the rule that makes their indicators stale on the dashboard).
 */

/** Per slot: did any history series get a sample in it? */
export function evaluatedSlots(history: ReportInput['history'], slots: WeekSlots): boolean[] {
  const out = new Array<boolean>(slots.starts.length).fill(false);
  const mark = (points: readonly HourPoint[] | undefined) => {
    for (const p of points ?? []) {
      if (p.count <= 0) continue;
      const i = slotOf(slots, p.hour);
      if (i !== -1) out[i] = true;
    }
  };
  for (const group of [history.outcomeScore, history.pillarScore, history.indicatorScore, history.budgetRemaining]) {
    for (const points of Object.values(group)) mark(points);
  }
  return out;
}

export function staleCollectors(input: ReportInput, hasData: boolean): StaleCollectorWeek[] {
  const { from, to } = input.week;
  const threshold = input.staleAfterFailures;
  const out: StaleCollectorWeek[] = [];
  for (const c of input.collectors) {
    const r = input.runs[c.id] ?? { streakAtStart: 0, during: [] };
    let streak = r.streakAtStart;
    let longest = streak;
    let staleSince: number | null = streak >= threshold ? from : null;
    let staleMs = 0;
    let failures = 0;
    let lastError: string | null = null;
    for (const run of r.during) {
      if (run.ok) {
        if (staleSince !== null) staleMs += run.at - staleSince;
        staleSince = null;
        streak = 0;
        continue;
      }
      failures += 1;
      streak += 1;
      longest = Math.max(longest, streak);
      if (run.error) lastError = run.error;
      if (streak >= threshold && staleSince === null) staleSince = run.at;
    }
    if (staleSince !== null) staleMs += to - staleSince;
    const noRuns = hasData && r.during.length === 0;
    if (staleMs > 0 || noRuns) {
      out.push({ id: c.id, type: c.type, runs: r.during.length, failures, longestFailureStreak: longest, staleHours: round1(staleMs / HOUR_MS), noRuns, lastError });
    }
  }
  return out.sort((a, b) => b.staleHours - a.staleHours || a.id.localeCompare(b.id));
}

export function buildDataQuality(input: ReportInput, slots: WeekSlots, evaluated: boolean[]): DataQuality {
  const iso = (t: number) => new Date(t).toISOString();
  const hoursWithData = evaluated.filter(Boolean).length;
  const hasData = hoursWithData > 0;
  const gaps: DataQuality['gaps'] = [];
  for (let i = 0; i < evaluated.length; i++) {
    if (evaluated[i]) continue;
    let j = i;
    while (j + 1 < evaluated.length && !evaluated[j + 1]) j++;
    const a = Math.max(slots.starts[i]!, slots.from);
    const b = Math.min(slots.starts[j]! + HOUR_MS, slots.to);
    gaps.push({ from: iso(a), to: iso(b), hours: j - i + 1 });
    i = j;
  }
  const stale = staleCollectors(input, hasData);
  const notes: string[] = [];
  const hoursWithoutData = evaluated.length - hoursWithData;
  if (!hasData) {
    notes.push(
      `No evaluation sample was stored between ${iso(input.week.from)} and ${iso(input.week.to)}: Pillarboard was not running or not evaluating. ` +
        'Every figure of this week is unknown, not zero.',
    );
  } else if (hoursWithoutData > 0) {
    const longest = Math.max(...gaps.map((g) => g.hours));
    notes.push(`${hoursWithoutData} of ${evaluated.length} hours have no evaluation sample (longest gap ${longest} h); figures cover the other hours.`);
  }
  if (stale.length > 0) {
    notes.push(
      `${stale.length} collector${stale.length === 1 ? ' was' : 's were'} stale or silent during the week: ` +
        stale.map((s) => (s.noRuns ? `${s.id} (no runs)` : `${s.id} (${s.staleHours} h)`)).join(', ') + '.',
    );
  }
  return { hasData, hoursWithData, hoursWithoutData, gaps, staleCollectors: stale, notes };
}
