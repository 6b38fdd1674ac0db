import type Database from 'better-sqlite3';
import type { AnswerSource, AnswerState } from './answers.js';
import type { ReviewRepository, ReviewTables } from './backend.js';
import type { LensDocument } from './lens/format.js';
import { ReviewStore, type ImprovementRow } from './store.js';

/**
 * The SQLite ReviewStore behind the asynchronous ReviewRepository: each method calls the
 * synchronous store and resolves with its answer. A transaction is BEGIN IMMEDIATE … COMMIT
 * around the callback: the methods it awaits answer without I/O, so nothing else runs on the
 * connection in between; a second transaction while one is open is refused.
 */
export class SqliteReviewRepository implements ReviewRepository {
  readonly backend = 'sqlite' as const;
  readonly store: ReviewStore;

  constructor(private readonly db: Database.Database) {
    this.store = new ReviewStore(db);
  }

  async transaction<T>(fn: (tx: ReviewTables) => Promise<T>): Promise<T> {
    if (this.db.inTransaction) throw new Error('review transaction: one is already open on this connection');
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const out = await fn(this);
      this.db.exec('COMMIT');
      return out;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  async listLenses() { return this.store.listLenses(); }
  async getLens(id: string) { return this.store.getLens(id); }
  async lensHashes() { return this.store.lensHashes(); }
  async putLens(lens: { id: string; doc: LensDocument; hash: string; builtin: boolean }, at: number) { this.store.putLens(lens, at); }
  async deleteLens(id: string) { return this.store.deleteLens(id); }
  async getAnswer(lensId: string, questionId: string) { return this.store.getAnswer(lensId, questionId); }
  async listAnswers(lensId?: string) { return this.store.listAnswers(lensId); }
  async putAnswer(s: AnswerState, derived: { selected: string[]; source: AnswerSource | null }) { this.store.putAnswer(s, derived); }
  async deleteAnswer(lensId: string, questionId: string) { this.store.deleteAnswer(lensId, questionId); }
  async archiveAnswer(s: AnswerState, reason: string, at: number) { this.store.archiveAnswer(s, reason, at); }
  async archivedAnswers(lensId: string) { return this.store.archivedAnswers(lensId); }
  async insertMilestone(m: { name: string; kind: 'manual' | 'weekly'; week: string | null; createdAt: number; snapshot: unknown }) { return this.store.insertMilestone(m); }
  async listMilestones() { return this.store.listMilestones(); }
  async getMilestone(id: number) { return this.store.getMilestone(id); }
  async milestoneForWeek(week: string) { return this.store.milestoneForWeek(week); }
  async listImprovements() { return this.store.listImprovements(); }
  async deleteImprovements(lensId: string) { return this.store.deleteImprovements(lensId); }
  async putImprovement(i: ImprovementRow) { this.store.putImprovement(i); }
}
