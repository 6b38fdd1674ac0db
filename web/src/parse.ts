import { toUiStatus } from './status.js';
import {
  PILLARS,
  pillarTitle,
  type Counts,
  type NotificationsSummary,
  type SilenceInfo,
  type Coverage,
  type History,
  type IndicatorDetail,
  type IndicatorInfo,
  type Objective,
  type OutcomeDetail,
  type OutcomeIndicator,
  type OutcomeSummary,
  type PillarDetail,
  type PillarSummary,
  type Slo,
  type Summary,
} from './model.js';
import { type Obj, isObj, str, num, time, strings, list } from './json.js';

/**
 * Reads the API's answers defensively: a missing or malformed field becomes null/empty plus
 * a sentence in `problems`, so a partial answer still renders and says what is missing
 * instead of throwing. Only an answer that is not even shaped like the thing asked for
 * throws (MalformedError), and the page then keeps what it showed before.
 */

/** Thrown when an answer is not even shaped like what was asked for. */
export class MalformedError extends Error {
  override name = 'MalformedError';
}


function counts(v: unknown): Counts | null {
  if (!isObj(v)) return null;
  return { ok: num(v.ok) ?? 0, warning: num(v.warning) ?? 0, critical: num(v.critical) ?? 0, no_data: num(v.no_data) ?? 0, stale: num(v.stale) ?? 0 };
}

/** `{ measured, total }` when both are counts and measured ≤ total; else null (nothing is claimed). */
function coverage(v: unknown): Coverage | null {
  if (!isObj(v)) return null;
  const measured = num(v.measured);
  const total = num(v.total);
  if (measured === null || total === null || measured < 0 || measured > total) return null;
  return { measured, total };
}

function pillarSummary(v: Obj, id: string): PillarSummary {
  const status = toUiStatus(v.status);
  return {
    id,
    title: str(v.title) ?? pillarTitle(id),
    description: str(v.description),
    docs: str(v.docs),
    measured: v.measured === true || (v.measured === undefined && status !== 'not_measured'),
    status,
    score: num(v.score),
    coverage: coverage(v.coverage),
    counts: counts(v.counts),
    indicatorCount: num(v.indicatorCount),
    reasons: strings(v.reasons),
    missing: false,
  };
}

function missingPillar(id: string): PillarSummary {
  return { id, title: pillarTitle(id), description: null, docs: null, measured: false, status: 'unknown', score: null, coverage: null, counts: null, indicatorCount: null, reasons: [], missing: true };
}

function outcomeIndicator(v: unknown): OutcomeIndicator | null {
  if (!isObj(v) || typeof v.id !== 'string') return null;
  return {
    id: v.id,
    title: str(v.title) ?? v.id,
    pillar: str(v.pillar),
    weight: num(v.weight),
    key: v.key === true,
    status: toUiStatus(v.status),
    score: num(v.score),
    cost: num(v.cost),
    value: num(v.value),
    unit: str(v.unit),
    windowSeconds: num(v.windowSeconds),
    windowCoverage: num(v.windowCoverage),
  };
}

function outcomeSummary(v: Obj, problems: string[]): OutcomeSummary {
  const id = v.id as string;
  let indicators: OutcomeIndicator[] = [];
  if (Array.isArray(v.indicators)) {
    indicators = v.indicators.map(outcomeIndicator).filter((i): i is OutcomeIndicator => i !== null);
    if (indicators.length < v.indicators.length) problems.push(`outcome ${id}: ${v.indicators.length - indicators.length} indicator entries without an id left out`);
  } else {
    problems.push(`outcome ${id}: the list of indicators is missing`);
  }
  const eb = v.errorBudget;
  return {
    id,
    title: str(v.title) ?? id,
    owner: str(v.owner),
    description: str(v.description),
    status: toUiStatus(v.status),
    score: num(v.score),
    attainment: num(v.attainment) ?? (num(v.score) === null ? null : num(v.score)! / 100),
    coverage: coverage(v.coverage),
    reasons: strings(v.reasons),
    errorBudget: isObj(eb) && typeof eb.indicator === 'string' && num(eb.budgetRemaining) !== null ? { indicator: eb.indicator, budgetRemaining: num(eb.budgetRemaining)!, windowSeconds: num(eb.windowSeconds), windowCoverage: num(eb.windowCoverage) } : null,
    indicators,
  };
}

