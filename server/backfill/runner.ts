import { createHash } from 'node:crypto';
import type { BackfillCapability, BackfillPart, CollectorDefinition, Logger, Sample } from '../../collectors/types.js';
import type { IndicatorSpec } from '../evaluation/spec.js';
import { errorMessage, storedSamples, type ScheduledCollector } from '../scheduler/index.js';
import type { Store } from '../store/index.js';
import { BackfillLog, type BackfillRow } from './log.js';
import { autoSpanMs, planRange } from './plan.js';
import { backfillStatus, type BackfillStatus } from './status.js';
import type { Clock } from '../clock.js';

/** Samples per write transaction: keeps each one short, so live runs and the API are never held up for long. */
const WRITE_BATCH = 10_000;
/** Each request of a backfill may take this long at least (query_range over days is slower than an instant query). */
const MIN_REQUEST_TIMEOUT_MS = 60_000;
const MAX_RETRY_DELAY_MS = 10 * 60_000;

export interface BackfillerOptions {
  store: Pick<Store, 'db' | 'writeSamples' | 'firstDataTs' | 'updateRollups' | 'compactHeadBefore'>;
  registry: ReadonlyMap<string, CollectorDefinition<any>>;
  log: Logger;
  /** Time and timers (created once by the runtime). */
  clock: Clock;
  /** Called after a collector's backfill has stored everything it planned, so the next evaluation can use it. */
  onFinished?: (collectorId: string) => void;
  /** Delay before retrying after the n-th consecutive failure (default: 1 min doubling, at most 10 min). */
  retryDelayMs?: (failures: number) => number;
}

export interface BackfillResult {
  collectorId: string;
  parts: number;
  samples: number;
  error?: string;
}

interface Job {
  key: string;
  controller: AbortController;
  done: Promise<void>;
  running: boolean;
  error: string | null;
  nextAttemptAt: number | null;
}

/** A part as stored: the collector's part key, plus a hash of the collector's labels when it has any (they are in every series). */
function storedPart(c: ScheduledCollector, part: BackfillPart): string {
  const labels = Object.entries(c.labels).sort();
  if (labels.length === 0) return part.key;
  return `${part.key}+${createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 8)}`;
}

/**
 * Fills the history of collectors whose definition can backfill (`CollectorDefinition.backfill`),
 * for any type, in the background.
 *
 * Contract:
 * - `apply()` (every workload load) starts a job per collector that has a part never backfilled
 *   before, or one cut short; it returns at once. A job never delays a live run: it runs beside
 *   the scheduler and writes in short transactions.
 * - Idempotent: the store records per part which range was planned and how far it got, in the
 *   same transaction as the samples; a restart resumes after the last stored chunk, a finished
 *   part is not planned again, and ranges never overlap what was already stored.
 * - A failure is logged and visible in `status()`; the job retries with backoff from where it
 *   stopped. Removing or changing a collector aborts its job.
 */
export class Backfiller {
  private readonly jobs = new Map<string, Job>();
  private collectors = new Map<string, ScheduledCollector>();
  private indicators: readonly IndicatorSpec[] = [];
  private readonly clock: Clock;
  private readonly log: BackfillLog;
  private stopped = false;

  constructor(private readonly opts: BackfillerOptions) {
    this.clock = opts.clock;
    this.log = new BackfillLog(opts.store.db, () => this.clock.now());
  }

  /** Reconciles with the workload and starts (in the background) what needs filling. */
  apply(collectors: readonly ScheduledCollector[], indicators: readonly IndicatorSpec[]): void {
    this.indicators = indicators;
    this.collectors = new Map(collectors.map((c) => [c.id, c]));
    for (const [id, job] of this.jobs) {
      const c = this.collectors.get(id);
      if (!c || jobKey(c) !== job.key) {
        job.controller.abort();
        this.jobs.delete(id);
      }
    }
    if (this.stopped) return;
    for (const c of collectors) {
      if (this.jobs.has(c.id)) continue;
      const cap = this.capability(c);
      if (!cap || !this.needsWork(c, cap)) continue;
      this.startJob(c, cap);
    }
  }

  /** Backfills now and resolves when done (the CLI): `sinceMs` extends every part back to now − sinceMs. */
  async run(collectors: readonly ScheduledCollector[], indicators: readonly IndicatorSpec[], opts: { sinceMs?: number; signal?: AbortSignal } = {}): Promise<BackfillResult[]> {
    this.indicators = indicators;
    this.collectors = new Map(collectors.map((c) => [c.id, c]));
    const signal = opts.signal ?? new AbortController().signal;
    const results: BackfillResult[] = [];
    for (const c of collectors) {
      const cap = this.capability(c);
      if (!cap) continue;
      const before = this.totalSamples(c.id);
      try {
        const parts = await this.fill(c, cap, signal, opts.sinceMs);
        results.push({ collectorId: c.id, parts, samples: this.totalSamples(c.id) - before });
      } catch (err) {
        results.push({ collectorId: c.id, parts: cap.parts(c.config).length, samples: this.totalSamples(c.id) - before, error: errorMessage(err) });
      }
    }
    this.opts.store.updateRollups();
    return results;
  }

