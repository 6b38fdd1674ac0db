import type { Sample } from '../../collectors/types.js';
import type { HourAggregate } from './rollupCodec.js';
import type { RetentionResult } from './retention.js';
import type { RunSummary, RunsBetween } from './runs.js';
import type {
  CollectorRunRecord, RangeQuery, RangeResult, RetentionPolicy, Selector, SeriesInfo, StoredRun, WorkloadVersionRecord,
} from './types.js';
import type { WorkloadVersionSummary } from './workloadVersions.js';

/**
 * The metric store as the rest of the code will see it once PostgreSQL is wired in (issue 14):
 * asynchronous wherever a backend may have to ask a server, so the embedded SQLite store
 * (sqliteBackend.ts, over the synchronous `Store`) and the PostgreSQL one (pg/store.ts) are
 * interchangeable. Both pass test/store-contract.test.ts: the same reads for the same writes,
 * the same errors (InvalidSampleError naming the sample and field, SeriesLimitError,
 * QueryError / RangeTooLargeError naming the parameter, SelectorError).
 *
 * Settings that never touch storage (the retention policy) stay synchronous.
 */
export interface MetricStore {
  /** Which engine holds the data: for /readyz, logs and `store copy`. */
  readonly backend: 'sqlite' | 'postgres';

  /** Writes samples in one transaction; resolves to how many were accepted (all, or it rejects and stores nothing). */
  writeSamples(samples: readonly Sample[]): Promise<number>;
  /**
   * A run's samples and its run row in one transaction: both or neither. With `seriesLimit`
   * (> 0), a run that would take the store past that many series rejects with SeriesLimitError
   * and writes nothing.
   */
  recordRun(run: CollectorRunRecord, samples: readonly Sample[], options?: { seriesLimit?: number }): Promise<StoredRun>;
  seriesCount(): Promise<number>;

  /** Series matching a selector, ordered by name then labels (byte order). */
  findSeries(selector: Selector, limit?: number): Promise<SeriesInfo[]>;
  getSeries(id: number): Promise<SeriesInfo | undefined>;
  /** Points of every matching series, bucketed to q.step (query.ts states the bucket contract). */
  querySeries(selector: Selector, q: RangeQuery): Promise<RangeResult>;
  /** Raw samples of one series with from <= ts <= to, oldest first; NaN as stored. */
  rawPoints(seriesId: number, from: number, to: number): Promise<Array<[number, number]>>;
  /** Oldest raw non-NaN sample, or the start of the oldest rollup hour when older; undefined when none. */
  firstSampleAt(seriesId: number): Promise<number | undefined>;
  latestSample(seriesId: number): Promise<{ ts: number; value: number } | undefined>;
  /** The oldest data of any matching series (raw sample, or start of its first rollup hour). */
  firstDataTs(selector: Selector): Promise<number | undefined>;
  /** Hourly aggregates of one series whose hour start lies in [from, to] (rollups brought up to date first). */
  rollupHours(seriesId: number, from: number, to: number): Promise<HourAggregate[]>;

  /** Brings hourly rollups up to date with what was written since the last call. */
  updateRollups(): Promise<{ seriesDays: number }>;
  /** Moves the older part of the head into compressed chunks, keeping at least `keepRows` rows. */
  compactHead(keepRows?: number): Promise<{ moved: number }>;
  setRetention(policy: Partial<RetentionPolicy>): void;
  retentionPolicy(): RetentionPolicy;
  applyRetention(now?: number): Promise<RetentionResult>;

  listRuns(opts?: { collectorId?: string; limit?: number }): Promise<StoredRun[]>;
  collectorRunsBetween(collectorId: string, from: number, to: number, streakCap: number): Promise<RunsBetween>;
  runSummaries(): Promise<Map<string, RunSummary>>;

  saveWorkloadVersion(v: { hash: string; path: string; source: string; appliedAt: number }): Promise<WorkloadVersionRecord>;
  listWorkloadVersions(limit?: number): Promise<WorkloadVersionSummary[]>;
  getWorkloadVersion(id: number): Promise<WorkloadVersionRecord | undefined>;

  /** Flushes rollups, then releases the file or the connections. Idempotent. */
  close(): Promise<void>;
}