export function parseSummary(raw: unknown): Summary {
  if (!isObj(raw)) throw new MalformedError('the summary is not a JSON object');
  if (!('pillars' in raw) && !('outcomes' in raw) && !('workload' in raw)) throw new MalformedError('the answer has no workload, pillars or outcomes: it is not a summary');
  const problems: string[] = [];
  const w = isObj(raw.workload) ? raw.workload : null;
  if (!w) problems.push('the workload (name, owner) is missing');
  const workload = { id: str(w?.id) ?? '', title: str(w?.title) ?? str(w?.id) ?? 'Unnamed workload', owner: str(w?.owner), timezone: str(w?.timezone) };

  const byId = new Map<string, Obj>();
  if (Array.isArray(raw.pillars)) {
    for (const p of raw.pillars) if (isObj(p) && typeof p.id === 'string') byId.set(p.id, p);
  } else {
    problems.push('the pillars are missing');
  }
  const pillars = PILLARS.map(([id]) => {
    const p = byId.get(id);
    return p ? pillarSummary(p, id) : missingPillar(id);
  });
  const missing = pillars.filter((p) => p.missing).map((p) => p.title);
  if (missing.length > 0 && missing.length < PILLARS.length) problems.push(`no data for ${missing.join(', ')} in the answer`);

  const outcomes: OutcomeSummary[] = [];
  if (Array.isArray(raw.outcomes)) {
    let bad = 0;
    for (const o of raw.outcomes) {
      if (isObj(o) && typeof o.id === 'string') outcomes.push(outcomeSummary(o, problems));
      else bad++;
    }
    if (bad) problems.push(`${bad} outcome ${bad === 1 ? 'entry' : 'entries'} without an id ${bad === 1 ? 'was' : 'were'} left out`);
  } else {
    problems.push('the outcomes are missing');
  }

  let collectors: Summary['collectors'] = null;
  if (isObj(raw.collectors)) {
    const c = raw.collectors;
    const failing = Array.isArray(c.failing)
      ? c.failing.filter(isObj).map((f) => ({
          id: str(f.id) ?? '?',
          type: str(f.type) ?? '',
          error: str(f.error),
          consecutiveFailures: num(f.consecutiveFailures),
          lastSuccessAt: time(f.lastSuccessAt),
          feeds: strings(f.feeds),
        }))
      : [];
    collectors = { total: num(c.total) ?? 0, up: num(c.up) ?? 0, failing };
  } else {
    problems.push('collector health is missing');
  }

  const evaluatedAt = time(raw.evaluatedAt);
  const workloadFile = workloadFileOf(raw.workloadFile);
  if (raw.evaluatedAt !== null && raw.evaluatedAt !== undefined && evaluatedAt === null) problems.push('the evaluation time is not a valid time');
  return {
    workload,
    status: toUiStatus(raw.status),
    evaluatedAt,
    stale: raw.stale === true,
    pillars,
    outcomes,
    indicatorCounts: counts(raw.indicators),
    collectors,
    workloadFile,
    notifications: notificationsOf(raw.notifications),
    problems,
  };
}

/** The summary's `notifications` (absent from older servers, null without a notifications section). */
function notificationsOf(v: unknown): NotificationsSummary | null {
  if (!isObj(v)) return null;
  const silences: SilenceInfo[] = list(v.silences)
    .filter((s) => num(s.id) !== null)
    .map((s) => ({
      id: num(s.id)!,
      kind: str(s.kind) ?? '?',
      target: str(s.target) ?? '?',
      startsAt: time(s.startsAt),
      endsAt: time(s.endsAt),
      state: str(s.state) ?? 'active',
      reason: str(s.reason) ?? '',
      createdBy: str(s.createdBy),
    }));
  const byId = new Map(silences.map((s) => [s.id, s]));
  const silenced = new Map<string, SilenceInfo>();
  for (const x of list(v.silenced)) {
    const s = byId.get(num(x.silence) ?? -1);
    if (s && typeof x.kind === 'string' && typeof x.id === 'string') silenced.set(`${x.kind}:${x.id}`, s);
  }
  return {
    silences,
    quietUntil: time(v.quietUntil),
    channels: list(v.channels).map((c) => ({
      name: str(c.name) ?? '?',
      type: str(c.type) ?? '',
      failing: c.failing === true,
      consecutiveFailures: num(c.consecutiveFailures) ?? 0,
      failingSince: time(c.failingSince),
      lastAttemptAt: time(c.lastAttemptAt),
      lastSuccessAt: time(c.lastSuccessAt),
      lastError: str(c.lastError),
      pending: num(c.pending) ?? 0,
      failed: num(c.failed) ?? 0,
    })),
    silenced,
  };
}

