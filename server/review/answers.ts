import type { Status } from '../scoring/types.js';
import type { CompiledQuestion } from './lens/compile.js';

/**
 * Answers, as pure data and pure functions (storage is store.ts's).
 *
 * A choice of a question is either **evidence-bound** (an evidence binding in the workload file
 * names it) or not. Its selection:
 * - bound, not overridden → follows its evidence: selected while the condition holds (the last
 *   definite result; an unknown result changes nothing);
 * - otherwise → what the person answered (not selected if nobody has).
 * A person's answer covers every choice. For a bound choice where the person decides otherwise
 * than the evidence (or where the evidence has not told yet), the person's decision stands: an
 * **override**. An override the evidence contradicts is **drift**. Clearing the person's answer
 * drops every override: the question follows its evidence again.
 * "None of these" is dropped from the selection when another choice is selected (evidence can
 * select a choice after a person chose "None of these").
 */

export const NA_REASONS = ['out_of_scope', 'business_priorities', 'architecture_constraints', 'other'] as const;
export type NaReason = (typeof NA_REASONS)[number];

export type AnswerSource = 'auto' | 'manual' | 'mixed';

/** One indicator as a condition read it. `status` null: the indicator was not in the evaluation. */
export interface IndicatorEvidence {
  id: string;
  status: Status | null;
  value: number | null;
  score: number | null;
}

export interface ChoiceEvidence {
  /** The binding's condition, as written. */
  when: string;
  /** This check's result; null when the evidence could not tell (no data, stale, unknown indicator). */
  result: boolean | null;
  /** The last definite result, which the choice follows; null until the evidence has told once. */
  holds: boolean | null;
  /** When `holds` last changed (ms epoch); null while it is null. */
  since: number | null;
  /** When this evidence was recorded (ms epoch): the evaluation the indicators come from. */
  checkedAt: number;
  indicators: IndicatorEvidence[];
}

export interface AnswerState {
  lensId: string;
  questionId: string;
  /** The person's selection, null when no person has answered. */
  personChoices: string[] | null;
  /** Evidence-bound choices where the person's decision stands. */
  overrides: string[];
  notApplicable: boolean;
  reason: NaReason | null;
  note: string | null;
  answeredBy: string | null;
  answeredAt: number | null;
  /** By choice id: the evidence of every evidence-bound choice. */
  evidence: Record<string, ChoiceEvidence>;
  updatedAt: number;
}

export interface Drift {
  choice: string;
  /** What the evidence says. */
  evidence: boolean;
  /** What the person's answer says. */
  selected: boolean;
}

export interface ResolvedAnswer {
  /** Selected choices, in the lens's order. */
  selected: string[];
  /** False only when no person and no evidence has answered. */
  answered: boolean;
  /** null when unanswered and not marked not applicable. */
  source: AnswerSource | null;
  drift: Drift[];
}

export function emptyAnswer(lensId: string, questionId: string, at: number): AnswerState {
  return {
    lensId, questionId, personChoices: null, overrides: [], notApplicable: false, reason: null, note: null,
    answeredBy: null, answeredAt: null, evidence: {}, updatedAt: at,
  };
}

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function followsEvidence(s: AnswerState, choice: string): boolean {
  return has(s.evidence, choice) && !s.overrides.includes(choice);
}

export function resolveAnswer(q: CompiledQuestion, s: AnswerState): ResolvedAnswer {
  const person = new Set(s.personChoices ?? []);
  let selected = q.choiceIds.filter((c) => (followsEvidence(s, c) ? s.evidence[c]!.holds === true : person.has(c)));
  if (q.noneChoice && selected.length > 1) selected = selected.filter((c) => c !== q.noneChoice);
  const evidenceTold = q.choiceIds.some((c) => followsEvidence(s, c) && s.evidence[c]!.holds !== null);
  const personAnswered = s.personChoices !== null || s.notApplicable;
  const answered = personAnswered || evidenceTold;
  const bound = q.choiceIds.some((c) => followsEvidence(s, c));
  const source: AnswerSource | null = personAnswered ? (bound ? 'mixed' : 'manual') : evidenceTold ? 'auto' : null;
  const drift: Drift[] = [];
  for (const c of s.overrides) {
    const holds = s.evidence[c]?.holds;
    if (holds === undefined || holds === null) continue;
    if (holds !== person.has(c)) drift.push({ choice: c, evidence: holds, selected: person.has(c) });
  }
  return { selected, answered, source, drift };
}

