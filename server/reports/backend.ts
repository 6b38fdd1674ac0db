import type { ArchivedReport, ArchivedReportMeta, DeliveryAttempt, NewReport, ScheduleState } from './archive.js';
import type { WeekClaim } from './claims.js';
import type { Paper } from './render-pdf.js';

/**
 * `reports`, `report_deliveries` and `report_schedule` asynchronously (issue 14), so the
 * embedded SQLite archive (sqliteArchive.ts over the synchronous ReportArchive) and PostgreSQL
 * (pgArchive.ts) are interchangeable. Both pass test/reports-contract.test.ts.
 */
export interface ReportRepository {
  readonly backend: 'sqlite' | 'postgres';
  /** Stores a week's report, replacing an earlier one of the same week. */
  save(r: NewReport): Promise<void>;
  /** Newest week first. */
  list(limit?: number): Promise<ArchivedReportMeta[]>;
  get(week: string): Promise<ArchivedReport | undefined>;
  pdf(week: string): Promise<{ bytes: Buffer; paper: Paper } | undefined>;
  setPdf(week: string, bytes: Buffer, paper: Paper): Promise<void>;
  recordDelivery(a: DeliveryAttempt): Promise<void>;
  /** One week's attempts, oldest first. */
  deliveries(week: string): Promise<DeliveryAttempt[]>;
  /** Attempts at or after `at`, oldest first. */
  deliveriesSince(at: number): Promise<DeliveryAttempt[]>;
  schedule(name: string): Promise<ScheduleState | undefined>;
  setSchedule(name: string, s: ScheduleState): Promise<void>;
  /** The schedule's first state, unless it has one (another replica's first start); answers whether it was stored. */
  initSchedule(name: string, s: ScheduleState): Promise<boolean>;
  /**
   * Claims `week` of schedule `name` for one producer across processes (claims.ts): null when
   * the schedule already produced it (or a later week) or another live claim holds; the claim
   * lapses `leaseMs` after `now` unless renewed.
   */
  claimWeek(name: string, week: string, now: number, leaseMs: number): Promise<WeekClaim | null>;
  /** Extends a claim still held; false when it was lost (lapsed and taken, or released). */
  renewClaim(name: string, claim: WeekClaim, now: number, leaseMs: number): Promise<boolean>;
  releaseClaim(name: string, claim: WeekClaim): Promise<void>;
  /** Records the week as produced and releases the claim, in one transaction. */
  completeWeek(name: string, s: ScheduleState, claim: WeekClaim): Promise<void>;
  /** For /metrics: the last success per channel (`archive` = the last report generated). */
  lastSuccess(): Promise<Array<{ channel: string; at: number }>>;
  /** For /metrics: failed delivery attempts per channel, ever. */
  failureCounts(): Promise<Array<{ channel: string; count: number }>>;
}

/** The same methods answering synchronously: what the SQLite ReportArchive offers. */
export type SyncReportRepository = {
  [K in Exclude<keyof ReportRepository, 'backend'>]: ReportRepository[K] extends (...a: infer A) => Promise<infer R> ? (...a: A) => R : never;
};
