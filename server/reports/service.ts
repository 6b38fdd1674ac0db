import type { Logger } from '../../collectors/types.js';
import type { ArchivedReportMeta, ReportTrigger } from './archive.js';
import type { ReportRepository } from './backend.js';
import { buildWeeklyReport } from './build.js';
import { emailChannel, webhookChannel, type Channel, type ChannelOptions, type DeliveryMessage } from './channels.js';
import { ReportDelivery, type ChannelResult } from './delivery.js';
import { headline, reportTitle } from './format.js';
import { readReportInput, type ReportSources, type ReportWorkload } from './read.js';
import { renderChatSummary, renderMarkdown } from './render-markdown.js';
import { renderHtml } from './render-html.js';
import { ChromiumMissingError, type Paper, type PdfRenderer } from './render-pdf.js';
import type { ReportFormat, WeeklyReportSettings } from './settings.js';
import type { WeeklyReport } from './types.js';
import {
  CURRENT_WEEK, currentWeekSoFar, formatWeek, lastCompletedWeek, parseReportWeek, previousWeek, WeekError, weekRange, type WeekRange,
} from './week.js';
import type { Clock } from '../clock.js';

/** Why the week in progress cannot be archived, run on schedule or sent. */
export const PARTIAL_NOT_ARCHIVED =
  `the current week is not over: it can be shown so far (pillarboard report --week ${CURRENT_WEEK}, GET /api/reports/${CURRENT_WEEK}) ` +
  'but only a complete week is archived or sent';

/**
 * Everything a report run does, for the schedule, the API and the CLI alike: resolve the
 * week, read, build, render, archive, and deliver through the configured channels.
 */

/** What reports need of the active workload. */
export interface ReportWorkloadContext extends ReportWorkload {
  /** The workload's time zone (the default for reports). */
  timezone: string;
  settings: WeeklyReportSettings;
}

export interface ReportServiceOptions {
  archive: ReportRepository;
  sources: ReportSources;
  /** The active workload, or null before one is loaded. */
  workload: () => ReportWorkloadContext | null;
  pdf: PdfRenderer;
  log: Logger;
  /** Time and timers (created once by the runtime). */
  clock: Clock;
  channelOptions?: Omit<ChannelOptions, 'clock'>;
  /** Builds the channels from the settings; tests may replace it. */
  channels?: (settings: WeeklyReportSettings, opts: ChannelOptions) => Channel[];
}

export interface GeneratedReport {
  meta: ArchivedReportMeta;
  report: WeeklyReport;
  markdown: string;
  html: string;
  pdf: Buffer | null;
}

/** No workload loaded: nothing to report on (the API answers 503). */
export class ReportsNotReadyError extends Error {
  constructor() {
    super('no workload is loaded yet');
    this.name = 'ReportsNotReadyError';
  }
}

export function defaultChannels(settings: WeeklyReportSettings, opts: ChannelOptions): Channel[] {
  return [...(settings.email ? [emailChannel(settings.email, opts)] : []), ...settings.webhooks.map((w) => webhookChannel(w, opts))];
}

export class ReportService {
  readonly delivery: ReportDelivery;
  private readonly clock: Clock;
  /** The latest delivery started by run(); tests and shutdown wait on it. */
  lastDelivery: Promise<ChannelResult[]> | null = null;

  constructor(private readonly opts: ReportServiceOptions) {
    this.clock = opts.clock;
    this.delivery = new ReportDelivery({ archive: opts.archive, log: opts.log, clock: opts.clock });
  }

  private context(): ReportWorkloadContext {
    const c = this.opts.workload();
    if (!c) throw new ReportsNotReadyError();
    return c;
  }

  timezone(): string {
    const c = this.context();
    return c.settings.timezone ?? c.timezone;
  }

  /**
   * The week a request names, or the last complete week. `current` is the week in progress cut at
   * now (`asOf` set), accepted only with `allowCurrent` — by those that show a report without
   * archiving it. Throws WeekError: malformed, not ended yet, or `current` where it cannot go.
   */
  resolveWeek(week: string | undefined, opts: { allowCurrent?: boolean } = {}): WeekRange {
    const tz = this.timezone();
    const now = this.clock.now();
    if (week === CURRENT_WEEK) {
      if (!opts.allowCurrent) throw new WeekError(PARTIAL_NOT_ARCHIVED);
      return currentWeekSoFar(now, tz);
    }
    return week === undefined ? weekRange(lastCompletedWeek(now, tz), tz) : parseReportWeek(week, tz, now);
  }

