/**
 * Weekly outcome reports: one data object per ISO week (build.ts, pure), rendered to JSON,
 * Markdown, HTML and PDF, archived, scheduled and delivered. How and why: docs/reports.md.
 */
import type { Logger } from '../../collectors/types.js';
import type { EventReader } from '../events/types.js';
import type { Store } from '../store/index.js';
import { ReportArchive } from './archive.js';
import type { ReportRepository } from './backend.js';
import { SqliteReportRepository } from './sqliteArchive.js';
import type { Clock } from '../clock.js';
import { storeReportSources, type ReportReviewSource } from './read.js';
import { chromiumPdfRenderer, type PdfRenderer } from './render-pdf.js';
import { ReportScheduler } from './scheduler.js';
import { ReportService, type ReportWorkloadContext } from './service.js';
import { DEFAULT_CRON, type WeeklyReportSettings } from './settings.js';

export * from './types.js';
export * from './week.js';
export { buildWeeklyReport } from './build.js';
export { readReportInput, storeReportSources, type ReportReviewSource, type ReportSources, type ReportWorkload } from './read.js';
export { renderMarkdown, renderChatSummary } from './render-markdown.js';
export { renderHtml } from './render-html.js';
export { chromiumPdfRenderer, findChromium, ChromiumMissingError, CHROMIUM_INSTALL_HINT, type PdfRenderer, type Paper } from './render-pdf.js';
export type { ReportRepository } from './backend.js';
export { SqliteReportRepository } from './sqliteArchive.js';
export { PgReportStore } from './pgArchive.js';
export { ReportArchive, type ArchivedReport, type ArchivedReportMeta, type DeliveryAttempt, type ReportTrigger } from './archive.js';
export { emailChannel, webhookChannel, webhookBody, type Channel, type DeliveryMessage } from './channels.js';
export { ReportDelivery, type ChannelResult } from './delivery.js';
export { ReportService, ReportsNotReadyError, defaultChannels, type GeneratedReport, type ReportWorkloadContext } from './service.js';
export { ReportScheduler, type ReportScheduleStatus } from './scheduler.js';
export { REPORT_FORMATS, DEFAULT_CRON, type ReportFormat, type ReportsSettings, type WeeklyReportSettings } from './settings.js';

/** The defaults a workload without a `reports:` section gets (the loader fills the same). */
export const DEFAULT_WEEKLY: WeeklyReportSettings = {
  enabled: true,
  cron: DEFAULT_CRON,
  formats: ['html', 'pdf'],
  paper: 'A4',
  webhooks: [],
  retryDelaysMs: [60_000, 300_000, 1_800_000],
};

export interface Reports {
  /** The SQLite archive synchronously (tests and tools that write reports in process). */
  archive: ReportArchive;
  /** The same tables asynchronously (either backend): the service, the schedule and the API use it. */
  repository: ReportRepository;
  service: ReportService;
  scheduler: ReportScheduler;
}

export interface ReportsOptions {
  store: Store;
  /** What reports read of the current workload (`reportContextOf` in server/workload), or null before one is applied. */
  workload: () => ReportWorkloadContext | null;
  /** Operational events, when an event store is wired; reports work without. */
  events?: () => EventReader | null;
  /** The Well-Architected review, when one is wired; without it the report's review section is null. */
  review?: () => ReportReviewSource | null;
  log: Logger;
  /** Time and timers (created once by the runtime). */
  clock: Clock;
  pdf?: PdfRenderer;
  /** PILLARBOARD_CHROMIUM, passed in by whoever reads the environment. */
  chromiumPath?: string;
}

/** Builds the archive, the service and the scheduler over one store (the Runtime and the CLI use this). */
export function createReports(opts: ReportsOptions): Reports {
  const archive = new ReportArchive(opts.store.db);
  const repository = new SqliteReportRepository(archive);
  const workload = opts.workload;
  const log = opts.log.child({ component: 'reports' });
  const service = new ReportService({
    archive: repository,
    sources: storeReportSources(opts.store, opts.events, opts.review),
    workload,
    pdf: opts.pdf ?? chromiumPdfRenderer({ executablePath: opts.chromiumPath }),
    log,
    clock: opts.clock,
  });
  const scheduler = new ReportScheduler({
    service,
    archive: repository,
    settings: () => {
      const c = workload();
      return c ? { enabled: c.settings.enabled, cron: c.settings.cron, timezone: c.settings.timezone ?? c.timezone } : null;
    },
    log,
    clock: opts.clock,
  });
  return { archive, repository, service, scheduler };
}
export type { ReportsApi } from './api.js';
