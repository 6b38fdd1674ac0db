import type { Sample } from '../../collectors/types.js';
import { PILLARS } from '../scoring/types.js';
import type { Selector } from '../store/index.js';
import type { EvaluationSnapshot } from './snapshot.js';

/**
 * Score history is stored as ordinary series in the store, so trends reuse its raw/rollup
 * range queries and its retention. One sample per pass and number, at the pass's time:
 *
 * | series                                             | value                                   |
 * |----------------------------------------------------|-----------------------------------------|
 * | `pillarboard_indicator_score{indicator}`           | indicator score 0–100                   |
 * | `pillarboard_indicator_value{indicator}`           | indicator value (SLO: attainment 0–1)   |
 * | `pillarboard_slo_budget_remaining{indicator}`      | SLO error budget remaining (unclamped)  |
 * | `pillarboard_outcome_score{outcome}`               | outcome score 0–100                     |
 * | `pillarboard_pillar_score{pillar}`                 | pillar health score 0–100               |
 *
 * A null number writes nothing: a gap in the chart, not a zero. These series carry no
 * `collector` label (collector samples always do), and the history reads ask for its absence,
 * so a collector scraping Pillarboard's own /metrics cannot mix into them.
 */
export const HISTORY_SERIES = {
  indicatorScore: 'pillarboard_indicator_score',
  indicatorValue: 'pillarboard_indicator_value',
  sloBudgetRemaining: 'pillarboard_slo_budget_remaining',
  outcomeScore: 'pillarboard_outcome_score',
  pillarScore: 'pillarboard_pillar_score',
} as const;

export type HistorySeriesName = (typeof HISTORY_SERIES)[keyof typeof HISTORY_SERIES];

/** The samples one snapshot adds to the history (see the table above). */
export function historySamples(snapshot: EvaluationSnapshot): Sample[] {
  const ts = Math.floor(snapshot.at);
  const out: Sample[] = [];
  const add = (name: HistorySeriesName, label: string, id: string, value: number | null | undefined) => {
    if (value === null || value === undefined || Number.isNaN(value)) return;
    out.push({ name, labels: { [label]: id }, ts, value });
  };
  for (const i of snapshot.indicators) {
    add(HISTORY_SERIES.indicatorScore, 'indicator', i.id, i.score);
    add(HISTORY_SERIES.indicatorValue, 'indicator', i.id, i.value);
    if (i.slo !== undefined) add(HISTORY_SERIES.sloBudgetRemaining, 'indicator', i.id, i.slo.budgetRemaining);
  }
  for (const o of snapshot.outcomes) add(HISTORY_SERIES.outcomeScore, 'outcome', o.id, o.score);
  for (const p of PILLARS) add(HISTORY_SERIES.pillarScore, 'pillar', p, snapshot.pillars[p]?.score);
  return out;
}

/** The selector of one history series: exact name and id label, and no `collector` label. */
export function historySelector(name: HistorySeriesName, label: 'indicator' | 'outcome' | 'pillar', id: string): Selector {
  return {
    name,
    matchers: [
      { label, op: '=', value: id },
      { label: 'collector', op: '=', value: '' },
    ],
  };
}