  /** Reads and builds the report of `week` without storing anything. */
  build(week: WeekRange): WeeklyReport {
    const c = this.context();
    const prev = weekRange(previousWeek(week), week.timezone);
    return buildWeeklyReport(readReportInput(this.opts.sources, c, week, prev, this.clock.now()));
  }

  link(week: string, format: ReportFormat = 'html'): string | undefined {
    const base = this.opts.workload()?.settings.baseUrl;
    return base ? `${base.replace(/\/+$/, '')}/api/reports/${week}.${format}` : undefined;
  }

  /**
   * Builds, renders and archives the report of `week` (replacing an earlier one). The PDF is
   * rendered when `formats` has it; if that fails (no Chromium) the report is still stored,
   * with the reason in `warnings`.
   */
  async generate(week: WeekRange, trigger: ReportTrigger, opts: { pdf?: boolean } = {}): Promise<GeneratedReport> {
    // A week in progress is never archived: the archive holds each week's final report only.
    if (week.asOf !== undefined) throw new WeekError(PARTIAL_NOT_ARCHIVED);
    const c = this.context();
    const { report, markdown, html, pdf, warnings } = await this.render(week, opts);
    const meta: ArchivedReportMeta = {
      week: report.week,
      timezone: report.timezone,
      from: week.from,
      to: week.to,
      generatedAt: Date.parse(report.generatedAt),
      trigger,
      schemaVersion: report.schemaVersion,
      hasPdf: pdf !== null,
      pdfPaper: pdf ? c.settings.paper : null,
      warnings,
    };
    await this.opts.archive.save({ ...meta, data: JSON.stringify(report), md: markdown, html, ...(pdf ? { pdf: { bytes: pdf, paper: c.settings.paper } } : {}) });
    this.opts.log.info('weekly report generated', { week: report.week, trigger, pdf: pdf !== null });
    return { meta, report, markdown, html, pdf };
  }

  /**
   * Builds and renders the report of `week` without storing anything — the way the week in
   * progress is shown. The PDF (when asked, or in `formats`) is rendered on `paper` (default
   * the configured one); if that fails, `pdf` is null and `warnings` says why.
   */
  async render(week: WeekRange, opts: { pdf?: boolean; paper?: Paper } = {}): Promise<Omit<GeneratedReport, 'meta'> & { warnings: string[] }> {
    const c = this.context();
    const report = this.build(week);
    const link = week.asOf === undefined ? this.link(report.week) : this.link(CURRENT_WEEK);
    const markdown = renderMarkdown(report, { link });
    const html = renderHtml(report, { link });
    const warnings: string[] = [];
    let pdf: Buffer | null = null;
    if (opts.pdf ?? c.settings.formats.includes('pdf')) {
      try {
        pdf = await this.opts.pdf.render(html, opts.paper ?? c.settings.paper);
      } catch (err) {
        warnings.push(`PDF not produced: ${(err as Error).message}`);
        this.opts.log.warn('report PDF failed', { week: report.week, error: (err as Error).message });
      }
    }
    return { report, markdown, html, pdf, warnings };
  }

  /** The channels configured now. */
  channels(): Channel[] {
    const c = this.context();
    return (this.opts.channels ?? defaultChannels)(c.settings, { ...this.opts.channelOptions, clock: this.clock });
  }

  message(g: GeneratedReport): DeliveryMessage {
    const { settings } = this.context();
    const base = `pillarboard-${g.report.workload.id}-${g.report.week}`;
    const attachments: DeliveryMessage['attachments'] = [];
    for (const f of settings.formats) {
      if (f === 'json') attachments.push({ filename: `${base}.json`, content: JSON.stringify(g.report, null, 2), contentType: 'application/json' });
      if (f === 'md') attachments.push({ filename: `${base}.md`, content: g.markdown, contentType: 'text/markdown; charset=utf-8' });
      if (f === 'html') attachments.push({ filename: `${base}.html`, content: g.html, contentType: 'text/html; charset=utf-8' });
      if (f === 'pdf' && g.pdf) attachments.push({ filename: `${base}.pdf`, content: g.pdf, contentType: 'application/pdf' });
    }
    const link = this.link(g.report.week);
    const subject = `${reportTitle(g.report)}: ${headline(g.report)}`;
    return {
      subject,
      json: {
        event: 'pillarboard.weekly_report',
        week: g.report.week,
        workload: g.report.workload,
        summary: g.report.summary,
        subject,
        ...(link ? { link } : {}),
        markdown: g.markdown,
        report: g.report,
      },
      markdown: g.markdown,
      html: g.html,
      chat: renderChatSummary(g.report, { link }),
      attachments,
      ...(link ? { link } : {}),
    };
  }

