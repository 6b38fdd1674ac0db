import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../../collectors/types.js';
import type { WorkloadVersionRecord } from '../store/types.js';
import type { Env } from './env.js';
import { formatIssue, WorkloadInvalidError, type WorkloadIssue } from '../validation/issues.js';
import { hashWorkloadText, loadWorkloadText, readWorkloadText, type LoadResult } from './load.js';
import type { Path } from '../validation/path.js';
import type { Workload } from './schema.js';
import type { CollectorRegistry } from './sections/collectors.js';
import type { Cancel, Clock } from '../clock.js';

/** Where applied versions are recorded synchronously: the SQLite Store implements it, tests pass a double. */
export interface WorkloadVersionSink {
  saveWorkloadVersion(version: { hash: string; path: string; source: string; appliedAt: number }): WorkloadVersionRecord;
}

/** The same, asynchronously: MetricStore on either backend (issue 14). */
export interface AsyncWorkloadVersionSink {
  saveWorkloadVersion(version: { hash: string; path: string; source: string; appliedAt: number }): Promise<WorkloadVersionRecord>;
}

export interface ActiveWorkload {
  workload: Workload;
  /** sha256 hex of the file text this workload was read from. */
  hash: string;
  /** The id `saveWorkloadVersion` returned for this version. */
  versionId: number;
  /** ms epoch */
  appliedAt: number;
  secretPaths: Path[];
}

export type ReloadReason = 'file' | 'signal' | 'api';

export interface ReloadResult {
  applied: boolean;
  /** Why the new version was refused; the previous one stays active. */
  issues?: WorkloadIssue[];
  /** The file's text has the hash of the active version: nothing to do. */
  unchanged?: boolean;
}

/**
 * How the last loads and reloads went, as Prometheus reports its own configuration reloads
 * (`…_last_reload_successful`, `…_last_reload_success_timestamp_seconds`). A new object
 * whenever it changes, so readers may compare by identity.
 */
export interface ReloadStatus {
  /** The latest attempt applied a version or found the file unchanged (the active version is the file). */
  lastSuccessful: boolean;
  /** ms epoch of the latest successful attempt (the first load included). */
  lastSuccessAt: number;
  /** ms epoch of the latest attempt, successful or not. */
  lastAttemptAt: number;
  /** The latest refused attempt, while no successful one has followed it; null otherwise. */
  refused: { at: number; reason: ReloadReason; issues: WorkloadIssue[] } | null;
}

export interface WorkloadManagerEvents {
  /** A valid, changed version became active. */
  applied: [next: ActiveWorkload, previous: ActiveWorkload];
  /** A reload found an invalid file and kept the active version. */
  refused: [issues: WorkloadIssue[], reason: ReloadReason];
  /** The reload status changed (a refusal, or a success after one). */
  status: [status: ReloadStatus];
}

export interface WorkloadManagerOptions {
  path: string;
  registry: CollectorRegistry;
  env: Env;
  /** Synchronous version store: what load() and reload() need (Runtime.load() is synchronous). */
  versions?: WorkloadVersionSink;
  /**
   * Asynchronous version store (either backend): loadSoon() and reloadSoon() save through it
   * when given (else through `versions`). At least one of the two is required.
   */
  versionRepository?: AsyncWorkloadVersionSink;
  log: Logger;
  /** Reload when the file changes on disk (default true). Watching starts with `load()`. */
  watch?: boolean;
  /** Quiet time after the last change event before reloading (default 250 ms): editors write in several steps. */
  debounceMs?: number;
  /** Clock for `appliedAt` and the reload debounce (created once by the runtime). */
  clock: Clock;
}

/**
 * Owns the active workload: loads it once, then applies valid changes and
 * refuses invalid ones, so a typo never takes collection down.
 *
 * Contract:
 * - `load()` is the first load; it throws WorkloadInvalidError when the file is invalid.
 * - `reload()` is synchronous and never throws for a bad file: it returns the issues,
 *   logs each one, emits 'refused' and keeps the active version. It throws only when
 *   the version store fails, and then applies nothing.
 * - Every applied version, the first included, is saved through `versions`
 *   before it becomes active; 'applied' is emitted for changes after the first.
 * - A file whose text hashes to the active version is 'unchanged': no event, no save.
 * - Listeners run synchronously inside `reload()`; an exception in one propagates
 *   to the caller after the new version is already active.
 * - `loadSoon()` and `reloadSoon()` are the same with the save awaited (`versionRepository`,
 *   e.g. PostgreSQL); reloads through them run one at a time, in the order asked.
 */
