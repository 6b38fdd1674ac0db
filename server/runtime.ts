import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../collectors/types.js';
import { collectorRegistry } from '../collectors/index.js';
import { openStore, ROLLUP_SLICE_SERIES, type Store } from './store/index.js';
import { acquireWriterLock, type WriterLock } from './store/writerLock.js';
import { WorkloadManager, redactWorkload, reportContextOf } from './workload/index.js';
import { Scheduler } from './scheduler/index.js';
import { createMetrics, type AppMetrics } from './telemetry/metrics.js';
import type { ActiveWorkloadView, AppDeps } from './api/deps.js';
import type { AuthPolicy } from './api/auth.js';
import type { TokenRepository } from './auth/backend.js';
import type { MetricStore } from './store/backend.js';
import { SqliteMetricStore } from './store/sqliteBackend.js';
import { SqliteTokenRepository } from './auth/sqliteTokens.js';
import { TokenStore } from './auth/tokens.js';
import { Evaluator, EvaluationHistory, LastEvaluationStore, evaluationTables, type EvaluationSnapshot } from './evaluation/index.js';
import { registerEvaluationMetrics } from './evaluation/metrics.js';
import { registerReviewMetrics } from './review/metrics.js';
import type { Workload } from './workload/index.js';
import type { EventRepository } from './events/backend.js';
import { SqliteEventRepository } from './events/sqliteEvents.js';
import { EventStore } from './events/store.js';
import { runSinkWithEvents } from './events/runSink.js';
import { createReports, type Reports } from './reports/index.js';
import { NotificationEngine, NotificationStore, registerNotificationMetrics, SilenceStore } from './notifications/index.js';
import { DerivedSeriesJob, derivedSettingsFrom, missingDataHint, requestRunAfterEvents, requestRunOnWrite } from './dora/index.js';
import { ReviewService, type ReviewConfig } from './review/index.js';
import { Backfiller } from './backfill/index.js';
import { systemClock, type Cancel, type Clock } from './clock.js';
import { registerReadWorkerMetrics } from './workers/metrics.js';
import { ReadWorkers } from './workers/reads.js';
import { DEFAULT_OTLP_SETTINGS, OtlpReceiver, registerOtlpMetrics, sqliteOtlpStore } from './otlp/index.js';

export interface RuntimeOptions {
  configPath: string;
  dbPath: string;
  env: Record<string, string | undefined>;
  log: Logger;
  version: string;
  watch: boolean;
  /** The one clock every part reads and waits on (default: the system clock; tests pass a fake one). */
  clock?: Clock;
  auth?: AuthPolicy;
  /** The command holding the database's writer lock, named to a second writer (default "serve"). */
  command?: string;
  /**
   * Worker threads for range queries, series scans, history reads and timed evaluation passes
   * (server/workers); 0 or absent: all of them run on the main thread (commands, most tests).
   */
  readWorkers?: number;
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
  /** The SQLite api_tokens table, synchronously (tests and tools that create tokens in process). */
  readonly tokens: TokenStore;
  /** The SQLite store behind the async MetricStore interface, for callers already moved to it (issue 14). */
  readonly metricStore: MetricStore;
  /** The same table behind the async TokenRepository: the auth middleware and the stream. */
  readonly tokenRepository: TokenRepository;
  /** The SQLite events table, synchronously: collector runs store their events in the run's transaction; reports and reviews read it. */
  readonly events: EventStore;
  /** The same table behind the async EventRepository: the API, webhooks and the DORA job. */
  readonly eventRepository: EventRepository;
  readonly evaluator: Evaluator;
  readonly history: EvaluationHistory;
  /** Weekly reports: archive, on-demand runs and the schedule (started by load(true)). */
  readonly reports: Reports;
  /** Notification rules applied after every evaluation, and their deliveries (started with the reports). */
  readonly notifications: NotificationEngine;
  /** Silences of notifications (the CLI writes them straight into the database too). */
  readonly silences: SilenceStore;
  /** OTLP metrics pushed to POST /v1/metrics, written to the store under storage.series_limit. */
  readonly otlp: OtlpReceiver;
  /** DORA and design-principle series from the stored events (server/dora), before each evaluation uses them. */
  readonly derived: DerivedSeriesJob;
  /** Well-Architected reviews (server/review): lenses, evidence-backed answers, milestones, improvement plan. */
  readonly review: ReviewService;
  /** History of new collectors fetched from their source in the background (server/backfill). */
  readonly backfill: Backfiller;
  readonly clock: Clock;
  /** The read worker threads, or null when everything reads on the main thread (options.readWorkers). */
  readonly reads: ReadWorkers | null;
  private readonly timers: Cancel[] = [];
  /** Set by close(): maintenance loops stop between steps. */
  private closing = false;
  private readonly lock: WriterLock;
  private evaluate = true;
  /** Collectors whose first run since start is still awaited (see onFirstRun). */
  private awaitingFirstRun: Set<string> | null = null;
  /** When this process started, and how long no Pillarboard ran before it (see measureDowntime). */
  private readonly startedAt: number;
  private downtimeMs = 0;

