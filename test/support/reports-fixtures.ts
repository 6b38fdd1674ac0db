import type { EventKind, Sample } from '../../collectors/types.js';
import type { EventFilter, EventReader, StoredEvent } from '../../server/events/types.js';
import type { IndicatorSpec, OutcomeSpec } from '../../server/evaluation/spec.js';
import type { ReportWorkloadContext } from '../../server/reports/service.js';
import { silentLogger } from '../../server/log.js';
import { DEFAULT_WEEKLY } from '../../server/reports/index.js';
import { ReviewService } from '../../server/review/index.js';
import type { Store } from '../../server/store/index.js';
import { fullLens, indicator, snapshotOf } from '../review-support.js';
import { clockAt } from './fake-clock.js';

/**
 * The seeded week the report tests share (values worked out by hand in
 * test/reports-build.test.ts): Europe/Berlin, 2026-W47 = 2026-11-15T23:00Z .. 2026-11-22T23:00Z,
 * the week before 2026-W46 = 2026-11-08T23:00Z .. 2026-11-15T23:00Z.
 */

export const HOUR = 3_600_000;
export const TZ = 'Europe/Berlin';
export const W47_FROM = Date.parse('2026-11-15T23:00:00Z');
export const W46_FROM = Date.parse('2026-11-08T23:00:00Z');
/** Monday 2026-11-23 08:00 Berlin: when the schedule runs W47's report. */
export const REPORT_AT = Date.parse('2026-11-23T07:00:00Z');
/** The end of W47: Monday 2026-11-23 00:00 Berlin, the start of W48. */
export const W47_TO = W47_FROM + 168 * 3_600_000;
const MIN = 60_000;
/** Hours of W47 (from its start) with no evaluation sample: the server was down. */
export const GAP = [90, 91, 92, 93, 94, 95];

export const INDICATORS: IndicatorSpec[] = [
  {
    kind: 'slo', id: 'avail', title: 'Checkout availability', pillar: 'reliability', unit: 'ratio', weight: 1,
    slo: { events: { kind: 'probes', success: { text: 'probe_success', selector: { name: 'probe_success', matchers: [] } } }, objective: 0.999, windowMs: 28 * 24 * HOUR, budgetWarningBelow: 0.25 },
  },
  {
    kind: 'threshold', id: 'latency', title: 'Checkout latency', pillar: 'performance_efficiency', unit: 'seconds', weight: 1,
    source: { kind: 'aggregate', series: { text: 'lat', selector: { name: 'lat', matchers: [] } }, aggregation: 'avg', windowMs: HOUR, combine: 'avg' },
    objective: { target: 0.3, direction: 'max', warning: 0.5, critical: 1 },
  },
  {
    kind: 'threshold', id: 'cost', title: 'Cloud spend', pillar: 'cost_optimization', unit: 'dollars', weight: 1,
    source: { kind: 'aggregate', series: { text: 'spend', selector: { name: 'spend', matchers: [] } }, aggregation: 'last', windowMs: HOUR, combine: 'sum' },
    objective: { target: 100, direction: 'max' },
  },
];

export const OUTCOMES: OutcomeSpec[] = [
  { id: 'buy', title: 'Customers can buy', owner: 'payments', indicators: [{ ref: 'avail', weight: 3, key: true }, { ref: 'latency', weight: 1, key: false }] },
  { id: 'budget', title: 'We stay within budget', indicators: [{ ref: 'cost', weight: 1, key: false }] },
];

export function seededContext(overrides: Partial<ReportWorkloadContext['settings']> = {}): ReportWorkloadContext {
  return {
    meta: { id: 'shop', title: 'Web shop', owner: 'platform-team' },
    timezone: TZ,
    indicators: INDICATORS,
    outcomes: OUTCOMES,
    collectors: [
      { id: 'app', type: 'scrape', intervalMs: 60_000 },
      { id: 'billing', type: 'http', intervalMs: 60_000 },
    ],
    staleAfterFailures: 3,
    settings: { ...DEFAULT_WEEKLY, formats: ['html'], ...overrides },
  };
}

const h = (name: string, label: string, id: string, ts: number, value: number): Sample => ({ name, labels: { [label]: id }, ts, value });