/** A person's answer: `choices` already validated against the question. */
export function withPersonAnswer(
  q: CompiledQuestion,
  s: AnswerState,
  input: { choices: readonly string[]; note: string | null; by: string | null; at: number },
): AnswerState {
  const chosen = new Set(input.choices);
  const overrides = q.choiceIds.filter((c) => has(s.evidence, c) && chosen.has(c) !== s.evidence[c]!.holds);
  return {
    ...s,
    personChoices: q.choiceIds.filter((c) => chosen.has(c)),
    overrides,
    notApplicable: false,
    reason: null,
    note: input.note,
    answeredBy: input.by,
    answeredAt: input.at,
    updatedAt: input.at,
  };
}

/** Marks the question not applicable; the selection is kept for when it applies again. */
export function withNotApplicable(s: AnswerState, input: { reason: NaReason; note: string | null; by: string | null; at: number }): AnswerState {
  return { ...s, notApplicable: true, reason: input.reason, note: input.note, answeredBy: input.by, answeredAt: input.at, updatedAt: input.at };
}

/** Forgets the person's answer: the question follows its evidence again (or is unanswered). */
export function withoutPersonAnswer(s: AnswerState, at: number): AnswerState {
  return { ...s, personChoices: null, overrides: [], notApplicable: false, reason: null, note: null, answeredBy: null, answeredAt: null, updatedAt: at };
}

export interface EvidenceCheck {
  when: string;
  result: boolean | null;
  indicators: IndicatorEvidence[];
}

/**
 * Applies one evaluation's evidence for the question's bound choices (`checks`, by choice id).
 * Choices no longer bound lose their evidence and any override. `changed` is true when a
 * result, what a choice follows, or an indicator's status changed — values alone moving is not
 * worth a write.
 */
export function withEvidence(s: AnswerState, checks: ReadonlyMap<string, EvidenceCheck>, at: number): { state: AnswerState; changed: boolean } {
  let changed = false;
  const entries: Array<[string, ChoiceEvidence]> = [];
  for (const [choice, check] of checks) {
    const prev = has(s.evidence, choice) ? s.evidence[choice] : undefined;
    const holds = check.result !== null ? check.result : (prev?.holds ?? null);
    const since = prev && prev.holds === holds ? prev.since : holds === null ? null : at;
    entries.push([choice, { when: check.when, result: check.result, holds, since, checkedAt: at, indicators: check.indicators }]);
    if (!prev || prev.when !== check.when || prev.result !== check.result || prev.holds !== holds || !sameStatuses(prev.indicators, check.indicators)) {
      changed = true;
    }
  }
  const dropped = Object.keys(s.evidence).filter((c) => !checks.has(c));
  if (dropped.length > 0) changed = true;
  const overrides = s.overrides.filter((c) => checks.has(c));
  if (!changed) return { state: s, changed: false };
  // fromEntries defines own properties: a choice id such as "__proto__" stays a plain key.
  const evidence = Object.fromEntries(entries);
  return { state: { ...s, evidence, overrides, updatedAt: at }, changed };
}

function sameStatuses(a: readonly IndicatorEvidence[], b: readonly IndicatorEvidence[]): boolean {
  return a.length === b.length && a.every((x, i) => x.id === b[i]!.id && x.status === b[i]!.status);
}

/**
 * An answer kept across a lens re-import: choices the question no longer has are dropped.
 * Returns the kept state and whether anything was dropped (the caller archives the old one).
 */
export function retainChoices(q: CompiledQuestion, s: AnswerState): { state: AnswerState; dropped: string[] } {
  const known = new Set(q.choiceIds);
  const mentioned = new Set([...(s.personChoices ?? []), ...s.overrides, ...Object.keys(s.evidence)]);
  const dropped = [...mentioned].filter((c) => !known.has(c));
  if (dropped.length === 0) return { state: s, dropped };
  const evidence = Object.fromEntries(Object.entries(s.evidence).filter(([c]) => known.has(c)));
  return {
    state: {
      ...s,
      personChoices: s.personChoices === null ? null : s.personChoices.filter((c) => known.has(c)),
      overrides: s.overrides.filter((c) => known.has(c)),
      evidence,
    },
    dropped,
  };
}
