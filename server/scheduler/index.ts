export { Scheduler, type SchedulerOptions, type RunObserver } from './scheduler.js';
export { runCollectorOnce, errorMessage, storedSamples, type RunOutcome } from './runOnce.js';
export { nextDelayMs, firstDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
export type { ScheduledCollector, RunSink, CollectorStatus, RunInfo } from './types.js';
