import type { Logger } from '../../collectors/types.js';
import type { BackfillStatus } from '../backfill/index.js';
import type { CollectorStatus } from '../scheduler/types.js';
import type { AppMetrics } from '../telemetry/metrics.js';
import type { AuthPolicy, TokenVerifier } from './auth.js';
import type { WorkloadMeta } from './views.js';
import type { EvaluationSnapshot } from '../evaluation/snapshot.js';
import type { IndicatorSpec, OutcomeSpec } from '../evaluation/spec.js';
import type { IndicatorState, Transition } from '../evaluation/state.js';
import type { HistoryPoints, IndicatorHistoryMetric } from '../evaluation/history.js';
import type { Pillar } from '../scoring/types.js';
import type { RangeQuery, RangeResult, Selector, SeriesInfo, WorkloadVersionRecord } from '../store/types.js';
import type { ReportsApi } from '../reports/api.js';
import type { EventRepository } from '../events/backend.js';
import type { OperationsSettings } from '../events/types.js';
import type { NotificationsApi } from './routes/notifications.js';
import type { DerivedReport } from '../dora/types.js';
import type { ReviewApi } from '../review/index.js';
import type { ReloadStatus } from '../workload/index.js';
import type { Clock } from '../clock.js';
import type { OffThreadReads } from '../workers/reads.js';
import type { OtlpReceiver } from '../otlp/index.js';

/** What the API reads from the store: small interfaces, so routes can be tested with doubles. */
export interface SeriesReader {
  findSeries(selector: Selector, limit?: number): SeriesInfo[];
  querySeries(selector: Selector, q: RangeQuery): RangeResult;
}

/** The applied workload versions, newest first (MetricStore.listWorkloadVersions: either backend). */
export interface WorkloadVersionReader {
  listWorkloadVersions(): Promise<Array<Omit<WorkloadVersionRecord, 'source'>>>;
}

/** The evaluation results and their history, as routes read them. */
export interface EvaluationReader {
  latest(): EvaluationSnapshot | null;
  /** Calls `fn` after every evaluation; returns the unsubscribe function. */
  subscribe(fn: (snapshot: EvaluationSnapshot) => void): () => void;
  transitions(indicatorId: string, limit: number): Promise<Transition[]>;
  states(): Promise<Map<string, IndicatorState>>;
  indicatorHistory(id: string, range: RangeQuery, metric: IndicatorHistoryMetric): HistoryPoints;
  outcomeHistory(id: string, range: RangeQuery): HistoryPoints;
  pillarHistory(pillar: Pillar, range: RangeQuery): HistoryPoints;
}

export interface ActiveWorkloadView {
  meta: WorkloadMeta;
  indicators: IndicatorSpec[];
  outcomes: OutcomeSpec[];
  evaluationIntervalMs: number;
  /** The active workload, secrets redacted, JSON-safe. */
  redacted(): unknown;
  hash: string;
  versionId: number;
  appliedAt: number;
  path: string;
  /** How the latest loads and reloads of the file went (a refused edit, while it is the latest); absent in doubles. */
  reload?: () => ReloadStatus | undefined;
}

export interface AppDeps {
  series: SeriesReader;
  /**
   * Range queries, series scans and history reads on worker threads (server/workers), so the
   * HTTP thread never waits for SQLite; absent: the routes read through `series` and
   * `evaluation` on the HTTP thread (test doubles, PILLARBOARD_READ_WORKERS=0).
   */
  offThread?: OffThreadReads;
  versions: WorkloadVersionReader;
  /** The active workload, or null before the first valid load. */
  workload: () => ActiveWorkloadView | null;
  collectors: () => CollectorStatus[];
  /** A collector's backfill progress (GET /api/collectors), null when it has none; absent where backfill is not wired. */
  backfill?: (collectorId: string) => BackfillStatus | null;
  evaluation: EvaluationReader;
  /** Database liveness for /readyz: throws when the database cannot answer or the last write failed (disk full). */
  pingDatabase: () => void;
  /** Told of storage faults a route ran into (disk full), so /readyz reports them; absent in doubles. */
  storageHealth?: { note(err: unknown): void };
  metrics: AppMetrics;
  tokens: TokenVerifier;
  auth: AuthPolicy;
  /** Re-reads the workload file now (POST /api/workload/reload); absent where reloading makes no sense. */
  /** Operational events: the events API and annotations read them; POST /api/events and webhooks write them. */
  events: EventRepository;
  /** The active workload's `operations:` settings (webhook secrets among them), or null before the first valid load. */
  operations: () => OperationsSettings | null;
  /** Calls `fn` when the workload file's reload status changes (a refusal, a success after one); returns the unsubscribe function. */
  onWorkloadStatus?: (fn: () => void) => () => void;
  reloadWorkload?: () => Promise<ReloadAnswer>;
  /** Weekly reports (routes/reports.ts); absent where they are not wired, and the routes answer 503. */
  reports?: ReportsApi;
  /** DORA and design-principle metrics (routes/dora.ts); absent where they are not wired, and the route answers 503. */
  dora?: DoraReader;
  /** Well-Architected reviews (routes/review.ts); absent where they are not wired, and the routes answer 503. */
  review?: ReviewApi;
  /** Notifications and silences (routes/notifications.ts); absent where they are not wired, and the routes answer 503. */
  notifications?: NotificationsApi;
  /** OTLP metrics in (POST /v1/metrics, routes/otlp.ts); absent where it is not wired, and the route answers 503. */
  otlp?: Pick<OtlpReceiver, 'ingest'>;
  log: Logger;
  /** The runtime's one clock: what "now" is for every route, and the stream's timers. */
  clock: Clock;
  version: string;
}

/** The derived DORA metrics: the latest report of the derived-series job, computed now if it has not run yet. */
export interface DoraReader {
  report(): DerivedReport;
}

/** What a workload reload answered (WorkloadManager.reloadSoon). */
export type ReloadAnswer = { applied: boolean; unchanged?: boolean; issues?: Array<{ file: string; line: number; column: number; path: string; message: string }> };
