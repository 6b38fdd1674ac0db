import type { BackfillRepository } from './backend.js';
import type { BackfillLog } from './log.js';

/** The SQLite BackfillLog behind the asynchronous BackfillRepository, unchanged. */
export class SqliteBackfillRepository implements BackfillRepository {
  readonly backend = 'sqlite' as const;

  constructor(readonly log: BackfillLog) {}

  async rows(collectorId?: string) { return this.log.rows(collectorId); }
  async plan(p: { collectorId: string; part: string; from: number; to: number; stepMs: number }) { return this.log.plan(p); }
  async advance(id: number, doneTo: number, samples: number) { this.log.advance(id, doneTo, samples); }
  async doneTo(id: number) { return this.log.doneTo(id); }
  async finish(id: number) { this.log.finish(id); }
  async fail(id: number, error: string) { this.log.fail(id, error); }
}
