import { EventEmitter } from 'node:events';
import type { Logger } from '../../collectors/types.js';
import type { CollectorStatus } from '../scheduler/types.js';
import { storeSeriesData, type SeriesData } from './data.js';
import { evaluateWorkload, type WorkloadEvaluationSpec } from './engine.js';
import type { EvaluationHistory } from './history.js';
import { historySamples } from './history-series.js';
import type { EvaluationSnapshot } from './snapshot.js';
import { specKey } from './last.js';
import { resolveHints, type MissingDataHint } from './missing.js';
import type { Transition } from './state.js';
import type { EvaluationRepository, StoredEvaluation } from './backend.js';
import type { EvaluationTables, EvaluatorStore, SyncEvaluationTables } from './tables.js';
import type { Clock } from '../clock.js';

export interface EvaluatorOptions {
  /** Samples in and out (the concrete Store implements it). */
  store: EvaluatorStore;
  /**
   * The evaluation's own tables: `evaluationTables(store)` over the SQLite store's database.
   * Timed passes persist through `repository` (awaited); setSpec() and evaluateNow(), which the
   * synchronous Runtime.load() calls, need `sync` (SQLite) until load() is asynchronous.
   */
  tables: EvaluationTables;
  /** The scheduler's view of each collector, for staleness. */
  collectors: () => CollectorStatus[];
  log: Logger;
  /** Time and timers (created once by the runtime). */
  clock: Clock;
  /**
   * Resume the stored snapshot at the first setSpec (a restart) instead of evaluating at once,
   * when it is of the same spec and at most RESUME_WITHIN_INTERVALS intervals old (default true).
   */
  resume?: boolean;
  /** Words for series without a value (the runtime passes the DORA job's); see missing.ts. */
  missingDataHint?: MissingDataHint;
  /**
   * Runs a pass's reading and computing (evaluateWorkload) elsewhere — a worker thread with its
   * own read connection (server/workers) — so timed passes never hold the main thread. Absent:
   * every pass runs on the calling thread.
   */
  offThread?: OffThreadEvaluation;
}

/** evaluateWorkload(spec, …) at `now`, with the collectors' status and the missing-data hints as plain data. */
export type OffThreadEvaluation = (
  spec: WorkloadEvaluationSpec,
  collectors: CollectorStatus[],
  now: number,
  hints: Record<string, string>,
) => Promise<EvaluationSnapshot>;

/**
 * A stored snapshot is resumed while it is younger than this many evaluation intervals: the
 * API calls a snapshot older than that stale (api/views.ts), so an older one is evaluated anew.
 */
export const RESUME_WITHIN_INTERVALS = 3;

/** Transitions are kept as long as hourly rollups (the score history's own retention); pruned at most hourly. */
const PRUNE_EVERY_MS = 3_600_000;

export interface Evaluator {
  on(event: 'evaluated', listener: (snapshot: EvaluationSnapshot, transitions: Transition[]) => void): this;
  once(event: 'evaluated', listener: (snapshot: EvaluationSnapshot, transitions: Transition[]) => void): this;
  off(event: 'evaluated', listener: (snapshot: EvaluationSnapshot, transitions: Transition[]) => void): this;
  emit(event: 'evaluated', snapshot: EvaluationSnapshot, transitions: Transition[]): boolean;
}

/**
 * The evaluation loop. `setSpec` (on every workload load or reload) evaluates at once;
 * `start` then evaluates every `settings.intervalMs`, measured from the end of the previous
 * pass, so passes never overlap (a listener that calls evaluateNow during 'evaluated' is
 * refused). With `offThread`, timed passes (and evaluateSoon) read and compute on a worker
 * thread and only apply here; setSpec and evaluateNow still run on the calling thread. After
 * each pass:
 * 1. status transitions are persisted against the stored state (one transaction);
 * 2. the numbers are written as history samples (one transaction, history-series.ts);
 * 3. 'evaluated' is emitted with the snapshot and the transitions written.
 * A persistence failure is logged and does not withhold the snapshot: the dashboard should
 * show the present even when the disk is full. A listener that throws is logged, not fatal.
 */
