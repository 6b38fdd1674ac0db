import { PILLARS, type Pillar, type Status } from '../scoring/types.js';
import { emptyAnswer, resolveAnswer, type AnswerSource, type AnswerState, type Drift, type NaReason } from './answers.js';
import type { CompiledLens, CompiledQuestion } from './lens/compile.js';
import type { LensLink } from './lens/format.js';
import { emptyRiskCounts, questionRisk, type QuestionRisk } from './risk-rules.js';

/**
 * The review as the API, the CLI, milestones, the plan and /metrics see it: plain JSON, times
 * as ISO 8601 strings. Built from compiled lenses and stored answers; nothing here does I/O.
 */

export type RiskCounts = Record<QuestionRisk, number>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface ChoiceView {
  id: string;
  title: string;
  selected: boolean;
  /** The "None of these" choice. */
  none: boolean;
  /** Bound to evidence in the workload file. */
  bound: boolean;
  helpfulResource: LensLink | null;
  improvementPlan: LensLink | null;
}

export interface EvidenceView {
  choice: string;
  when: string;
  result: boolean | null;
  holds: boolean | null;
  since: string | null;
  checkedAt: string;
  indicators: Array<{ id: string; status: Status | null; value: number | null; score: number | null }>;
}

export interface QuestionView {
  lens: string;
  id: string;
  title: string;
  description: string | null;
  pillarId: string;
  pillarName: string;
  /** Pillarboard's pillar, or null for a pillar of the lens's own. */
  pillar: Pillar | null;
  risk: QuestionRisk;
  answered: boolean;
  source: AnswerSource | null;
  selected: string[];
  notApplicable: boolean;
  reason: NaReason | null;
  note: string | null;
  answeredBy: string | null;
  answeredAt: string | null;
  overrides: string[];
  drift: Drift[];
  evidence: EvidenceView[];
  choices: ChoiceView[];
  updatedAt: string | null;
}

export interface PillarReview {
  id: string;
  name: string;
  pillar: Pillar | null;
  counts: RiskCounts;
}

export interface LensReview {
  id: string;
  name: string;
  description: string | null;
  counts: RiskCounts;
  drift: number;
  pillars: PillarReview[];
  questions: QuestionView[];
}

export function questionView(lens: CompiledLens, q: CompiledQuestion, stored: AnswerState | undefined): QuestionView {
  const s = stored ?? emptyAnswer(lens.id, q.id, 0);
  const r = resolveAnswer(q, s);
  const selected = new Set(r.selected);
  return {
    lens: lens.id,
    id: q.id,
    title: q.title,
    description: q.question.description ?? null,
    pillarId: q.pillarId,
    pillarName: q.pillarName,
    pillar: q.pillar,
    risk: questionRisk(q.rules, { notApplicable: s.notApplicable, answered: r.answered, selected }),
    answered: r.answered,
    source: r.source,
    selected: r.selected,
    notApplicable: s.notApplicable,
    reason: s.reason,
    note: s.note,
    answeredBy: s.answeredBy,
    answeredAt: iso(s.answeredAt),
    overrides: s.overrides,
    drift: r.drift,
    evidence: Object.entries(s.evidence).map(([choice, e]) => ({
      choice, when: e.when, result: e.result, holds: e.holds, since: iso(e.since), checkedAt: iso(e.checkedAt)!, indicators: e.indicators,
    })),
    choices: q.question.choices.map((c) => ({
      id: c.id,
      title: c.title,
      selected: selected.has(c.id),
      none: c.id === q.noneChoice,
      bound: Object.prototype.hasOwnProperty.call(s.evidence, c.id),
      helpfulResource: c.helpfulResource ?? null,
      improvementPlan: c.improvementPlan ?? null,
    })),
    updatedAt: stored ? iso(stored.updatedAt) : null,
  };
}

export function lensReview(lens: CompiledLens, answers: ReadonlyMap<string, AnswerState>): LensReview {
  const questions: QuestionView[] = [];
  const pillars: PillarReview[] = lens.pillars.map((p) => {
    const counts = emptyRiskCounts();
    for (const q of p.questions) {
      const v = questionView(lens, q, answers.get(q.id));
      counts[v.risk]++;
      questions.push(v);
    }
    return { id: p.id, name: p.name, pillar: p.pillar, counts };
  });
  return {
    id: lens.id,
    name: lens.doc.name,
    description: lens.doc.description ?? null,
    counts: sumCounts(pillars.map((p) => p.counts)),
    drift: questions.filter((q) => q.drift.length > 0).length,
    pillars,
    questions,
  };
}

export function sumCounts(all: readonly RiskCounts[]): RiskCounts {
  const out = emptyRiskCounts();
  for (const c of all) for (const k of Object.keys(out) as QuestionRisk[]) out[k] += c[k];
  return out;
}

export interface ReviewSummary {
  generatedAt: string;
  totals: RiskCounts;
  /** Questions whose person's answer the evidence now contradicts. */
  drift: number;
  /** The six pillars, framework order: counts summed over every lens mapped to them. */
  pillars: Array<{ id: Pillar; counts: RiskCounts; questions: number }>;
  /** Pillars of the lenses' own, shown separately. */
  customPillars: Array<{ lens: string; id: string; name: string; counts: RiskCounts; questions: number }>;
  lenses: Array<{ id: string; name: string; counts: RiskCounts; drift: number; questions: number; pillars: PillarReview[] }>;
}

const total = (c: RiskCounts) => c.high + c.medium + c.none + c.unanswered + c.not_applicable;

export function reviewSummary(reviews: readonly LensReview[], now: number): ReviewSummary {
  const byPillar = new Map<Pillar, RiskCounts[]>(PILLARS.map((p) => [p, []]));
  const customPillars: ReviewSummary['customPillars'] = [];
  for (const r of reviews) {
    for (const p of r.pillars) {
      if (p.pillar) byPillar.get(p.pillar)!.push(p.counts);
      else customPillars.push({ lens: r.id, id: p.id, name: p.name, counts: p.counts, questions: total(p.counts) });
    }
  }
  return {
    generatedAt: new Date(now).toISOString(),
    totals: sumCounts(reviews.map((r) => r.counts)),
    drift: reviews.reduce((n, r) => n + r.drift, 0),
    pillars: PILLARS.map((id) => {
      const counts = sumCounts(byPillar.get(id)!);
      return { id, counts, questions: total(counts) };
    }),
    customPillars,
    lenses: reviews.map((r) => ({ id: r.id, name: r.name, counts: r.counts, drift: r.drift, questions: r.questions.length, pillars: r.pillars })),
  };
}
