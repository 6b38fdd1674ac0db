import { compileMatcher } from '../store/selector.js';
import type { IndicatorSpec, SelectorSpec } from './spec.js';

/**
 * How far back the indicators reach into the series a collector stores: the longest window
 * (aggregate window, each side of a ratio, SLO window) of any indicator with a selector that
 * can match one of `seriesNames` as stored by collector `collectorId`. Undefined when no
 * indicator reads them. Used to size a backfill, so a new collector's windows are full at once.
 *
 * A selector can match when its metric name (or its `__name__` matchers) accepts one of the
 * names, its matchers on the `collector` label accept the id, and the indicator does not name
 * another collector. Other label matchers are not checked: the series' other labels are not
 * known before they are fetched, and reaching back too far costs less than too short a window.
 */
export function longestWindowReading(indicators: readonly IndicatorSpec[], collectorId: string, seriesNames: readonly string[]): number | undefined {
  let longest: number | undefined;
  for (const ind of indicators) {
    if (ind.collector !== undefined && ind.collector !== collectorId) continue;
    for (const [sel, windowMs] of windowedSelectors(ind)) {
      if (!reads(sel, collectorId, seriesNames)) continue;
      longest = longest === undefined ? windowMs : Math.max(longest, windowMs);
    }
  }
  return longest;
}

function windowedSelectors(ind: IndicatorSpec): Array<[SelectorSpec, number]> {
  if (ind.kind === 'slo') {
    const e = ind.slo.events;
    const sels = e.kind === 'probes' ? [e.success] : [e.good, e.bad, e.total].filter((s): s is SelectorSpec => s !== undefined);
    return sels.map((s) => [s, ind.slo.windowMs]);
  }
  const src = ind.source;
  if (src.kind === 'aggregate') return [[src.series, src.windowMs]];
  return [
    [src.numerator.series, src.numerator.windowMs],
    [src.denominator.series, src.denominator.windowMs],
  ];
}

function reads(sel: SelectorSpec, collectorId: string, names: readonly string[]): boolean {
  const { name, matchers } = sel.selector;
  if (name !== undefined && !names.includes(name)) return false;
  for (const m of matchers) {
    const accepts = compileMatcher(m);
    if (m.label === '__name__' && !names.some(accepts)) return false;
    if (m.label === 'collector' && !accepts(collectorId)) return false;
  }
  return true;
}
