import type { Logger, Sample } from '../../collectors/types.js';
import { backupDatabase } from './backup.js';
import { openDatabase, type Db } from './db.js';
import { explainOpenError } from './openErrors.js';
import { StorageHealth } from './health.js';
import { ChunkStore } from './chunks.js';
import { HeadCompactor, DEFAULT_HEAD_MAX_ROWS } from './compaction.js';
import { HeadMirror } from './headMirror.js';
import { StoreBounds } from './meta.js';
import { appliedMigrations, findMigrationsDir, migrate, pendingMigrations, type AppliedMigration } from './migrate.js';
import { queryRange } from './query.js';
import {
  applyRetention, DEFAULT_RETENTION, DEFAULT_RETENTION_BATCH_ROWS, type RetentionResult,
} from './retention.js';
import type { HourAggregate } from './rollupCodec.js';
import { RollupStore } from './rollups.js';
import { RunStore, type RunSummary, type RunsBetween } from './runs.js';
import { SampleWriter } from './samples.js';
import { SeriesRegistry } from './series.js';
import { upgradeLayout } from './upgrade.js';
import type {
  BackupProgress, CollectorRunRecord, RangeQuery, RangeResult, RetentionPolicy, Selector, SeriesInfo, StoredRun,
  WorkloadVersionRecord,
} from './types.js';
import { WorkloadVersionStore, type WorkloadVersionSummary } from './workloadVersions.js';

export type * from './types.js';
export { SelectorError, parseSelector, formatSelector } from './selector.js';
export { InvalidSampleError, SeriesLimitError } from './series.js';
export { MAX_POINTS_PER_SERIES, QueryError, RangeTooLargeError } from './query.js';
/** The latest sample timestamp the store holds (2^47 − 1 ms, 6429-10-17): what a chunk's header can carry. */
export { CHUNK_MAX_TS as MAX_SAMPLE_TS } from './chunkCodec.js';
export { MigrationError, type AppliedMigration } from './migrate.js';
export { DatabaseOpenError } from './openErrors.js';
export { StorageHealth, storageFaultCode, type StorageFault } from './health.js';
export type { RetentionResult } from './retention.js';
export type { RunSummary, RunPoint, RunsBetween } from './runs.js';
export type { HourAggregate } from './rollupCodec.js';
export { ROLLUP_SLICE_SERIES } from './rollups.js';
export type { WorkloadVersionSummary } from './workloadVersions.js';

export interface OpenStoreOptions {
  /** SQLite file (created if missing), or ':memory:'. */
  path: string;
  /** Apply pending migrations on open (default true; never with readOnly). */
  migrate?: boolean;
  /**
   * A read-only connection (e.g. a worker thread's): opened with SQLite's read-only flag, so
   * it can never write, with a smaller page cache. Its reads see what the writing process
   * committed; rollups it reads are as fresh as the writer's last updateRollups() (the
   * runtime calls it every 30 s), since bringing them up to date is a write. Every write
   * method throws.
   */
  readOnly?: boolean;
  retention?: Partial<RetentionPolicy>;
  /** The runtime clock's reading (ms epoch), for retention, query source choice and stamps; no default (one clock). */
  now: () => number;
  /** Defaults to the package's migrations/ directory. */
  migrationsDir?: string;
  /** Rows per retention transaction (default 5,000). */
  retentionBatchRows?: number;
  /**
   * Head size (rows) that triggers moving its older half into compressed chunks. Default:
   * 64,000, 32 times the largest batch written since open, or 128 rows per series,
   * whichever is more, so each compaction encodes many samples per series at once.
   */
  headMaxRows?: number;
  /**
   * Head rows per step of a compaction that writes carry out (default COMPACTION_STEP_ROWS:
   * 4,096 copied, 16,384 deleted); tests set it small to take a compaction through many steps.
   */
  compactionStepRows?: { copy: number; drop: number };
  busyTimeoutMs?: number;
  /** Where background upkeep inside the store reports problems (default: silent). */
  log?: Logger;
}

interface Parts {
  bounds: StoreBounds;
  chunks: ChunkStore;
  compactor: HeadCompactor;
  series: SeriesRegistry;
  rollups: RollupStore;
  samples: SampleWriter;
  runs: RunStore;
  versions: WorkloadVersionStore;
}

