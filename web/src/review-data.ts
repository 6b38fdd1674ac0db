import { emptyRiskCounts, isRisk, RISKS, type Risk, type RiskCounts } from './risk.js';
import { toUiStatus, type UiStatus } from './status.js';
import { MalformedError } from './parse.js';
import { type Obj, isObj, str, num, time, list, strings } from './json.js';

/**
 * The Well-Architected review as the dashboard reads it (GET /api/review/summary, /api/review,
 * /api/review/plan; server/review/view.ts and plan.ts), parsed defensively like parse.ts:
 * unknown values become null or are left out, never thrown, unless the answer is not shaped
 * like what was asked for at all.
 */

const safeUrl = (v: unknown): string | null => {
  const s = str(v);
  return s && /^https?:\/\//i.test(s) ? s : null;
};

function riskCounts(v: unknown): RiskCounts {
  const c = emptyRiskCounts();
  if (isObj(v)) for (const r of RISKS) c[r] = num(v[r]) ?? 0;
  return c;
}

// ---- summary: risk counts per pillar ----

export interface ReviewSummary {
  totals: RiskCounts;
  drift: number;
  /** Pillarboard's six pillars by id. */
  pillars: Map<string, { counts: RiskCounts; questions: number }>;
  customPillars: Array<{ lens: string; id: string; name: string; counts: RiskCounts; questions: number }>;
  lastMilestone: { name: string; createdAt: number | null } | null;
}

export function parseReviewSummary(raw: unknown): ReviewSummary {
  if (!isObj(raw) || !Array.isArray(raw.pillars)) throw new MalformedError('the review summary has no pillars');
  const pillars = new Map<string, { counts: RiskCounts; questions: number }>();
  for (const p of list(raw.pillars)) {
    const id = str(p.id);
    if (id) pillars.set(id, { counts: riskCounts(p.counts), questions: num(p.questions) ?? 0 });
  }
  const m = raw.lastMilestone;
  return {
    totals: riskCounts(raw.totals),
    drift: num(raw.drift) ?? 0,
    pillars,
    customPillars: list(raw.customPillars).map((p) => ({
      lens: str(p.lens) ?? '',
      id: str(p.id) ?? '',
      name: str(p.name) ?? str(p.id) ?? '',
      counts: riskCounts(p.counts),
      questions: num(p.questions) ?? 0,
    })),
    lastMilestone: isObj(m) && typeof m.name === 'string' ? { name: m.name, createdAt: time(m.createdAt) } : null,
  };
}

// ---- the review: questions, answers, evidence ----

export interface Link {
  text: string;
  url: string | null;
}

export interface ReviewChoice {
  id: string;
  title: string;
  selected: boolean;
  none: boolean;
  bound: boolean;
  helpful: Link | null;
}

export interface EvidenceIndicator {
  id: string;
  status: UiStatus | null;
  value: number | null;
  score: number | null;
}

export interface Evidence {
  choice: string;
  when: string;
  /** The condition's latest result: true, false, or null (unknown: an indicator without data). */
  result: boolean | null;
  /** What the choice follows (its last definite result). */
  holds: boolean | null;
  since: number | null;
  checkedAt: number | null;
  indicators: EvidenceIndicator[];
}

export interface Drift {
  choice: string;
  evidence: boolean;
  selected: boolean;
}

export type AnswerSource = 'auto' | 'manual' | 'mixed';

export interface ReviewQuestion {
  lens: string;
  id: string;
  title: string;
  description: string | null;
  pillarId: string;
  pillarName: string;
  pillar: string | null;
  risk: Risk;
  answered: boolean;
  source: AnswerSource | null;
  notApplicable: boolean;
  reason: string | null;
  note: string | null;
  answeredBy: string | null;
  answeredAt: number | null;
  overrides: string[];
  drift: Drift[];
  evidence: Evidence[];
  choices: ReviewChoice[];
}

export interface ReviewLens {
  id: string;
  name: string;
  description: string | null;
  counts: RiskCounts;
  drift: number;
  pillars: Array<{ id: string; name: string; pillar: string | null; counts: RiskCounts }>;
  questions: ReviewQuestion[];
}

export interface Review {
  generatedAt: number | null;
  lenses: ReviewLens[];
  bindingProblems: string[];
}

function link(v: unknown): Link | null {
  if (!isObj(v)) return null;
  const text = str(v.displayText);
  return text ? { text, url: safeUrl(v.url) } : null;
}

