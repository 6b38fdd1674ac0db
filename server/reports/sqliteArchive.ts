import type { ArchivedReport, NewReport, ReportArchive, ScheduleState, DeliveryAttempt } from './archive.js';
import type { ReportRepository } from './backend.js';
import type { WeekClaim } from './claims.js';
import type { Paper } from './render-pdf.js';

/**
 * The SQLite ReportArchive behind the asynchronous ReportRepository: each method calls the
 * synchronous archive and resolves with its answer (a throw becomes a rejection).
 */
export class SqliteReportRepository implements ReportRepository {
  readonly backend = 'sqlite' as const;

  constructor(readonly archive: ReportArchive) {}

  async save(r: NewReport) { this.archive.save(r); }
  async list(limit?: number) { return this.archive.list(limit); }
  async get(week: string): Promise<ArchivedReport | undefined> { return this.archive.get(week); }
  async pdf(week: string) { return this.archive.pdf(week); }
  async setPdf(week: string, bytes: Buffer, paper: Paper) { this.archive.setPdf(week, bytes, paper); }
  async recordDelivery(a: DeliveryAttempt) { this.archive.recordDelivery(a); }
  async deliveries(week: string) { return this.archive.deliveries(week); }
  async deliveriesSince(at: number) { return this.archive.deliveriesSince(at); }
  async schedule(name: string) { return this.archive.schedule(name); }
  async setSchedule(name: string, s: ScheduleState) { this.archive.setSchedule(name, s); }
  async initSchedule(name: string, s: ScheduleState) { return this.archive.initSchedule(name, s); }
  async claimWeek(name: string, week: string, now: number, leaseMs: number) { return this.archive.claimWeek(name, week, now, leaseMs); }
  async renewClaim(name: string, claim: WeekClaim, now: number, leaseMs: number) { return this.archive.renewClaim(name, claim, now, leaseMs); }
  async releaseClaim(name: string, claim: WeekClaim) { this.archive.releaseClaim(name, claim); }
  async completeWeek(name: string, s: ScheduleState, claim: WeekClaim) { this.archive.completeWeek(name, s, claim); }
  async lastSuccess() { return this.archive.lastSuccess(); }
  async failureCounts() { return this.archive.failureCounts(); }
}
