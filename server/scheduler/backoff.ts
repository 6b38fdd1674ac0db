/**
 * When the next run of a collector is due.
 *
 * A healthy collector runs every `intervalMs`, offset by up to ±jitter/2 of the interval
 * so that collectors started together do not hit their targets in lockstep.
 * After consecutive failures the delay doubles per failure (interval × 2^n), capped at
 * `maxBackoffMs` (never below the interval itself), so a dead target is not hammered
 * while a recovered one is picked up again within the cap.
 */
export interface BackoffPolicy {
  maxBackoffMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { maxBackoffMs: 5 * 60_000 };

export function nextDelayMs(
  intervalMs: number,
  jitter: number,
  consecutiveFailures: number,
  random: () => number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const base =
    consecutiveFailures > 0
      ? Math.min(intervalMs * 2 ** Math.min(consecutiveFailures, 30), Math.max(intervalMs, policy.maxBackoffMs))
      : intervalMs;
  const offset = (random() - 0.5) * jitter * intervalMs;
  return Math.max(0, Math.round(base + offset));
}

/** The delay before a collector's very first run: spread over [0, jitter × interval). */
export function firstDelayMs(intervalMs: number, jitter: number, random: () => number): number {
  return Math.round(random() * jitter * intervalMs);
}
