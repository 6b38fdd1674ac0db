import type { CollectorDefinition, Logger } from '../../collectors/types.js';
import { ResourceScope } from '../../collectors/resources.js';
import { firstDelayMs, nextDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { errorMessage, runCollectorOnce, type RunOutcome } from './runOnce.js';
import type { CollectorStatus, RunInfo, RunSink, ScheduledCollector } from './types.js';
import { SeriesLimitError } from '../store/series.js';
import type { Cancel, Clock } from '../clock.js';

/** The run as the store records it (the exceeded limit is in its error text). */
const withoutLimit = ({ limit: _limit, ...rest }: RunInfo) => rest;

export interface RunObserver {
  /** Called after every run has been stored (or failed to be). */
  onRun(entry: ScheduledCollector, info: RunInfo): void;
  /** Called when a collector leaves the workload, so its per-collector series can go. */
  onRemove?(id: string): void;
}

export interface SchedulerOptions {
  sink: RunSink;
  registry: ReadonlyMap<string, CollectorDefinition<any>>;
  log: Logger;
  /** Time and timers (systemClock in production; a fake clock in tests). */
  clock: Clock;
  random?: () => number;
  observer?: RunObserver;
  backoff?: BackoffPolicy;
  /** The workload-wide series limit (storage.series_limit) at the time of each run; 0 or absent: none. */
  seriesLimit?: () => number;
}

interface Slot {
  entry: ScheduledCollector;
  key: string;
  def: CollectorDefinition<unknown>;
  /** Cancels the armed timer; null when none is armed. */
  timer: Cancel | null;
  nextRunAt: number | null;
  running: Promise<void> | null;
  controller: AbortController;
  consecutiveFailures: number;
  lastRun: RunInfo | null;
  lastSuccess: RunInfo | null;
  lastError: string | null;
  downtimeMs: number;
  removed: boolean;
  /** What the collector keeps between runs (connection pools); closed when the slot goes. */
  resources: ResourceScope;
}

/**
 * Runs every collector on its own timer.
 *
 * Contract: each collector's runs are serial (never two at once), bounded by its timeout,
 * and independent of every other collector — a slow or failing one delays only itself.
 * Runs are stored through `sink.recordRun` (one transaction per run). `apply()` reconciles
 * with a new workload: unchanged collectors keep their timers and history, changed ones
 * restart, removed ones are aborted.
 */
export class Scheduler {
  private readonly slots = new Map<string, Slot>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private stopped = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock;
    this.random = opts.random ?? Math.random;
  }

  /** Reconciles the running set with `collectors`; starts timers unless `schedule` is false. */
  apply(collectors: ScheduledCollector[], schedule = true): void {
    const wanted = new Map(collectors.map((c) => [c.id, c]));
    for (const [id, slot] of this.slots) {
      const next = wanted.get(id);
      if (!next || JSON.stringify(next) !== slot.key) this.remove(id);
    }
    for (const entry of collectors) {
      if (this.slots.has(entry.id)) continue;
      const def = this.opts.registry.get(entry.type);
      if (!def) throw new Error(`collector ${entry.id}: unknown type "${entry.type}"`);
      const slot: Slot = {
        entry,
        key: JSON.stringify(entry),
        def,
        timer: null,
        nextRunAt: null,
        running: null,
        controller: new AbortController(),
        consecutiveFailures: 0,
        lastRun: null,
        lastSuccess: null,
        lastError: null,
        downtimeMs: 0,
        removed: false,
        resources: new ResourceScope(),
      };
      this.slots.set(entry.id, slot);
      if (schedule && !this.stopped) this.arm(slot, firstDelayMs(entry.intervalMs, entry.jitter, this.random));
    }
  }

  /**
   * Seeds last-run state (e.g. from the store after a restart) so status survives restarts;
   * `downtimeMs` is how long nothing ran the collector after its last success (see CollectorStatus).
   */
  seed(id: string, state: { last?: RunInfo; lastSuccess?: RunInfo; consecutiveFailures?: number; downtimeMs?: number }): void {
    const slot = this.slots.get(id);
    if (!slot) return;
    slot.lastRun = state.last ?? null;
    slot.lastSuccess = state.lastSuccess ?? null;
    slot.consecutiveFailures = state.consecutiveFailures ?? 0;
    slot.lastError = state.last && !state.last.ok ? state.last.error ?? null : null;
    slot.downtimeMs = slot.lastSuccess ? Math.max(0, state.downtimeMs ?? 0) : 0;
  }

  /** Runs the given collectors (default: all) once, now, in parallel; resolves with each run. */
  async runOnce(ids?: string[]): Promise<Array<{ id: string; type: string; run: RunInfo }>> {
    const targets = ids ? ids.map((id) => this.mustGet(id)) : [...this.slots.values()];
    return Promise.all(
      targets.map(async (slot) => {
        if (slot.running) await slot.running;
        const run = await this.execute(slot);
        return { id: slot.entry.id, type: slot.entry.type, run };
      }),
    );
  }

  status(): CollectorStatus[] {
    return [...this.slots.values()].map((s) => ({
      id: s.entry.id,
      type: s.entry.type,
      intervalMs: s.entry.intervalMs,
      timeoutMs: s.entry.timeoutMs,
      running: s.running !== null,
      consecutiveFailures: s.consecutiveFailures,
      nextRunAt: s.nextRunAt,
      lastRun: s.lastRun,
      lastSuccess: s.lastSuccess,
      lastError: s.lastError,
      downtimeMs: s.downtimeMs,
    }));
  }

  /**
   * Stops scheduling, aborts running collectors and waits for them, at most `boundMs`.
   * Resolves true when every run finished within the bound.
   */
  async stop(boundMs = 5_000): Promise<boolean> {
    this.stopped = true;
    const running: Promise<void>[] = [];
    for (const slot of this.slots.values()) {
      slot.timer?.();
      slot.timer = null;
      slot.nextRunAt = null;
      slot.controller.abort();
      if (slot.running) running.push(slot.running);
    }
    const giveUp = new AbortController();
    const bound = this.clock.sleep(boundMs, giveUp.signal).then(() => false as const);
    // Connection pools and the like close once their runs ended (or the bound passed).
    const closed = (ended: boolean) => Promise.all([...this.slots.values()].map((s) => s.resources.close())).then(() => ended);
    const done = await Promise.race([Promise.all(running).then(() => closed(true)), bound.then(closed)]);
    giveUp.abort();
    return done;
  }

  private mustGet(id: string): Slot {
    const slot = this.slots.get(id);
    if (!slot) throw new Error(`no collector with id "${id}" (known: ${[...this.slots.keys()].join(', ') || 'none'})`);
    return slot;
  }

  private remove(id: string): void {
    const slot = this.slots.get(id);
    if (!slot) return;
    slot.removed = true;
    slot.timer?.();
    slot.timer = null;
    slot.controller.abort();
    this.slots.delete(id);
    // After the aborted run let go of its connections, so a pool is not ended under a query.
    void (slot.running ?? Promise.resolve()).then(() => slot.resources.close());
    this.opts.observer?.onRemove?.(id);
  }

  /**
   * Runs the collector after `delayMs`, then arms the next run — in every outcome: a run that
   * throws (its observer, the logger or the store failing) still leaves the collector scheduled.
   */
  private arm(slot: Slot, delayMs: number): void {
    slot.nextRunAt = this.clock.now() + delayMs;
    slot.timer = this.clock.setTimeout(() => {
      slot.timer = null;
      void this.execute(slot)
        .catch((err: unknown) => {
          try {
            this.opts.log.error('collector run failed unexpectedly', { collector: slot.entry.id, error: errorMessage(err) });
          } catch {
            /* the logger itself failed: the re-arm below still happens */
          }
        })
        .finally(() => {
          if (slot.removed || this.stopped || slot.timer) return;
          const { intervalMs, jitter } = slot.entry;
          this.arm(slot, nextDelayMs(intervalMs, jitter, slot.consecutiveFailures, this.random, this.opts.backoff ?? DEFAULT_BACKOFF));
        });
    }, delayMs);
  }

  /** One run, stored; resolves with it (as stored, or as it ended when it was dropped). */
  private execute(slot: Slot): Promise<RunInfo> {
    const run = (async () => {
      const outcome = await runCollectorOnce(slot.def, slot.entry, {
        parent: slot.controller.signal,
        clock: this.clock,
        log: this.opts.log,
        resources: slot.resources,
        lastSuccessAt: slot.lastSuccess?.startedAt,
      });
      const info = runInfo(outcome);
      if (slot.removed) return info; // the collector left the workload while it ran: drop the result
      // Cut short by the shutdown: not the collector's failure, and not to be counted against
      // it (as a failed run in the store, a failure streak after the restart).
      if (this.stopped && outcome.aborted) return info;
      return this.store(slot, outcome, info);
    })();
    const running = run.finally(() => {
      slot.running = null;
    });
    // Waiters (stop, runOnce) only need the end; an error reaches execute's caller alone.
    slot.running = running.then(
      () => undefined,
      () => undefined,
    );
    return running;
  }

  private store(slot: Slot, outcome: RunOutcome, ran: RunInfo): RunInfo {
    const { entry } = slot;
    let info = ran;
    try {
      this.opts.sink.recordRun(
        {
          collectorId: entry.id,
          ...withoutLimit(info),
          durationMs: Math.round(info.durationMs),
          warnings: outcome.warnings.length ? outcome.warnings : undefined,
        },
        outcome.samples,
        outcome.events,
        { seriesLimit: this.opts.seriesLimit?.() ?? 0 },
      );
    } catch (err) {
      // Storing failed (over the series limit, disk full, database locked too long): nothing of the run was written.
      info =
        err instanceof SeriesLimitError
          ? { ...info, ok: false, samplesWritten: 0, error: err.message, limit: 'series_limit' }
          : { ...info, ok: false, samplesWritten: 0, error: `storing the run failed: ${errorMessage(err)}` };
      try {
        this.opts.sink.recordRun({ collectorId: entry.id, ...withoutLimit(info), durationMs: Math.round(info.durationMs) }, []);
      } catch {
        /* the store is unusable; the error is logged below and visible in the status */
      }
    }
    slot.lastRun = info;
    if (info.ok) {
      slot.lastSuccess = info;
      slot.downtimeMs = 0;
      slot.consecutiveFailures = 0;
      slot.lastError = null;
      for (const w of outcome.warnings.slice(0, 5)) this.opts.log.warn(w, { collector: entry.id });
    } else {
      slot.consecutiveFailures += 1;
      slot.lastError = info.error ?? 'unknown error';
      this.opts.log.warn('collector run failed', {
        collector: entry.id,
        error: info.error,
        consecutiveFailures: slot.consecutiveFailures,
      });
    }
    this.opts.observer?.onRun(entry, info);
    return info;
  }
}

function runInfo(outcome: RunOutcome): RunInfo {
  return {
    startedAt: outcome.startedAt,
    durationMs: outcome.durationMs,
    ok: outcome.ok,
    error: outcome.error,
    samplesWritten: outcome.samples.length,
    ...(outcome.limit ? { limit: outcome.limit } : {}),
  };
}