function question(q: Obj, lens: string): ReviewQuestion | null {
  const id = str(q.id);
  if (!id) return null;
  const source = q.source === 'auto' || q.source === 'manual' || q.source === 'mixed' ? q.source : null;
  return {
    lens,
    id,
    title: str(q.title) ?? id,
    description: str(q.description),
    pillarId: str(q.pillarId) ?? '',
    pillarName: str(q.pillarName) ?? str(q.pillarId) ?? '',
    pillar: str(q.pillar),
    risk: isRisk(q.risk) ? q.risk : 'unanswered',
    answered: q.answered === true,
    source,
    notApplicable: q.notApplicable === true,
    reason: str(q.reason),
    note: str(q.note),
    answeredBy: str(q.answeredBy),
    answeredAt: time(q.answeredAt),
    overrides: strings(q.overrides),
    drift: list(q.drift).map((d) => ({ choice: str(d.choice) ?? '', evidence: d.evidence === true, selected: d.selected === true })),
    evidence: list(q.evidence).map((e) => ({
      choice: str(e.choice) ?? '',
      when: str(e.when) ?? '',
      result: typeof e.result === 'boolean' ? e.result : null,
      holds: typeof e.holds === 'boolean' ? e.holds : null,
      since: time(e.since),
      checkedAt: time(e.checkedAt),
      indicators: list(e.indicators).map((i) => ({
        id: str(i.id) ?? '?',
        status: i.status === null || i.status === undefined ? null : toUiStatus(i.status),
        value: num(i.value),
        score: num(i.score),
      })),
    })),
    choices: list(q.choices)
      .filter((c) => typeof c.id === 'string')
      .map((c) => ({
        id: c.id as string,
        title: str(c.title) ?? (c.id as string),
        selected: c.selected === true,
        none: c.none === true,
        bound: c.bound === true,
        helpful: link(c.helpfulResource),
      })),
  };
}

export function parseReview(raw: unknown): Review {
  if (!isObj(raw) || !Array.isArray(raw.lenses)) throw new MalformedError('the review answer has no lenses');
  const lenses = list(raw.lenses).map((l): ReviewLens => {
    const id = str(l.id) ?? '';
    return {
      id,
      name: str(l.name) ?? id,
      description: str(l.description),
      counts: riskCounts(l.counts),
      drift: num(l.drift) ?? 0,
      pillars: list(l.pillars).map((p) => ({ id: str(p.id) ?? '', name: str(p.name) ?? str(p.id) ?? '', pillar: str(p.pillar), counts: riskCounts(p.counts) })),
      questions: list(l.questions)
        .map((q) => question(q, id))
        .filter((q): q is ReviewQuestion => q !== null),
    };
  });
  const bindingProblems = list(raw.bindingProblems).map((p) => {
    const b = isObj(p.binding) ? p.binding : {};
    const where = [str(b.lens), str(b.question), str(b.choice)].filter(Boolean).join(' / ');
    return `${where ? `${where}: ` : ''}${str(p.problem) ?? 'invalid binding'}`;
  });
  return { generatedAt: time(raw.generatedAt), lenses, bindingProblems };
}

// ---- the improvement plan ----

export interface PlanItem {
  lens: string;
  question: string;
  title: string;
  pillar: string | null;
  pillarName: string;
  risk: 'high' | 'medium';
  drift: boolean;
  improvements: Array<{ choice: string; title: string; text: string; url: string | null; resources: Link[] }>;
  owner: string | null;
  /** YYYY-MM-DD */
  due: string | null;
  status: string;
  note: string | null;
  actionItems: Array<{ ref: string; title: string | null; status: string }>;
}

export interface Plan {
  counts: { high: number; medium: number };
  items: PlanItem[];
}

export function parsePlan(raw: unknown): Plan {
  if (!isObj(raw) || !Array.isArray(raw.items)) throw new MalformedError('the improvement plan has no items');
  const counts = isObj(raw.counts) ? raw.counts : {};
  return {
    counts: { high: num(counts.high) ?? 0, medium: num(counts.medium) ?? 0 },
    items: list(raw.items)
      .filter((i) => typeof i.question === 'string')
      .map((i) => ({
        lens: str(i.lens) ?? '',
        question: i.question as string,
        title: str(i.title) ?? (i.question as string),
        pillar: str(i.pillar),
        pillarName: str(i.pillarName) ?? '',
        risk: i.risk === 'medium' ? 'medium' : 'high',
        drift: i.drift === true,
        improvements: list(i.improvements).map((m) => ({
          choice: str(m.choice) ?? '',
          title: str(m.title) ?? '',
          text: str(m.text) ?? '',
          url: safeUrl(m.url),
          resources: list(m.resources).map(link).filter((l): l is Link => l !== null),
        })),
        owner: str(i.owner),
        due: typeof i.due === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(i.due) ? i.due : null,
        status: str(i.status) ?? 'open',
        note: str(i.note),
        actionItems: list(i.actionItems).map((a) => ({ ref: str(a.ref) ?? '', title: str(a.title), status: str(a.status) ?? 'open' })),
      })),
  };
}
