import type { Driver } from './config.js';

/**
 * The named values a query can bind (`params: [last_success, now]`). Each time comes in three
 * forms so it compares with however the table stores time: a timestamp, Unix seconds, Unix
 * milliseconds. `now` is the run's reference time (every query of a run sees the same);
 * `last_success` the reference time of the collector's last successful run (it survives
 * restarts), or one hour before `now` until a run has succeeded.
 */
export const PARAM_NAMES = ['now', 'now_unix', 'now_ms', 'last_success', 'last_success_unix', 'last_success_ms'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];
export type ParamSpec = ParamName | { value: string | number | boolean };

/** Before any run succeeded, `last_success` is this long before `now`. */
export const FIRST_RUN_LOOKBACK_MS = 3_600_000;

export interface ParamTimes {
  now: number;
  lastSuccess: number | undefined;
}

/**
 * The values bound for `specs`. Timestamps: a Date for PostgreSQL (timestamptz) and MySQL
 * (the pool's timezone is UTC); for SQLite, which has no time type, text in SQLite's own
 * format `YYYY-MM-DD HH:MM:SS.SSS` (UTC), the form `datetime()` and `CURRENT_TIMESTAMP` compare with.
 */
export function bindParams(specs: readonly ParamSpec[], times: ParamTimes, driver: Driver): unknown[] {
  const last = times.lastSuccess ?? times.now - FIRST_RUN_LOOKBACK_MS;
  return specs.map((spec) => {
    if (typeof spec === 'object') return driver === 'sqlite' && typeof spec.value === 'boolean' ? Number(spec.value) : spec.value;
    const ms = spec.startsWith('now') ? times.now : last;
    if (spec.endsWith('_unix')) return Math.floor(ms / 1000);
    if (spec.endsWith('_ms')) return ms;
    return driver === 'sqlite' ? new Date(ms).toISOString().replace('T', ' ').replace('Z', '') : new Date(ms);
  });
}
