/** A PromQL-style label matcher: `=`, `!=`, `=~`, `!~` (regexes fully anchored, as in PromQL). */
export interface LabelMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** `name{label="v",other=~"re"}` parsed; `name` may be absent when a `__name__` matcher or labels alone select. */
export interface Selector {
  name?: string;
  matchers: LabelMatcher[];
}

export interface SeriesInfo {
  id: number;
  name: string;
  labels: Record<string, string>;
}

export interface CollectorRunRecord {
  collectorId: string;
  /** ms epoch */
  startedAt: number;
  durationMs: number;
  ok: boolean;
  error?: string;
  samplesWritten: number;
  warnings?: string[];
}

export interface StoredRun extends CollectorRunRecord {
  id: number;
}

export type PointAggregation = 'avg' | 'min' | 'max' | 'sum' | 'count' | 'last';

export interface RangeQuery {
  from: number; // ms epoch, inclusive
  to: number; // ms epoch, inclusive
  /** Bucket width in ms; points are aligned to multiples of step. */
  step: number;
  aggregation?: PointAggregation; // default avg
  /** Force a source; by default rollups are used when step >= 1h or the range exceeds raw retention. */
  source?: 'raw' | 'rollup' | 'auto';
}

export interface RangeSeries {
  series: SeriesInfo;
  /** [bucketStartMs, value] sorted by time; buckets with no data are absent. */
  points: Array<[number, number]>;
}

export interface RangeResult {
  source: 'raw' | 'rollup';
  series: RangeSeries[];
}

export interface RetentionPolicy {
  rawMs: number; // default 15 d
  hourlyMs: number; // default 400 d
}

export interface WorkloadVersionRecord {
  id: number;
  hash: string; // sha256 hex of the file's text
  appliedAt: number; // ms epoch
  path: string;
  source: string; // the file's text as written (with ${ENV} references, never the resolved secrets)
}

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}