  constructor(readonly opts: RuntimeOptions) {
    const clock = (this.clock = opts.clock ?? systemClock);
    const now = () => clock.now();
    this.startedAt = now();
    fs.mkdirSync(path.dirname(path.resolve(opts.dbPath)), { recursive: true });
    // One writer per database: a second serve or collect on this file stops here (WriterLockError).
    this.lock = acquireWriterLock(opts.dbPath, { command: opts.command ?? 'serve', now });
    try {
      this.store = openStore({ path: opts.dbPath, now });
      try {
        this.store.assertWritable(opts.dbPath);
      } catch (err) {
        this.store.close();
        throw err;
      }
    } catch (err) {
      this.lock.release();
      throw err;
    }
    this.tokens = new TokenStore(this.store.db, now);
    this.metricStore = new SqliteMetricStore(this.store);
    this.tokenRepository = new SqliteTokenRepository(this.tokens);
    this.events = new EventStore(this.store.db, now, this.store.health);
    this.eventRepository = new SqliteEventRepository(this.events);
    this.derived = new DerivedSeriesJob({ events: this.events, sink: this.store, log: opts.log, clock });
    this.workload = new WorkloadManager({
      path: opts.configPath,
      registry: collectorRegistry,
      env: opts.env,
      versions: this.store,
      versionRepository: this.metricStore,
      log: opts.log,
      watch: opts.watch,
      clock,
    });
    let scheduler: Scheduler | undefined;
    let reports: Reports | undefined;
    let evaluator: Evaluator | undefined;
    let review: ReviewService | undefined;
    let notificationStore: NotificationStore | undefined;
    let otlp: OtlpReceiver | undefined;
    this.metrics = createMetrics({
      version: opts.version,
      collectors: () => scheduler?.status() ?? [],
      workloadReload: () => this.workload.reloadStatus() ?? null,
      reports: () => reports?.repository ?? null,
      features: [
        (r) => registerEvaluationMetrics(r, () => evaluator?.latest() ?? null),
        (r) => registerReviewMetrics(r, () => review?.summary() ?? null),
        (r) => registerReadWorkerMetrics(r, () => this.reads?.stats() ?? null),
        (r) => registerNotificationMetrics(r, () => notificationStore?.attemptCounts() ?? null),
        (r) => registerOtlpMetrics(r, () => otlp?.stats ?? null),
      ],
    });
    scheduler = new Scheduler({
      sink: requestRunAfterEvents(runSinkWithEvents(this.store, this.events), () => this.derived.runNow()),
      registry: collectorRegistry,
      log: opts.log,
      clock,
      seriesLimit: () => this.workload.current()?.workload.storage.seriesLimit ?? 0,
      observer: {
        onRun: (entry, info) => {
          this.metrics.collectorObserver.onRun(entry, info);
          this.onFirstRun(entry.id);
        },
        onRemove: (id) => this.metrics.collectorObserver.onRemove?.(id),
      },
    });
    this.scheduler = scheduler;
    this.otlp = otlp = new OtlpReceiver({
      store: sqliteOtlpStore(this.store),
      clock,
      seriesLimit: () => this.workload.current()?.workload.storage.seriesLimit ?? 0,
      settings: () => this.workload.current()?.workload.otlp ?? DEFAULT_OTLP_SETTINGS,
      log: opts.log.child({ component: 'otlp' }),
    });
    this.backfill = new Backfiller({
      store: this.store,
      registry: collectorRegistry,
      log: opts.log,
      clock,
      onFinished: () => this.onBackfilled(),
    });
    const reads = (this.reads = opts.readWorkers ? new ReadWorkers({ dbPath: opts.dbPath, store: this.store, clock, log: opts.log, size: opts.readWorkers }) : null);
    const evaluationTablesOfStore = evaluationTables(this.store);
    evaluator = new Evaluator({
      store: this.store,
      tables: evaluationTablesOfStore,
      collectors: () => scheduler.status(),
      log: opts.log,
      clock,
      missingDataHint,
      ...(reads ? { offThread: (spec, collectors, at, hints) => reads.evaluate(spec, collectors, at, hints) } : {}),
    });
    this.evaluator = evaluator;
    this.history = evaluationTablesOfStore.history;
    reports = createReports({
      store: this.store,
      workload: () => {
        const wl = this.workload.current()?.workload;
        return wl ? reportContextOf(wl) : null;
      },
      events: () => this.events,
      review: () => review ?? null,
      log: opts.log,
      clock,
      chromiumPath: opts.env.PILLARBOARD_CHROMIUM || undefined,
    });
    this.reports = reports;
    // Reviews: the built-in lenses stored, and evidence applied after every evaluation.
    review = new ReviewService({ db: this.store.db, log: opts.log, clock, events: this.events });
    this.review = review;
    try {
      review.syncBuiltins();
    } catch (err) {
      opts.log.error('built-in review lenses could not be stored', { error: (err as Error).message });
    }
    evaluator.on('evaluated', (snapshot) => review.onEvaluated(snapshot));
    notificationStore = new NotificationStore(this.store.db);
    this.notifications = new NotificationEngine({
      store: notificationStore,
      silences: (this.silences = new SilenceStore(this.store.db, now)),
      context: () => {
        const wl = this.workload.current()?.workload;
        return wl ? { settings: wl.notifications, workload: { id: wl.workload.id, title: wl.workload.title }, timezone: wl.workload.timezone } : null;
      },
      clock,
      log: opts.log,
    });
    evaluator.on('evaluated', (snapshot) => this.notifications.onEvaluated(snapshot));
  }