export class Evaluator extends EventEmitter {
  readonly history: EvaluationHistory;
  private readonly store: EvaluatorStore;
  private readonly data: SeriesData;
  private readonly repository: EvaluationRepository;
  private readonly sync: SyncEvaluationTables | undefined;
  private resume: boolean;
  private specKey = '';
  /** When a resumed snapshot's next pass is due (ms epoch); null once a pass has run. */
  private resumedNextAt: number | null = null;
  private readonly collectors: () => CollectorStatus[];
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly missingDataHint: MissingDataHint | undefined;
  private spec: WorkloadEvaluationSpec | null = null;
  private last: EvaluationSnapshot | null = null;
  private running = false;
  private evaluating = false;
  private cancel: (() => void) | undefined;
  private prunedAt = Number.NEGATIVE_INFINITY;
  private readonly offThread: OffThreadEvaluation | undefined;
  /** The pass running off the main thread, and whether another was asked for meanwhile. */
  private pass: Promise<EvaluationSnapshot | null> | null = null;
  private again = false;
  /** Set by stop(): a pass that answers afterwards is dropped (the store may be closing). */
  private stopped = false;

  constructor(opts: EvaluatorOptions) {
    super();
    this.store = opts.store;
    this.data = storeSeriesData(opts.store);
    this.repository = opts.tables.repository;
    this.sync = opts.tables.sync;
    this.resume = opts.resume ?? true;
    this.history = opts.tables.history;
    this.collectors = opts.collectors;
    this.log = opts.log;
    this.clock = opts.clock;
    this.missingDataHint = opts.missingDataHint;
    this.offThread = opts.offThread;
  }

  /**
   * Replaces the indicators, outcomes and settings (workload load or reload) and evaluates at
   * once. Indicators no longer declared vanish from the next snapshot, and their stored state
   * is deleted (their transitions remain, as history).
   *
   * The first call after start resumes the stored snapshot instead, when it was evaluated from
   * the same spec less than RESUME_WITHIN_INTERVALS intervals ago: a restart then shows what
   * was shown before it (nothing turns no_data or stale because the process restarted), and
   * the next pass comes when the previous process would have run it (or earlier, when the
   * caller evaluates after the collectors' first runs). It emits no 'evaluated': nothing new
   * was evaluated or persisted.
   */
  setSpec(spec: WorkloadEvaluationSpec): EvaluationSnapshot {
    checkInterval(spec);
    const sync = this.syncTables('setSpec');
    this.spec = spec;
    this.specKey = specKey(spec);
    try {
      this.removedDeleted(sync.state.retainOnly(new Set(spec.indicators.map((i) => i.id))));
    } catch (err) {
      this.removedFailed(err);
    }
    let stored: StoredEvaluation | null = null;
    if (this.resume) {
      try {
        stored = sync.last.load();
      } catch (err) {
        this.log.warn('could not read the last evaluation; evaluating anew', { error: message(err) });
      }
    }
    this.resume = false;
    const resumed = this.resumable(spec, stored);
    if (resumed === null) return this.evaluateNow();
    return this.resumeWith(resumed, spec);
  }

  /**
   * setSpec() through the asynchronous tables alone (either backend): the same deletion of
   * removed indicators' state and the same resume rule, awaited; otherwise a pass as
   * evaluateSoon() runs it. Resolves with the snapshot resumed or applied, or null when the
   * pass failed or was superseded (see evaluateSoon).
   */
  async setSpecSoon(spec: WorkloadEvaluationSpec): Promise<EvaluationSnapshot | null> {
    checkInterval(spec);
    this.spec = spec;
    this.specKey = specKey(spec);
    const resume = this.resume;
    this.resume = false;
    const [removed, stored] = await Promise.all([
      this.repository.retainOnly(new Set(spec.indicators.map((i) => i.id))).catch((err: unknown) => this.removedFailed(err)),
      resume
        ? this.repository.loadLast().catch((err: unknown) => {
            this.log.warn('could not read the last evaluation; evaluating anew', { error: message(err) });
            return null;
          })
        : null,
    ]);
    this.removedDeleted(removed ?? 0);
    if (this.spec !== spec) return null;
    const resumed = this.resumable(spec, stored);
    if (resumed === null) return this.evaluateSoon();
    return this.resumeWith(resumed, spec);
  }

  private removedDeleted(count: number): void {
    if (count > 0) this.log.info('evaluation state of removed indicators deleted', { count });
  }

  private removedFailed(err: unknown): undefined {
    this.log.error('could not delete the state of removed indicators', { error: message(err) });
    return undefined;
  }

  private resumeWith(resumed: EvaluationSnapshot, spec: WorkloadEvaluationSpec): EvaluationSnapshot {
    this.last = resumed;
    this.log.info('resumed the last evaluation', { evaluatedAt: new Date(resumed.at).toISOString() });
    this.resumedNextAt = resumed.at + spec.settings.intervalMs;
    this.schedule();
    return resumed;
  }

