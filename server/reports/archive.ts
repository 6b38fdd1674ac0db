import type Database from 'better-sqlite3';
import type { Paper } from './render-pdf.js';
import { CLAIM_SQL, claimName, FIRST_SQL, RELEASE_SQL, RENEW_SQL, type WeekClaim } from './claims.js';
import type { SyncReportRepository } from './backend.js';

/**
 * The only reader and writer of `reports`, `report_deliveries` and `report_schedule`
 * (migrations/0005_reports.sql).
 */

export type ReportTrigger = 'schedule' | 'catch-up' | 'api' | 'cli';

export interface ArchivedReportMeta {
  week: string;
  timezone: string;
  from: number;
  to: number;
  generatedAt: number;
  trigger: ReportTrigger;
  schemaVersion: number;
  hasPdf: boolean;
  pdfPaper: Paper | null;
  warnings: string[];
}

export interface ArchivedReport extends ArchivedReportMeta {
  /** The WeeklyReport, as JSON text. */
  data: string;
  md: string;
  html: string;
}

export interface NewReport extends Omit<ArchivedReport, 'hasPdf' | 'pdfPaper'> {
  pdf?: { bytes: Buffer; paper: Paper };
}

export interface DeliveryAttempt {
  week: string;
  channel: string;
  attempt: number;
  at: number;
  ok: boolean;
  error: string | null;
}

export interface ScheduleState {
  lastWeek: string;
  dueAt: number;
  ranAt: number;
}

const META = 'week, timezone, from_ts, to_ts, generated_at, trigger, schema_version, pdf IS NOT NULL, pdf_paper, warnings';
type MetaRow = [string, string, number, number, number, ReportTrigger, number, number, Paper | null, string];

function toMeta(r: MetaRow): ArchivedReportMeta {
  return {
    week: r[0],
    timezone: r[1],
    from: r[2],
    to: r[3],
    generatedAt: r[4],
    trigger: r[5],
    schemaVersion: r[6],
    hasPdf: r[7] === 1,
    pdfPaper: r[8],
    warnings: JSON.parse(r[9]) as string[],
  };
}

