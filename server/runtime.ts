import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../collectors/types.js';
import { collectorRegistry } from '../collectors/index.js';
import { openStore, type Store } from './store/index.js';
import { WorkloadManager, redactWorkload } from './workload/index.js';
import { Scheduler } from './scheduler/index.js';
import { createMetrics, type AppMetrics } from './telemetry/metrics.js';
import type { ActiveWorkloadView, AppDeps } from './api/deps.js';
import type { AuthPolicy } from './api/auth.js';
import { TokenStore } from './auth/tokens.js';
import { Evaluator, EvaluationHistory, type EvaluationSnapshot } from './evaluation/index.js';
import type { Workload } from './workload/index.js';

export interface RuntimeOptions {
  configPath: string;
  dbPath: string;
  env: Record<string, string | undefined>;
  log: Logger;
  version: string;
  watch: boolean;
  now?: () => number;
  auth?: AuthPolicy;
}

/**
 * Everything the server runs, built from its parts and wired together: the store, the
 * workload (with hot reload), the scheduler and the metrics. `serve` and `collect --once`
 * share it, so both run collectors exactly the same way.
 */
export class Runtime {
  readonly store: Store;
  readonly workload: WorkloadManager;
  readonly scheduler: Scheduler;
  readonly metrics: AppMetrics;
  readonly tokens: TokenStore;
  readonly evaluator: Evaluator;
  readonly history: EvaluationHistory;
  private readonly timers: NodeJS.Timeout[] = [];
  private evaluate = true;
  /** Collectors whose first run since start is still awaited (see onFirstRun). */
  private awaitingFirstRun: Set<string> | null = null;

  constructor(readonly opts: RuntimeOptions) {
    fs.mkdirSync(path.dirname(path.resolve(opts.dbPath)), { recursive: true });
    this.store = openStore({ path: opts.dbPath, now: opts.now });
    this.tokens = new TokenStore(this.store.db, opts.now);
    this.workload = new WorkloadManager({
      path: opts.configPath,
      registry: collectorRegistry,
      env: opts.env,
      versions: this.store,
      log: opts.log,
      watch: opts.watch,
    });
    let scheduler: Scheduler | undefined;
    let evaluator: Evaluator | undefined;
    this.metrics = createMetrics({
      version: opts.version,
      collectors: () => scheduler?.status() ?? [],
      evaluation: () => evaluator?.latest() ?? null,
    });
    scheduler = new Scheduler({
      sink: this.store,
      registry: collectorRegistry,
      log: opts.log,
      now: opts.now,
      observer: {
        onRun: (entry, info) => {
          this.metrics.collectorObserver.onRun(entry, info);
          this.onFirstRun(entry.id);
        },
        onRemove: (id) => this.metrics.collectorObserver.onRemove?.(id),
      },
    });
    this.scheduler = scheduler;
    evaluator = new Evaluator({ store: this.store, collectors: () => scheduler.status(), log: opts.log, now: opts.now });
    this.evaluator = evaluator;
    this.history = new EvaluationHistory(this.store);
  }

  /**
   * Loads the workload (throws WorkloadInvalidError when invalid), prepares its collectors
   * and evaluates its indicators once. With `schedule`, collectors and evaluations then run
   * on their timers and every applied reload re-wires both.
   */
  load(schedule: boolean, opts: { evaluate?: boolean } = {}): void {
    this.evaluate = opts.evaluate ?? schedule;
    this.workload.load();
    this.applyWorkload(schedule);
    if (schedule) {
      this.awaitingFirstRun = new Set(this.workload.current()!.workload.collectors.map((c) => c.id));
      if (this.evaluate) this.evaluator.start();
    }
    this.workload.on('applied', () => {
      this.applyWorkload(schedule);
      this.opts.log.info('workload applied', { hash: this.workload.current()?.hash.slice(0, 12) });
    });
  }

  /**
   * A fresh start evaluates before any collector has run, so everything is no_data until the
   * next pass (up to an evaluation interval later). Evaluating once more as soon as every
   * collector has run once puts real numbers on the wall within seconds of starting.
   */
  private onFirstRun(id: string): void {
    if (!this.awaitingFirstRun?.delete(id) || this.awaitingFirstRun.size > 0) return;
    this.awaitingFirstRun = null;
    if (!this.evaluate) return;
    try {
      this.evaluator.evaluateNow();
    } catch (err) {
      this.opts.log.error('evaluation after the first collector runs failed', { error: (err as Error).message });
    }
  }

