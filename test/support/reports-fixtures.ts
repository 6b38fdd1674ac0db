import type { EventKind, Sample } from '../../collectors/types.js';
import type { EventFilter, EventReader, StoredEvent } from '../../server/events/types.js';
import type { IndicatorSpec, OutcomeSpec } from '../../server/evaluation/spec.js';
import type { ReportWorkloadContext } from '../../server/reports/service.js';
import { DEFAULT_WEEKLY } from '../../server/reports/index.js';
import type { Store } from '../../server/store/index.js';

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
