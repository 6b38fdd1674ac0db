import type { CollectorCommon } from '../../collectors/types.js';

/** A collector entry from the workload, as the scheduler runs it. */
export interface ScheduledCollector extends CollectorCommon {
  config: unknown;
}

/** What the scheduler needs from the store: one transaction per run, and rollup upkeep. */
export interface RunSink {
  recordRun(
    run: {
      collectorId: string;
      startedAt: number;
      durationMs: number;
      ok: boolean;
      error?: string;
      samplesWritten: number;
      warnings?: string[];
    },
    samples: import('../../collectors/types.js').Sample[],
  ): { id: number };
}

export interface CollectorStatus {
  id: string;
  type: string;
  intervalMs: number;
  timeoutMs: number;
  running: boolean;
  consecutiveFailures: number;
  nextRunAt: number | null;
  lastRun: RunInfo | null;
  lastSuccess: RunInfo | null;
  lastError: string | null;
}

export interface RunInfo {
  startedAt: number;
  durationMs: number;
  ok: boolean;
  error?: string;
  samplesWritten: number;
}
