import { atomsOf, evaluateBoolean, ExpressionError, parseExpression, type AtomParser, type Expr } from './expression.js';

/**
 * A question's risk rules, as the AWS custom-lens format writes them:
 * `[{ condition: "a && !b", risk: "NO_RISK" }, …, { condition: "default", risk: "HIGH_RISK" }]`.
 * Conditions are boolean expressions over the question's choice ids (true when the choice is
 * selected). Rules are tried in order and the first whose condition holds gives the risk; the
 * `default` rule — mandatory, exactly one — applies when none holds, wherever it is written.
 */

export const LENS_RISKS = ['HIGH_RISK', 'MEDIUM_RISK', 'NO_RISK'] as const;
export type LensRisk = (typeof LENS_RISKS)[number];

/** A question's risk as Pillarboard reports it (API, metrics, milestones). */
export const QUESTION_RISKS = ['high', 'medium', 'none', 'unanswered', 'not_applicable'] as const;
export type QuestionRisk = (typeof QUESTION_RISKS)[number];

const RISK_OF: Record<LensRisk, QuestionRisk> = { HIGH_RISK: 'high', MEDIUM_RISK: 'medium', NO_RISK: 'none' };

/** Ordering for "worse": high > medium > unanswered > none > not_applicable. */
export const RISK_SEVERITY: Readonly<Record<QuestionRisk, number>> = { not_applicable: 0, none: 1, unanswered: 2, medium: 3, high: 4 };

export const DEFAULT_CONDITION = 'default';

export interface CompiledRiskRules {
  /** The non-default rules in order. */
  rules: Array<{ condition: Expr<string>; risk: LensRisk }>;
  fallback: LensRisk;
}

export interface RiskRuleIssue {
  /** Index of the rule in `riskRules`, or null for a problem of the list as a whole. */
  index: number | null;
  field?: 'condition' | 'risk';
  message: string;
}

const CHOICE_ID = /^[A-Za-z0-9_]+$/;

/** Atoms of a risk condition: a choice id. */
const choiceAtom: AtomParser<string> = (t) => {
  const tok = t.next();
  if (!tok) throw new ExpressionError('expected a choice id, but the condition ended', t.textLength);
  if ((tok.kind === 'word' || tok.kind === 'number') && CHOICE_ID.test(tok.text)) return tok.text;
  if (tok.kind === 'word') throw new ExpressionError(`"${tok.text}" is not a choice id (letters, digits and "_" only)`, tok.start);
  throw new ExpressionError(`expected a choice id, found ${JSON.stringify(tok.text)}`, tok.start);
};

/** Parses a condition (not `default`); throws ExpressionError. */
export function parseRiskCondition(text: string): Expr<string> {
  return parseExpression(text, choiceAtom);
}

/**
 * Checks and compiles a question's rules against its choice ids. Every problem is returned
 * (unparsable condition, unknown choice, unknown risk, missing or repeated default); `compiled`
 * is present only when there is none.
 */
export function compileRiskRules(
  rules: ReadonlyArray<{ condition: unknown; risk: unknown }>,
  choiceIds: readonly string[],
): { compiled?: CompiledRiskRules; issues: RiskRuleIssue[] } {
  const issues: RiskRuleIssue[] = [];
  const known = new Set(choiceIds);
  const compiled: CompiledRiskRules['rules'] = [];
  let fallback: LensRisk | undefined;
  let defaults = 0;
  rules.forEach((rule, index) => {
    const risk = LENS_RISKS.find((r) => r === rule.risk);
    if (risk === undefined) {
      issues.push({ index, field: 'risk', message: `risk must be one of ${LENS_RISKS.join(', ')}, found ${JSON.stringify(rule.risk)}` });
    }
    if (typeof rule.condition !== 'string') {
      issues.push({ index, field: 'condition', message: `condition must be a string, found ${JSON.stringify(rule.condition)}` });
      return;
    }
    if (rule.condition.trim() === DEFAULT_CONDITION) {
      defaults++;
      if (defaults > 1) issues.push({ index, field: 'condition', message: 'a second "default" rule; a question has exactly one' });
      else if (risk) fallback = risk;
      return;
    }
    let expr: Expr<string>;
    try {
      expr = parseRiskCondition(rule.condition);
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      issues.push({ index, field: 'condition', message: `does not parse at character ${err.offset + 1}: ${err.message}` });
      return;
    }
    for (const { atom, start } of atomsOf(expr)) {
      if (!known.has(atom)) {
        issues.push({
          index,
          field: 'condition',
          message: `unknown choice "${atom}" at character ${start + 1}; this question's choices: ${choiceIds.join(', ') || '(none)'}`,
        });
      }
    }
    if (risk) compiled.push({ condition: expr, risk });
  });
  if (defaults === 0) issues.push({ index: null, message: 'no "default" rule: every question needs { "condition": "default", "risk": … }' });
  if (issues.length > 0 || fallback === undefined) return { issues };
  return { compiled: { rules: compiled, fallback }, issues };
}

/** The risk of a selection: the first rule that holds, else the default. */
export function evaluateRiskRules(rules: CompiledRiskRules, selected: ReadonlySet<string>): LensRisk {
  for (const rule of rules.rules) {
    if (evaluateBoolean(rule.condition, (choice) => selected.has(choice))) return rule.risk;
  }
  return rules.fallback;
}

/**
 * A question's risk: not applicable wins, then unanswered, then the rules over the selection.
 * `answered` is false only when nobody and no evidence has answered the question.
 */
export function questionRisk(
  rules: CompiledRiskRules,
  answer: { notApplicable: boolean; answered: boolean; selected: ReadonlySet<string> },
): QuestionRisk {
  if (answer.notApplicable) return 'not_applicable';
  if (!answer.answered) return 'unanswered';
  return RISK_OF[evaluateRiskRules(rules, answer.selected)];
}

export function emptyRiskCounts(): Record<QuestionRisk, number> {
  return { high: 0, medium: 0, none: 0, unanswered: 0, not_applicable: 0 };
}
