import { PILLAR_TITLES } from './pillar-info.js';
import { rollUp, type Rollup } from './rollup.js';
import { PILLARS, emptyStatusCounts, type Pillar, type ScoredResult, type Status } from './types.js';

/**
 * Health per Well-Architected pillar: the roll-up (rollup.ts) of the indicators declared on
 * that pillar, with pillar weights and no key indicators. A pillar without an indicator of
 * weight above 0 is `not_measured` with a null score — never a made-up 100: an unmeasured
 * pillar is not a healthy one. Its reason says what would measure it.
 */

export interface PillarIndicator {
  id: string;
  /** For the reasons people read; the id when absent. */
  title?: string;
  pillar: Pillar;
  /** ≥ 0, default 1. */
  weight?: number;
  result: ScoredResult;
}

export interface PillarHealth extends Omit<Rollup, 'status'> {
  pillar: Pillar;
  measured: boolean;
  status: Status | 'not_measured';
  /** Every indicator declared on the pillar, in input order (weight 0 included). */
  indicatorIds: string[];
}

/** Health of all six pillars, keyed in PILLARS order. Throws RangeError on an unknown pillar. */
export function scorePillars(indicators: ReadonlyArray<PillarIndicator>): Record<Pillar, PillarHealth> {
  for (const i of indicators) {
    if (!(PILLARS as readonly string[]).includes(i.pillar)) {
      throw new RangeError(`indicator ${i.id}: unknown pillar ${JSON.stringify(i.pillar)}; expected one of ${PILLARS.join(', ')}`);
    }
  }
  const health = {} as Record<Pillar, PillarHealth>;
  for (const pillar of PILLARS) {
    const mine = indicators.filter((i) => i.pillar === pillar);
    const indicatorIds = mine.map((i) => i.id);
    const refs = mine.map(({ id, title, weight, result }) => ({ id, result, ...(title === undefined ? {} : { title }), ...(weight === undefined ? {} : { weight }) }));
    const rollup = rollUp(refs);
    if (rollup.totalWeight > 0) {
      health[pillar] = { ...rollup, pillar, measured: true, indicatorIds };
    } else {
      const what = `declare an indicator with \`pillar: ${pillar}\` in the workload file to measure ${PILLAR_TITLES[pillar].toLowerCase()}`;
      const reason =
        mine.length === 0 ? `no indicator is declared on this pillar: ${what}` : `every indicator on this pillar has weight 0: give one a weight above 0, or ${what}`;
      health[pillar] = {
        ...rollup,
        pillar,
        measured: false,
        status: 'not_measured',
        score: null,
        counts: emptyStatusCounts(),
        reasons: [reason],
        indicatorIds,
      };
    }
  }
  return health;
}