  /** The stored snapshot, when it is of this spec and recent enough to resume (see setSpec). */
  private resumable(spec: WorkloadEvaluationSpec, stored: StoredEvaluation | null): EvaluationSnapshot | null {
    if (stored === null || stored.specKey !== this.specKey) return null;
    const age = this.clock.now() - stored.snapshot.at;
    return age >= 0 && age <= RESUME_WITHIN_INTERVALS * spec.settings.intervalMs ? stored.snapshot : null;
  }

  /** Evaluates every `settings.intervalMs` from now on (after the next setSpec if none is set yet). */
  start(): void {
    this.stopped = false;
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.stopped = true;
    this.again = false;
    this.cancel?.();
    this.cancel = undefined;
  }

  /** The latest snapshot, or null before the first pass. */
  latest(): EvaluationSnapshot | null {
    return this.last;
  }

  /** One pass now, on this thread (see the class comment). Throws when no spec is set, or when called from inside a pass. */
  evaluateNow(): EvaluationSnapshot {
    const spec = this.spec;
    if (spec === null) throw new Error('no workload to evaluate: setSpec() must be called first');
    const sync = this.syncTables('evaluateNow');
    if (this.evaluating) throw new Error('an evaluation pass is already running');
    this.evaluating = true;
    try {
      const snapshot = evaluateWorkload(spec, this.engineDeps());
      return this.publish(snapshot, this.persistSync(snapshot, sync));
    } finally {
      this.evaluating = false;
      this.resumedNextAt = null;
      this.schedule();
    }
  }

  /**
   * One pass soon: with `offThread`, its reading and computing run there, and its persistence
   * and 'evaluated' here once it answers (if it fails, the pass runs here instead, so the wall
   * never misses one); without, evaluateNow(). Passes off the thread never overlap: one asked
   * for during another runs after it. Resolves with the snapshot applied, or null when the
   * pass failed (logged), or was dropped because a newer pass or a new spec came first or the
   * evaluator stopped.
   */
  evaluateSoon(): Promise<EvaluationSnapshot | null> {
    if (!this.offThread && this.sync) {
      try {
        return Promise.resolve(this.evaluateNow());
      } catch (err) {
        this.log.error('evaluation pass failed', { error: message(err) });
        return Promise.resolve(null);
      }
    }
    if (this.pass) {
      this.again = true;
      return this.pass;
    }
    this.pass = this.passOffThread(this.offThread);
    return this.pass;
  }

  private syncTables(caller: string): SyncEvaluationTables {
    if (!this.sync) throw new Error(`${caller}() persists synchronously and needs the SQLite evaluation tables (tables.sync); use evaluateSoon()`);
    return this.sync;
  }

  /** Resolves once no pass runs off the main thread (shutdown waits for it). */
  async idle(): Promise<void> {
    while (this.pass) await this.pass;
  }

  /** A pass whose persistence is awaited: computed by `run` (a worker), or here when absent or failing. */
  private async passOffThread(run: OffThreadEvaluation | undefined): Promise<EvaluationSnapshot | null> {
    const spec = this.spec;
    if (spec === null) throw new Error('no workload to evaluate: setSpec() must be called first');
    this.cancel?.(); // no timed pass while this one runs; rearmed when it ends
    this.cancel = undefined;
    try {
      const now = this.clock.now();
      let snapshot: EvaluationSnapshot;
      try {
        snapshot = run
          ? await run(spec, this.collectors(), now, resolveHints(spec.indicators, this.missingDataHint))
          : evaluateWorkload(spec, { ...this.engineDeps(), now });
      } catch (err) {
        if (!run) throw err;
        if (this.stopped || this.spec !== spec) return null;
        this.log.warn('evaluation off the main thread failed; evaluating on the main thread', { error: message(err) });
        snapshot = evaluateWorkload(spec, { ...this.engineDeps(), now });
      }
      // Persisted step by step with the event loop free between steps; dropped when a reload
      // evaluated its new spec meanwhile, or an evaluateNow() applied a later pass.
      const superseded = () => this.stopped || this.spec !== spec || (this.last !== null && this.last.at > snapshot.at);
      let transitions: Transition[] = [];
      for (const step of this.persistSteps(snapshot, (at, indicators, last) => this.repository.recordPass(at, indicators, last), (before) => this.repository.pruneTransitions(before))) {
        if (superseded()) return null;
        transitions = (await step()) ?? transitions;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (superseded() || this.evaluating) return null;
      this.evaluating = true;
      try {
        return this.publish(snapshot, transitions);
      } finally {
        this.evaluating = false;
        this.resumedNextAt = null;
      }
    } catch (err) {
      this.log.error('evaluation pass failed', { error: message(err) });
      return null;
    } finally {
      this.pass = null;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.evaluateSoon();
      } else {
        this.schedule();
      }
    }
  }