  /**
   * Loads the workload (throws WorkloadInvalidError when invalid), prepares its collectors
   * and evaluates its indicators once. With `schedule`, collectors and evaluations then run
   * on their timers and every applied reload re-wires both.
   */
  load(schedule: boolean, opts: { evaluate?: boolean } = {}): void {
    this.evaluate = opts.evaluate ?? schedule;
    this.downtimeMs = this.measureDowntime();
    this.workload.load();
    this.applyWorkload(schedule);
    if (schedule) {
      this.awaitingFirstRun = new Set(this.workload.current()!.workload.collectors.map((c) => c.id));
      if (this.evaluate) this.derived.start();
      if (this.evaluate) this.evaluator.start();
      if (this.evaluate) this.startReports();
    }
    this.workload.on('applied', () => {
      this.applyWorkload(schedule);
      this.reports.scheduler.reschedule();
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
    void this.evaluator.evaluateSoon();
  }

  /** Backfilled history changes windowed figures at once: evaluate now rather than at the next tick. */
  private onBackfilled(): void {
    if (!this.evaluate || this.awaitingFirstRun) return;
    void this.evaluator.evaluateSoon();
  }

  private applyWorkload(schedule: boolean): void {
    const wl = this.workload.current()!.workload;
    this.applyCollectors(schedule);
    this.store.setRetention(wl.storage.retention);
    this.review.setConfig(reviewConfig(wl));
    // `collect --once` runs collectors only: evaluating before they ran would record
    // every indicator as no_data.
    if (this.evaluate) this.runDerived(wl);
    if (this.evaluate) this.evaluator.setSpec(evaluationSpec(wl));
  }

  /** DORA series for the (re)loaded workload's settings, written before the evaluation reads them. */
  private runDerived(wl: Workload): void {
    this.derived.setSettings(derivedSettingsFrom(wl.operations));
    try {
      this.derived.run();
    } catch (err) {
      this.opts.log.error('derived DORA series failed', { error: (err as Error).message });
    }
  }

  private applyCollectors(schedule: boolean): void {
    const current = this.workload.current();
    if (!current) return;
    this.scheduler.apply(current.workload.collectors, schedule);
    if (schedule) this.backfill.apply(current.workload.collectors, current.workload.indicators);
    // Status survives restarts: seed each collector with what the store remembers, and a
    // success from before this process started with the downtime that followed it, so that
    // no collector is stale merely because Pillarboard was stopped for a while.
    const summaries = this.store.runSummaries();
    for (const c of current.workload.collectors) {
      const s = summaries.get(c.id);
      if (!s) continue;
      const downtimeMs = s.lastSuccess && s.lastSuccess.startedAt < this.startedAt ? this.downtimeMs : 0;
      this.scheduler.seed(c.id, { ...s, downtimeMs });
    }
  }

  /**
   * How long no Pillarboard ran before this start: from the last sign of life in the store
   * (the end of the latest collector run, the latest evaluation) to now. 0 on a new database.
   */
  private measureDowntime(): number {
    let lastAlive = Number.NEGATIVE_INFINITY;
    try {
      for (const s of this.store.runSummaries().values()) lastAlive = Math.max(lastAlive, s.last.startedAt + s.last.durationMs);
      lastAlive = Math.max(lastAlive, new LastEvaluationStore(this.store.db).lastAt() ?? Number.NEGATIVE_INFINITY);
    } catch (err) {
      this.opts.log.warn('could not read when Pillarboard last ran', { error: (err as Error).message });
    }
    return Number.isFinite(lastAlive) ? Math.max(0, this.startedAt - lastAlive) : 0;
  }

  /**
   * Weekly reports on their schedule: a run missed while the server was down is caught up now
   * (in the background: collectors and the HTTP server never wait for a report), and
   * deliveries a restart cut short resume.
   */
  private startReports(): void {
    this.notifications.start();
    this.reports.service.resumeDeliveries().catch((err: unknown) => this.opts.log.error('resuming report deliveries failed', { error: (err as Error).message }));
    this.reports.scheduler.start().catch((err: unknown) => this.opts.log.error('weekly report schedule failed to start', { error: (err as Error).message }));
  }

  /** Periodic upkeep: rollups every 30 s, retention every hour (bounded batches inside). */
  startMaintenance(): void {
    // In slices of ROLLUP_SLICE_SERIES series (and a compaction a step at a time) with the event
    // loop turning between them, so a catch-up over thousands of series never holds the HTTP
    // thread (issue 12 item 8). A second call while one runs joins it.
    const turn = () => new Promise((r) => setImmediate(r));
    let updating: Promise<void> | null = null;
    const rollups = (): Promise<void> => {
      if (updating) return updating;
      const run = (async () => {
        try {
          while (!this.closing && !this.store.updateRollupsSlice(ROLLUP_SLICE_SERIES).done) await turn();
        } catch (err) {
          this.opts.log.error('rollup update failed', { error: (err as Error).message });
        }
      })();
      updating = run;
      void run.then(() => {
        if (updating === run) updating = null;
      });
      return run;
    };
    const retention = async () => {
      try {
        // What applyRetention() would otherwise finish in one piece first: a compaction under
        // way and the rollups.
        while (!this.closing && !this.store.compactHeadStep().done) await turn();
        await rollups();
        if (this.closing) return;
        const r = this.store.applyRetention();
        if (r.rawDeleted || r.rollupDeleted) this.opts.log.info('retention applied', { ...r });
        if (r.seriesDeleted > 0) this.reads?.recycle();
      } catch (err) {
        this.opts.log.error('retention failed', { error: (err as Error).message });
      }
    };
    void retention();
    this.timers.push(this.clock.setInterval(() => void rollups(), 30_000), this.clock.setInterval(() => void retention(), 3_600_000));
  }

  apiDeps(): AppDeps {
    return {
      series: this.store,
      ...(this.reads ? { offThread: this.reads } : {}),
      versions: this.metricStore,
      workload: () => this.activeView(),
      collectors: () => this.scheduler.status(),
      backfill: (id) => this.backfill.status(id),
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
        const fault = this.store.health.fault;
        if (fault) throw new Error(`writes failing since ${new Date(fault.since).toISOString()}: ${fault.message} (${fault.code})`);
      },
      storageHealth: this.store.health,
      metrics: this.metrics,
      events: requestRunOnWrite(this.eventRepository, () => this.derived.requestRun()),
      operations: () => this.workload.current()?.workload.operations ?? null,
      tokens: this.tokenRepository,
      auth: this.opts.auth ?? { read: 'public', metrics: 'public' },
      reloadWorkload: () => this.workload.reloadSoon('api'),
      onWorkloadStatus: (fn: () => void) => {
        this.workload.on('status', fn);
        return () => this.workload.off('status', fn);
      },
      log: this.opts.log,
      clock: this.clock,
      version: this.opts.version,
      reports: this.reports,
      dora: { report: () => this.derived.latest() ?? this.derived.compute() },
      review: this.review,
      notifications: {
        recent: (limit) => this.notifications.recent(limit),
        silences: this.silences,
        status: (snapshot) => this.notifications.status(snapshot),
        subscribe: (fn) => this.notifications.subscribe(fn),
        changed: () => this.notifications.changed(),
      },
      otlp: this.otlp,
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
      reload: () => this.workload.reloadStatus(),
    };
  }

  /** Stops collectors (aborting at the bound), flushes rollups, closes the database. */
  async close(boundMs: number): Promise<boolean> {
    this.closing = true;
    for (const cancel of this.timers.splice(0)) cancel();
    this.workload.close();
    this.evaluator.stop();
    this.derived.stop();
    this.reports.scheduler.stop();
    this.reports.service.stop();
    this.notifications.stop();
    // A report being written (or printed) and notifications being sent finish first (and are
    // recorded), within the same bound.
    const reportRun = Promise.all([this.reports.scheduler.idle(), this.notifications.idle()]);
    // The bound's sleep is cancelled once the report is done: an armed sleep would hold the
    // process for the whole bound after everything else closed.
    const giveUp = new AbortController();
    const [clean] = await Promise.all([
      this.scheduler.stop(boundMs),
      this.backfill.stop(boundMs),
      Promise.race([reportRun, this.clock.sleep(boundMs, giveUp.signal)]).finally(() => giveUp.abort()),
    ]);
    // Reads still running are refused (503 shutting-down); a pass in flight is dropped unapplied.
    await this.reads?.close();
    await this.evaluator.idle();
    try {
      this.store.updateRollups();
    } catch (err) {
      this.opts.log.warn('final rollup update failed', { error: (err as Error).message });
    }
    this.store.close();
    this.lock.release();
    return clean;
  }
}

function evaluationSpec(wl: Workload) {
  return { indicators: wl.indicators, outcomes: wl.outcomes, settings: wl.evaluation };
}

/** The review settings of a workload: its lenses and evidence bindings (server/review). */
function reviewConfig(wl: Workload): ReviewConfig {
  return {
    lenses: wl.review.lenses,
    evidence: wl.review.evidence,
    workload: { id: wl.workload.id, title: wl.workload.title, timezone: wl.workload.timezone },
  };
}
