import { EventEmitter } from 'node:events';
import type { Logger } from '../../collectors/types.js';
import type { CollectorStatus } from '../scheduler/types.js';
import type { Store } from '../store/index.js';
import { storeSeriesData, type SeriesData } from './data.js';
import { evaluateWorkload, type WorkloadEvaluationSpec } from './engine.js';
import { EvaluationHistory } from './history.js';
import { historySamples } from './history-series.js';
import type { EvaluationSnapshot } from './snapshot.js';
import type { MissingDataHint } from './missing.js';
import { IndicatorStateStore, type Transition } from './state.js';

/** Schedules `fn` after `ms`; returns a function that cancels it. */
export type SetTimer = (fn: () => void, ms: number) => () => void;

export interface EvaluatorOptions {
  store: Store;
  /** The scheduler's view of each collector, for staleness. */
  collectors: () => CollectorStatus[];
  log: Logger;
  /** Clock, ms epoch (default Date.now). */
  now?: () => number;
  /** Timer (default setTimeout, unref'd: the evaluator alone never keeps the process alive). */
  setTimer?: SetTimer;
  /** Words for series without a value (the runtime passes the DORA job's); see missing.ts. */
  missingDataHint?: MissingDataHint;
}

/** Transitions are kept as long as hourly rollups (the score history's own retention); pruned at most hourly. */
const PRUNE_EVERY_MS = 3_600_000;

const defaultTimer: SetTimer = (fn, ms) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

export interface Evaluator {
  on(event: 'evaluated', listener: (snapshot: EvaluationSnapshot, transitions: Transition[]) => void): this;
  once(event: 'evaluated', listener: (snapshot: EvaluationSnapshot, transitions: Transition[]) => void): this;
  off(event: 'evaluated', listener: (snapshot: EvaluationSnapshot, transitions: Transition[]) => void): this;
  emit(event: 'evaluated', snapshot: EvaluationSnapshot, transitions: Transition[]): boolean;
}

/**
 * The evaluation loop. `setSpec` (on every workload load or reload) evaluates at once;
 * `start` then evaluates every `settings.intervalMs`, measured from the end of the previous
 * pass, so passes never overlap (a pass is synchronous; a listener that calls evaluateNow
 * during 'evaluated' is refused). After each pass:
 * 1. status transitions are persisted against the stored state (one transaction);
 * 2. the numbers are written as history samples (one transaction, history-series.ts);
 * 3. 'evaluated' is emitted with the snapshot and the transitions written.
 * A persistence failure is logged and does not withhold the snapshot: the dashboard should
 * show the present even when the disk is full. A listener that throws is logged, not fatal.
 */
export class Evaluator extends EventEmitter {
  readonly history: EvaluationHistory;
  private readonly store: Store;
  private readonly data: SeriesData;
  private readonly state: IndicatorStateStore;
  private readonly collectors: () => CollectorStatus[];
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly setTimer: SetTimer;
  private readonly missingDataHint: MissingDataHint | undefined;
  private spec: WorkloadEvaluationSpec | null = null;
  private last: EvaluationSnapshot | null = null;
  private running = false;
  private evaluating = false;
  private cancel: (() => void) | undefined;
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(opts: EvaluatorOptions) {
    super();
    this.store = opts.store;
    this.data = storeSeriesData(opts.store);
    this.state = new IndicatorStateStore(opts.store.db);
    this.history = new EvaluationHistory(opts.store);
    this.collectors = opts.collectors;
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.setTimer = opts.setTimer ?? defaultTimer;
    this.missingDataHint = opts.missingDataHint;
  }

  /**
   * Replaces the indicators, outcomes and settings (workload load or reload) and evaluates at
   * once. Indicators no longer declared vanish from the next snapshot, and their stored state
   * is deleted (their transitions remain, as history).
   */
  setSpec(spec: WorkloadEvaluationSpec): EvaluationSnapshot {
    if (!(spec.settings.intervalMs > 0)) throw new RangeError(`settings.intervalMs must be positive, got ${spec.settings.intervalMs}`);
    this.spec = spec;
    try {
      const removed = this.state.retainOnly(new Set(spec.indicators.map((i) => i.id)));
      if (removed > 0) this.log.info('evaluation state of removed indicators deleted', { count: removed });
    } catch (err) {
      this.log.error('could not delete the state of removed indicators', { error: message(err) });
    }
    return this.evaluateNow();
  }

  /** Evaluates every `settings.intervalMs` from now on (after the next setSpec if none is set yet). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.cancel?.();
    this.cancel = undefined;
  }

  /** The latest snapshot, or null before the first pass. */
  latest(): EvaluationSnapshot | null {
    return this.last;
  }

  /** One pass now (see the class comment). Throws when no spec is set, or when called from inside a pass. */
  evaluateNow(): EvaluationSnapshot {
    const spec = this.spec;
    if (spec === null) throw new Error('no workload to evaluate: setSpec() must be called first');
    if (this.evaluating) throw new Error('an evaluation pass is already running');
    this.evaluating = true;
    try {
      const snapshot = evaluateWorkload(spec, {
        data: this.data,
        collectors: this.collectors,
        now: this.now(),
        ...(this.missingDataHint === undefined ? {} : { missingDataHint: this.missingDataHint }),
      });
      const transitions = this.persist(snapshot);
      this.last = snapshot;
      try {
        this.emit('evaluated', snapshot, transitions);
      } catch (err) {
        this.log.error("an 'evaluated' listener threw", { error: message(err) });
      }
      return snapshot;
    } finally {
      this.evaluating = false;
      this.schedule();
    }
  }

  private persist(snapshot: EvaluationSnapshot): Transition[] {
    let transitions: Transition[] = [];
    try {
      transitions = this.state.record(snapshot.at, snapshot.indicators);
      for (const t of transitions) {
        if (t.from !== null) this.log.info('indicator status changed', { indicator: t.indicatorId, from: t.from, to: t.to, reason: t.reason });
      }
    } catch (err) {
      this.log.error('could not record indicator transitions', { error: message(err) });
    }
    try {
      this.store.writeSamples(historySamples(snapshot));
    } catch (err) {
      this.log.error('could not write the score history', { error: message(err) });
    }
    if (snapshot.at - this.prunedAt >= PRUNE_EVERY_MS) {
      try {
        this.state.pruneTransitions(snapshot.at - this.store.retentionPolicy().hourlyMs);
        this.prunedAt = snapshot.at;
      } catch (err) {
        this.log.error('could not prune old indicator transitions', { error: message(err) });
      }
    }
    return transitions;
  }

  /** (Re)arms the timer for one interval from now, when running with a spec. */
  private schedule(): void {
    this.cancel?.();
    this.cancel = undefined;
    if (!this.running || this.spec === null) return;
    this.cancel = this.setTimer(() => this.tick(), this.spec.settings.intervalMs);
  }

  private tick(): void {
    this.cancel = undefined;
    try {
      this.evaluateNow();
    } catch (err) {
      this.log.error('evaluation pass failed', { error: message(err) });
      this.schedule();
    }
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
