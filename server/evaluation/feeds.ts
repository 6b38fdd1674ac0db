import type { CollectorStatus } from '../scheduler/types.js';
import { staleReason } from '../scoring/staleness.js';
import type { SeriesInfo } from '../store/index.js';

/**
 * Which collectors feed an indicator, and whether any of them has gone stale.
 * The store never records who wrote a series except through the `collector="<id>"` label the
 * scheduler adds to every sample, so that label is the link unless the workload names the
 * collector explicitly.
 */

/** `declared` when given, else the distinct `collector` labels of the matched series, sorted. */
export function feedingCollectors(declared: string | undefined, series: ReadonlyArray<SeriesInfo>): string[] {
  if (declared !== undefined) return [declared];
  const ids = new Set<string>();
  for (const s of series) {
    const id = s.labels.collector;
    if (id !== undefined) ids.add(id);
  }
  return [...ids].sort();
}

/**
 * The stale reason of the first failing feeding collector(s), joined with "; ", or undefined
 * when all are fresh. A collector id the scheduler does not know (removed from the workload,
 * or samples written by something else) says nothing about freshness and is skipped: its
 * series simply age out of the window and the indicator becomes no_data.
 */
export function feedStaleReason(
  collectorIds: readonly string[],
  statuses: ReadonlyMap<string, CollectorStatus>,
  now: number,
  threshold: number,
): string | undefined {
  const reasons: string[] = [];
  for (const id of collectorIds) {
    const c = statuses.get(id);
    if (c === undefined) continue;
    const reason = staleReason({
      collectorId: id,
      consecutiveFailures: c.consecutiveFailures,
      intervalMs: c.intervalMs,
      // The time Pillarboard was down after that success (a restart) does not count.
      lastSuccessAt: c.lastSuccess ? c.lastSuccess.startedAt + (c.downtimeMs ?? 0) : null,
      ...(c.lastError === null ? {} : { lastError: c.lastError }),
      now,
      threshold,
    });
    if (reason !== null) reasons.push(reason);
  }
  return reasons.length === 0 ? undefined : reasons.join('; ');
}
