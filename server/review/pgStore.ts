import type pg from 'pg';
import { inTransaction, type Queryable } from '../store/pg/pool.js';
import type { AnswerSource, AnswerState, ChoiceEvidence, NaReason } from './answers.js';
import type { ReviewRepository, ReviewTables } from './backend.js';
import type { LensDocument } from './lens/format.js';
import type { ImprovementRow, MilestoneRow, PlanStatus, StoredLensRow } from './store.js';

/**
 * The review tables in PostgreSQL (migrations-pg/0002_application.sql), answering as the
 * SQLite ReviewStore does (test/review-contract.test.ts): text ordered byte-wise (COLLATE "C"),
 * JSON kept as text (lenses are exported as they were imported). The pool must parse bigint as
 * numbers (`storeTypes`, server/store/pg/pool.ts): share the metric store's. A transaction
 * holds REVIEW_LOCK, so read-modify-writes of several replicas queue instead of interleaving.
 */
export const REVIEW_LOCK = '7596498201230011';

interface AnswerRow {
  lens_id: string;
  question_id: string;
  person_choices: string | null;
  overrides: string;
  not_applicable: boolean;
  reason: NaReason | null;
  note: string | null;
  answered_by: string | null;
  answered_at: number | null;
  evidence: string;
  updated_at: number;
}
const ANSWER = 'lens_id, question_id, person_choices, overrides, not_applicable, reason, note, answered_by, answered_at, evidence, updated_at';

const toAnswer = (r: AnswerRow): AnswerState => ({
  lensId: r.lens_id,
  questionId: r.question_id,
  personChoices: r.person_choices === null ? null : (JSON.parse(r.person_choices) as string[]),
  overrides: JSON.parse(r.overrides) as string[],
  notApplicable: r.not_applicable,
  reason: r.reason,
  note: r.note,
  answeredBy: r.answered_by,
  answeredAt: r.answered_at,
  evidence: JSON.parse(r.evidence) as Record<string, ChoiceEvidence>,
  updatedAt: r.updated_at,
});

const LENS = 'id, name, builtin, hash, imported_at AS "importedAt", updated_at AS "updatedAt"';
const MILESTONE = 'id, name, kind, week, created_at AS "createdAt"';

class PgReviewTables implements ReviewTables {
  constructor(protected readonly db: Queryable) {}

  async listLenses(): Promise<StoredLensRow[]> {
    return (await this.db.query<StoredLensRow>(`SELECT ${LENS} FROM review_lenses ORDER BY builtin DESC, id COLLATE "C"`)).rows;
  }

  async getLens(id: string): Promise<(StoredLensRow & { doc: LensDocument }) | undefined> {
    const r = (await this.db.query<StoredLensRow & { lens: string }>(`SELECT ${LENS}, lens FROM review_lenses WHERE id = $1`, [id])).rows[0];
    if (!r) return undefined;
    const { lens, ...rest } = r;
    return { ...rest, doc: JSON.parse(lens) as LensDocument };
  }

  async lensHashes(): Promise<Map<string, string>> {
    const rows = (await this.db.query<{ id: string; hash: string }>('SELECT id, hash FROM review_lenses')).rows;
    return new Map(rows.map((r) => [r.id, r.hash]));
  }

  async putLens(lens: { id: string; doc: LensDocument; hash: string; builtin: boolean }, at: number): Promise<void> {
    await this.db.query(
      `INSERT INTO review_lenses (id, name, builtin, hash, lens, imported_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, builtin = EXCLUDED.builtin, hash = EXCLUDED.hash,
         lens = EXCLUDED.lens, updated_at = EXCLUDED.updated_at`,
      [lens.id, lens.doc.name, lens.builtin, lens.hash, JSON.stringify(lens.doc), at],
    );
  }

