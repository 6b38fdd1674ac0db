export { Backfiller, type BackfillerOptions, type BackfillResult } from './runner.js';
export { BACKFILL_MAX_MS, BACKFILL_MIN_MS } from './plan.js';
export type { BackfillStatus, BackfillPartStatus, BackfillState } from './status.js';
