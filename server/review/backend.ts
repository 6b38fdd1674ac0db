import type { AnswerSource, AnswerState } from './answers.js';
import type { LensDocument } from './lens/format.js';
import type { ImprovementRow, MilestoneRow, StoredLensRow } from './store.js';

/** The review tables' reads and writes, without transactions (what a transaction's callback gets). */
export interface ReviewTables {
  listLenses(): Promise<StoredLensRow[]>;
  getLens(id: string): Promise<(StoredLensRow & { doc: LensDocument }) | undefined>;
  lensHashes(): Promise<Map<string, string>>;
  putLens(lens: { id: string; doc: LensDocument; hash: string; builtin: boolean }, at: number): Promise<void>;
  deleteLens(id: string): Promise<boolean>;
  getAnswer(lensId: string, questionId: string): Promise<AnswerState | undefined>;
  /** Answers of one lens (or of all), by lens then question id (byte order). */
  listAnswers(lensId?: string): Promise<AnswerState[]>;
  putAnswer(s: AnswerState, derived: { selected: string[]; source: AnswerSource | null }): Promise<void>;
  deleteAnswer(lensId: string, questionId: string): Promise<void>;
  archiveAnswer(s: AnswerState, reason: string, at: number): Promise<void>;
  archivedAnswers(lensId: string): Promise<Array<{ questionId: string; archivedAt: number; reason: string; answer: AnswerState }>>;
  insertMilestone(m: { name: string; kind: 'manual' | 'weekly'; week: string | null; createdAt: number; snapshot: unknown }): Promise<MilestoneRow>;
  /** Oldest first. */
  listMilestones(): Promise<MilestoneRow[]>;
  getMilestone(id: number): Promise<(MilestoneRow & { snapshot: unknown }) | undefined>;
  milestoneForWeek(week: string): Promise<MilestoneRow | undefined>;
  listImprovements(): Promise<ImprovementRow[]>;
  deleteImprovements(lensId: string): Promise<number>;
  putImprovement(i: ImprovementRow): Promise<void>;
}

/**
 * The review tables (lenses, answers and their archive, milestones, the improvement plan)
 * asynchronously (issue 14), so the embedded SQLite store (sqliteStore.ts over the synchronous
 * ReviewStore) and PostgreSQL (pgStore.ts) are interchangeable. Both pass
 * test/review-contract.test.ts.
 *
 * `transaction(fn)` runs a read-modify-write with no other review writer in between (SQLite:
 * BEGIN IMMEDIATE; PostgreSQL: a transaction holding the review advisory lock, so replicas
 * queue), committed when `fn` resolves and rolled back when it rejects. `fn` must use only the
 * tables it is given.
 */
export interface ReviewRepository extends ReviewTables {
  readonly backend: 'sqlite' | 'postgres';
  transaction<T>(fn: (tx: ReviewTables) => Promise<T>): Promise<T>;
}
