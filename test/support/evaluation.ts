import * as path from 'node:path';
import type { Sample } from '../../collectors/types.js';
import type { CollectorStatus } from '../../server/scheduler/types.js';
import type { Aggregation } from '../../server/scoring/aggregate.js';
import type { Objective, Pillar } from '../../server/scoring/types.js';
import type {
  AggregateSource, EvaluationSettings, IndicatorSource, OutcomeSpec, SelectorSpec, SloEvents, SloIndicator, ThresholdIndicator,
} from '../../server/evaluation/spec.js';
import { openStore, parseSelector, type OpenStoreOptions, type Store } from '../../server/store/index.js';
import { tempDir } from './tmp.js';

/** Builders for evaluation specs as the workload loader would produce them, and store helpers. */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** A fixed, hour-aligned "now" for every evaluation test: 2025-03-01T12:00:00Z. */
export const NOW = Date.UTC(2025, 2, 1, 12, 0, 0);

export const SETTINGS: EvaluationSettings = { intervalMs: 60_000, staleAfterFailures: 3 };

export function sel(text: string): SelectorSpec {
  return { text, selector: parseSelector(text) };
}

export function agg(text: string, aggregation: Aggregation, windowMs: number, combine?: AggregateSource['combine']): AggregateSource {
  const summing = aggregation === 'rate' || aggregation === 'increase' || aggregation === 'sum' || aggregation === 'count';
  return { kind: 'aggregate', series: sel(text), aggregation, windowMs, combine: combine ?? (summing ? 'sum' : 'avg') };
}

export function threshold(
  id: string,
  source: IndicatorSource,
  objective: Objective,
  extra: Partial<Omit<ThresholdIndicator, 'kind' | 'source' | 'objective'>> = {},
): ThresholdIndicator {
  return { kind: 'threshold', id, title: id, pillar: 'performance_efficiency', unit: '', weight: 1, source, objective, ...extra };
}

export function slo(
  id: string,
  events: SloEvents,
  objective: number,
  windowMs: number,
  extra: Partial<Omit<SloIndicator, 'kind' | 'slo'>> = {},
): SloIndicator {
  return {
    kind: 'slo', id, title: id, pillar: 'reliability' as Pillar, unit: '', weight: 1,
    slo: { events, objective, windowMs, budgetWarningBelow: 0.25 }, ...extra,
  };
}

export function outcome(id: string, refs: Array<{ ref: string; weight?: number; key?: boolean }>): OutcomeSpec {
  return { id, title: `Outcome ${id}`, owner: 'team', indicators: refs.map((r) => ({ ref: r.ref, weight: r.weight ?? 1, key: r.key ?? false })) };
}

/** A collector as the scheduler reports it; healthy unless overridden. */
export function collectorStatus(id: string, overrides: Partial<CollectorStatus> = {}): CollectorStatus {
  const ok = { startedAt: NOW - 30_000, durationMs: 5, ok: true, samplesWritten: 1 };
  return {
    id, type: 'scrape', intervalMs: 60_000, timeoutMs: 10_000, running: false, consecutiveFailures: 0,
    nextRunAt: NOW + 30_000, lastRun: ok, lastSuccess: ok, lastError: null, ...overrides,
  };
}

/** A migrated store in a temp directory removed after the test file. */
export function testStore(opts: Partial<OpenStoreOptions> = {}): { store: Store; file: string } {
  const file = path.join(tempDir('pillarboard-eval-'), 'store.db');
  return { store: openStore({ path: file, now: () => NOW, ...opts }), file };
}

/** Samples of one series from a function of time, at `ts` for each given timestamp. */
export function series(name: string, labels: Record<string, string>, times: number[], value: (ts: number) => number): Sample[] {
  return times.map((ts) => ({ name, labels, ts, value: value(ts) }));
}

/** Timestamps from `from` to `to` inclusive, every `step` ms. */
export function every(step: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from; t <= to; t += step) out.push(t);
  return out;
}
