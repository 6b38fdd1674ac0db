import type { CollectorCommon } from '../../collectors/types.js';

/** A collector entry from the workload, as the scheduler runs it. */
export interface ScheduledCollector extends CollectorCommon {
  config: unknown;
}

/**
 * What the scheduler needs from the store: one transaction per run. `events` are the
 * operational events the run returned (deployments from a git collector…), stored in the same
 * transaction as the run and its samples; absent or empty for most collectors. With
 * `seriesLimit`, a run that would make the store hold more series throws SeriesLimitError and
 * writes nothing.
 */
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
    events?: import('../../collectors/types.js').OperationalEvent[],
    options?: { seriesLimit?: number },
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
  /**
   * How long Pillarboard itself was not running after `lastSuccess` (the gap of a restart),
   * ms; 0 or absent once the collector has succeeded since the start. Staleness does not count
   * it: the collector could not run while nothing ran it (scoring/staleness.ts).
   */
  downtimeMs?: number;
}

export interface RunInfo {
  startedAt: number;
  durationMs: number;
  ok: boolean;
  error?: string;
  samplesWritten: number;
  /** The limit the run exceeded (it then stored nothing). */
  limit?: import('../../collectors/types.js').LimitName;
}
