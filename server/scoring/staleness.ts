import { formatDuration } from './format.js';

/**
 * When an indicator's data can no longer be trusted because its collector is failing.
 * A stale indicator shows no value and no score (never its last good value): an old
 * "all green" is worse than an honest "we cannot see".
 */

export const DEFAULT_STALE_AFTER_RUNS = 3;

export interface CollectorFreshness {
  collectorId: string;
  /** Failed runs since the last success (the scheduler's counter). */
  consecutiveFailures: number;
  /** The collector's configured interval, ms. */
  intervalMs: number;
  /** ms epoch of the last successful run; null if it never succeeded. */
  lastSuccessAt: number | null;
  /** Message of the last failure, quoted in the reason. */
  lastError?: string;
  /** ms epoch "now", passed in: this module reads no clock. */
  now: number;
  /** Runs / intervals before data is stale; default 3. */
  threshold?: number;
}

/**
 * The reason data from this collector is stale, or null when it is fresh. Stale when either
 * - it failed `threshold` consecutive runs, or
 * - its last success is more than `threshold` intervals old (catches a collector that stopped
 *   running or hangs, and backoff stretching the gaps between failing runs).
 * A collector that never succeeded and has not failed `threshold` times is not stale: its
 * indicators are simply no_data until a first run lands.
 */
export function staleReason(input: CollectorFreshness): string | null {
  const threshold = input.threshold ?? DEFAULT_STALE_AFTER_RUNS;
  if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError(`threshold must be an integer ≥ 1, got ${threshold}`);
  if (!(input.intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${input.intervalMs}`);
  const { collectorId, consecutiveFailures, intervalMs, lastSuccessAt, now } = input;
  const lastError = input.lastError === undefined ? '' : ` (last error: ${input.lastError})`;
  if (consecutiveFailures >= threshold) {
    return `collector ${collectorId} has failed ${consecutiveFailures} consecutive runs${lastError}`;
  }
  if (lastSuccessAt !== null && now - lastSuccessAt > threshold * intervalMs) {
    return (
      `collector ${collectorId} last succeeded ${formatDuration(now - lastSuccessAt)} ago, ` +
      `more than ${threshold} intervals of ${formatDuration(intervalMs)}${lastError}`
    );
  }
  return null;
}
