import type { ReportRepository } from './backend.js';
import type { ReportScheduler } from './scheduler.js';
import type { ReportService } from './service.js';

/** What the HTTP routes use of reports (server/api/routes/reports.ts); small, so tests can pass doubles. */
export interface ReportsApi {
  service: Pick<ReportService, 'resolveWeek' | 'run' | 'list' | 'pdf' | 'render'>;
  /** The archive asynchronously (Reports.repository). */
  repository: Pick<ReportRepository, 'get' | 'deliveries'>;
  scheduler: Pick<ReportScheduler, 'status'>;
}
