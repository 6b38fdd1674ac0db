import type { HourAggregate, Selector, SeriesInfo, Store } from '../store/index.js';

/**
 * What the evaluation engine reads from the store, and nothing more: so the engine runs
 * against the real SQLite store in tests and production, and against an in-memory double
 * wherever that is simpler. Time bounds are ms epoch.
 */
export interface SeriesData {
  /** Series matching a parsed selector. */
  findSeries(selector: Selector): SeriesInfo[];
  /** Raw samples with from ≤ ts ≤ to, oldest first; NaN (staleness markers) reads back as NaN. */
  rawPoints(seriesId: number, from: number, to: number): Array<[number, number]>;
  /** Non-empty hourly aggregates whose hour start lies in [from, to], oldest first, up to date. */
  rollupHours(seriesId: number, from: number, to: number): HourAggregate[];
  /** When the stored history of a series begins (oldest raw sample or rollup hour); undefined without data. */
  firstSampleAt(seriesId: number): number | undefined;
  /**
   * How far back raw samples are kept. A window no longer than this is read from raw
   * samples; a longer one from hourly rollups (docs/evaluation.md, "Reading values").
   */
  readonly rawRetentionMs: number;
}

/** The store seen through SeriesData. Retention is read live, so a reload that changes it applies at once. */
export function storeSeriesData(store: Pick<Store, 'findSeries' | 'rawPoints' | 'rollupHours' | 'firstSampleAt' | 'retentionPolicy'>): SeriesData {
  return {
    findSeries: (selector) => store.findSeries(selector),
    rawPoints: (id, from, to) => store.rawPoints(id, from, to),
    rollupHours: (id, from, to) => store.rollupHours(id, from, to),
    firstSampleAt: (id) => store.firstSampleAt(id),
    get rawRetentionMs() {
      return store.retentionPolicy().rawMs;
    },
  };
}
