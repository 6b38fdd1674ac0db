import type { DoraKey } from '../dora/types.js';
import type { QuestionRisk } from '../review/risk-rules.js';
import type { Status } from '../scoring/types.js';
import type { DoraKeyWeek, DoraWeek, ReviewRiskChange, ReviewWeek, Verdict, WeeklyReport } from './types.js';

/** Number and date wording shared by the Markdown, HTML and chat renderers. */

export const VERDICT_LABEL: Record<Verdict, string> = { met: 'met', at_risk: 'at risk', missed: 'missed', no_data: 'no data' };
export const STATUS_LABEL: Record<Status, string> = { ok: 'ok', warning: 'warning', critical: 'critical', no_data: 'no data', stale: 'stale' };

const MINUS = '−';

/** 0.9623 → "96.2%"; null → "n/a". */
export function pct(ratio: number | null, digits = 1): string {
  return ratio === null ? 'n/a' : `${(ratio * 100).toFixed(digits)}%`;
}

/** A score 0–100 → "92.3"; null → "n/a". */
export function score(v: number | null): string {
  return v === null ? 'n/a' : v.toFixed(1);
}

/** A change in points: "+1.3 pts", "−2.0 pts", "±0.0 pts". */
export function points(change: number | null): string {
  if (change === null) return 'n/a';
  if (change === 0) return '±0.0 pts';
  return `${change > 0 ? '+' : MINUS}${Math.abs(change).toFixed(1)} pts`;
}

/** A ratio change as points: 0.013 → "+1.3 pts". */
export function ratioPoints(change: number | null): string {
  return change === null ? 'n/a' : points(Math.round(change * 1000) / 10);
}

/** Minutes → "45 min", "2 h 05 min", "3 d 4 h". */
export function minutes(m: number): string {
  if (m < 60) return `${m} min`;
  if (m < 24 * 60) return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(m / 1440)} d ${Math.floor((m % 1440) / 60)} h`;
}

export function hours(h: number): string {
  return `${Number.isInteger(h) ? h : h.toFixed(1)} h`;
}

/** An instant as local wall time in the report's zone: "Mon 16 Nov 14:05". */
export function localTime(iso: string, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(iso))
    .replace(',', '');
}

/** "Mon 16 – Sun 22 November 2026" style span of the week. */
export function weekSpan(r: WeeklyReport): string {
  const d = (s: string) => new Date(`${s}T12:00:00Z`);
  const first = d(r.days[0]!);
  const last = d(r.days[6]!);
  const fmt = (x: Date, opts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', ...opts }).format(x);
  const sameMonth = first.getUTCMonth() === last.getUTCMonth();
  const left = fmt(first, sameMonth ? { day: 'numeric' } : { day: 'numeric', month: 'long', ...(first.getUTCFullYear() !== last.getUTCFullYear() ? { year: 'numeric' } : {}) });
  return `${left} – ${fmt(last, { day: 'numeric', month: 'long', year: 'numeric' })}`;
}

/** Short weekday names of the report's days: Mon … Sun. */
export const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The one-line headline: "2 of 3 outcomes met, 1 at risk". */
export function headline(r: WeeklyReport): string {
  const s = r.summary;
  if (!r.dataQuality.hasData) return 'No data for this week';
  if (s.outcomes === 0) return 'No business outcomes are declared';
  const parts = [`${s.met} of ${s.outcomes} outcome${s.outcomes === 1 ? '' : 's'} met`];
  if (s.atRisk) parts.push(`${s.atRisk} at risk`);
  if (s.missed) parts.push(`${s.missed} missed`);
  if (s.noData) parts.push(`${s.noData} without data`);
  return parts.join(', ');
}

/**
 * Subject line for mail and the title of every rendering. The week in progress says so in the
 * title itself: "Web shop — Week 49, 2026 — so far (to Mon 7 Dec 15:00)".
 */
export function reportTitle(r: WeeklyReport): string {
  if (isPartial(r)) {
    const [year, week] = r.week.split('-W');
    return `${r.workload.title} — Week ${Number(week)}, ${year} — so far (to ${localTime(r.asOf, r.timezone)})`;
  }
  return `${r.workload.title} — weekly report ${r.week}`;
}

export function isPartial(r: WeeklyReport): r is WeeklyReport & { partial: true; asOf: string } {
  return r.partial === true && typeof r.asOf === 'string';
}

/** Hours of the week a report covers: "15 of 168 h so far", or the week's "168 h". */
export function coverage(r: WeeklyReport): string {
  if (!isPartial(r)) return hours(r.hours);
  const done = Math.round(((Date.parse(r.asOf) - Date.parse(r.from)) / 3_600_000) * 10) / 10;
  return `${Number.isInteger(done) ? done : done.toFixed(1)} of ${r.hours} h so far`;
}

/**
 * Where a report's "end" values are read: "at week end" for a complete week; for the week so far
 * "so far" — a partial report has no week end yet.
 */
export interface EndWords {
  /** "at week end" | "so far" */
  at: string;
  /** Column heading: "At week end" | "So far" */
  heading: string;
  /** Review edge: "week end" | "now" */
  edge: string;
}

export function endWords(r: WeeklyReport): EndWords {
  return isPartial(r) ? { at: 'so far', heading: 'So far', edge: 'now' } : { at: 'at week end', heading: 'At week end', edge: 'week end' };
}

/** The sentence every rendering of a partial report carries; null for a complete week. */
export function partialNote(r: WeeklyReport): string | null {
  if (!isPartial(r)) return null;
  return (
    `Partial report: the week is not over. Every figure covers ${localTime(r.from, r.timezone)} to ${localTime(r.asOf, r.timezone)} only ` +
    `(${coverage(r)}); comparisons are with the whole previous week. This is not the week's final report, which is written after the week ends.`
  );
}

