/**
 * Where a range query is answered: on the HTTP thread when it is small enough that the hop to a
 * read worker (a message each way, a thread waking up) costs more than the read, else on a
 * worker. Decided before reading, from what the query asks: series matched × points read per
 * series. Measured (bench/query-path.bench.ts): a 1,440-point answer takes ~1 ms to read, write
 * and compress; the hop added ~0.2 ms idle and more on a busy machine, where the worker also has
 * to be scheduled. The bound keeps an answer on the HTTP thread to a few ms, far inside the
 * 50 ms the loop may be held (issue 12), even when the data is denser than estimated.
 */

const HOUR_MS = 3_600_000;

/** At most this many points read are answered on the HTTP thread. */
export const MAIN_THREAD_POINTS = 8_000;

/**
 * Raw samples are assumed this far apart at the finest, unless a collector runs more often
 * (imported history denser than that is underestimated by its ratio).
 */
export const RAW_RESOLUTION_MS = 15_000;

export interface CostInput {
  series: number;
  from: number;
  to: number;
  step: number;
  source: 'auto' | 'raw' | 'rollup';
  /** The shortest collector interval in the workload, ms (undefined: none runs). */
  shortestIntervalMs: number | undefined;
}

/**
 * Points the store will read: hourly rollup rows when the answer comes from rollups (a step
 * that is a whole number of hours, or asked for), else raw samples at the finest resolution
 * the data may have. The store may still choose rollups for a range older than raw retention;
 * the estimate then errs high, which only sends a cheap query to a worker.
 */
export function estimatedPoints(q: CostInput): number {
  const span = Math.max(0, q.to - q.from);
  const rollup = q.source === 'rollup' || (q.source === 'auto' && q.step >= HOUR_MS && q.step % HOUR_MS === 0);
  const resolution = rollup ? HOUR_MS : Math.min(RAW_RESOLUTION_MS, q.shortestIntervalMs ?? RAW_RESOLUTION_MS);
  return q.series * (Math.floor(span / resolution) + 1);
}