/**
 * One history sample per hour at hh:30 for W46 and W47 (none in the GAP hours of W47):
 * - W46: avail 100, latency 80, outcome buy 95 (= (3·100 + 80)/4), cost 50, outcome budget 50, budget remaining 0.9.
 * - W47 hours 0–83: avail 80, latency 100, buy 85; hours 84–167: avail 80, latency 60, buy 75;
 *   cost and budget: nothing (no data); budget remaining 0.8 then 0.6.
 * Pillars follow their only indicator: reliability = avail, performance_efficiency = latency, cost_optimization = cost.
 */
export function seedHistory(store: Store): void {
  const samples: Sample[] = [];
  for (let i = 0; i < 168; i++) {
    const ts = W46_FROM + i * HOUR + 30 * 60_000;
    samples.push(
      h('pillarboard_indicator_score', 'indicator', 'avail', ts, 100),
      h('pillarboard_indicator_score', 'indicator', 'latency', ts, 80),
      h('pillarboard_indicator_score', 'indicator', 'cost', ts, 50),
      h('pillarboard_outcome_score', 'outcome', 'buy', ts, 95),
      h('pillarboard_outcome_score', 'outcome', 'budget', ts, 50),
      h('pillarboard_slo_budget_remaining', 'indicator', 'avail', ts, 0.9),
      h('pillarboard_pillar_score', 'pillar', 'reliability', ts, 100),
      h('pillarboard_pillar_score', 'pillar', 'performance_efficiency', ts, 80),
      h('pillarboard_pillar_score', 'pillar', 'cost_optimization', ts, 50),
    );
  }
  for (let i = 0; i < 168; i++) {
    if (GAP.includes(i)) continue;
    const ts = W47_FROM + i * HOUR + 30 * 60_000;
    const first = i < 84;
    samples.push(
      h('pillarboard_indicator_score', 'indicator', 'avail', ts, 80),
      h('pillarboard_indicator_score', 'indicator', 'latency', ts, first ? 100 : 60),
      h('pillarboard_outcome_score', 'outcome', 'buy', ts, first ? 85 : 75),
      h('pillarboard_slo_budget_remaining', 'indicator', 'avail', ts, first ? 0.8 : 0.6),
      h('pillarboard_pillar_score', 'pillar', 'reliability', ts, 80),
      h('pillarboard_pillar_score', 'pillar', 'performance_efficiency', ts, first ? 100 : 60),
    );
  }
  // A collector scraping Pillarboard's own /metrics writes the same names with a collector label: never read.
  samples.push({ name: 'pillarboard_outcome_score', labels: { outcome: 'buy', collector: 'self' }, ts: W47_FROM + HOUR, value: 0 });
  store.writeSamples(samples);
  store.updateRollups();
}

/**
 * Indicator transitions: avail, latency ok and cost no_data before W47; latency → warning at
 * hour 84; avail → critical at hour 120 and back to ok at hour 122.
 */
export function seedTransitions(store: Store): void {
  const ins = store.db.prepare('INSERT INTO indicator_transitions (indicator_id, at, from_status, to_status, value, score, reason) VALUES (?, ?, ?, ?, NULL, NULL, ?)');
  ins.run('avail', W46_FROM + HOUR, null, 'ok', 'seed');
  ins.run('latency', W46_FROM + HOUR, null, 'ok', 'seed');
  ins.run('cost', W46_FROM + HOUR, null, 'ok', 'seed');
  ins.run('cost', W47_FROM - HOUR, 'ok', 'no_data', 'seed');
  ins.run('latency', W47_FROM + 84 * HOUR, 'ok', 'warning', 'seed');
  ins.run('avail', W47_FROM + 120 * HOUR, 'ok', 'critical', 'seed');
  ins.run('avail', W47_FROM + 122 * HOUR, 'critical', 'ok', 'seed');
}

/** Collector `app` runs hourly at :10 and fails at hours 30–33 (4 in a row); `billing` never runs. */
export function seedRuns(store: Store): void {
  for (let i = 0; i < 168; i++) {
    const fail = i >= 30 && i <= 33;
    store.recordRun(
      { collectorId: 'app', startedAt: W47_FROM + i * HOUR + 10 * 60_000, durationMs: 5, ok: !fail, samplesWritten: 0, ...(fail ? { error: 'connection refused' } : {}) },
      [],
    );
  }
}

export function seedAll(store: Store): void {
  seedHistory(store);
  seedTransitions(store);
  seedRuns(store);
}