  async deleteLens(id: string): Promise<boolean> {
    return ((await this.db.query('DELETE FROM review_lenses WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async getAnswer(lensId: string, questionId: string): Promise<AnswerState | undefined> {
    const r = (await this.db.query<AnswerRow>(`SELECT ${ANSWER} FROM review_answers WHERE lens_id = $1 AND question_id = $2`, [lensId, questionId])).rows[0];
    return r && toAnswer(r);
  }

  async listAnswers(lensId?: string): Promise<AnswerState[]> {
    const r = lensId === undefined
      ? await this.db.query<AnswerRow>(`SELECT ${ANSWER} FROM review_answers ORDER BY lens_id COLLATE "C", question_id COLLATE "C"`)
      : await this.db.query<AnswerRow>(`SELECT ${ANSWER} FROM review_answers WHERE lens_id = $1 ORDER BY question_id COLLATE "C"`, [lensId]);
    return r.rows.map(toAnswer);
  }

  async putAnswer(s: AnswerState, derived: { selected: string[]; source: AnswerSource | null }): Promise<void> {
    await this.db.query(
      `INSERT INTO review_answers (lens_id, question_id, selected, source, person_choices, overrides, not_applicable, reason, note,
         answered_by, answered_at, evidence, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (lens_id, question_id) DO UPDATE SET selected = EXCLUDED.selected, source = EXCLUDED.source,
         person_choices = EXCLUDED.person_choices, overrides = EXCLUDED.overrides, not_applicable = EXCLUDED.not_applicable,
         reason = EXCLUDED.reason, note = EXCLUDED.note, answered_by = EXCLUDED.answered_by, answered_at = EXCLUDED.answered_at,
         evidence = EXCLUDED.evidence, updated_at = EXCLUDED.updated_at`,
      [
        s.lensId, s.questionId, JSON.stringify(derived.selected), derived.source,
        s.personChoices === null ? null : JSON.stringify(s.personChoices), JSON.stringify(s.overrides), s.notApplicable,
        s.reason, s.note, s.answeredBy, s.answeredAt, JSON.stringify(s.evidence), s.updatedAt,
      ],
    );
  }

  async deleteAnswer(lensId: string, questionId: string): Promise<void> {
    await this.db.query('DELETE FROM review_answers WHERE lens_id = $1 AND question_id = $2', [lensId, questionId]);
  }

  async archiveAnswer(s: AnswerState, reason: string, at: number): Promise<void> {
    await this.db.query('INSERT INTO review_answers_archive (lens_id, question_id, archived_at, reason, answer) VALUES ($1, $2, $3, $4, $5)', [
      s.lensId, s.questionId, at, reason, JSON.stringify(s),
    ]);
  }

  async archivedAnswers(lensId: string): Promise<Array<{ questionId: string; archivedAt: number; reason: string; answer: AnswerState }>> {
    const rows = (await this.db.query<{ question_id: string; archived_at: number; reason: string; answer: string }>(
      'SELECT question_id, archived_at, reason, answer FROM review_answers_archive WHERE lens_id = $1 ORDER BY archived_at, id',
      [lensId],
    )).rows;
    return rows.map((r) => ({ questionId: r.question_id, archivedAt: r.archived_at, reason: r.reason, answer: JSON.parse(r.answer) as AnswerState }));
  }

  async insertMilestone(m: { name: string; kind: 'manual' | 'weekly'; week: string | null; createdAt: number; snapshot: unknown }): Promise<MilestoneRow> {
    const r = await this.db.query<MilestoneRow>(
      `INSERT INTO review_milestones (name, kind, week, created_at, snapshot) VALUES ($1, $2, $3, $4, $5) RETURNING ${MILESTONE}`,
      [m.name, m.kind, m.week, m.createdAt, JSON.stringify(m.snapshot)],
    );
    return r.rows[0]!;
  }

  async listMilestones(): Promise<MilestoneRow[]> {
    return (await this.db.query<MilestoneRow>(`SELECT ${MILESTONE} FROM review_milestones ORDER BY created_at, id`)).rows;
  }

  async getMilestone(id: number): Promise<(MilestoneRow & { snapshot: unknown }) | undefined> {
    const r = (await this.db.query<MilestoneRow & { snapshot: string }>(`SELECT ${MILESTONE}, snapshot FROM review_milestones WHERE id = $1`, [id])).rows[0];
    return r && { ...r, snapshot: JSON.parse(r.snapshot) as unknown };
  }

  async milestoneForWeek(week: string): Promise<MilestoneRow | undefined> {
    return (await this.db.query<MilestoneRow>(`SELECT ${MILESTONE} FROM review_milestones WHERE week = $1`, [week])).rows[0];
  }

  async listImprovements(): Promise<ImprovementRow[]> {
    const rows = (await this.db.query<{
      lens_id: string; question_id: string; owner: string | null; due: string | null; status: PlanStatus; note: string | null;
      action_items: string; created_at: number; updated_at: number;
    }>('SELECT * FROM review_improvements ORDER BY lens_id COLLATE "C", question_id COLLATE "C"')).rows;
    return rows.map((r) => ({
      lensId: r.lens_id, questionId: r.question_id, owner: r.owner, due: r.due, status: r.status, note: r.note,
      actionItems: JSON.parse(r.action_items) as string[], createdAt: r.created_at, updatedAt: r.updated_at,
    }));
  }

  async deleteImprovements(lensId: string): Promise<number> {
    return (await this.db.query('DELETE FROM review_improvements WHERE lens_id = $1', [lensId])).rowCount ?? 0;
  }

  async putImprovement(i: ImprovementRow): Promise<void> {
    await this.db.query(
      `INSERT INTO review_improvements (lens_id, question_id, owner, due, status, note, action_items, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (lens_id, question_id) DO UPDATE SET owner = EXCLUDED.owner, due = EXCLUDED.due, status = EXCLUDED.status,
         note = EXCLUDED.note, action_items = EXCLUDED.action_items, updated_at = EXCLUDED.updated_at`,
      [i.lensId, i.questionId, i.owner, i.due, i.status, i.note, JSON.stringify(i.actionItems), i.createdAt, i.updatedAt],
    );
  }
}

export class PgReviewStore extends PgReviewTables implements ReviewRepository {
  readonly backend = 'postgres' as const;

  constructor(private readonly pool: pg.Pool) {
    super(pool);
  }

  transaction<T>(fn: (tx: ReviewTables) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, (client) => fn(new PgReviewTables(client)), `SELECT pg_advisory_xact_lock(${REVIEW_LOCK})`);
  }
}