  /** Whether collectors of this type can backfill at all. */
  canBackfill(c: Pick<ScheduledCollector, 'type'>): boolean {
    return this.opts.registry.get(c.type)?.backfill !== undefined;
  }

  /** Progress of one collector's backfill, or null when it has none (its type cannot, or it is off). */
  status(collectorId: string): BackfillStatus | null {
    const c = this.collectors.get(collectorId);
    const cap = c && this.capability(c);
    if (!c || !cap) return null;
    const parts = cap.parts(c.config);
    if (parts.length === 0) return null;
    const job = this.jobs.get(collectorId);
    return backfillStatus(
      parts.map((p) => ({ key: storedPart(c, p), series: p.series })),
      this.log.rows(collectorId),
      job ? { running: job.running, error: job.error, nextAttemptAt: job.nextAttemptAt } : null,
    );
  }

  /** Aborts every job and waits for them, at most `boundMs`. */
  async stop(boundMs = 5_000): Promise<void> {
    this.stopped = true;
    const pending = [...this.jobs.values()].map((j) => {
      j.controller.abort();
      return j.done;
    });
    const giveUp = new AbortController();
    await Promise.race([Promise.all(pending), this.clock.sleep(boundMs, giveUp.signal)]);
    giveUp.abort();
  }

  /** Resolves when every job now running has ended (tests and `collect`). */
  async idle(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  private capability(c: ScheduledCollector): BackfillCapability<unknown> | undefined {
    return this.opts.registry.get(c.type)?.backfill as BackfillCapability<unknown> | undefined;
  }

  private needsWork(c: ScheduledCollector, cap: BackfillCapability<unknown>): boolean {
    const rows = this.log.rows(c.id);
    return cap.parts(c.config).some((p) => {
      const key = storedPart(c, p);
      const mine = rows.filter((r) => r.part === key);
      return mine.length === 0 || mine.some((r) => r.state !== 'done');
    });
  }

  private totalSamples(collectorId: string): number {
    return this.log.rows(collectorId).reduce((n, r) => n + r.samples, 0);
  }

  private startJob(c: ScheduledCollector, cap: BackfillCapability<unknown>): void {
    const controller = new AbortController();
    const job: Job = { key: jobKey(c), controller, done: Promise.resolve(), running: true, error: null, nextAttemptAt: null };
    this.jobs.set(c.id, job);
    const log = this.opts.log.child({ collector: c.id });
    job.done = (async () => {
      for (let failures = 0; !controller.signal.aborted; ) {
        try {
          job.running = true;
          job.nextAttemptAt = null;
          await this.fill(c, cap, controller.signal);
          job.error = null;
          job.running = false;
          this.opts.store.updateRollups();
          this.opts.onFinished?.(c.id);
          return;
        } catch (err) {
          job.running = false;
          if (controller.signal.aborted) return;
          failures++;
          job.error = errorMessage(err);
          const delay = this.opts.retryDelayMs?.(failures) ?? Math.min(MAX_RETRY_DELAY_MS, 60_000 * 2 ** (failures - 1));
          job.nextAttemptAt = this.clock.now() + delay;
          log.warn('backfill failed; it resumes where it stopped', { error: job.error, retryInSeconds: Math.round(delay / 1000), failures });
          await sleep(this.clock, delay, controller.signal);
        }
      }
    })().catch((err: unknown) => log.error('backfill job crashed', { error: errorMessage(err) }));
  }

  /** Plans what is new (auto) or extends back to `sinceMs`, then fills every unfinished range of every part. */
  private async fill(c: ScheduledCollector, cap: BackfillCapability<unknown>, signal: AbortSignal, sinceMs?: number): Promise<number> {
    const parts = cap.parts(c.config);
    for (const part of parts) {
      const key = storedPart(c, part);
      const rows = this.log.rows(c.id).filter((r) => r.part === key);
      if (sinceMs !== undefined || rows.length === 0) {
        const span = sinceMs ?? autoSpanMs(this.indicators, c.id, part.series);
        // Earlier backfills know exactly where they began; otherwise the oldest stored data bounds it.
        const covered = rows.length > 0 ? Math.min(...rows.map((r) => r.from)) : (this.firstStored(c, part) ?? Infinity);
        const { from, to } = planRange(this.clock.now(), span, c.intervalMs, covered);
        if (to >= from || rows.length === 0) rows.push(this.log.plan({ collectorId: c.id, part: key, from, to, stepMs: c.intervalMs }));
      }
      for (const row of rows) {
        if (row.state === 'done') continue;
        try {
          await this.fillRange(c, cap, part, row, signal);
        } catch (err) {
          if (!signal.aborted) this.log.fail(row.id, errorMessage(err));
          throw err;
        }
      }
    }
    return parts.length;
  }

  private firstStored(c: ScheduledCollector, part: BackfillPart): number | undefined {
    let first: number | undefined;
    for (const name of part.series) {
      const ts = this.opts.store.firstDataTs({ name, matchers: [{ label: 'collector', op: '=', value: c.id }] });
      if (ts !== undefined && (first === undefined || ts < first)) first = ts;
    }
    return first;
  }

  private async fillRange(c: ScheduledCollector, cap: BackfillCapability<unknown>, part: BackfillPart, row: BackfillRow, signal: AbortSignal): Promise<void> {
    const step = row.stepMs;
    const from = row.from + Math.ceil((row.doneTo + 1 - row.from) / step) * step;
    const log = this.opts.log.child({ collector: c.id, part: row.part });
    if (from > row.to) {
      this.log.finish(row.id);
      return;
    }
    const fields = { from: new Date(from).toISOString(), to: new Date(row.to).toISOString(), stepSeconds: step / 1000 };
    log.info(row.doneTo >= row.from ? 'backfill resumed' : 'backfill started', fields);
    const t0 = this.clock.now();
    // History is older than anything live: straight into the series-clustered table.
    this.opts.store.compactHeadBefore(row.to + 1);
    const span = row.to - row.from + step;
    let written = 0;
    let reported = Math.floor(((from - row.from) / span) * 4);
    const chunks = cap.fetch(c.config, part.key, { from, to: row.to, stepMs: step, timeoutMs: Math.max(c.timeoutMs, MIN_REQUEST_TIMEOUT_MS) }, {
      signal,
      now: new Date(this.clock.now()),
      log,
      collectorId: c.id,
    });
    let chunkFrom = from;
    const warned = new Set<string>(); // each distinct warning once per range, not once per chunk
    for await (const chunk of chunks) {
      signal.throwIfAborted();
      const through = Math.min(chunk.through, row.to);
      const samples = storedSamples(chunk.samples, c).filter((s) => s.ts >= chunkFrom && s.ts <= through);
      written += await this.write(row.id, samples, chunkFrom, through, signal);
      chunkFrom = through + 1;
      for (const w of chunk.warnings ?? []) {
        if (warned.size < 5 && !warned.has(w)) log.warn(w);
        warned.add(w);
      }
      const quarter = Math.floor(((through - row.from + step) / span) * 4);
      if (quarter > reported && quarter < 4) {
        reported = quarter;
        log.info('backfill progress', { percent: quarter * 25, through: new Date(through).toISOString(), samples: written });
      }
    }
    this.log.finish(row.id);
    log.info('backfill finished', { ...fields, samples: written, seconds: Math.round(this.clock.now() - t0) / 1000 });
  }

  /**
   * Stores one chunk in time slices of about WRITE_BATCH samples, each in its own transaction
   * that also moves the range's done_to to the end of the slice (everything up to it is then
   * stored). A slice whose range another process already stored is skipped, so two backfills of
   * one part never count a sample twice. Rollups of the chunk are brought up to date after it,
   * so no later pass has a long backlog to build at once.
   */
  private async write(rowId: number, samples: Sample[], from: number, through: number, signal: AbortSignal): Promise<number> {
    const { db } = this.opts.store;
    const slices = Math.max(1, Math.ceil(samples.length / WRITE_BATCH));
    const width = Math.max(1, Math.ceil((through - from + 1) / slices));
    const buckets: Sample[][] = Array.from({ length: slices }, () => []);
    for (const s of samples) buckets[Math.min(slices - 1, Math.floor((s.ts - from) / width))]!.push(s);
    let written = 0;
    for (let k = 0; k < slices; k++) {
      const slice = buckets[k]!;
      const upTo = k === slices - 1 ? through : from + (k + 1) * width - 1;
      written += db
        .transaction(() => {
          if (this.log.doneTo(rowId) >= upTo) return 0;
          this.opts.store.writeSamples(slice, () => this.log.advance(rowId, upTo, slice.length));
          return slice.length;
        })
        .immediate();
      await new Promise((r) => setImmediate(r));
      signal.throwIfAborted();
    }
    this.opts.store.updateRollups();
    return written;
  }
}

function jobKey(c: ScheduledCollector): string {
  return JSON.stringify([c.type, c.config, c.labels, c.intervalMs]);
}

/** A background wait (it never keeps the process alive), cut short by `signal`. */
function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const cancel = clock.setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      cancel();
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
