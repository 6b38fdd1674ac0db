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
  private readonly timers: NodeJS.Timeout[] = [];

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
    this.metrics = createMetrics({ version: opts.version, collectors: () => scheduler?.status() ?? [] });
    scheduler = new Scheduler({
      sink: this.store,
      registry: collectorRegistry,
      log: opts.log,
      now: opts.now,
      observer: this.metrics.collectorObserver,
    });
    this.scheduler = scheduler;
  }

  /** Loads the workload (throws WorkloadInvalidError when invalid) and prepares its collectors. */
  load(schedule: boolean): void {
    const wl = this.workload.load();
    this.applyCollectors(schedule);
    this.store.setRetention?.(wl.storage.retention);
    if (schedule) {
      this.workload.on('applied', () => {
        this.applyCollectors(true);
        this.store.setRetention?.(this.workload.current()!.workload.storage.retention);
        this.opts.log.info('workload applied', { hash: this.workload.current()?.hash.slice(0, 12) });
      });
    }
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
    return {
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
