import type { Logger, Sample } from '../../collectors/types.js';
import type { EventReader, StoredEvent } from '../events/types.js';
import { computeDerived } from './compute.js';
import { reportSamples } from './series.js';
import { DEFAULT_DERIVED_SETTINGS, WINDOWS, type DerivedReport, type DerivedSettings } from './types.js';

/** Where the derived samples go: the store's writeSamples (one transaction). */
export interface SampleSink {
  writeSamples(samples: readonly Sample[]): number;
}

/** Schedules `fn` after `ms`; returns a function that cancels it. */
export type SetTimer = (fn: () => void, ms: number) => () => void;

export interface DerivedSeriesJobOptions {
  events: EventReader;
  sink: SampleSink;
  log: Logger;
  /** Clock, ms epoch (default Date.now). */
  now?: () => number;
  /** Time between runs, measured from the end of the previous one (default 60 s). */
  intervalMs?: number;
  /** A requested run waits this long for more requests (default 1 s), so a burst of posts costs one run. */
  debounceMs?: number;
  /** Timer (default setTimeout, unref'd). */
  setTimer?: SetTimer;
}

/** A deployment listing a shipped commit without its time (`commits: [{ sha }]`). */
function lacksCommitTimes(e: StoredEvent): boolean {
  const commits = e.kind === 'deployment' ? e.attrs?.commits : undefined;
  return Array.isArray(commits) && commits.some((c) => typeof (c as { at?: unknown } | null)?.at !== 'number');
}

const defaultTimer: SetTimer = (fn, ms) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

/**
 * Recomputes the DORA and design-principle series from the stored events and writes them
 * as samples, so indicators read them like any other series. Runs on a timer, and soon
 * after `requestRun()` (an events POST, a collector run that returned events). Reads
 * deployments and incidents from the last 90 days plus the linking look-back (an incident
 * 90 days ago may link to a deployment before it), change events of that period only when a
 * deployment names commits without their times, and every game day, review and action item
 * (open items and runbook reviews can be old).
 */
export class DerivedSeriesJob {
  private settings: DerivedSettings = DEFAULT_DERIVED_SETTINGS;
  private last: DerivedReport | null = null;
  private running = false;
  private cancelTimer: (() => void) | undefined;
  private cancelRequest: (() => void) | undefined;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly debounceMs: number;
  private readonly setTimer: SetTimer;

  constructor(private readonly opts: DerivedSeriesJobOptions) {
    this.now = opts.now ?? Date.now;
    this.intervalMs = opts.intervalMs ?? 60_000;
    this.debounceMs = opts.debounceMs ?? 1000;
    this.setTimer = opts.setTimer ?? defaultTimer;
  }

  /** Benchmark year, production environments, runbooks: from the workload file, on every (re)load. */
  setSettings(settings: DerivedSettings): void {
    this.settings = settings;
  }

  currentSettings(): DerivedSettings {
    return this.settings;
  }

  /** Computes everything from the events now and writes the samples. Throws when reading or writing fails. */
  run(): DerivedReport {
    const report = this.compute();
    this.opts.sink.writeSamples(reportSamples(report));
    this.last = report;
    return report;
  }

  /** Computes without writing (for a read that finds no report yet). */
  compute(): DerivedReport {
    const now = this.now();
    return computeDerived(this.readEvents(now), now, this.settings);
  }

  /** The latest report, or null before the first run. */
  latest(): DerivedReport | null {
    return this.last;
  }

  /** Runs every `intervalMs` until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.cancelRequest?.();
    this.cancelRequest = undefined;
  }

  /** Asks for a run soon (debounced) while started; the periodic timer restarts after it. */
  requestRun(): void {
    if (!this.running || this.cancelRequest) return;
    this.cancelRequest = this.setTimer(() => {
      this.cancelRequest = undefined;
      this.tick();
    }, this.debounceMs);
  }

  /**
   * Runs at once while started (a collector run that brought events: one batch, no burst to
   * debounce), so the evaluation that follows the run already sees the new series. A fresh
   * start would otherwise evaluate the collectors' first runs against series computed before
   * any event was stored, and show "0 deployments/day" for a minute.
   */
  runNow(): void {
    if (!this.running) return;
    this.cancelRequest?.();
    this.cancelRequest = undefined;
    this.tick();
  }

  private readEvents(now: number): StoredEvent[] {
    const s = this.settings;
    const horizon = now - WINDOWS['90d'] - Math.max(s.linkLookbackMs, s.repeatWindowMs, s.reviewDueMs);
    const recent = this.opts.events.listEvents({ kind: ['deployment', 'incident'], from: horizon, to: now, overlaps: true });
    const lasting = this.opts.events.listEvents({ kind: ['gameday', 'review', 'action_item'], to: now });
    // Change events carry commit times, needed only for deployments that name bare shas.
    const changes = recent.some(lacksCommitTimes) ? this.opts.events.listEvents({ kind: 'change', from: horizon, to: now }) : [];
    return recent.concat(lasting, changes);
  }

  private schedule(): void {
    this.cancelTimer?.();
    this.cancelTimer = this.running ? this.setTimer(() => this.tick(), this.intervalMs) : undefined;
  }

  private tick(): void {
    try {
      this.run();
    } catch (err) {
      this.opts.log.error('derived DORA series failed', { error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.schedule();
    }
  }
}