export class ReportArchive implements SyncReportRepository {
  private readonly upsert: Database.Statement;
  private readonly listMeta: Database.Statement;
  private readonly getOne: Database.Statement;
  private readonly getPdfStmt: Database.Statement;
  private readonly setPdfStmt: Database.Statement;
  private readonly insertDelivery: Database.Statement;
  private readonly deliveriesOf: Database.Statement;
  private readonly recentDeliveries: Database.Statement;
  private readonly getSchedule: Database.Statement;
  private readonly putSchedule: Database.Statement;
  private readonly lastOk: Database.Statement;
  private readonly lastGenerated: Database.Statement;
  private readonly failures: Database.Statement;
  private readonly claimStmt: Database.Statement;
  private readonly renewStmt: Database.Statement;
  private readonly releaseStmt: Database.Statement;
  private readonly firstStmt: Database.Statement;
  private readonly complete: Database.Transaction<(name: string, s: ScheduleState, claim: WeekClaim) => void>;

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO reports (week, timezone, from_ts, to_ts, generated_at, trigger, schema_version, data, md, html, pdf, pdf_paper, warnings)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (week) DO UPDATE SET timezone = excluded.timezone, from_ts = excluded.from_ts, to_ts = excluded.to_ts,
         generated_at = excluded.generated_at, trigger = excluded.trigger, schema_version = excluded.schema_version,
         data = excluded.data, md = excluded.md, html = excluded.html, pdf = excluded.pdf, pdf_paper = excluded.pdf_paper,
         warnings = excluded.warnings`,
    );
    this.listMeta = db.prepare(`SELECT ${META} FROM reports ORDER BY from_ts DESC LIMIT ?`).raw();
    this.getOne = db.prepare(`SELECT ${META}, data, md, html FROM reports WHERE week = ?`).raw();
    this.getPdfStmt = db.prepare('SELECT pdf, pdf_paper FROM reports WHERE week = ?').raw();
    this.setPdfStmt = db.prepare('UPDATE reports SET pdf = ?, pdf_paper = ? WHERE week = ?');
    this.insertDelivery = db.prepare('INSERT INTO report_deliveries (report_week, channel, attempt, at, ok, error) VALUES (?, ?, ?, ?, ?, ?)');
    this.deliveriesOf = db.prepare('SELECT report_week, channel, attempt, at, ok, error FROM report_deliveries WHERE report_week = ? ORDER BY at, id').raw();
    this.recentDeliveries = db
      .prepare('SELECT report_week, channel, attempt, at, ok, error FROM report_deliveries WHERE at >= ? ORDER BY at, id')
      .raw();
    this.getSchedule = db.prepare('SELECT last_week, due_at, ran_at FROM report_schedule WHERE name = ?').raw();
    this.putSchedule = db.prepare(
      `INSERT INTO report_schedule (name, last_week, due_at, ran_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET last_week = excluded.last_week, due_at = excluded.due_at, ran_at = excluded.ran_at`,
    );
    this.lastOk = db.prepare('SELECT channel, max(at) FROM report_deliveries WHERE ok = 1 GROUP BY channel').raw();
    this.lastGenerated = db.prepare('SELECT max(generated_at) FROM reports').pluck();
    this.failures = db.prepare('SELECT channel, count(*) FROM report_deliveries WHERE ok = 0 GROUP BY channel').raw();
    // One statement each, so the claim is atomic on either engine (claims.ts).
    this.claimStmt = db.prepare(CLAIM_SQL.replace(/\$(\d)/g, '@p$1')).pluck();
    this.renewStmt = db.prepare(RENEW_SQL.replace(/\$(\d)/g, '@p$1'));
    this.releaseStmt = db.prepare(RELEASE_SQL.replace(/\$(\d)/g, '@p$1'));
    this.firstStmt = db.prepare(FIRST_SQL.replace(/\$(\d)/g, '@p$1'));
    this.complete = db.transaction((name: string, s: ScheduleState, claim: WeekClaim) => {
      this.putSchedule.run(name, s.lastWeek, s.dueAt, s.ranAt);
      this.releaseStmt.run(params(claimName(name), claim.week, claim.at));
    });
  }

  save(r: NewReport): void {
    this.upsert.run(
      r.week, r.timezone, r.from, r.to, r.generatedAt, r.trigger, r.schemaVersion, r.data, r.md, r.html,
      r.pdf?.bytes ?? null, r.pdf?.paper ?? null, JSON.stringify(r.warnings),
    );
  }

  /** Newest week first. */
  list(limit = 520): ArchivedReportMeta[] {
    return (this.listMeta.all(limit) as MetaRow[]).map(toMeta);
  }

  get(week: string): ArchivedReport | undefined {
    const r = this.getOne.get(week) as [...MetaRow, string, string, string] | undefined;
    if (!r) return undefined;
    return { ...toMeta(r.slice(0, 10) as MetaRow), data: r[10], md: r[11], html: r[12] };
  }

  pdf(week: string): { bytes: Buffer; paper: Paper } | undefined {
    const r = this.getPdfStmt.get(week) as [Buffer | null, Paper | null] | undefined;
    return r && r[0] ? { bytes: r[0], paper: r[1] ?? 'A4' } : undefined;
  }

  setPdf(week: string, bytes: Buffer, paper: Paper): void {
    this.setPdfStmt.run(bytes, paper, week);
  }

  recordDelivery(a: DeliveryAttempt): void {
    this.insertDelivery.run(a.week, a.channel, a.attempt, a.at, a.ok ? 1 : 0, a.error);
  }

  deliveries(week: string): DeliveryAttempt[] {
    return (this.deliveriesOf.all(week) as Array<[string, string, number, number, number, string | null]>).map(toAttempt);
  }

  deliveriesSince(at: number): DeliveryAttempt[] {
    return (this.recentDeliveries.all(at) as Array<[string, string, number, number, number, string | null]>).map(toAttempt);
  }

  schedule(name: string): ScheduleState | undefined {
    const r = this.getSchedule.get(name) as [string, number, number] | undefined;
    return r ? { lastWeek: r[0], dueAt: r[1], ranAt: r[2] } : undefined;
  }

  setSchedule(name: string, s: ScheduleState): void {
    this.putSchedule.run(name, s.lastWeek, s.dueAt, s.ranAt);
  }

  /** See ReportRepository.claimWeek. */
  claimWeek(name: string, week: string, now: number, leaseMs: number): WeekClaim | null {
    const at = Math.round(now);
    const got = this.claimStmt.get(params(claimName(name), week, at + leaseMs, at, name)) as string | undefined;
    return got === undefined ? null : { week, at };
  }

  renewClaim(name: string, claim: WeekClaim, now: number, leaseMs: number): boolean {
    return this.renewStmt.run(params(claimName(name), claim.week, claim.at, Math.round(now) + leaseMs)).changes === 1;
  }

  releaseClaim(name: string, claim: WeekClaim): void {
    this.releaseStmt.run(params(claimName(name), claim.week, claim.at));
  }

  completeWeek(name: string, s: ScheduleState, claim: WeekClaim): void {
    this.complete.immediate(name, s, claim);
  }

  initSchedule(name: string, s: ScheduleState): boolean {
    return this.firstStmt.run(params(name, s.lastWeek, s.dueAt, s.ranAt)).changes === 1;
  }

  /** For /metrics: the last success per channel (`archive` = the last report generated). */
  lastSuccess(): Array<{ channel: string; at: number }> {
    const out = (this.lastOk.all() as Array<[string, number]>).map(([channel, at]) => ({ channel, at }));
    const generated = this.lastGenerated.get() as number | null;
    if (generated !== null) out.push({ channel: 'archive', at: generated });
    return out;
  }

  /** For /metrics: failed delivery attempts per channel, ever. */
  failureCounts(): Array<{ channel: string; count: number }> {
    return (this.failures.all() as Array<[string, number]>).map(([channel, count]) => ({ channel, count }));
  }
}

/** claims.ts writes PostgreSQL's $1…$n; here they are named @p1…@pn. */
function params(...values: unknown[]): Record<string, unknown> {
  return Object.fromEntries(values.map((v, i) => [`p${i + 1}`, v]));
}

function toAttempt(r: [string, string, number, number, number, string | null]): DeliveryAttempt {
  return { week: r[0], channel: r[1], attempt: r[2], at: r[3], ok: r[4] === 1, error: r[5] };
}