  private engineDeps() {
    return {
      data: this.data,
      collectors: this.collectors,
      now: this.clock.now(),
      ...(this.missingDataHint === undefined ? {} : { missingDataHint: this.missingDataHint }),
    };
  }

  /** Makes a persisted pass the latest and tells the listeners; a throwing listener is logged, never fatal. */
  private publish(snapshot: EvaluationSnapshot, transitions: Transition[]): EvaluationSnapshot {
    this.last = snapshot;
    try {
      this.emit('evaluated', snapshot, transitions);
    } catch (err) {
      this.log.error("an 'evaluated' listener threw", { error: message(err) });
    }
    return snapshot;
  }

  /** Persists a pass on this thread, synchronously (SQLite); returns the transitions written. */
  private persistSync(snapshot: EvaluationSnapshot, sync: SyncEvaluationTables): Transition[] {
    let out: Transition[] = [];
    const steps = this.persistSteps(snapshot, (at, indicators, last) => sync.recordPassSync(at, indicators, last), (before) => sync.state.pruneTransitions(before));
    for (const step of steps) out = (step() as Transition[] | void) ?? out;
    return out;
  }

  /**
   * Persisting a pass, in order: transitions, state and the stored snapshot (one transaction:
   * one statement on PostgreSQL), the history samples, and pruning (hourly). Separate steps, so
   * a pass applied off the main thread can let other work (HTTP requests) run between them;
   * the first step answers the transitions. `record` and `prune` are the tables' synchronous
   * (evaluateNow) or asynchronous (evaluateSoon) methods; a step answers a promise only when
   * they do.
   */
  private persistSteps<R extends Transition[] | Promise<Transition[]>, P extends number | Promise<number>>(
    snapshot: EvaluationSnapshot,
    record: (at: number, indicators: EvaluationSnapshot['indicators'], last: { snapshot: EvaluationSnapshot; specKey: string }) => R,
    prune: (before: number) => P,
  ): Array<() => Transition[] | void | Promise<Transition[] | void>> {
    const logged = (transitions: Transition[]) => {
      for (const t of transitions) {
        if (t.from !== null) this.log.info('indicator status changed', { indicator: t.indicatorId, from: t.from, to: t.to, reason: t.reason });
      }
      return transitions;
    };
    const failed = (err: unknown): Transition[] => {
      this.log.error('could not record indicator transitions and the last evaluation', { error: message(err) });
      return [];
    };
    const pruneFailed = (err: unknown) => this.log.error('could not prune old indicator transitions', { error: message(err) });
    return [
      () => {
        try {
          const written = record(snapshot.at, snapshot.indicators, { snapshot, specKey: this.specKey });
          return written instanceof Promise ? written.then(logged, failed) : logged(written as Transition[]);
        } catch (err) {
          return failed(err);
        }
      },
      () => {
        try {
          this.store.writeSamples(historySamples(snapshot));
        } catch (err) {
          this.log.error('could not write the score history', { error: message(err) });
        }
      },
      () => {
        if (snapshot.at - this.prunedAt < PRUNE_EVERY_MS) return;
        const done = () => {
          this.prunedAt = snapshot.at;
        };
        try {
          const pruned = prune(snapshot.at - this.store.retentionPolicy().hourlyMs);
          if (pruned instanceof Promise) return pruned.then(done, pruneFailed);
          done();
        } catch (err) {
          pruneFailed(err);
        }
      },
    ];
  }

  /** (Re)arms the timer for one interval from now (or for a resumed snapshot's next pass), when running with a spec. */
  private schedule(): void {
    this.cancel?.();
    this.cancel = undefined;
    if (!this.running || this.spec === null) return;
    const delay = this.resumedNextAt === null ? this.spec.settings.intervalMs : Math.max(0, this.resumedNextAt - this.clock.now());
    this.cancel = this.clock.setTimeout(() => this.tick(), delay);
  }

  private tick(): void {
    this.cancel = undefined;
    if (this.offThread) {
      void this.evaluateSoon();
      return;
    }
    try {
      this.evaluateNow();
    } catch (err) {
      this.log.error('evaluation pass failed', { error: message(err) });
      this.schedule();
    }
  }
}

function checkInterval(spec: WorkloadEvaluationSpec): void {
  if (!(spec.settings.intervalMs > 0)) throw new RangeError(`settings.intervalMs must be positive, got ${spec.settings.intervalMs}`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
