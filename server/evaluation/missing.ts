import type { IndicatorSource, IndicatorSpec, SelectorSpec } from './spec.js';

/**
 * No-data reasons in words for people. The store and aggregation layers explain a missing
 * value in their own terms (`no series matches dora_lead_time_seconds{…}`, `only 1 sample for
 * … in the last 1h; rate of a counter needs at least 2`); the wall screen says what is missing
 * and what to do about it. A `MissingDataHint` (from the features that derive series, e.g.
 * the DORA job's) explains its own series; other series get a generic sentence that still
 * names the selector, since that is what the workload file says.
 */

/** A sentence for a series with no value, by metric name, or null when it has nothing to say. */
export type MissingDataHint = (seriesName: string) => string | null;

/** The metric names a source reads, in reading order. */
export function sourceNames(source: IndicatorSource): string[] {
  const selectors = source.kind === 'ratio' ? [source.numerator.series, source.denominator.series] : [source.series];
  return selectors.map((s) => s.selector.name).filter((n): n is string => n !== undefined);
}

/**
 * The no-data sentence for an indicator reading the metric `names`, given the reader's
 * `reason` and, when no series matched at all, the `unmatched` selector as written.
 * `collector`: the collector declared to feed it, if any.
 */
export function describeMissing(
  reading: { reason: string; unmatched: string | null },
  names: readonly string[],
  hint: MissingDataHint | undefined,
  collector: string | undefined,
): string {
  for (const n of names) {
    const h = hint?.(n);
    if (h) return h;
  }
  const look = collector === undefined ? '`pillarboard collect --once` shows what the collectors store' : `check collector ${collector} (\`pillarboard collect --once\` shows what it stores)`;
  if (reading.unmatched !== null) return `nothing collected yet (no series \`${reading.unmatched}\`); ${look}`;
  return `${reading.reason}; ${look}`;
}

/**
 * `hint` applied to every metric name the indicators read, as a table: what a pass run on a
 * worker thread gets instead of the function, which cannot cross to it.
 */
export function resolveHints(indicators: readonly IndicatorSpec[], hint: MissingDataHint | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!hint) return out;
  for (const i of indicators) {
    let selectors: Array<SelectorSpec | undefined>;
    if (i.kind === 'threshold') {
      selectors = i.source.kind === 'ratio' ? [i.source.numerator.series, i.source.denominator.series] : [i.source.series];
    } else {
      const ev = i.slo.events;
      selectors = ev.kind === 'probes' ? [ev.success] : [ev.good, ev.bad, ev.total];
    }
    for (const s of selectors) {
      const name = s?.selector.name;
      if (name === undefined || Object.hasOwn(out, name)) continue;
      const h = hint(name);
      if (h) out[name] = h;
    }
  }
  return out;
}
