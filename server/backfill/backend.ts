import type { BackfillRow } from './log.js';

/**
 * The `backfills` table asynchronously (issue 14), so the embedded SQLite log
 * (sqliteLog.ts over the synchronous BackfillLog) and PostgreSQL (pgLog.ts) are
 * interchangeable. Both pass test/backfill-contract.test.ts.
 *
 * The runner still advances a range inside the SQLite transaction that writes its samples
 * (BackfillLog.advance through Store.writeSamples' alsoInTransaction); on PostgreSQL that needs
 * the metric store's write to take a callback given its transaction (PgBackfillLog.advance
 * accepts the transaction's client), which MetricStore does not offer yet.
 */
export interface BackfillRepository {
  readonly backend: 'sqlite' | 'postgres';
  /** Ranges of one collector (or all), in the order planned. */
  rows(collectorId?: string): Promise<BackfillRow[]>;
  /** Records a planned range; an empty one (to < from) is stored as done, so the part is no longer new. */
  plan(p: { collectorId: string; part: string; from: number; to: number; stepMs: number }): Promise<BackfillRow>;
  /** Moves done_to forward (never back) and counts the samples written with it. */
  advance(id: number, doneTo: number, samples: number): Promise<void>;
  /** How far a range got (-Infinity for an unknown id). */
  doneTo(id: number): Promise<number>;
  finish(id: number): Promise<void>;
  fail(id: number, error: string): Promise<void>;
}
