import { Cron } from 'croner';
import type { Logger } from '../../collectors/types.js';
import type { ScheduleState } from './archive.js';
import type { ReportRepository } from './backend.js';
import type { WeekClaim } from './claims.js';
import type { ReportService } from './service.js';
import { formatWeek, lastCompletedWeek, weekRange } from './week.js';
import type { Clock } from '../clock.js';

/**
 * Runs the weekly report on its cron schedule, once per week even across restarts, and
 * catches up a run missed while the server was down.
 *
 * Contract:
 * - At every due time (cron in the report's zone) the target is the last complete ISO week at
 *   that time. It is produced unless `report_schedule` says the schedule already produced it
 *   (so a daily cron still makes one report a week, and a restart never makes a second).
 * - `start()` checks the most recent due time at once: if its week was not produced (the
 *   server was down at 08:00 on Monday) it runs now, as trigger `catch-up`. On the very first
 *   start (no schedule state) it only records the current week as handled: a new installation
 *   does not mail a report about a week it never saw.
 * - Only the most recent missed week is caught up; older ones are one `pillarboard report
 *   --week …` away. Generation failures are retried every `retryMs` (default 10 min).
 * - Timers are at most a day long and recompute from the clock, so clock changes, DST and
 *   long sleeps converge. The injected clock makes all of it testable.
 * - A week is claimed before it is produced (claims.ts), so replicas sharing one database
 *   produce it once: a replica that finds another's live claim leaves the week to it and looks
 *   again at its retry time (the holder may die: its lease lapses and the week is taken over).
 *   The holder renews its lease while it works; a failure releases the claim for the retry.
 */

export const SCHEDULE_NAME = 'weekly';
const MAX_TIMER_MS = 86_400_000;
/** How long a claim holds without renewal (renewed every third of it while the week is produced). */
export const CLAIM_LEASE_MS = 120_000;

export interface ReportScheduleSettings {
  enabled: boolean;
  cron: string;
  timezone: string;
}

export interface ReportSchedulerOptions {
  service: Pick<ReportService, 'run'>;
  archive: Pick<ReportRepository, 'schedule' | 'initSchedule' | 'claimWeek' | 'renewClaim' | 'releaseClaim' | 'completeWeek'>;
  /** The schedule now (it follows workload reloads), or null before a workload is loaded. */
  settings: () => ReportScheduleSettings | null;
  log: Logger;
  /** Time and timers (created once by the runtime). */
  clock: Clock;
  retryMs?: number;
  /** Lease of a week's claim (default CLAIM_LEASE_MS). */
  claimLeaseMs?: number;
}

export interface ReportScheduleStatus {
  enabled: boolean;
  cron: string | null;
  timezone: string | null;
  nextRunAt: number | null;
  lastWeek: string | null;
  lastRunAt: number | null;
}

export class ReportScheduler {
  private readonly clock: Clock;
  private cancel: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private started = false;
  private nextRunAt: number | null = null;
  /** Set when a run failed: the next timer fires then, if that is before the next cron time. */
  private retryAt: number | null = null;

  constructor(private readonly opts: ReportSchedulerOptions) {
    this.clock = opts.clock;
  }

  /** Checks for a missed run (and runs it), then arms the timer. Returns when the check's run (if any) has finished. */
  async start(): Promise<void> {
    this.started = true;
    await this.tick(true);
  }

  /** After a workload reload: the cron or zone may have changed. */
  reschedule(): void {
    if (!this.started) return;
    this.arm();
  }

  stop(): void {
    this.started = false;
    this.cancel?.();
    this.cancel = null;
    this.nextRunAt = null;
  }

  /** Resolves when a run in progress (if any) has finished. */
  async idle(): Promise<void> {
    await this.running;
  }

  async status(): Promise<ReportScheduleStatus> {
    const s = this.opts.settings();
    const state = await this.opts.archive.schedule(SCHEDULE_NAME);
    return {
      enabled: s?.enabled ?? false,
      cron: s?.cron ?? null,
      timezone: s?.timezone ?? null,
      nextRunAt: this.nextRunAt,
      lastWeek: state?.lastWeek ?? null,
      lastRunAt: state?.ranAt ?? null,
    };
  }

  private cron(s: ReportScheduleSettings): Cron {
    return new Cron(s.cron, { timezone: s.timezone, paused: true });
  }

