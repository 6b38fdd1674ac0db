import type { Logger } from '../../collectors/types.js';
import type { CollectorStatus } from '../scheduler/types.js';
import type { AppMetrics } from '../telemetry/metrics.js';
import type { AuthPolicy, TokenVerifier } from './auth.js';
import type { RangeQuery, RangeResult, Selector, SeriesInfo, WorkloadVersionRecord } from '../store/types.js';

/** What the API reads from the store: small interfaces, so routes can be tested with doubles. */
export interface SeriesReader {
  findSeries(selector: Selector, limit?: number): SeriesInfo[];
  querySeries(selector: Selector, q: RangeQuery): RangeResult;
}

export interface WorkloadVersionReader {
  listWorkloadVersions(): Array<Omit<WorkloadVersionRecord, 'source'>>;
}

export interface ActiveWorkloadView {
  /** The active workload, secrets redacted, JSON-safe. */
  redacted(): unknown;
  hash: string;
  versionId: number;
  appliedAt: number;
  path: string;
}

export interface AppDeps {
  series: SeriesReader;
  versions: WorkloadVersionReader;
  /** The active workload, or null before the first valid load. */
  workload: () => ActiveWorkloadView | null;
  collectors: () => CollectorStatus[];
  /** Database liveness for /readyz: throws when the database cannot answer. */
  pingDatabase: () => void;
  metrics: AppMetrics;
  tokens: TokenVerifier;
  auth: AuthPolicy;
  /** Re-reads the workload file now (POST /api/workload/reload); absent where reloading makes no sense. */
  reloadWorkload?: () => { applied: boolean; unchanged?: boolean; issues?: Array<{ file: string; line: number; column: number; path: string; message: string }> };
  log: Logger;
  now?: () => number;
  version: string;
}