/** The summary's `workloadFile` (absent from older servers: then nothing is said about reloads). */
function workloadFileOf(v: unknown): Summary['workloadFile'] {
  if (!isObj(v)) return null;
  const version = isObj(v.version) ? v.version : null;
  const r = isObj(v.refused) ? v.refused : null;
  return {
    path: str(v.path),
    version: num(version?.id),
    appliedAt: time(version?.appliedAt),
    refused: r && {
      at: time(r.at),
      errorCount: num(r.errorCount) ?? 0,
      issues: Array.isArray(r.issues) ? r.issues.filter(isObj).map((i) => str(i.text)).filter((t): t is string => t !== null) : [],
    },
  };
}

function objective(v: unknown): Objective | null {
  if (!isObj(v) || num(v.target) === null || (v.direction !== 'min' && v.direction !== 'max')) return null;
  return { target: num(v.target)!, direction: v.direction, warning: num(v.warning), critical: num(v.critical) };
}

function slo(v: unknown): Slo | null {
  if (!isObj(v) || num(v.objective) === null) return null;
  const burn = isObj(v.burnRates) ? Object.entries(v.burnRates).map(([k, r]): [string, number | null] => [k, num(r)]) : [];
  return {
    objective: num(v.objective)!,
    windowSeconds: num(v.windowSeconds),
    attainment: num(v.attainment),
    budgetRemaining: num(v.budgetRemaining),
    burnRates: burn,
    alertState: str(v.alertState),
  };
}

const safeUrl = (v: unknown): string | null => {
  const s = str(v);
  return s && /^https?:\/\//i.test(s) ? s : null;
};

export function parseIndicator(v: unknown): IndicatorInfo | null {
  if (!isObj(v) || typeof v.id !== 'string') return null;
  return {
    id: v.id,
    title: str(v.title) ?? v.id,
    pillar: str(v.pillar),
    unit: str(v.unit),
    kind: str(v.kind),
    description: str(v.description),
    runbook: safeUrl(v.runbook),
    weight: num(v.weight),
    value: num(v.value),
    status: toUiStatus(v.status),
    score: num(v.score),
    reason: str(v.reason),
    since: time(v.since),
    windowSeconds: num(v.windowSeconds),
    dataSince: time(v.dataSince),
    windowCoverage: num(v.windowCoverage),
    objective: objective(v.objective),
    slo: slo(v.slo),
    outcomes: strings(v.outcomes),
  };
}

export function parsePillarDetail(raw: unknown, id: string): PillarDetail {
  if (!isObj(raw)) throw new MalformedError(`the answer for pillar ${id} is not a JSON object`);
  const indicators = Array.isArray(raw.indicators) ? raw.indicators.map(parseIndicator).filter((i): i is IndicatorInfo => i !== null) : [];
  return { ...pillarSummary(raw, id), evaluatedAt: time(raw.evaluatedAt), indicators };
}

export function parseOutcomeDetail(raw: unknown, id: string): OutcomeDetail {
  if (!isObj(raw) || typeof raw.id !== 'string') throw new MalformedError(`the answer for outcome ${id} is not an outcome`);
  return { ...outcomeSummary(raw, []), evaluatedAt: time(raw.evaluatedAt) };
}

export function parseIndicatorDetail(raw: unknown, id: string): IndicatorDetail {
  const info = parseIndicator(raw);
  if (!info || !isObj(raw)) throw new MalformedError(`the answer for indicator ${id} is not an indicator`);
  const transitions = Array.isArray(raw.transitions)
    ? raw.transitions.filter(isObj).map((t) => ({
        at: time(t.at),
        from: t.from === null || t.from === undefined ? null : toUiStatus(t.from),
        to: toUiStatus(t.to),
        value: num(t.value),
        reason: str(t.reason),
      }))
    : [];
  return { ...info, evaluatedAt: time(raw.evaluatedAt), transitions };
}

export function parseHistory(raw: unknown): History {
  if (!isObj(raw) || !Array.isArray(raw.points)) throw new MalformedError('the history answer has no points');
  const from = time(raw.from);
  const to = time(raw.to);
  if (from === null || to === null) throw new MalformedError('the history answer has no valid from/to');
  const points: Array<[number, number | null]> = [];
  for (const p of raw.points) {
    if (!Array.isArray(p) || typeof p[0] !== 'number') continue;
    points.push([p[0] * 1000, num(p[1])]);
  }
  return { from, to, stepSeconds: num(raw.stepSeconds) ?? 0, dataSince: time(raw.dataSince), source: str(raw.source), points };
}
