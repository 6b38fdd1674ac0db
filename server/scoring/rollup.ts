import { formatNumber } from './format.js';
import { STATUS_SEVERITY, emptyStatusCounts, roundScore, worseStatus, type ScoredResult, type Status } from './types.js';

/**
 * The roll-up shared by outcomes and pillars: a weighted mean of the indicator scores that
 * exist, how much of the whole those cover, and one status that never contradicts the score.
 * Rules (docs/scoring.md, "Roll-ups"):
 * - weight defaults to 1; must be finite and ≥ 0. An indicator takes part when its weight is
 *   above 0 or it is key. Weight-0, non-key indicators are listed but change nothing.
 * - measured: weight > 0 and a score (status ok, warning or critical).
 * - score = Σ wᵢ·sᵢ / Σ wᵢ over the measured indicators; null when none is measured.
 * - coverage = { measured, total } counts of indicators with weight > 0 (and their weights):
 *   the score speaks for `measured` of `total`, and every view shows both.
 * - status judges what is measured, so it always describes the number beside it:
 *   - something measured: the worst status among the measured indicators and the key gates.
 *     An unmeasured non-key indicator does not set the status (it lowers the coverage and
 *     gets a reason line saying what is missing): "No data" above "100" would contradict itself.
 *   - nothing measured: no score, and the status says why: stale when a feed of one of them
 *     is broken, else no_data (a key gate that is warning or critical still wins).
 *   - key gates: a key indicator that is stale or no_data counts as warning (being blind on
 *     what matters most is a problem); a key indicator that is critical makes the roll-up
 *     critical even with weight 0.
 * - cost of an indicator = wᵢ·(100 − sᵢ) / measuredWeight, so the costs add up to
 *   100 − score: "which indicators pulled it down and by how much".
 * - reasons: one sentence per indicator that is not ok or not measured, worst first, naming
 *   it by its title (RollupRef.title; the id when none is given).
 */

export interface RollupRef {
  id: string;
  /** The indicator's title, for the reasons people read; the id is used when absent. */
  title?: string;
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

/** How much of a roll-up its score speaks for. */
export interface Coverage {
  /** Indicators with weight > 0 that have a score. */
  measured: number;
  /** Indicators with weight > 0. */
  total: number;
  /** Σ weight of the measured ones. */
  measuredWeight: number;
  /** Σ weight of all with weight > 0. */
  totalWeight: number;
}

export interface Rollup {
  status: Status;
  /** 0–100 rounded to 0.1, over the measured indicators only; null when none is measured. */
  score: number | null;
  coverage: Coverage;
  /** = coverage.measuredWeight (kept for existing readers). */
  measuredWeight: number;
  /** = coverage.totalWeight. measuredWeight < totalWeight: part is unmeasured. */
  totalWeight: number;
  /** Statuses of the indicators taking part, as they reported them (before key promotion). */
  counts: Record<Status, number>;
  /** One sentence per indicator that is not ok or not measured, worst first. */
  reasons: string[];
  /** Every ref, in input order. */
  contributions: Contribution[];
}

const isJudgement = (s: Status) => s === 'ok' || s === 'warning' || s === 'critical';

/** Combines indicator results by the rules above. Throws RangeError on a negative or non-finite weight. */
export function rollUp(refs: ReadonlyArray<RollupRef>): Rollup {
  const rows = refs.map((ref) => {
    const weight = ref.weight ?? 1;
    if (!Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`weight of ${ref.id} must be a finite number ≥ 0, got ${String(weight)}`);
    }
    const key = ref.key === true;
    const { status, score } = ref.result;
    const scored = weight > 0 && score !== null && isJudgement(status);
    const title = ref.title === undefined || ref.title === '' ? ref.id : ref.title;
    return { id: ref.id, title, weight, key, status, score, scored, reason: ref.result.reason, takesPart: weight > 0 || key };
  });

  const weighted = rows.filter((r) => r.weight > 0);
  const measured = rows.filter((r) => r.scored);
  const measuredWeight = sum(measured.map((r) => r.weight));
  const totalWeight = sum(weighted.map((r) => r.weight));
  const coverage: Coverage = { measured: measured.length, total: weighted.length, measuredWeight, totalWeight };
  const score = measuredWeight > 0 ? roundScore(sum(measured.map((r) => r.weight * r.score!)) / measuredWeight) : null;

  const counts = emptyStatusCounts();
  let judged: Status | null = null; // worst among measured indicators and key gates
  let blind: Status | null = null; // worst among unmeasured, non-key indicators (stale > no_data)
  const lines: Array<{ severity: number; cost: number; text: string }> = [];
  const contributions: Contribution[] = [];
  for (const r of rows) {
    const cost = r.scored ? roundScore((r.weight * (100 - r.score!)) / measuredWeight) : r.weight === 0 ? 0 : null;
    contributions.push({ id: r.id, weight: r.weight, key: r.key, status: r.status, score: r.score, cost });
    if (!r.takesPart) continue;
    counts[r.status] += 1;
    const unmeasured = !isJudgement(r.status);
    let effective: Status = r.status;
    if (r.key && unmeasured) effective = 'warning';
    if (r.key || !unmeasured) judged = judged === null ? effective : worseStatus(judged, effective);
    else blind = blind === null ? effective : worseStatus(blind, effective);
    if (effective === 'ok') continue;
    lines.push({ severity: STATUS_SEVERITY[effective], cost: cost ?? 0, text: reasonLine(r, cost) });
  }

  let status: Status;
  if (score !== null) status = judged ?? 'ok';
  else if (judged === 'warning' || judged === 'critical') status = judged;
  else status = blind ?? 'no_data';

  lines.sort((a, b) => b.severity - a.severity || b.cost - a.cost);
  const reasons = lines.map((n) => n.text);
  if (totalWeight === 0) reasons.push('no indicator with a weight above 0');
  return { status, score, coverage, measuredWeight, totalWeight, counts, reasons, contributions };
}

/**
 * "Free space on / (−10 points): 8.5% is below the warning bound 10% (target ≥ 20%)",
 * "Key indicator Memory available has no fresh data, which counts as a warning: collector host …",
 * "Days since the last game day has no data: no game day recorded yet: post one with …".
 */
function reasonLine(r: { title: string; key: boolean; status: Status; reason: string | undefined }, cost: number | null): string {
  const who = r.key ? `Key indicator ${r.title}` : r.title;
  const lost = cost !== null && cost > 0 ? ` (−${formatNumber(cost)} points)` : '';
  const because = r.reason === undefined || r.reason === '' ? '' : `: ${r.reason}`;
  const gate = r.key ? ', which counts as a warning' : '';
  if (r.status === 'stale') return `${who} has no fresh data${gate}${because}`;
  if (r.status === 'no_data') return `${who} has no data${gate}${because}`;
  return `${who}${lost}${because === '' ? ` is ${r.status}` : because}`;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
