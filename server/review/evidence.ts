import type { EvaluationSnapshot } from '../evaluation/snapshot.js';
import type { EvidenceCheck } from './answers.js';
import { conditionIndicators, evaluateEvidence, parseEvidenceCondition, type EvidenceAtom, type IndicatorReading } from './evidence-condition.js';
import type { Expr } from './expression.js';
import type { CompiledLens } from './lens/compile.js';

/**
 * Evidence bindings (the workload file's `review.evidence`) checked against one evaluation:
 * for every bound choice, the condition's result and the indicators it read, as they were.
 */

export interface EvidenceBinding {
  lens: string;
  question: string;
  choice: string;
  when: string;
}

/** Why a binding cannot apply to the stored lenses, or null when it can. */
export function bindingProblem(b: EvidenceBinding, lens: CompiledLens | undefined): string | null {
  if (!lens) return `no lens "${b.lens}" is stored (import it with pillarboard lens import)`;
  const q = lens.questions.get(b.question);
  if (!q) return `lens "${b.lens}" has no question "${b.question}"`;
  if (!q.choiceIds.includes(b.choice)) return `question "${b.question}" of lens "${b.lens}" has no choice "${b.choice}"; its choices: ${q.choiceIds.join(', ')}`;
  if (b.choice === q.noneChoice) return `"${b.choice}" is the question's "None of these" choice, which evidence cannot select`;
  return null;
}

export const questionKey = (lens: string, question: string) => `${lens}\u0000${question}`;

/** Compiled conditions by text (the workload loader already refused the ones that do not parse). */
export class ConditionCache {
  private readonly cache = new Map<string, Expr<EvidenceAtom>>();

  get(when: string): Expr<EvidenceAtom> {
    let expr = this.cache.get(when);
    if (!expr) {
      expr = parseEvidenceCondition(when);
      this.cache.set(when, expr);
    }
    return expr;
  }
}

/** The evidence checks of one evaluation, grouped by question (questionKey) then choice. */
export function evidenceChecks(
  bindings: readonly EvidenceBinding[],
  snapshot: EvaluationSnapshot,
  conditions: ConditionCache,
): Map<string, Map<string, EvidenceCheck>> {
  const readings = new Map<string, IndicatorReading>(snapshot.indicators.map((i) => [i.id, { status: i.status, value: i.value, score: i.score }]));
  const out = new Map<string, Map<string, EvidenceCheck>>();
  for (const b of bindings) {
    const expr = conditions.get(b.when);
    const result = evaluateEvidence(expr, (id) => readings.get(id));
    const indicators = conditionIndicators(expr).map(({ id }) => {
      const r = readings.get(id);
      return { id, status: r?.status ?? null, value: r?.value ?? null, score: r?.score ?? null };
    });
    const key = questionKey(b.lens, b.question);
    let checks = out.get(key);
    if (!checks) out.set(key, (checks = new Map()));
    checks.set(b.choice, { when: b.when, result, indicators });
  }
  return out;
}