  private applyWorkload(schedule: boolean): void {
    const wl = this.workload.current()!.workload;
    this.applyCollectors(schedule);
    this.store.setRetention(wl.storage.retention);
    // `collect --once` runs collectors only: evaluating before they ran would record
    // every indicator as no_data.
    if (this.evaluate) this.evaluator.setSpec(evaluationSpec(wl));
  }

  private applyCollectors(schedule: boolean): void {
    const current = this.workload.current();
    if (!current) return;
    this.scheduler.apply(current.workload.collectors, schedule);
    // Status survives restarts: seed each collector with what the store remembers.
    const summaries = this.store.runSummaries();
    for (const c of current.workload.collectors) {
      const s = summaries.get(c.id);
      if (s) this.scheduler.seed(c.id, s);
    }
  }

  /** Periodic upkeep: rollups every 30 s, retention every hour (bounded batches inside). */
  startMaintenance(): void {
    const rollups = () => {
      try {
        this.store.updateRollups();
      } catch (err) {
        this.opts.log.error('rollup update failed', { error: (err as Error).message });
      }
    };
    const retention = () => {
      try {
        const r = this.store.applyRetention();
        if (r.rawDeleted || r.rollupDeleted) this.opts.log.info('retention applied', { ...r });
      } catch (err) {
        this.opts.log.error('retention failed', { error: (err as Error).message });
      }
    };
    rollups();
    retention();
    this.timers.push(setInterval(rollups, 30_000).unref(), setInterval(retention, 3_600_000).unref());
  }

  apiDeps(): AppDeps {
    return {
      series: this.store,
      versions: this.store,
      workload: () => this.activeView(),
      collectors: () => this.scheduler.status(),
      evaluation: {
        latest: () => this.evaluator.latest(),
        subscribe: (fn: (s: EvaluationSnapshot) => void) => {
          this.evaluator.on('evaluated', fn);
          return () => this.evaluator.off('evaluated', fn);
        },
        transitions: (id, limit) => this.history.transitions(id, limit),
        states: () => this.history.states(),
        indicatorHistory: (id, range, metric) => this.history.indicatorHistory(id, range, metric),
        outcomeHistory: (id, range) => this.history.outcomeHistory(id, range),
        pillarHistory: (p, range) => this.history.pillarHistory(p, range),
      },
      pingDatabase: () => {
        this.store.db.prepare('SELECT 1').get();
      },
      metrics: this.metrics,
      tokens: this.tokens,
      auth: this.opts.auth ?? { read: 'public', metrics: 'public' },
      reloadWorkload: () => this.workload.reload('api'),
      log: this.opts.log,
      now: this.opts.now,
      version: this.opts.version,
    };
  }

  private activeView(): ActiveWorkloadView | null {
    const c = this.workload.current();
    if (!c) return null;
    const wl = c.workload;
    return {
      meta: wl.workload,
      indicators: wl.indicators,
      outcomes: wl.outcomes,
      evaluationIntervalMs: wl.evaluation.intervalMs,
      redacted: () => redactWorkload(c.workload, c.secretPaths),
      hash: c.hash,
      versionId: c.versionId,
      appliedAt: c.appliedAt,
      path: this.opts.configPath,
    };
  }

  /** Stops collectors (aborting at the bound), flushes rollups, closes the database. */
  async close(boundMs: number): Promise<boolean> {
    for (const t of this.timers) clearInterval(t);
    this.workload.close();
    this.evaluator.stop();
    const clean = await this.scheduler.stop(boundMs);
    try {
      this.store.updateRollups();
    } catch (err) {
      this.opts.log.warn('final rollup update failed', { error: (err as Error).message });
    }
    this.store.close();
    return clean;
  }
}

function evaluationSpec(wl: Workload) {
  return { indicators: wl.indicators, outcomes: wl.outcomes, settings: wl.evaluation };
}