export class WorkloadManager extends EventEmitter<WorkloadManagerEvents> {
  private active: ActiveWorkload | undefined;
  private status: ReloadStatus | undefined;
  private watcher: FSWatcher | undefined;
  private cancelTimer: Cancel | undefined;
  private closed = false;
  private readonly log: Logger;
  private readonly clock: Clock;
  /** The reloadSoon() in flight (reloads through it run one after another). */
  private reloading: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: WorkloadManagerOptions) {
    super();
    if (!opts.versions && !opts.versionRepository) throw new TypeError('WorkloadManager: versions or versionRepository is required');
    this.log = opts.log.child({ component: 'workload', file: opts.path });
    this.clock = opts.clock;
  }

  load(): Workload {
    const result = this.beginLoad();
    try {
      return this.finishLoad(result, this.saveSync(result));
    } catch (err) {
      this.stopWatching();
      throw err;
    }
  }

  /** load() with the version saved through the asynchronous store. */
  async loadSoon(): Promise<Workload> {
    const result = this.beginLoad();
    try {
      return this.finishLoad(result, await this.saveAsync(result));
    } catch (err) {
      this.stopWatching();
      throw err;
    }
  }

  /** Reads and validates the file for the first load (throws WorkloadInvalidError); starts watching. */
  private beginLoad(): Extract<LoadResult, { ok: true }> {
    if (this.active) throw new Error('workload already loaded; use reload()');
    // Watch before reading, so an edit made while loading is not missed; the
    // debounced reload runs after this synchronous method has returned.
    if ((this.opts.watch ?? true) && !this.closed) this.startWatching();
    try {
      const text = readWorkloadText(this.opts.path);
      const result = typeof text === 'string' ? this.validate(text) : { ok: false as const, errors: [text] };
      if (!result.ok) throw new WorkloadInvalidError(result.errors);
      return result;
    } catch (err) {
      this.stopWatching();
      throw err;
    }
  }

  private finishLoad(result: Extract<LoadResult, { ok: true }>, saved: Saved): Workload {
    if (this.active) throw new Error('workload already loaded; use reload()');
    this.active = this.activate(result, saved);
    this.status = { lastSuccessful: true, lastSuccessAt: this.active.appliedAt, lastAttemptAt: this.active.appliedAt, refused: null };
    this.log.info('workload loaded', { hash: result.hash.slice(0, 12), versionId: this.active.versionId });
    return result.workload;
  }

  reload(reason: ReloadReason): ReloadResult {
    const step = this.beginReload(reason);
    return 'answer' in step ? step.answer : this.finishReload(reason, step.result, this.saveSync(step.result), step.previous);
  }

  /** reload() with the version saved through the asynchronous store; reloads through it run one at a time. */
  reloadSoon(reason: ReloadReason): Promise<ReloadResult> {
    const run = this.reloading.then(async () => {
      const step = this.beginReload(reason);
      if ('answer' in step) return step.answer;
      const saved = await this.saveAsync(step.result);
      if (this.active !== step.previous) throw new Error('the workload changed while its new version was being saved; reload again');
      return this.finishReload(reason, step.result, saved, step.previous);
    });
    this.reloading = run.catch(() => undefined);
    return run;
  }

  /** Reads and validates the file for a reload: the answer when there is nothing to save, else the valid result. */
  private beginReload(reason: ReloadReason): { answer: ReloadResult } | { result: Extract<LoadResult, { ok: true }>; previous: ActiveWorkload } {
    const previous = this.active;
    if (!previous) throw new Error('workload not loaded yet; call load() first');
    const text = readWorkloadText(this.opts.path);
    if (typeof text === 'string' && hashWorkloadText(text) === previous.hash) {
      this.log.debug('workload unchanged', { reason });
      // The file is the active version again (an edit undone): a success, clearing a refusal.
      this.succeeded(this.clock.now());
      return { answer: { applied: false, unchanged: true } };
    }
    const result = typeof text === 'string' ? this.validate(text) : { ok: false as const, errors: [text] };
    if (!result.ok) {
      this.log.error('workload change refused; keeping the active version', {
        reason,
        issues: result.errors.length,
        activeHash: previous.hash.slice(0, 12),
      });
      for (const issue of result.errors) this.log.error(formatIssue(issue), { reason });
      const at = this.clock.now();
      this.setStatus({ ...this.status!, lastSuccessful: false, lastAttemptAt: at, refused: { at, reason, issues: result.errors } });
      this.emit('refused', result.errors, reason);
      return { answer: { applied: false, issues: result.errors } };
    }
    return { result, previous };
  }

  private finishReload(reason: ReloadReason, result: Extract<LoadResult, { ok: true }>, saved: Saved, previous: ActiveWorkload): ReloadResult {
    const next = this.activate(result, saved);
    this.active = next;
    this.succeeded(next.appliedAt);
    this.log.info('workload applied', { reason, hash: next.hash.slice(0, 12), versionId: next.versionId });
    this.emit('applied', next, previous);
    return { applied: true };
  }

  /** The active workload, or undefined before a successful `load()`. */
  current(): ActiveWorkload | undefined {
    return this.active;
  }

  /** How the last loads and reloads went; undefined before a successful `load()`. */
  reloadStatus(): ReloadStatus | undefined {
    return this.status;
  }

  private succeeded(at: number): void {
    const wasRefused = this.status?.refused != null;
    this.status = { lastSuccessful: true, lastSuccessAt: at, lastAttemptAt: at, refused: null };
    if (wasRefused) this.emit('status', this.status);
  }

  private setStatus(status: ReloadStatus): void {
    this.status = status;
    this.emit('status', status);
  }

  /** Stops watching the file. `reload()` still works (e.g. on SIGHUP). */
  close(): void {
    this.closed = true;
    this.stopWatching();
  }

  private stopWatching(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }

  private validate(text: string): LoadResult {
    return loadWorkloadText(text, { file: this.opts.path, registry: this.opts.registry, env: this.opts.env });
  }

  private versionOf(result: Extract<LoadResult, { ok: true }>) {
    return { hash: result.hash, path: this.opts.path, source: result.source, appliedAt: this.clock.now() };
  }

  private saveSync(result: Extract<LoadResult, { ok: true }>): Saved {
    if (!this.opts.versions) throw new Error('load() and reload() save synchronously and need `versions` (the SQLite store); use loadSoon() and reloadSoon()');
    const v = this.versionOf(result);
    return { id: this.opts.versions.saveWorkloadVersion(v).id, appliedAt: v.appliedAt };
  }

  private async saveAsync(result: Extract<LoadResult, { ok: true }>): Promise<Saved> {
    const v = this.versionOf(result);
    const saved = this.opts.versionRepository ? await this.opts.versionRepository.saveWorkloadVersion(v) : this.opts.versions!.saveWorkloadVersion(v);
    return { id: saved.id, appliedAt: v.appliedAt };
  }

  private activate(result: Extract<LoadResult, { ok: true }>, saved: Saved): ActiveWorkload {
    return { workload: result.workload, hash: result.hash, versionId: saved.id, appliedAt: saved.appliedAt, secretPaths: result.secretPaths };
  }

  /**
   * Watches the directory, not the file: editors and config management save
   * by writing a new file and renaming it over the old one, which replaces
   * the inode a file watch would follow. Events for other names are ignored.
   */
  private startWatching(): void {
    const name = basename(this.opts.path);
    try {
      this.watcher = watch(dirname(this.opts.path), { persistent: false }, (_event, filename) => {
        if (filename !== null && filename.toString() !== name) return;
        this.schedule();
      });
    } catch (err) {
      this.log.warn('cannot watch the workload file; reload with SIGHUP instead', { error: (err as Error).message });
      return;
    }
    this.watcher.on('error', (err) =>
      this.log.warn('watching the workload file failed; reload with SIGHUP instead', { error: err.message }),
    );
  }

  private schedule(): void {
    if (this.closed || !this.watcher) return;
    this.cancelTimer?.();
    this.cancelTimer = this.clock.setTimeout(() => {
      this.cancelTimer = undefined;
      if (this.closed || !this.active) return;
      try {
        this.reload('file');
      } catch (err) {
        this.log.error('workload reload failed', { error: (err as Error).message });
      }
    }, this.opts.debounceMs ?? 250);
  }
}

/** What saving a version answered: its id, and when it was applied. */
interface Saved {
  id: number;
  appliedAt: number;
}