/**
 * The embedded metrics store. Every write is one transaction; a write that
 * throws leaves nothing of itself behind. One process writes (DESIGN.md);
 * other processes may read and back up.
 */
export class Store {
  readonly db: Db;
  /** Whether writes succeed (disk full, I/O errors): /readyz and the API's 503s read it. */
  readonly health: StorageHealth;
  /** Opened read-only: every write method throws, and reads never update rollups. */
  readonly readOnly: boolean;
  private retention: RetentionPolicy;
  private readonly now: () => number;
  private readonly migrationsDir: string;
  private readonly batchRows: number;
  private readonly headMaxRowsOpt?: number;
  private readonly compactionStepRows?: { copy: number; drop: number };
  private largestBatch = 0;
  private readonly log?: Logger;
  private parts?: Parts;

  constructor(opts: OpenStoreOptions) {
    this.retention = { ...DEFAULT_RETENTION };
    if (opts.retention) this.setRetention(opts.retention);
    if (typeof opts.now !== 'function') throw new TypeError('openStore: now is required (the runtime clock\'s reading, e.g. () => clock.now())');
    this.now = opts.now;
    this.migrationsDir = opts.migrationsDir ?? findMigrationsDir();
    this.batchRows = Math.max(1, Math.floor(opts.retentionBatchRows ?? DEFAULT_RETENTION_BATCH_ROWS));
    if (opts.headMaxRows !== undefined) this.headMaxRowsOpt = Math.max(2, Math.floor(opts.headMaxRows));
    if (opts.compactionStepRows !== undefined) this.compactionStepRows = opts.compactionStepRows;
    this.log = opts.log;
    this.readOnly = opts.readOnly ?? false;
    this.db = openDatabase(opts.path, { busyTimeoutMs: opts.busyTimeoutMs, readOnly: this.readOnly });
    this.health = new StorageHealth(this.now);
  }

