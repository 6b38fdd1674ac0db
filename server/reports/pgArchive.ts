import type pg from 'pg';
import { inTransaction } from '../store/pg/pool.js';
import type { ArchivedReport, ArchivedReportMeta, DeliveryAttempt, NewReport, ReportTrigger, ScheduleState } from './archive.js';
import type { ReportRepository } from './backend.js';
import { CLAIM_SQL, claimName, FIRST_SQL, RELEASE_SQL, RENEW_SQL, type WeekClaim } from './claims.js';
import type { Paper } from './render-pdf.js';

/**
 * The report archive and schedule in PostgreSQL (migrations-pg/0002_application.sql),
 * answering as the SQLite ReportArchive does (test/reports-contract.test.ts). The pool must
 * parse bigint as numbers (`storeTypes`, server/store/pg/pool.ts): share the metric store's.
 * Every method is one statement (completing a week: two in one transaction), so replicas
 * claiming a week at once get it once (claims.ts).
 */
interface MetaRow {
  week: string;
  timezone: string;
  from_ts: number;
  to_ts: number;
  generated_at: number;
  trigger: ReportTrigger;
  schema_version: number;
  has_pdf: boolean;
  pdf_paper: Paper | null;
  warnings: string;
}
const META = 'week, timezone, from_ts, to_ts, generated_at, trigger, schema_version, pdf IS NOT NULL AS has_pdf, pdf_paper, warnings';

function toMeta(r: MetaRow): ArchivedReportMeta {
  return {
    week: r.week, timezone: r.timezone, from: r.from_ts, to: r.to_ts, generatedAt: r.generated_at, trigger: r.trigger,
    schemaVersion: r.schema_version, hasPdf: r.has_pdf, pdfPaper: r.pdf_paper, warnings: JSON.parse(r.warnings) as string[],
  };
}

interface AttemptRow {
  report_week: string;
  channel: string;
  attempt: number;
  at: number;
  ok: boolean;
  error: string | null;
}
const ATTEMPT = 'report_week, channel, attempt, at, ok, error';
const toAttempt = (r: AttemptRow): DeliveryAttempt => ({ week: r.report_week, channel: r.channel, attempt: r.attempt, at: r.at, ok: r.ok, error: r.error });

const PUT_SCHEDULE = `INSERT INTO report_schedule (name, last_week, due_at, ran_at) VALUES ($1, $2, $3, $4)
  ON CONFLICT (name) DO UPDATE SET last_week = EXCLUDED.last_week, due_at = EXCLUDED.due_at, ran_at = EXCLUDED.ran_at`;

export class PgReportStore implements ReportRepository {
  readonly backend = 'postgres' as const;

  constructor(private readonly pool: pg.Pool) {}

  async save(r: NewReport): Promise<void> {
    await this.pool.query(
      `INSERT INTO reports (week, timezone, from_ts, to_ts, generated_at, trigger, schema_version, data, md, html, pdf, pdf_paper, warnings)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (week) DO UPDATE SET timezone = EXCLUDED.timezone, from_ts = EXCLUDED.from_ts, to_ts = EXCLUDED.to_ts,
         generated_at = EXCLUDED.generated_at, trigger = EXCLUDED.trigger, schema_version = EXCLUDED.schema_version,
         data = EXCLUDED.data, md = EXCLUDED.md, html = EXCLUDED.html, pdf = EXCLUDED.pdf, pdf_paper = EXCLUDED.pdf_paper,
         warnings = EXCLUDED.warnings`,
      [r.week, r.timezone, r.from, r.to, r.generatedAt, r.trigger, r.schemaVersion, r.data, r.md, r.html, r.pdf?.bytes ?? null, r.pdf?.paper ?? null, JSON.stringify(r.warnings)],
    );
  }

  async list(limit = 520): Promise<ArchivedReportMeta[]> {
    const r = await this.pool.query<MetaRow>(`SELECT ${META} FROM reports ORDER BY from_ts DESC LIMIT $1`, [limit]);
    return r.rows.map(toMeta);
  }

  async get(week: string): Promise<ArchivedReport | undefined> {
    const r = await this.pool.query<MetaRow & { data: string; md: string; html: string }>(`SELECT ${META}, data, md, html FROM reports WHERE week = $1`, [week]);
    const row = r.rows[0];
    return row && { ...toMeta(row), data: row.data, md: row.md, html: row.html };
  }