let nextId = 1;
function ev(kind: EventKind, externalId: string, hour: number, extra: Partial<StoredEvent> = {}): StoredEvent {
  const startedAt = W47_FROM + hour * HOUR;
  return { id: nextId++, kind, source: 'test', externalId, startedAt, receivedAt: startedAt, updatedAt: startedAt, ...extra };
}

/** The week's operational events (expected figures in test/reports-build.test.ts). */
export const EVENTS: StoredEvent[] = [
  ev('deployment', 'd1', 10, { service: 'shop', status: 'success' }),
  ev('deployment', 'd2', 50, { service: 'shop', status: 'success' }),
  ev('deployment', 'd3', 60, { service: 'api', status: 'failure' }),
  ev('deployment', 'd4', 70, { service: 'shop', status: 'success', attrs: { rollback: true } }),
  ev('incident', 'i1', 51, { service: 'shop', title: 'Checkout errors', endedAt: W47_FROM + 52.5 * HOUR, attrs: { deployment: 'd2', severity: 'sev2' } }),
  ev('incident', 'i2', 160, { service: 'api', title: 'Slow search' }),
  ev('review', 'r1', 70, { status: 'completed', attrs: { incident: 'test:i1' } }),
  ev('gameday', 'g1', 100, { title: 'Region failover', attrs: { findings: ['a', 'b', 'c'] } }),
  ev('action_item', 'a1', -100, { endedAt: W47_FROM + 20 * HOUR, status: 'closed' }),
  ev('action_item', 'a2', 53, { status: 'open' }),
  ev('action_item', 'a3', 54, { endedAt: W47_FROM + 60 * HOUR, status: 'closed' }),
];

/** An in-memory EventReader over `events`, filtering as the contract in server/events/types.ts says. */
export function eventReader(events: StoredEvent[] = EVENTS): EventReader {
  return {
    listEvents(f: EventFilter) {
      const kinds = f.kind === undefined ? undefined : Array.isArray(f.kind) ? f.kind : [f.kind];
      const out = events.filter(
        (e) =>
          (!kinds || kinds.includes(e.kind)) &&
          (f.from === undefined || e.startedAt >= f.from) &&
          (f.to === undefined || e.startedAt <= f.to) &&
          (f.service === undefined || e.service === f.service) &&
          (f.source === undefined || e.source === f.source),
      );
      return out.slice(0, f.limit ?? out.length);
    },
    getEvent: (source, externalId) => events.find((e) => e.source === source && e.externalId === externalId),
    services: () => [...new Set(events.map((e) => e.service).filter((s): s is string => s !== undefined))],
  };
}

/**
 * A strict well-formedness check for the report HTML: every element closed in order (void
 * elements self-closed), attributes quoted, entities known, no script, no external reference.
 * Returns the problems (empty when clean).
 */