  /**
   * Proves the file can be written (a header write inside a transaction, rolled back): SQLite
   * opens a file it may not write read-only without a word, and every run would then fail.
   * Throws DatabaseOpenError naming the file and what to do.
   */
  assertWritable(file: string): void {
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const v = this.db.pragma('user_version', { simple: true }) as number;
        this.db.pragma(`user_version = ${Math.floor(v)}`);
      } finally {
        this.db.exec('ROLLBACK');
      }
    } catch (err) {
      throw explainOpenError(file, err) ?? err;
    }
  }

  /** Applies pending migrations; returns the file names applied now. */
  migrate(): string[] {
    if (this.parts) {
      if (this.pendingMigrations().length === 0) return [];
      throw new Error('migrate() must run before the store is first used');
    }
    this.assertWriter('migrate');
    return migrate(this.db, this.migrationsDir, this.now);
  }

  appliedMigrations(): AppliedMigration[] {
    return appliedMigrations(this.db);
  }

  pendingMigrations(): string[] {
    return pendingMigrations(this.db, this.migrationsDir);
  }

  /** Finishes a compaction under way and flushes rollups, so the next open has nothing to recover, then closes. Idempotent. */
  close(): void {
    if (!this.db.open) return;
    try {
      if (this.parts && !this.readOnly) this.parts.compactor.finish();
      if (this.parts && !this.readOnly && !this.parts.rollups.clean) this.parts.rollups.update();
    } finally {
      this.db.close();
    }
  }

  /**
   * Writes samples in one transaction; returns how many were accepted. `alsoInTransaction`
   * runs in the same transaction after the samples (e.g. recording how far a backfill got),
   * so both are stored or neither is.
   */
  writeSamples(samples: readonly Sample[], alsoInTransaction?: () => void): number {
    const p = this.p();
    const history = historyEnd(samples);
    if (history !== undefined) {
      // History (an import, a backfill): it goes straight into chunks, grouped per series,
      // instead of through the head; the head keeps only what is newer than the batch.
      this.compactHeadBefore(history);
    } else {
      this.largestBatch = Math.max(this.largestBatch, samples.length);
    }
    return this.write(() => {
      const n = p.samples.write(samples);
      alsoInTransaction?.();
      return n;
    });
  }

  /**
   * Writes a run's samples and its run row in one transaction: both or neither. With
   * `seriesLimit` (> 0), a run that would take the store past that many series throws
   * SeriesLimitError and writes nothing.
   */
  recordRun(run: CollectorRunRecord, samples: readonly Sample[], options: { seriesLimit?: number } = {}): StoredRun {
    const p = this.p();
    this.largestBatch = Math.max(this.largestBatch, samples.length);
    p.series.limit = options.seriesLimit ?? 0;
    try {
      return this.write(() => {
        p.samples.write(samples);
        return p.runs.insert(run);
      });
    } finally {
      p.series.limit = 0;
    }
  }

  /** How many series the store holds. */
  seriesCount(): number {
    return this.p().series.count;
  }

  /**
   * Moves the older half of the head into `samples` now, all at once (a compaction that
   * writes began is finished first). Writes do this on their own, a step per write, once the
   * head holds headMaxRows rows; callers need it only to shrink the head on purpose (tests, a
   * bulk import).
   */
  compactHead(keepRows = Math.floor(this.headMaxRows() / 2)): { moved: number } {
    const p = this.p();
    this.assertWriter('compactHead');
    const r = p.compactor.compact(keepRows);
    p.samples.headRows = r.headRows;
    return { moved: r.moved };
  }

  /**
   * One step of a compaction that writes began (see HeadCompactor), none when there is none;
   * `done` when no compaction is under way any more. For upkeep that must not find one half
   * done but should not finish it in one piece either (retention, on the HTTP thread).
   */
  compactHeadStep(): { done: boolean } {
    const p = this.p();
    this.assertWriter('compactHeadStep');
    if (!p.compactor.busy) return { done: true };
    const r = p.compactor.step(0, this.compactionStepRows);
    if (r.headRows !== undefined) p.samples.headRows = r.headRows;
    return { done: r.done };
  }

  /**
   * Prepares a bulk write of samples older than `ts` (a backfill): head rows older than `ts`
   * move into `samples` now and the head starts at `ts`, so the bulk rows go straight into
   * `samples`, clustered by series, instead of through the head and a compaction each.
   */
  compactHeadBefore(ts: number): { moved: number } {
    const p = this.p();
    this.assertWriter('compactHeadBefore');
    const r = p.compactor.compactBefore(ts);
    p.samples.headRows = r.headRows;
    return { moved: r.moved };
  }

  /** Brings hourly rollups up to date with what was written since the last call. */
  updateRollups(): { seriesDays: number } {
    const p = this.p();
    this.assertWriter('updateRollups');
    return p.rollups.update();
  }

  /**
   * updateRollups() in steps of at most `maxSeries` series, one transaction each, so the
   * writing thread can serve between them; `done` when nothing is left. See RollupStore.updateSlice.
   */
  updateRollupsSlice(maxSeries: number): { done: boolean; seriesDays: number } {
    const p = this.p();
    this.assertWriter('updateRollupsSlice');
    return p.rollups.updateSlice(maxSeries);
  }

  findSeries(selector: Selector, limit?: number): SeriesInfo[] {
    return this.p().series.find(selector, limit);
  }

  getSeries(id: number): SeriesInfo | undefined {
    return this.p().series.get(id);
  }

  /** Points of every matching series, bucketed to q.step; see query.ts for the bucket contract. */
  querySeries(selector: Selector, q: RangeQuery): RangeResult {
    const p = this.p();
    p.bounds.refresh(); // another process may have moved the head/samples split
    return queryRange({ ...p, now: this.now, rawRetentionMs: this.retention.rawMs, updateRollups: !this.readOnly }, selector, q);
  }

  /** Raw samples of one series with from <= ts <= to, oldest first; NaN as stored. */
  rawPoints(seriesId: number, from: number, to: number): Array<[number, number]> {
    const p = this.p();
    p.bounds.refresh();
    return p.samples.rawPoints(seriesId, from, to);
  }

  /**
   * When the stored history of one series begins: its oldest raw sample, or the start of its
   * oldest hourly rollup when that hour is older (raw samples beyond retention are gone).
   * Undefined for a series with no sample. NaN (staleness markers) is not data.
   */
  firstSampleAt(seriesId: number): number | undefined {
    const p = this.p();
    p.bounds.refresh();
    return firstOf(p.samples.firstRawTs(seriesId), p.rollups.firstHour(seriesId));
  }

  latestSample(seriesId: number): { ts: number; value: number } | undefined {
    const p = this.p();
    p.bounds.refresh();
    return p.samples.latestSample(seriesId);
  }

  /**
   * The oldest data of any series matching `selector`: the first raw sample's ts, or, for
   * data kept only as hourly rollups, the start of its first hour. Undefined when none.
   */
  firstDataTs(selector: Selector): number | undefined {
    const p = this.p();
    p.bounds.refresh();
    let first: number | undefined;
    for (const s of p.series.find(selector)) {
      const ts = firstOf(p.samples.firstTs(s.id), p.rollups.firstHour(s.id));
      if (ts !== undefined && (first === undefined || ts < first)) first = ts;
    }
    return first;
  }

  /**
   * Hourly aggregates of one series whose hour start lies in [from, to]. A writing store brings
   * rollups up to date first; a read-only one reads them as the writer last updated them.
   */
  rollupHours(seriesId: number, from: number, to: number): HourAggregate[] {
    const p = this.p();
    if (!this.readOnly) p.rollups.update();
    return p.rollups.hours(seriesId, from, to);
  }

  /** Changes the retention bounds (e.g. after a workload reload); applied by the next applyRetention(). */
  setRetention(policy: Partial<RetentionPolicy>): void {
    const next = { ...this.retention, ...policy };
    if (!(next.rawMs > 0) || !(next.hourlyMs > 0)) throw new RangeError('retention: rawMs and hourlyMs must be positive');
    this.retention = next;
  }

  retentionPolicy(): RetentionPolicy {
    return { ...this.retention };
  }

  applyRetention(now: number = this.now()): RetentionResult {
    const p = this.p();
    this.assertWriter('applyRetention');
    p.compactor.finish(); // retention deletes head rows and chunks by time: not beside a half-done move
    return applyRetention(
      {
        db: this.db, series: p.series, rollups: p.rollups, bounds: p.bounds, policy: this.retention, batchRows: this.batchRows,
        forgetRaw: (ids) => p.samples.forget(ids),
      },
      now,
    );
  }

  backup(destFile: string, onProgress?: (p: BackupProgress) => void): Promise<void> {
    return backupDatabase(this.db, destFile, onProgress);
  }

  listRuns(opts: { collectorId?: string; limit?: number } = {}): StoredRun[] {
    return this.p().runs.list(opts);
  }

  /** One collector's runs in [from, to) and its failure streak before `from` (RunStore.between). */
  collectorRunsBetween(collectorId: string, from: number, to: number, streakCap: number): RunsBetween {
    return this.p().runs.between(collectorId, from, to, streakCap);
  }

  runSummaries(): Map<string, RunSummary> {
    return this.p().runs.summaries();
  }

  saveWorkloadVersion(v: { hash: string; path: string; source: string; appliedAt: number }): WorkloadVersionRecord {
    return this.p().versions.save(v);
  }

  listWorkloadVersions(limit?: number): WorkloadVersionSummary[] {
    return this.p().versions.list(limit);
  }

  getWorkloadVersion(id: number): WorkloadVersionRecord | undefined {
    return this.p().versions.get(id);
  }

  /** Feature modules are built on first use, after migrations, since they prepare statements. */
  private p(): Parts {
    if (this.parts) return this.parts;
    if (!this.db.open) throw new Error('the store is closed');
    const bounds = new StoreBounds(this.db);
    const series = new SeriesRegistry(this.db);
    // rollups read raw through the sample module, which in turn marks rollups dirty
    let samples: SampleWriter | undefined;
    const rollups = new RollupStore(this.db, bounds, (sid, from, to) => samples!.rows(sid, from, to));
    const chunks = new ChunkStore(this.db);
    if (!this.readOnly) upgradeLayout(this.db, chunks, this.log);
    const head = new HeadMirror(this.db, bounds);
    samples = new SampleWriter(this.db, series, rollups, bounds, chunks, head);
    this.parts = {
      bounds,
      chunks,
      compactor: new HeadCompactor(this.db, bounds, chunks, head),
      series,
      rollups,
      samples,
      runs: new RunStore(this.db),
      versions: new WorkloadVersionStore(this.db),
    };
    return this.parts;
  }

  private headMaxRows(): number {
    return this.headMaxRowsOpt ?? Math.max(DEFAULT_HEAD_MAX_ROWS, 32 * this.largestBatch, 128 * this.p().series.count);
  }

  private assertWriter(what: string): void {
    if (this.readOnly) throw new Error(`${what}: the store was opened read-only`);
  }

  private write<T>(fn: () => T): T {
    this.assertWriter('write');
    const { series, samples, rollups } = this.p();
    let out: T;
    try {
      out = this.health.observe(() => this.db.transaction(fn).immediate());
      series.commit();
      rollups.endTransaction(true);
      samples.endTransaction(true);
    } catch (err) {
      series.discard();
      rollups.endTransaction(false);
      samples.endTransaction(false);
      throw err;
    }
    // After the commit, in its own transaction. The caller's data is already safe,
    // so a failed compaction must not fail the write: it is retried on the next one.
    // One step per write (HeadCompactor.step): a compaction of thousands of series is spread
    // over the next writes instead of holding this thread for all of it.
    const { compactor } = this.p();
    if (compactor.busy || samples.headRows >= this.headMaxRows()) {
      try {
        const r = compactor.step(Math.floor(this.headMaxRows() / 2), this.compactionStepRows);
        if (r.headRows !== undefined) samples.headRows = r.headRows;
      } catch (err) {
        this.log?.warn('store: moving the sample head into samples failed; will retry', { error: (err as Error).message });
      }
    }
    return out;
  }
}

