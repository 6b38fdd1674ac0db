import { formatNumber } from './format.js';
import { STATUS_SEVERITY, emptyStatusCounts, roundScore, worseStatus, type ScoredResult, type Status } from './types.js';

/**
 * The roll-up shared by outcomes and pillars: a weighted mean of indicator scores and the
 * worst status among the indicators that take part. Rules (docs/scoring.md, "Roll-ups"):
 * - weight defaults to 1; must be finite and ≥ 0. An indicator takes part when its weight is
 *   above 0 or it is key. Weight-0, non-key indicators are listed but change nothing.
 * - score = Σ wᵢ·sᵢ / Σ wᵢ over indicators with weight > 0 and a score; null when none has one.
 * - status = worst status among the indicators taking part (critical > warning > stale >
 *   no_data > ok). A key indicator that is stale or no_data counts as warning: being blind on
 *   what matters most is a problem, not a neutral state. A key indicator that is critical
 *   makes the roll-up critical even with weight 0.
 * - cost of an indicator = wᵢ·(100 − sᵢ) / Σ wⱼ (same sum as the score), so the costs add up
 *   to 100 − score: "which indicators pulled it down and by how much".
 */

export interface RollupRef {
  id: string;
  /** ≥ 0, default 1. */
  weight?: number;
  /** Set on outcome refs only: see the rules above. */
  key?: boolean;
  result: ScoredResult;
}

export interface Contribution {
  id: string;
  weight: number;
  key: boolean;
  status: Status;
  score: number | null;
  /** Points of the roll-up's score lost to this indicator, rounded to 0.1; null when it has no score. */
  cost: number | null;
}

export interface Rollup {
  status: Status;
  /** 0–100 rounded to 0.1; null when no indicator taking part has a score. */
  score: number | null;
  /** Σ weight of the indicators with weight > 0 that have a score. */
  measuredWeight: number;
  /** Σ weight of all indicators with weight > 0. measuredWeight < totalWeight: part is unmeasured. */
  totalWeight: number;
  /** Statuses of the indicators taking part, as they reported them (before key promotion). */
  counts: Record<Status, number>;
  /** One sentence per indicator that is not ok, worst first. */
  reasons: string[];
  /** Every ref, in input order. */
  contributions: Contribution[];
}

/** Combines indicator results by the rules above. Throws RangeError on a negative or non-finite weight. */
export function rollUp(refs: ReadonlyArray<RollupRef>): Rollup {
  const rows = refs.map((ref) => {
    const weight = ref.weight ?? 1;
    if (!Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`weight of ${ref.id} must be a finite number ≥ 0, got ${String(weight)}`);
    }
    const key = ref.key === true;
    const { status, score } = ref.result;
    const scored = weight > 0 && score !== null && (status === 'ok' || status === 'warning' || status === 'critical');
    return { id: ref.id, weight, key, status, score, scored, reason: ref.result.reason, takesPart: weight > 0 || key };
  });

  const totalWeight = sum(rows.filter((r) => r.weight > 0).map((r) => r.weight));
  const measured = rows.filter((r) => r.scored);
  const measuredWeight = sum(measured.map((r) => r.weight));
  const score = measuredWeight > 0 ? roundScore(sum(measured.map((r) => r.weight * r.score!)) / measuredWeight) : null;

  const counts = emptyStatusCounts();
  let status: Status | null = null;
  const notOk: Array<{ severity: number; cost: number; text: string }> = [];
  const contributions: Contribution[] = [];
  for (const r of rows) {
    const cost = r.scored ? roundScore((r.weight * (100 - r.score!)) / measuredWeight) : r.weight === 0 ? 0 : null;
    contributions.push({ id: r.id, weight: r.weight, key: r.key, status: r.status, score: r.score, cost });
    if (!r.takesPart) continue;
    counts[r.status] += 1;
    const blindKey = r.key && (r.status === 'stale' || r.status === 'no_data');
    const effective: Status = blindKey ? 'warning' : r.status;
    status = status === null ? effective : worseStatus(status, effective);
    if (effective === 'ok') continue;
    const what = r.key ? `key indicator ${r.id}` : r.id;
    const lost = cost !== null && cost > 0 ? ` (−${formatNumber(cost)} points)` : '';
    const because = r.reason === undefined ? '' : `: ${r.reason}`;
    notOk.push({ severity: STATUS_SEVERITY[effective], cost: cost ?? 0, text: `${what} is ${r.status}${lost}${because}` });
  }

  notOk.sort((a, b) => b.severity - a.severity || b.cost - a.cost);
  const reasons = notOk.map((n) => n.text);
  if (totalWeight === 0) reasons.push('no indicator with a weight above 0');
  return { status: status ?? 'no_data', score, measuredWeight, totalWeight, counts, reasons, contributions };
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