/** Seconds → "42 s", "45 min", "2 h 05 min", "3 d 4 h". */
export function seconds(s: number): string {
  return s < 60 ? `${Math.round(s)} s` : minutes(Math.round(s / 60));
}

export const DORA_KEY_TITLE: Record<DoraKey, string> = {
  deployment_frequency: 'Deployment frequency',
  lead_time: 'Lead time for changes',
  change_failure_rate: 'Change failure rate',
  time_to_restore: 'Time to restore service',
};

/** A key's value in its unit: "0.57 per day", "1 d 2 h", "25.0%"; "n/a" when unknown. */
export function doraValue(k: DoraKeyWeek): string {
  if (k.value === null) return 'n/a';
  if (k.unit === 'deployments/day') return `${k.value.toFixed(2)} per day`;
  if (k.unit === 'ratio') return pct(k.value);
  return seconds(k.value);
}

/** "7 days to Sun 22 Nov 23:59" — the window the keys cover, ending at the run read. */
export function doraWindow(d: DoraWeek, tz: string): string {
  return d.resolution === 'raw' ? `7 days to ${localTime(d.at, tz)}` : `7 days to about ${localTime(d.at, tz)} (hourly values)`;
}

const RISK_LABEL: Record<QuestionRisk, string> = { high: 'high', medium: 'medium', none: 'none', unanswered: 'unanswered', not_applicable: 'not applicable' };

/** "medium → high"; a question missing from a snapshot is "not in the lens". */
export function riskChange(c: ReviewRiskChange): string {
  const r = (x: QuestionRisk | null) => (x === null ? 'not in the lens' : RISK_LABEL[x]);
  return `${r(c.from)} → ${r(c.to)}`;
}

/** "1 → 2"; an edge without a snapshot is "n/a". */
export function countChange(a: number | null | undefined, b: number | null | undefined): string {
  return `${a ?? 'n/a'} → ${b ?? 'n/a'}`;
}

/** "High risks 2 → 1, medium risks 1 → 1: 1 gained, 2 removed, 0 changed level". */
export function reviewHeadline(r: ReviewWeek): string {
  const t = r.totals;
  const base = `High risks ${countChange(t.start?.high, t.end?.high)}, medium risks ${countChange(t.start?.medium, t.end?.medium)}`;
  return r.compared ? `${base}: ${t.gained} gained, ${t.removed} removed, ${t.changed} changed level` : base;
}

export const NO_REVIEW = 'No Well-Architected review is configured for this week (no review milestone at its start or end).';
