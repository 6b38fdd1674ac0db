import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '../../collectors/types.js';
import type { Clock } from '../clock.js';
import type { EvaluationSnapshot, HistoryPoints, WorkloadEvaluationSpec } from '../evaluation/index.js';
import type { CollectorStatus } from '../scheduler/types.js';
import { ROLLUP_SLICE_SERIES, type PointAggregation, type RangeQuery, type Selector, type Store } from '../store/index.js';
import { WorkerPool, type PoolStats } from './pool.js';
import type { ReadWorkerData } from './serve-reads.js';
import type { BodyEncoding, BuiltBody, QueryAnswer, ReadTask } from './tasks.js';

/** The reads the API hands off its HTTP thread (AppDeps.offThread). */
export interface OffThreadReads {
  /** `/api/series`: the body for series matching `selector`, at most `limit` (+ truncated). */
  seriesList(selector: Selector, limit: number, encoding: BodyEncoding): Promise<BuiltBody>;
  /** `/api/series/query`: the body, or tooManySeries when the selector matches more than `limit`. */
  seriesQuery(q: { selector: Selector; range: RangeQuery; aggregation: PointAggregation; limit: number }, encoding: BodyEncoding): Promise<QueryAnswer>;
  /** An indicator's, outcome's or pillar's history series (evaluation/history.ts readHistory). */
  history(selector: Selector, range: RangeQuery): Promise<HistoryPoints>;
  /**
   * Rollups brought up to date on the writer a slice at a time, the loop turning between slices:
   * what each read above does first, for a read the HTTP thread answers itself.
   */
  freshRollups(): Promise<void>;
}

/** Threads by default: one per CPU, at least 1 and at most 4 (SQLite reads scale with cores; more only costs memory). */
export function defaultReadWorkers(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

export interface ReadWorkersOptions {
  dbPath: string;
  /** The writer's store: rollups are brought up to date there before a read that may need them, and retention read from it. */
  store: Pick<Store, 'updateRollupsSlice' | 'retentionPolicy'>;
  clock: Clock;
  log: Logger;
  /** Threads (default defaultReadWorkers()). */
  size?: number;
  /** Requests waiting for a thread beyond which the API answers 503 server-busy (default 64). */
  maxQueue?: number;
  /** A read running longer is stopped and answered 503 read-timeout (default 60 s). */
  timeoutMs?: number;
  /** The worker module (default read-worker); tests pass one that can crash or block on demand. */
  file?: string;
  /** A worker whose heap exceeds this after a read is ended after `fatIdleMs` idle (default 48 MB, 10 s). */
  fatHeapBytes?: number;
  fatIdleMs?: number;
  /**
   * The workers' nice value (default 10; 0: the HTTP thread's own priority): above 0 the HTTP
   * thread is scheduled first when both want a CPU (server/workers/priority.ts).
   */
  nice?: number;
}

/**
 * Range queries, series scans, history reads and evaluation passes on worker threads, each with
 * its own read-only connection (server/workers/read-worker.ts). The main thread stays the only
 * writer: before each task it brings rollups up to date (a write the workers must not do), so a
 * worker reads rollups at least as fresh as the moment the task was asked for. It does so in
 * slices with the event loop turning between them (Store.updateRollupsSlice): after an
 * evaluation pass's ~1,650 history samples the catch-up is 90–350 ms of work, which held the
 * HTTP thread in one piece before the next query or pass.
 */
export class ReadWorkers implements OffThreadReads {
  private readonly pool: WorkerPool;

  constructor(private readonly opts: ReadWorkersOptions) {
    const data: ReadWorkerData = { dbPath: path.resolve(opts.dbPath), nice: opts.nice ?? 10 };
    this.pool = new WorkerPool({
      file: opts.file ?? path.join(__dirname, `read-worker${path.extname(__filename)}`),
      workerData: data,
      size: opts.size ?? defaultReadWorkers(),
      maxQueue: opts.maxQueue ?? 64,
      timeoutMs: opts.timeoutMs ?? 60_000,
      clock: opts.clock,
      log: opts.log,
      // A worker that answered a big read keeps tens of MB of heap (measured: 2 workers after
      // the loop bench's queries, 257 MB RSS; 10 s later, ended, 114 MB).
      fatHeapBytes: opts.fatHeapBytes ?? 48 * 1024 * 1024,
      fatIdleMs: opts.fatIdleMs ?? 10_000,
    });
  }

  seriesList(selector: Selector, limit: number, encoding: BodyEncoding): Promise<BuiltBody> {
    return this.run({ kind: 'series', selector, limit, encoding, ...this.common() });
  }

  async seriesQuery(q: { selector: Selector; range: RangeQuery; aggregation: PointAggregation; limit: number }, encoding: BodyEncoding): Promise<QueryAnswer> {
    await this.freshRollups();
    return this.run({ kind: 'query', ...q, encoding, ...this.common() });
  }

  async history(selector: Selector, range: RangeQuery): Promise<HistoryPoints> {
    await this.freshRollups();
    return this.run({ kind: 'history', selector, range, ...this.common() });
  }

  /**
   * One evaluation pass's computation (evaluateWorkload) at `now`, ahead of queued reads. The
   * missing-data hints are resolved here, for every metric the spec names, since a function
   * cannot cross to a thread.
   */
  async evaluate(spec: WorkloadEvaluationSpec, collectors: CollectorStatus[], now: number, hints: Record<string, string>): Promise<EvaluationSnapshot> {
    await this.freshRollups();
    return this.run({ kind: 'evaluate', spec, collectors, hints, now, retention: this.opts.store.retentionPolicy() }, true);
  }

  /** New workers for the next reads: call after retention deleted series (a worker caches series by id, and ids can be reused). */
  recycle(): void {
    this.pool.recycle();
  }

  stats(): PoolStats {
    return this.pool.stats();
  }

  /** Refuses what waits and stops the threads (shutdown). */
  close(): Promise<void> {
    return this.pool.close();
  }

  /** Rollups up to date, a slice at a time (concurrent callers advance the same update). */
  async freshRollups(): Promise<void> {
    while (!this.opts.store.updateRollupsSlice(ROLLUP_SLICE_SERIES).done) await new Promise((r) => setImmediate(r));
  }

  private common() {
    return { now: this.opts.clock.now(), retention: this.opts.store.retentionPolicy() };
  }

  private run<T>(task: ReadTask, urgent = false): Promise<T> {
    return this.pool.run<T>(task, { urgent });
  }
}