/**
 * When a series' data begins, from its oldest raw sample and its oldest rollup hour. A rollup
 * hour's start is not a sample's time (the hour of a sample at 22:49 starts at 22:00), so it
 * counts only for an hour older than the raw sample's, whose raw retention deleted.
 */
function firstOf(raw: number | undefined, hour: number | undefined): number | undefined {
  if (hour === undefined) return raw;
  if (raw === undefined) return hour;
  return hour < Math.floor(raw / 3_600_000) * 3_600_000 ? hour : raw;
}

/**
 * Opens (and by default migrates) the store at opts.path. A file that cannot be used (corrupt,
 * not SQLite, read-only) throws DatabaseOpenError, whose message names it and what to do.
 */
/** A batch this big that spans this long is history (an import), not a collector's run. */
const HISTORY_MIN_SAMPLES = 1024;
const HISTORY_MIN_SPAN_MS = 3_600_000;

/**
 * For a batch of history — at least 1,024 samples spanning at least an hour (a collector's
 * run holds one scrape, or a few) — the ts just after its newest sample; otherwise undefined.
 */
export function historyEnd(samples: readonly Sample[]): number | undefined {
  if (samples.length < HISTORY_MIN_SAMPLES) return undefined;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < samples.length; i++) {
    const ts = samples[i]!.ts;
    if (!Number.isSafeInteger(ts)) return undefined; // the write names the bad sample
    if (ts < min) min = ts;
    if (ts > max) max = ts;
  }
  return max - min >= HISTORY_MIN_SPAN_MS ? max + 1 : undefined;
}

export function openStore(opts: OpenStoreOptions): Store {
  let store: Store;
  try {
    store = new Store(opts);
  } catch (err) {
    throw explainOpenError(opts.path, err) ?? err;
  }
  try {
    if (!store.readOnly && (opts.migrate ?? true)) {
      store.migrate();
      // Converts a database of the previous layout now (upgrade.ts), so that a read-only
      // connection opened after this one returns (a worker's) finds every sample in place.
      // (Only with the package's own migrations: a test's partial set lacks the tables.)
      if (opts.migrationsDir === undefined) store.seriesCount();
    }
  } catch (err) {
    store.db.close();
    throw explainOpenError(opts.path, err) ?? err;
  }
  return store;
}