  /**
   * Delivers a generated report through every configured channel. `retry: false` makes one
   * attempt per channel (the CLI); otherwise failures are retried on the configured delays.
   */
  send(g: GeneratedReport, opts: { retry?: boolean } = {}): Promise<ChannelResult[]> {
    const channels = this.channels();
    if (channels.length === 0) return Promise.resolve([]);
    const delays = opts.retry === false ? [] : this.context().settings.retryDelaysMs;
    const p = this.delivery.deliver(g.report.week, channels, this.message(g), delays);
    this.lastDelivery = p;
    return p;
  }

  /** Generate, then (with `send`) start delivering without waiting for it. */
  async run(week: WeekRange, trigger: ReportTrigger, opts: { send: boolean }): Promise<GeneratedReport & { delivery: Promise<ChannelResult[]> | null }> {
    const g = await this.generate(week, trigger);
    const delivery = opts.send && this.channels().length > 0 ? this.send(g) : null;
    return { ...g, delivery };
  }

  list(): Promise<ArchivedReportMeta[]> {
    return this.opts.archive.list();
  }

  /** The stored PDF, or one rendered now (and stored) from the stored HTML. Rejects with ChromiumMissingError. */
  async pdf(week: string, paper?: Paper): Promise<Buffer | undefined> {
    const stored = await this.opts.archive.pdf(week);
    if (stored && (paper === undefined || paper === stored.paper)) return stored.bytes;
    const r = await this.opts.archive.get(week);
    if (!r) return undefined;
    const p = paper ?? this.opts.workload()?.settings.paper ?? 'A4';
    const bytes = await this.opts.pdf.render(r.html, p);
    if (!stored) await this.opts.archive.setPdf(week, bytes, p);
    return bytes;
  }

  /**
   * Restarts deliveries that a restart cut short: for each channel still configured whose
   * latest attempt at a report (in the last `withinMs`) failed with retries left, the next
   * attempt runs now. Reports are regenerated from the archive's stored renderings.
   */
  async resumeDeliveries(withinMs = 2 * 86_400_000): Promise<void> {
    const c = this.opts.workload();
    if (!c) return;
    const latest = new Map<string, { week: string; channel: string; attempt: number; ok: boolean }>();
    for (const a of await this.opts.archive.deliveriesSince(this.clock.now() - withinMs)) latest.set(`${a.week}\u0000${a.channel}`, a);
    const byWeek = new Map<string, Array<{ channel: string; attempt: number }>>();
    for (const a of latest.values()) {
      if (a.ok || a.attempt > c.settings.retryDelaysMs.length) continue;
      byWeek.set(a.week, [...(byWeek.get(a.week) ?? []), { channel: a.channel, attempt: a.attempt }]);
    }
    for (const [week, pending] of byWeek) {
      const stored = await this.opts.archive.get(week);
      if (!stored) continue;
      const channels = this.channels();
      const g: GeneratedReport = {
        meta: stored,
        report: JSON.parse(stored.data) as WeeklyReport,
        markdown: stored.md,
        html: stored.html,
        pdf: (await this.opts.archive.pdf(week))?.bytes ?? null,
      };
      for (const p of pending) {
        const channel = channels.find((ch) => ch.name === p.channel);
        if (!channel) continue;
        this.opts.log.info('resuming a report delivery cut short by a restart', { week, channel: p.channel, attempt: p.attempt + 1 });
        this.lastDelivery = this.delivery.deliver(week, [channel], this.message(g), c.settings.retryDelaysMs, p.attempt + 1);
      }
    }
  }

  stop(): void {
    this.delivery.stop();
  }

  /** For `pillarboard report` without --week: the week it will use. */
  defaultWeek(): string {
    return formatWeek(lastCompletedWeek(this.clock.now(), this.timezone()));
  }
}

export { ChromiumMissingError };
