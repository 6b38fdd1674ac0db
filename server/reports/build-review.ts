import { compareSnapshots, snapshotPillarCounts, type MilestoneSnapshot, type RiskChange } from '../review/milestones.js';
import type {
  ReportReviewInput, ReportReviewMilestone, ReviewDriftWeek, ReviewMilestoneRef, ReviewPillarWeek, ReviewPlanDue, ReviewRiskChange, ReviewWeek,
} from './types.js';
import { HOUR_MS, type WeekRange } from './week.js';

/**
 * The review section — pure, from the two weekly milestones read by read.ts:
 * - **week start** = the weekly milestone of the report's week. `ensureWeeklyMilestone` takes it
 *   at the first evaluation of that ISO week, so it holds the review as it stood when the week
 *   began (normally a minute after Monday 00:00);
 * - **week end** = the weekly milestone of the next week, taken when that week began: the review
 *   as the report's week ended.
 * So the report of 2026-W47 compares "Week 2026-W47" with "Week 2026-W48" (not W46 with W47,
 * which would describe the week before). A missing snapshot is reported as missing, never as
 * zero risks. See docs/reports.md.
 */

type HighMedium = { high: number; medium: number };

/** A snapshot taken more than this long after its week began is called out in the notes. */
const LATE_MS = HOUR_MS;

const iso = (t: number) => new Date(t).toISOString();

function ref(m: ReportReviewMilestone): ReviewMilestoneRef {
  return { id: m.id, name: m.name, week: m.week, takenAt: iso(m.createdAt) };
}

function totalsOf(s: MilestoneSnapshot): HighMedium {
  const out = { high: 0, medium: 0 };
  for (const l of s.lenses) {
    for (const q of l.questions) {
      if (q.risk === 'high') out.high++;
      else if (q.risk === 'medium') out.medium++;
    }
  }
  return out;
}

const change = (c: RiskChange): ReviewRiskChange => ({ lens: c.lens, question: c.question, title: c.title, from: c.from, to: c.to });

export function buildReview(input: ReportReviewInput | null | undefined, week: WeekRange): ReviewWeek | null {
  if (!input) return null;
  const { start, end } = input;
  const dueThisWeek: ReviewPlanDue[] = [];
  const overdue: ReviewPlanDue[] = [];
  const first = week.days[0]!;
  const last = week.days[6]!;
  for (const p of input.plan) {
    if (p.due === null || (p.status !== 'open' && p.status !== 'in_progress')) continue;
    const item: ReviewPlanDue = { lens: p.lens, question: p.question, title: p.title, pillarName: p.pillarName, risk: p.risk, owner: p.owner, due: p.due, status: p.status };
    if (p.due < first) overdue.push(item);
    else if (p.due <= last) dueThisWeek.push(item);
  }
  const byDue = (a: ReviewPlanDue, b: ReviewPlanDue) => a.due.localeCompare(b.due) || (a.risk === b.risk ? 0 : a.risk === 'high' ? -1 : 1);
  dueThisWeek.sort(byDue);
  overdue.sort(byDue);
  // Not configured for this week: no review milestone at either edge and nothing on the plan due.
  if (!start && !end && dueThisWeek.length === 0 && overdue.length === 0) return null;

  const lensNames = new Map<string, string>();
  for (const s of [start?.snapshot, end?.snapshot]) for (const l of s?.lenses ?? []) lensNames.set(l.id, l.name);
  const key = (lens: string, pillarId: string) => `${lens}\u0000${pillarId}`;
  const pillars = new Map<string, ReviewPillarWeek>();
  const pillarOf = (lens: string, pillarId: string, pillarName: string, pillar: ReviewPillarWeek['pillar']) => {
    let p = pillars.get(key(lens, pillarId));
    if (!p) {
      p = { lens, lensName: lensNames.get(lens) ?? lens, pillarId, pillarName, pillar, start: null, end: null, gained: null, removed: null, changed: null };
      pillars.set(key(lens, pillarId), p);
    }
    return p;
  };
  // Lens order: the end snapshot's (the review as it is now), then anything only at the start.
  for (const snap of [end, start]) {
    if (!snap) continue;
    for (const c of snapshotPillarCounts(snap.snapshot)) pillarOf(c.lens, c.pillarId, c.pillarName, c.pillar);
  }
  for (const [snap, edge] of [[start, 'start'], [end, 'end']] as const) {
    if (!snap) continue;
    for (const p of pillars.values()) p[edge] = { high: 0, medium: 0 };
    for (const c of snapshotPillarCounts(snap.snapshot)) {
      const p = pillarOf(c.lens, c.pillarId, c.pillarName, c.pillar);
      p[edge] = { high: c.counts.high, medium: c.counts.medium };
    }
  }
  let totals: ReviewWeek['totals'] = {
    start: start ? totalsOf(start.snapshot) : null,
    end: end ? totalsOf(end.snapshot) : null,
    gained: null,
    removed: null,
    changed: null,
  };
  if (start && end) {
    const c = compareSnapshots(start.snapshot, end.snapshot);
    for (const pc of c.pillars) {
      const p = pillarOf(pc.lens, pc.pillarId, pc.pillarName, pc.pillar);
      p.gained = pc.gained.map(change);
      p.removed = pc.removed.map(change);
      p.changed = pc.changed.map(change);
    }
    for (const p of pillars.values()) {
      p.gained ??= [];
      p.removed ??= [];
      p.changed ??= [];
    }
    totals = { ...totals, ...c.totals };
  }

  let drift: ReviewDriftWeek[] | null = null;
  if (end) {
    const before = new Set<string>();
    for (const l of start?.snapshot.lenses ?? []) for (const q of l.questions) if (q.drift) before.add(key(l.id, q.id));
    drift = end.snapshot.lenses.flatMap((l) =>
      l.questions
        .filter((q) => q.drift)
        .map((q) => ({ lens: l.id, question: q.id, title: q.title, pillarName: q.pillarName, atStart: start ? before.has(key(l.id, q.id)) : null })),
    );
  }

  const notes: string[] = [];
  if (!start) notes.push(`No review milestone for ${week.id}: the review was not in use, or not evaluated, during the week; risks at its start are unknown.`);
  else if (start.createdAt - week.from > LATE_MS) notes.push(`The week-start snapshot (${start.name}) was taken after the week began, when the review was first evaluated that week.`);
  if (!end) notes.push('No review milestone for the week after yet: risks at the week\'s end are unknown.');
  else if (end.createdAt - week.to > LATE_MS) notes.push(`The week-end snapshot (${end.name}) was taken after the week ended, when the review was first evaluated the week after.`);

  return {
    start: start ? ref(start) : null,
    end: end ? ref(end) : null,
    compared: start !== null && end !== null,
    totals,
    pillars: [...pillars.values()],
    drift,
    plan: { dueThisWeek, overdue },
    notes,
  };
}
