import type { Pillar } from '../scoring/types.js';
import type { AnswerSource } from './answers.js';
import { emptyRiskCounts, type QuestionRisk } from './risk-rules.js';
import type { LensReview, RiskCounts } from './view.js';

/**
 * Milestones: named snapshots of the whole review, and the comparison of two. A snapshot keeps
 * what a later reader needs without the lens (which may have changed since): each question's
 * pillar, title, risk and selection.
 */

export interface SnapshotQuestion {
  id: string;
  title: string;
  pillarId: string;
  pillarName: string;
  pillar: Pillar | null;
  risk: QuestionRisk;
  selected: string[];
  notApplicable: boolean;
  source: AnswerSource | null;
  drift: boolean;
}

export interface MilestoneSnapshot {
  version: 1;
  takenAt: string;
  lenses: Array<{ id: string; name: string; questions: SnapshotQuestion[] }>;
}

export function takeSnapshot(reviews: readonly LensReview[], now: number): MilestoneSnapshot {
  return {
    version: 1,
    takenAt: new Date(now).toISOString(),
    lenses: reviews.map((r) => ({
      id: r.id,
      name: r.name,
      questions: r.questions.map((q) => ({
        id: q.id,
        title: q.title,
        pillarId: q.pillarId,
        pillarName: q.pillarName,
        pillar: q.pillar,
        risk: q.risk,
        selected: q.selected,
        notApplicable: q.notApplicable,
        source: q.source,
        drift: q.drift.length > 0,
      })),
    })),
  };
}

/** Risk counts per lens pillar of a snapshot. */
export function snapshotPillarCounts(s: MilestoneSnapshot): Array<{ lens: string; pillarId: string; pillarName: string; pillar: Pillar | null; counts: RiskCounts }> {
  const out = new Map<string, { lens: string; pillarId: string; pillarName: string; pillar: Pillar | null; counts: RiskCounts }>();
  for (const l of s.lenses) {
    for (const q of l.questions) {
      const key = `${l.id}\u0000${q.pillarId}`;
      let e = out.get(key);
      if (!e) out.set(key, (e = { lens: l.id, pillarId: q.pillarId, pillarName: q.pillarName, pillar: q.pillar, counts: emptyRiskCounts() }));
      e.counts[q.risk]++;
    }
  }
  return [...out.values()];
}

export interface RiskChange {
  lens: string;
  question: string;
  title: string;
  /** null: the question was not in that snapshot. */
  from: QuestionRisk | null;
  to: QuestionRisk | null;
}

export interface PillarComparison {
  lens: string;
  pillarId: string;
  pillarName: string;
  pillar: Pillar | null;
  from: RiskCounts;
  to: RiskCounts;
  /** Questions that became a high or medium risk. */
  gained: RiskChange[];
  /** Questions that stopped being a high or medium risk (or left the lens). */
  removed: RiskChange[];
  /** Questions that stayed a risk at another level (high ↔ medium). */
  changed: RiskChange[];
}

export interface MilestoneComparison {
  pillars: PillarComparison[];
  totals: { gained: number; removed: number; changed: number };
}

const isRisk = (r: QuestionRisk | null) => r === 'high' || r === 'medium';

export function compareSnapshots(from: MilestoneSnapshot, to: MilestoneSnapshot): MilestoneComparison {
  const pillars = new Map<string, PillarComparison>();
  const pillarFor = (lens: string, q: SnapshotQuestion) => {
    const key = `${lens}\u0000${q.pillarId}`;
    let p = pillars.get(key);
    if (!p) {
      p = { lens, pillarId: q.pillarId, pillarName: q.pillarName, pillar: q.pillar, from: emptyRiskCounts(), to: emptyRiskCounts(), gained: [], removed: [], changed: [] };
      pillars.set(key, p);
    }
    return p;
  };
  const before = new Map<string, { lens: string; q: SnapshotQuestion }>();
  for (const l of from.lenses) for (const q of l.questions) before.set(`${l.id}\u0000${q.id}`, { lens: l.id, q });
  const seen = new Set<string>();
  for (const l of to.lenses) {
    for (const q of l.questions) {
      const key = `${l.id}\u0000${q.id}`;
      seen.add(key);
      const prev = before.get(key)?.q;
      const p = pillarFor(l.id, q);
      p.to[q.risk]++;
      if (prev) pillarFor(l.id, prev).from[prev.risk]++;
      classify(p, { lens: l.id, question: q.id, title: q.title, from: prev?.risk ?? null, to: q.risk });
    }
  }
  for (const [key, { lens, q }] of before) {
    if (seen.has(key)) continue;
    const p = pillarFor(lens, q);
    p.from[q.risk]++;
    classify(p, { lens, question: q.id, title: q.title, from: q.risk, to: null });
  }
  const list = [...pillars.values()];
  const sum = (k: 'gained' | 'removed' | 'changed') => list.reduce((n, p) => n + p[k].length, 0);
  return { pillars: list, totals: { gained: sum('gained'), removed: sum('removed'), changed: sum('changed') } };
}

function classify(p: PillarComparison, change: RiskChange): void {
  if (isRisk(change.to) && !isRisk(change.from)) p.gained.push(change);
  else if (isRisk(change.from) && !isRisk(change.to)) p.removed.push(change);
  else if (isRisk(change.from) && isRisk(change.to) && change.from !== change.to) p.changed.push(change);
}

/** ISO 8601 week of the calendar date `now` falls on in `timeZone`, e.g. "2026-W48". */
export function isoWeek(now: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(now));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const date = new Date(Date.UTC(get('year'), get('month') - 1, get('day')));
  const day = (date.getUTCDay() + 6) % 7; // Monday = 0
  date.setUTCDate(date.getUTCDate() - day + 3); // the Thursday of this week decides its year
  const year = date.getUTCFullYear();
  const week = Math.floor((date.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}
