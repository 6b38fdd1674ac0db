import { rollUp, type Rollup, type RollupRef } from './rollup.js';

/**
 * A business outcome's attainment: the roll-up of the indicators it references
 * (weighted mean of scores, worst status, key indicators as gates; rules in rollup.ts
 * and docs/scoring.md, "Roll-ups").
 */

export type OutcomeRef = RollupRef;

export interface OutcomeResult extends Rollup {
  /** score / 100, the 0–1 ratio published as pillarboard_outcome_attainment_ratio; null with the score. */
  attainment: number | null;
}

export function scoreOutcome(refs: ReadonlyArray<OutcomeRef>): OutcomeResult {
  const rollup = rollUp(refs);
  return { ...rollup, attainment: rollup.score === null ? null : rollup.score / 100 };
}
