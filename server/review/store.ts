import type Database from 'better-sqlite3';
import type { AnswerSource, AnswerState, ChoiceEvidence, NaReason } from './answers.js';
import type { LensDocument } from './lens/format.js';

/**
 * The only module that reads and writes the review tables (migrations/0006_review.sql).
 * Reads go to the database every time — no cache — so the CLI and a running server can both
 * write (SQLite WAL) and each sees the other's changes.
 */

export interface StoredLensRow {
  id: string;
  name: string;
  builtin: boolean;
  hash: string;
  importedAt: number;
  updatedAt: number;
}

export interface MilestoneRow {
  id: number;
  name: string;
  kind: 'manual' | 'weekly';
  week: string | null;
  createdAt: number;
}

export const PLAN_STATUSES = ['open', 'in_progress', 'done', 'accepted'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export interface ImprovementRow {
  lensId: string;
  questionId: string;
  owner: string | null;
  due: string | null;
  status: PlanStatus;
  note: string | null;
  /** "source:externalId" references to action_item events. */
  actionItems: string[];
  createdAt: number;
  updatedAt: number;
}

interface AnswerRow {
  lens_id: string;
  question_id: string;
  person_choices: string | null;
  overrides: string;
  not_applicable: number;
  reason: NaReason | null;
  note: string | null;
  answered_by: string | null;
  answered_at: number | null;
  evidence: string;
  updated_at: number;
}

const toAnswer = (r: AnswerRow): AnswerState => ({
  lensId: r.lens_id,
  questionId: r.question_id,
  personChoices: r.person_choices === null ? null : (JSON.parse(r.person_choices) as string[]),
  overrides: JSON.parse(r.overrides) as string[],
  notApplicable: r.not_applicable === 1,
  reason: r.reason,
  note: r.note,
  answeredBy: r.answered_by,
  answeredAt: r.answered_at,
  evidence: JSON.parse(r.evidence) as Record<string, ChoiceEvidence>,
  updatedAt: r.updated_at,
});

export class ReviewStore {
  constructor(private readonly db: Database.Database) {}

  /** Runs `fn` in one IMMEDIATE transaction (read-modify-write without another writer in between). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // --- lenses ---

  listLenses(): StoredLensRow[] {
    const rows = this.db
      .prepare('SELECT id, name, builtin, hash, imported_at AS importedAt, updated_at AS updatedAt FROM review_lenses ORDER BY builtin DESC, id')
      .all() as Array<Omit<StoredLensRow, 'builtin'> & { builtin: number }>;
    return rows.map((r) => ({ ...r, builtin: r.builtin === 1 }));
  }

  getLens(id: string): (StoredLensRow & { doc: LensDocument }) | undefined {
    const r = this.db
      .prepare('SELECT id, name, builtin, hash, lens, imported_at AS importedAt, updated_at AS updatedAt FROM review_lenses WHERE id = ?')
      .get(id) as (Omit<StoredLensRow, 'builtin'> & { builtin: number; lens: string }) | undefined;
    if (!r) return undefined;
    const { lens, builtin, ...rest } = r;
    return { ...rest, builtin: builtin === 1, doc: JSON.parse(lens) as LensDocument };
  }

  /** Lens hashes by id, to notice another process's imports cheaply. */
  lensHashes(): Map<string, string> {
    const rows = this.db.prepare('SELECT id, hash FROM review_lenses').all() as Array<{ id: string; hash: string }>;
    return new Map(rows.map((r) => [r.id, r.hash]));
  }

  putLens(lens: { id: string; doc: LensDocument; hash: string; builtin: boolean }, at: number): void {
    this.db
      .prepare(
        `INSERT INTO review_lenses (id, name, builtin, hash, lens, imported_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, builtin = excluded.builtin, hash = excluded.hash,
           lens = excluded.lens, updated_at = excluded.updated_at`,
      )
      .run(lens.id, lens.doc.name, lens.builtin ? 1 : 0, lens.hash, JSON.stringify(lens.doc), at, at);
  }

  deleteLens(id: string): boolean {
    return this.db.prepare('DELETE FROM review_lenses WHERE id = ?').run(id).changes > 0;
  }

  // --- answers ---

  getAnswer(lensId: string, questionId: string): AnswerState | undefined {
    const r = this.db.prepare('SELECT * FROM review_answers WHERE lens_id = ? AND question_id = ?').get(lensId, questionId) as AnswerRow | undefined;
    return r && toAnswer(r);
  }

  /** Answers of one lens (or of all), by lens then question id. */
  listAnswers(lensId?: string): AnswerState[] {
    const rows = (
      lensId === undefined
        ? this.db.prepare('SELECT * FROM review_answers ORDER BY lens_id, question_id').all()
        : this.db.prepare('SELECT * FROM review_answers WHERE lens_id = ? ORDER BY question_id').all(lensId)
    ) as AnswerRow[];
    return rows.map(toAnswer);
  }

  putAnswer(s: AnswerState, derived: { selected: string[]; source: AnswerSource | null }): void {
    this.db
      .prepare(
        `INSERT INTO review_answers (lens_id, question_id, selected, source, person_choices, overrides, not_applicable, reason, note,
           answered_by, answered_at, evidence, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (lens_id, question_id) DO UPDATE SET selected = excluded.selected, source = excluded.source,
           person_choices = excluded.person_choices, overrides = excluded.overrides, not_applicable = excluded.not_applicable,
           reason = excluded.reason, note = excluded.note, answered_by = excluded.answered_by, answered_at = excluded.answered_at,
           evidence = excluded.evidence, updated_at = excluded.updated_at`,
      )
      .run(
        s.lensId, s.questionId, JSON.stringify(derived.selected), derived.source,
        s.personChoices === null ? null : JSON.stringify(s.personChoices), JSON.stringify(s.overrides), s.notApplicable ? 1 : 0,
        s.reason, s.note, s.answeredBy, s.answeredAt, JSON.stringify(s.evidence), s.updatedAt,
      );
  }

  deleteAnswer(lensId: string, questionId: string): void {
    this.db.prepare('DELETE FROM review_answers WHERE lens_id = ? AND question_id = ?').run(lensId, questionId);
  }

  /** Keeps a copy of an answer before it is removed or changed by a lens re-import. */
  archiveAnswer(s: AnswerState, reason: string, at: number): void {
    this.db
      .prepare('INSERT INTO review_answers_archive (lens_id, question_id, archived_at, reason, answer) VALUES (?, ?, ?, ?, ?)')
      .run(s.lensId, s.questionId, at, reason, JSON.stringify(s));
  }

  archivedAnswers(lensId: string): Array<{ questionId: string; archivedAt: number; reason: string; answer: AnswerState }> {
    const rows = this.db
      .prepare('SELECT question_id, archived_at, reason, answer FROM review_answers_archive WHERE lens_id = ? ORDER BY archived_at, id')
      .all(lensId) as Array<{ question_id: string; archived_at: number; reason: string; answer: string }>;
    return rows.map((r) => ({ questionId: r.question_id, archivedAt: r.archived_at, reason: r.reason, answer: JSON.parse(r.answer) as AnswerState }));
  }

  // --- milestones ---

  insertMilestone(m: { name: string; kind: 'manual' | 'weekly'; week: string | null; createdAt: number; snapshot: unknown }): MilestoneRow {
    const r = this.db
      .prepare('INSERT INTO review_milestones (name, kind, week, created_at, snapshot) VALUES (?, ?, ?, ?, ?)')
      .run(m.name, m.kind, m.week, m.createdAt, JSON.stringify(m.snapshot));
    return { id: Number(r.lastInsertRowid), name: m.name, kind: m.kind, week: m.week, createdAt: m.createdAt };
  }

  listMilestones(): MilestoneRow[] {
    return this.db
      .prepare('SELECT id, name, kind, week, created_at AS createdAt FROM review_milestones ORDER BY created_at, id')
      .all() as MilestoneRow[];
  }

  getMilestone(id: number): (MilestoneRow & { snapshot: unknown }) | undefined {
    const r = this.db
      .prepare('SELECT id, name, kind, week, created_at AS createdAt, snapshot FROM review_milestones WHERE id = ?')
      .get(id) as (MilestoneRow & { snapshot: string }) | undefined;
    return r && { ...r, snapshot: JSON.parse(r.snapshot) as unknown };
  }

  milestoneForWeek(week: string): MilestoneRow | undefined {
    return this.db
      .prepare('SELECT id, name, kind, week, created_at AS createdAt FROM review_milestones WHERE week = ?')
      .get(week) as MilestoneRow | undefined;
  }

  // --- improvement plan ---

  listImprovements(): ImprovementRow[] {
    const rows = this.db.prepare('SELECT * FROM review_improvements ORDER BY lens_id, question_id').all() as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      lensId: r.lens_id as string,
      questionId: r.question_id as string,
      owner: r.owner as string | null,
      due: r.due as string | null,
      status: r.status as PlanStatus,
      note: r.note as string | null,
      actionItems: JSON.parse(r.action_items as string) as string[],
      createdAt: r.created_at as number,
      updatedAt: r.updated_at as number,
    }));
  }

  /** Removes every improvement-plan edit of a lens; returns how many there were. */
  deleteImprovements(lensId: string): number {
    return this.db.prepare('DELETE FROM review_improvements WHERE lens_id = ?').run(lensId).changes;
  }

  putImprovement(i: ImprovementRow): void {
    this.db
      .prepare(
        `INSERT INTO review_improvements (lens_id, question_id, owner, due, status, note, action_items, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (lens_id, question_id) DO UPDATE SET owner = excluded.owner, due = excluded.due, status = excluded.status,
           note = excluded.note, action_items = excluded.action_items, updated_at = excluded.updated_at`,
      )
      .run(i.lensId, i.questionId, i.owner, i.due, i.status, i.note, JSON.stringify(i.actionItems), i.createdAt, i.updatedAt);
  }
}
