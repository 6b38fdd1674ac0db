import { DEFAULT_WEEKLY, type ReportWorkloadContext } from '../reports/index.js';
import type { Workload } from './schema.js';

/** What reports read of a validated workload (reports sit below the workload file and never see it whole). */
export function reportContextOf(wl: Workload): ReportWorkloadContext {
  const w = wl.workload;
  return {
    meta: { id: w.id, title: w.title, ...(w.owner !== undefined ? { owner: w.owner } : {}) },
    timezone: w.timezone,
    indicators: wl.indicators,
    outcomes: wl.outcomes,
    collectors: wl.collectors.map((c) => ({ id: c.id, type: c.type, intervalMs: c.intervalMs })),
    staleAfterFailures: wl.evaluation.staleAfterFailures,
    settings: wl.reports?.weekly ?? DEFAULT_WEEKLY,
  };
}