export function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  if (!html.startsWith('<!DOCTYPE html>')) problems.push('missing <!DOCTYPE html>');
  const VOID = new Set(['meta', 'br', 'hr', 'img', 'link', 'input']);
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*="[^"<]*")*)\s*(\/?)>|<!DOCTYPE html>|<!--[\s\S]*?-->/g;
  let last = 0;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    const between = html.slice(last, m.index);
    if (/[<>]/.test(between.replace(/<!DOCTYPE html>/, ''))) problems.push(`stray < or > near "${between.slice(0, 40)}"`);
    for (const ent of between.match(/&[^;\s]*;?/g) ?? []) {
      if (!/^&(amp|lt|gt|quot|#\d+);$/.test(ent)) problems.push(`bad entity ${ent}`);
    }
    last = m.index + m[0].length;
    if (!m[2]) continue;
    const [, close, name, , selfClose] = m;
    const lower = name!.toLowerCase();
    if (lower === 'script') problems.push('has a <script>');
    if (/\s(src|href)="(?!data:|#|\/api\/|https?:\/\/[^"]*\/api\/reports)/.test(m[0]) && lower !== 'a') problems.push(`external reference in ${m[0]}`);
    if (/\son[a-z]+="/.test(m[0])) problems.push(`event handler in ${m[0]}`);
    if (close) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open}>`);
    } else if (!selfClose) {
      if (VOID.has(lower)) problems.push(`<${name}> must be self-closed`);
      else stack.push(name!);
    }
  }
  if (/[<>]/.test(html.slice(last).trim())) problems.push('stray markup at the end');
  if (stack.length) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}

/**
 * Lens "abc" (test/review-support.ts): abc_deploys (operational excellence; small && rollback →
 * none, small || rollback → medium, else high) and abc_privacy (own pillar Privacy; minimal →
 * none, else high). Choice abc_deploys_small is bound to evidence `gate == ok`.
 *
 * - W47's first evaluation, Mon 16 Nov 00:01 (15 Nov 23:01Z): gate ok → small holds by evidence
 *   → abc_deploys **medium**; a person answered abc_privacy "none of these" → **high**. The weekly
 *   milestone "Week 2026-W47" is taken: the week's start.
 * - Wed: a person answers abc_deploys "none of these", overriding the evidence (small still
 *   holds) → **high**, and drifting. abc_privacy answered "minimal" → **none**.
 * - W48's first evaluation, Mon 23 Nov 00:01 (22 Nov 23:01Z): "Week 2026-W48", the week's end.
 */
export function seededReview(store: Store, opts: { endMilestone?: boolean } = {}) {
  let clock = W47_FROM + MIN;
  const review = new ReviewService({ db: store.db, log: silentLogger, clock: clockAt(() => clock) });
  review.importLens({ body: fullLens(), id: 'abc' });
  review.setConfig({
    lenses: ['abc'],
    evidence: [{ lens: 'abc', question: 'abc_deploys', choice: 'abc_deploys_small', when: 'gate == ok' }],
    workload: { id: 'shop', title: 'Web shop', timezone: TZ },
  });
  // Before the week: a person answered abc_privacy with high risk.
  clock = W47_FROM - 2 * 86_400_000;
  review.answer('abc', 'abc_privacy', { choices: ['abc_privacy_no'] }, 'alice');
  review.onEvaluated(snapshotOf(W47_FROM + MIN, [indicator('gate', 'ok')]));
  clock = W47_FROM + 50 * HOUR;
  review.answer('abc', 'abc_deploys', { choices: ['abc_deploys_no'] }, 'bob');
  review.answer('abc', 'abc_privacy', { choices: ['abc_privacy_minimal'] }, 'alice');
  review.updatePlanItem('abc', 'abc_deploys', { owner: 'bob', due: '2026-11-20', status: 'in_progress' });
  if (opts.endMilestone !== false) review.onEvaluated(snapshotOf(W47_TO + MIN, [indicator('gate', 'ok')]));
  clock = REPORT_AT;
  return review;
}

const dora = (name: string, ts: number, value: number, extra: Record<string, string> = {}): Sample => ({
  name, labels: { scope: 'workload', window: '7d', ...extra }, ts, value,
});

/**
 * Three DORA runs: one a day before the week's end (time to restore 5400 s, tier 2), the last run
 * of the week at Sun 23:58:30 local (22 Nov 22:58:30Z), which knows no time to restore (no
 * sample), and one after the week (must not count). Last run of the week: 4 deployments →
 * 4/7 = 0.5714 per day (2023: ≥ 1/7 per day → high = 3); lead time 93,600 s = 26 h → 1 d 2 h
 * (≤ 1 week → high = 3); change failure rate 0.25 (> 0.15 → low = 1). A service-scoped and a
 * 30-day series alongside, which the report does not read.
 */
export function seedDora(store: Store): number {
  const last = W47_TO - 90_000;
  const dayBefore = W47_TO - 86_400_000;
  const after = W47_TO + 30_000;
  store.writeSamples([
    dora('dora_deployments', dayBefore, 3),
    dora('dora_deployment_frequency_per_day', dayBefore, 3 / 7),
    dora('dora_time_to_restore_seconds', dayBefore, 5400),
    dora('dora_tier', dayBefore, 2, { key: 'time_to_restore' }),
    dora('dora_deployments', last, 4),
    dora('dora_deployment_frequency_per_day', last, 4 / 7),
    dora('dora_tier', last, 3, { key: 'deployment_frequency' }),
    dora('dora_lead_time_seconds', last, 93_600),
    dora('dora_tier', last, 3, { key: 'lead_time' }),
    dora('dora_change_failure_ratio', last, 0.25),
    dora('dora_tier', last, 1, { key: 'change_failure_rate' }),
    dora('dora_deployments', after, 9),
    dora('dora_change_failure_ratio', after, 0.9),
    { name: 'dora_change_failure_ratio', labels: { scope: 'service', service: 'shop', window: '7d' }, ts: last, value: 0.5 },
    dora('dora_change_failure_ratio', last, 0.1, { window: '30d' }),
  ]);
  store.updateRollups();
  return last;
}
