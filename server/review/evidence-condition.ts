import { STATUSES, type Status } from '../scoring/types.js';
import { atomsOf, evaluateKleene, ExpressionError, parseExpression, type AtomParser, type Expr } from './expression.js';

/**
 * Evidence conditions, the `when:` of an evidence binding in the workload file: the risk-rule
 * language (`&&`, `||`, `!`, parentheses) over indicator atoms.
 *
 * - `ID == STATUS`, `ID != STATUS` — the indicator's status (ok, warning, critical, no_data, stale);
 * - `ID.value OP NUMBER`, `ID.score OP NUMBER` — its value (in its unit) or score (0–100), with
 *   OP one of `<` `<=` `>` `>=` `==` `!=`.
 *
 * Evaluation is three-valued: what cannot be known is unknown, never false. An indicator that
 * is missing, or whose value or score is null (no_data, stale), makes its atom unknown, as does
 * `ID == ok` (or warning, critical) while the indicator is no_data or stale; `ID == no_data` and
 * `ID == stale` are always known. `false && unknown` is false and `true || unknown` is true;
 * otherwise unknown spreads. An unknown result leaves the bound choice as it was.
 */

export const COMPARISONS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type Comparison = (typeof COMPARISONS)[number];

export type EvidenceAtom =
  | { kind: 'status'; indicator: string; op: '==' | '!='; status: Status }
  | { kind: 'number'; indicator: string; field: 'value' | 'score'; op: Comparison; number: number };

/** What an atom reads of one indicator (the latest evaluation's). */
export interface IndicatorReading {
  status: Status;
  value: number | null;
  score: number | null;
}

const FIELDS = ['value', 'score'] as const;
const HINT = 'write ID == ok (a status) or ID.value <= 90 (a value; .score for the score)';

const evidenceAtom: AtomParser<EvidenceAtom> = (t) => {
  const head = t.next();
  if (!head) throw new ExpressionError('expected an indicator, but the condition ended', t.textLength);
  if (head.kind !== 'word') throw new ExpressionError(`expected an indicator id, found ${JSON.stringify(head.text)}`, head.start);
  const dot = head.text.indexOf('.');
  const indicator = dot === -1 ? head.text : head.text.slice(0, dot);
  const field = dot === -1 ? undefined : head.text.slice(dot + 1);
  if (field !== undefined && !FIELDS.includes(field as (typeof FIELDS)[number])) {
    throw new ExpressionError(`"${head.text}": an indicator has .value and .score, not .${field}`, head.start + dot);
  }
  const opTok = t.next();
  if (!opTok || !COMPARISONS.includes(opTok.kind as Comparison)) {
    const at = opTok?.start ?? t.textLength;
    throw new ExpressionError(`expected a comparison after "${head.text}": ${HINT}`, at);
  }
  const op = opTok.kind as Comparison;
  const rhs = t.next();
  if (!rhs) throw new ExpressionError(`expected ${field ? 'a number' : 'a status'} after "${op}", but the condition ended`, t.textLength);
  if (field === undefined) {
    if (op !== '==' && op !== '!=') {
      throw new ExpressionError(`a status is compared with == or != only; to compare the value write ${indicator}.value ${op} …`, opTok.start);
    }
    const status = STATUSES.find((s) => s === rhs.text);
    if (rhs.kind !== 'word' || status === undefined) {
      throw new ExpressionError(`expected a status (${STATUSES.join(', ')}), found ${JSON.stringify(rhs.text)}`, rhs.start);
    }
    return { kind: 'status', indicator, op, status };
  }
  const number = Number(rhs.text);
  if (rhs.kind !== 'number' || !Number.isFinite(number)) {
    throw new ExpressionError(`expected a number after "${head.text} ${op}", found ${JSON.stringify(rhs.text)}`, rhs.start);
  }
  return { kind: 'number', indicator, field: field as 'value' | 'score', op, number };
};

/** Parses a `when:` condition; throws ExpressionError with the offset of the fault. */
export function parseEvidenceCondition(text: string): Expr<EvidenceAtom> {
  return parseExpression(text, evidenceAtom);
}

/** The indicator ids a condition reads, each once, with the offset of its first use. */
export function conditionIndicators(expr: Expr<EvidenceAtom>): Array<{ id: string; offset: number }> {
  const seen = new Map<string, number>();
  for (const { atom, start } of atomsOf(expr)) if (!seen.has(atom.indicator)) seen.set(atom.indicator, start);
  return [...seen].map(([id, offset]) => ({ id, offset }));
}

function compare(a: number, op: Comparison, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

function atomValue(atom: EvidenceAtom, reading: IndicatorReading | undefined): boolean | null {
  if (!reading) return null;
  if (atom.kind === 'number') {
    const v = reading[atom.field];
    return v === null || !Number.isFinite(v) ? null : compare(v, atom.op, atom.number);
  }
  const blind = reading.status === 'no_data' || reading.status === 'stale';
  const asksForKnownState = atom.status !== 'no_data' && atom.status !== 'stale';
  if (blind && asksForKnownState) return null;
  const equal = reading.status === atom.status;
  return atom.op === '==' ? equal : !equal;
}

/** true, false, or null when the evidence cannot tell (see the module comment). */
export function evaluateEvidence(expr: Expr<EvidenceAtom>, read: (indicatorId: string) => IndicatorReading | undefined): boolean | null {
  return evaluateKleene(expr, (atom) => atomValue(atom, read(atom.indicator)));
}