  /** Runs the most recent due week if it was not produced yet; then arms the next timer. */
  private async tick(atStart: boolean): Promise<void> {
    if (this.running) return this.running;
    this.running = this.check(atStart).finally(() => {
      this.running = null;
      if (this.started) this.arm();
    });
    return this.running;
  }

  private async check(atStart: boolean): Promise<void> {
    const s = this.opts.settings();
    if (!s || !s.enabled) return;
    const now = this.clock.now();
    const due = this.cron(s).previousRuns(1, new Date(now + 1))[0]?.getTime();
    if (due === undefined) return;
    const target = formatWeek(lastCompletedWeek(due, s.timezone));
    const state = await this.opts.archive.schedule(SCHEDULE_NAME);
    if (state && state.lastWeek >= target) return;
    if (!state && atStart) {
      if (await this.opts.archive.initSchedule(SCHEDULE_NAME, { lastWeek: target, dueAt: due, ranAt: now })) {
        this.opts.log.info('weekly reports: first start, the first report runs at the next scheduled time', { cron: s.cron, timezone: s.timezone });
      }
      return;
    }
    const lease = this.opts.claimLeaseMs ?? CLAIM_LEASE_MS;
    let claim: WeekClaim | null;
    try {
      claim = await this.opts.archive.claimWeek(SCHEDULE_NAME, target, this.clock.now(), lease);
    } catch (err) {
      this.failed(target, err);
      return;
    }
    if (claim === null) {
      // Produced meanwhile, or another replica is producing it: look again at the retry time.
      this.opts.log.info('weekly report: another process holds the claim on this week (a replica, or one stopped while producing it); looking again later', { week: target });
      this.retryAt = this.clock.now() + this.retryMs();
      return;
    }
    const held = claim;
    // A claimer that raced a completion may hold a claim on a produced week: let it go.
    const fresh: ScheduleState | undefined = await this.opts.archive.schedule(SCHEDULE_NAME).catch(() => state);
    if (fresh && fresh.lastWeek >= target) {
      await this.opts.archive.releaseClaim(SCHEDULE_NAME, held).catch(() => undefined);
      return;
    }
    const renew = this.clock.setInterval(() => {
      this.opts.archive.renewClaim(SCHEDULE_NAME, held, this.clock.now(), lease).then(
        (ok) => {
          if (!ok) this.opts.log.warn('weekly report: the claim on this week lapsed while producing it', { week: target });
        },
        (err: unknown) => this.opts.log.warn('weekly report: renewing the claim failed', { week: target, error: (err as Error).message }),
      );
    }, Math.max(1, Math.floor(lease / 3)));
    const trigger = atStart || now - due > 5 * 60_000 ? 'catch-up' : 'schedule';
    try {
      const week = weekRange(lastCompletedWeek(due, s.timezone), s.timezone);
      await this.opts.service.run(week, trigger, { send: true });
      await this.opts.archive.completeWeek(SCHEDULE_NAME, { lastWeek: target, dueAt: due, ranAt: this.clock.now() }, held);
    } catch (err) {
      await this.opts.archive.releaseClaim(SCHEDULE_NAME, held).catch(() => undefined);
      this.failed(target, err);
    } finally {
      renew();
    }
  }

  private failed(week: string, err: unknown): void {
    this.opts.log.error('weekly report failed; will retry', { week, error: (err as Error).message, retryInMs: this.retryMs() });
    this.retryAt = this.clock.now() + this.retryMs();
  }

  private retryMs(): number {
    return this.opts.retryMs ?? 600_000;
  }

  private arm(): void {
    this.cancel?.();
    this.cancel = null;
    this.nextRunAt = null;
    const s = this.opts.settings();
    if (!this.started || !s || !s.enabled) return;
    const now = this.clock.now();
    let next: number;
    try {
      next = this.cron(s).nextRun(new Date(now))?.getTime() ?? Infinity;
    } catch (err) {
      this.opts.log.error('weekly reports: invalid schedule', { cron: s.cron, error: (err as Error).message });
      return;
    }
    if (this.retryAt !== null && this.retryAt < next) next = this.retryAt;
    this.retryAt = null;
    this.nextRunAt = Number.isFinite(next) ? next : null;
    if (!Number.isFinite(next)) return;
    const delay = Math.min(Math.max(0, next - now), MAX_TIMER_MS);
    this.cancel = this.clock.setTimeout(() => {
      this.cancel = null;
      void this.tick(false);
    }, delay);
  }
}