  async pdf(week: string): Promise<{ bytes: Buffer; paper: Paper } | undefined> {
    const r = await this.pool.query<{ pdf: Buffer | null; pdf_paper: Paper | null }>('SELECT pdf, pdf_paper FROM reports WHERE week = $1', [week]);
    const row = r.rows[0];
    return row && row.pdf ? { bytes: row.pdf, paper: row.pdf_paper ?? 'A4' } : undefined;
  }

  async setPdf(week: string, bytes: Buffer, paper: Paper): Promise<void> {
    await this.pool.query('UPDATE reports SET pdf = $1, pdf_paper = $2 WHERE week = $3', [bytes, paper, week]);
  }

  async recordDelivery(a: DeliveryAttempt): Promise<void> {
    await this.pool.query('INSERT INTO report_deliveries (report_week, channel, attempt, at, ok, error) VALUES ($1, $2, $3, $4, $5, $6)', [
      a.week, a.channel, a.attempt, a.at, a.ok, a.error,
    ]);
  }

  async deliveries(week: string): Promise<DeliveryAttempt[]> {
    const r = await this.pool.query<AttemptRow>(`SELECT ${ATTEMPT} FROM report_deliveries WHERE report_week = $1 ORDER BY at, id`, [week]);
    return r.rows.map(toAttempt);
  }

  async deliveriesSince(at: number): Promise<DeliveryAttempt[]> {
    const r = await this.pool.query<AttemptRow>(`SELECT ${ATTEMPT} FROM report_deliveries WHERE at >= $1 ORDER BY at, id`, [at]);
    return r.rows.map(toAttempt);
  }

  async schedule(name: string): Promise<ScheduleState | undefined> {
    const r = await this.pool.query<{ last_week: string; due_at: number; ran_at: number }>('SELECT last_week, due_at, ran_at FROM report_schedule WHERE name = $1', [name]);
    const row = r.rows[0];
    return row && { lastWeek: row.last_week, dueAt: row.due_at, ranAt: row.ran_at };
  }

  async setSchedule(name: string, s: ScheduleState): Promise<void> {
    await this.pool.query(PUT_SCHEDULE, [name, s.lastWeek, s.dueAt, s.ranAt]);
  }

  async initSchedule(name: string, s: ScheduleState): Promise<boolean> {
    return ((await this.pool.query(FIRST_SQL, [name, s.lastWeek, s.dueAt, s.ranAt])).rowCount ?? 0) === 1;
  }

  async claimWeek(name: string, week: string, now: number, leaseMs: number): Promise<WeekClaim | null> {
    const at = Math.round(now);
    const r = await this.pool.query(CLAIM_SQL, [claimName(name), week, at + leaseMs, at, name]);
    return r.rows.length === 1 ? { week, at } : null;
  }

  async renewClaim(name: string, claim: WeekClaim, now: number, leaseMs: number): Promise<boolean> {
    return ((await this.pool.query(RENEW_SQL, [claimName(name), claim.week, claim.at, Math.round(now) + leaseMs])).rowCount ?? 0) === 1;
  }

  async releaseClaim(name: string, claim: WeekClaim): Promise<void> {
    await this.pool.query(RELEASE_SQL, [claimName(name), claim.week, claim.at]);
  }

  async completeWeek(name: string, s: ScheduleState, claim: WeekClaim): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await Promise.all([c.query(PUT_SCHEDULE, [name, s.lastWeek, s.dueAt, s.ranAt]), c.query(RELEASE_SQL, [claimName(name), claim.week, claim.at])]);
    });
  }

  async lastSuccess(): Promise<Array<{ channel: string; at: number }>> {
    const r = await this.pool.query<{ channel: string; at: number }>(
      `SELECT channel, max(at) AS at FROM report_deliveries WHERE ok GROUP BY channel
       UNION ALL SELECT 'archive', max(generated_at) FROM reports HAVING count(*) > 0`,
    );
    return r.rows;
  }

  async failureCounts(): Promise<Array<{ channel: string; count: number }>> {
    const r = await this.pool.query<{ channel: string; count: number }>('SELECT channel, count(*) AS count FROM report_deliveries WHERE NOT ok GROUP BY channel');
    return r.rows;
  }
}
