import type Database from 'better-sqlite3';
import type { Logger } from '../../collectors/types.js';
import type { EvaluationSnapshot } from '../evaluation/snapshot.js';
import type { EventReader } from '../events/types.js';
import {
  emptyAnswer, NA_REASONS, resolveAnswer, withEvidence, withNotApplicable, withoutPersonAnswer, withPersonAnswer,
  type AnswerState, type NaReason,
} from './answers.js';
import { ReviewInputError } from './errors.js';
import { bindingProblem, ConditionCache, evidenceChecks, questionKey, type EvidenceBinding } from './evidence.js';
import { LensCatalog, type ImportResult, type LensInfo, type LensRemoval } from './lens-catalog.js';
import type { CompiledLens, CompiledQuestion } from './lens/compile.js';
import type { LensDocument } from './lens/format.js';
import { ReviewStore } from './store.js';
import { lensReview, questionView, reviewSummary, type LensReview, type QuestionView, type ReviewSummary } from './view.js';

/**
 * The review: lenses, answers kept current by evidence, risks. Milestones and the improvement
 * plan build on it (ReviewService in review-service.ts adds them). Every read goes to the
 * database, so the CLI and a running server can share it.
 */

export interface ReviewConfig {
  /** Lenses this workload is reviewed against; null: every stored lens. */
  lenses: string[] | null;
  evidence: EvidenceBinding[];
  workload: { id: string; title: string; timezone: string } | null;
}

export interface ReviewServiceOptions {
  db: Database.Database;
  log: Logger;
  now?: () => number;
  /** Action items for the improvement plan; optional (absent until events are stored). */
  events?: EventReader;
  /** Where the built-in lenses are (default: the package's lenses/). */
  lensesDir?: string;
}

export interface AnswerInput {
  choices?: unknown;
  notApplicable?: unknown;
  reason?: unknown;
  note?: unknown;
}

const MAX_NOTE = 2048;

export class ReviewCore {
  readonly store: ReviewStore;
  protected readonly log: Logger;
  protected readonly now: () => number;
  protected readonly events?: EventReader;
  protected config: ReviewConfig = { lenses: null, evidence: [], workload: null };
  private readonly catalog: LensCatalog;
  private readonly conditions = new ConditionCache();

  constructor(opts: ReviewServiceOptions) {
    this.store = new ReviewStore(opts.db);
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.events = opts.events;
    this.catalog = new LensCatalog(this.store, this.log, this.now, opts.lensesDir);
  }

  /** Stores the built-in lenses, or updates them when the release changed them (answers kept as on re-import). */
  syncBuiltins(): void {
    this.catalog.syncBuiltins();
  }

  /** The workload's review settings (on every load and reload). Logs bindings that cannot apply. */
  setConfig(config: ReviewConfig): void {
    this.config = config;
    const stored = new Set(this.lenses().map((l) => l.id));
    for (const id of config.lenses ?? []) {
      if (!stored.has(id)) this.log.warn('review lens not stored; import it with pillarboard lens import', { lens: id });
    }
    for (const p of this.bindingProblems()) this.log.warn('evidence binding ignored', { binding: p.index, problem: p.problem });
  }

  // --- lenses ---

  /** Every stored lens, compiled, built-in first. */
  lenses(): CompiledLens[] {
    return this.catalog.all();
  }

  lens(id: string): CompiledLens | undefined {
    return this.catalog.get(id);
  }

  /** The lenses this workload is reviewed against, in `review.lenses` order (else stored order). */
  activeLenses(): CompiledLens[] {
    const all = this.lenses();
    if (this.config.lenses === null) return all;
    return this.config.lenses.flatMap((id) => all.filter((l) => l.id === id));
  }

  lensInfos(): LensInfo[] {
    return this.catalog.infos(new Set(this.activeLenses().map((l) => l.id)));
  }

  /** The lens in the custom-lens format, exactly as stored (lossless export). */
  lensDocument(id: string): LensDocument | undefined {
    return this.catalog.document(id);
  }

  /**
   * Imports a lens from file text or a parsed body (id: a slug of its name unless given).
   * Re-importing an id keeps the answers of questions that still exist and archives the rest.
   * Throws LensInvalidError (every fault by JSON path) or ReviewInputError.
   */
  importLens(input: { text: string; id?: string } | { body: unknown; id?: string }): ImportResult {
    const { id, ...result } = this.catalog.import(input);
    return { lens: this.lensInfos().find((l) => l.id === id)!, ...result };
  }

  /** Removes an imported lens (see LensCatalog.delete: refused while in use unless `force`). */
  deleteLens(id: string, opts: { force?: boolean } = {}): LensRemoval {
    return this.catalog.delete(id, opts);
  }

  // --- the review ---

  protected requireLens(id: string): CompiledLens {
    const lens = this.lens(id);
    if (!lens) throw new ReviewInputError(`no lens "${id}"; lenses: ${this.lenses().map((l) => l.id).join(', ')}`, 'lens', 404);
    return lens;
  }

  protected requireQuestion(lens: CompiledLens, questionId: string): CompiledQuestion {
    const q = lens.questions.get(questionId);
    if (!q) throw new ReviewInputError(`lens "${lens.id}" has no question "${questionId}"`, 'question', 404);
    return q;
  }

  /** The review of each active lens (or of `lensId`, active or not). */
  review(lensId?: string): LensReview[] {
    const lenses = lensId === undefined ? this.activeLenses() : [this.requireLens(lensId)];
    return lenses.map((l) => lensReview(l, new Map(this.store.listAnswers(l.id).map((a) => [a.questionId, a]))));
  }

  question(lensId: string, questionId: string): QuestionView {
    const lens = this.requireLens(lensId);
    return questionView(lens, this.requireQuestion(lens, questionId), this.store.getAnswer(lensId, questionId));
  }

  /** Lenses having a question with this id (the CLI infers the lens from it). */
  lensesWithQuestion(questionId: string): string[] {
    return this.lenses().filter((l) => l.questions.has(questionId)).map((l) => l.id);
  }

  summary(): ReviewSummary {
    return reviewSummary(this.review(), this.now());
  }

  /** A person's answer. Throws ReviewInputError naming the field at fault. */
  answer(lensId: string, questionId: string, input: AnswerInput, by: string | null): QuestionView {
    const lens = this.requireLens(lensId);
    const q = this.requireQuestion(lens, questionId);
    if (input.note !== undefined && input.note !== null && (typeof input.note !== 'string' || input.note.length > MAX_NOTE)) {
      throw new ReviewInputError(`note must be text of at most ${MAX_NOTE} characters`, 'note');
    }
    const note = typeof input.note === 'string' && input.note.trim() !== '' ? input.note : null;
    const at = this.now();
    if (input.notApplicable !== undefined && typeof input.notApplicable !== 'boolean') {
      throw new ReviewInputError('notApplicable must be true or false', 'notApplicable');
    }
    if (input.notApplicable === true) {
      if (input.choices !== undefined) throw new ReviewInputError('give choices or notApplicable, not both', 'choices');
      if (!NA_REASONS.includes(input.reason as NaReason)) {
        throw new ReviewInputError(`a question not applicable needs a reason: one of ${NA_REASONS.join(', ')}`, 'reason');
      }
      return this.update(lens, q, (s) => withNotApplicable(s, { reason: input.reason as NaReason, note, by, at }));
    }
    const choices = this.validChoices(q, input.choices);
    return this.update(lens, q, (s) => withPersonAnswer(q, s, { choices, note, by, at }));
  }

  private validChoices(q: CompiledQuestion, raw: unknown): string[] {
    if (!Array.isArray(raw)) {
      throw new ReviewInputError('choices must be a list of choice ids (an empty list: none selected; or notApplicable: true with a reason)', 'choices');
    }
    raw.forEach((c, i) => {
      if (typeof c !== 'string' || !q.choiceIds.includes(c)) {
        throw new ReviewInputError(`unknown choice ${JSON.stringify(c)} for question "${q.id}"; its choices: ${q.choiceIds.join(', ')}`, `choices[${i}]`);
      }
    });
    const choices = [...new Set(raw as string[])];
    if (q.noneChoice && choices.includes(q.noneChoice) && choices.length > 1) {
      throw new ReviewInputError(`"${q.noneChoice}" (None of these) cannot be selected with other choices`, 'choices');
    }
    return choices;
  }

  /** Forgets the person's answer: the question follows its evidence again, or is unanswered. */
  clearAnswer(lensId: string, questionId: string): QuestionView {
    const lens = this.requireLens(lensId);
    const q = this.requireQuestion(lens, questionId);
    return this.update(lens, q, (s) => withoutPersonAnswer(s, this.now()));
  }

  private update(lens: CompiledLens, q: CompiledQuestion, change: (s: AnswerState) => AnswerState): QuestionView {
    const next = this.store.transaction(() => {
      const s = change(this.store.getAnswer(lens.id, q.id) ?? emptyAnswer(lens.id, q.id, this.now()));
      this.save(q, s);
      return s;
    });
    return questionView(lens, q, next);
  }

  protected save(q: CompiledQuestion, s: AnswerState): void {
    const r = resolveAnswer(q, s);
    this.store.putAnswer(s, { selected: r.selected, source: r.source });
  }

  // --- evidence ---

  /** Bindings of the workload file that cannot apply to the stored lenses. */
  bindingProblems(): Array<{ index: number; binding: EvidenceBinding; problem: string }> {
    const lenses = new Map(this.lenses().map((l) => [l.id, l]));
    return this.config.evidence.flatMap((binding, index) => {
      const problem = bindingProblem(binding, lenses.get(binding.lens));
      return problem === null ? [] : [{ index, binding, problem }];
    });
  }

  /**
   * Applies one evaluation's evidence: bound choices follow their conditions; choices no longer
   * bound lose their evidence. Writes only answers whose evidence changed; returns how many.
   */
  applyEvaluation(snapshot: EvaluationSnapshot): number {
    const lenses = new Map(this.lenses().map((l) => [l.id, l]));
    const valid = this.config.evidence.filter((b) => bindingProblem(b, lenses.get(b.lens)) === null);
    const checks = evidenceChecks(valid, snapshot, this.conditions);
    let changed = 0;
    this.store.transaction(() => {
      const keys = new Set(checks.keys());
      for (const a of this.store.listAnswers()) if (Object.keys(a.evidence).length > 0) keys.add(questionKey(a.lensId, a.questionId));
      for (const key of keys) {
        const [lensId, questionId] = key.split('\u0000') as [string, string];
        const q = lenses.get(lensId)?.questions.get(questionId);
        if (!q) continue;
        const before = this.store.getAnswer(lensId, questionId) ?? emptyAnswer(lensId, questionId, snapshot.at);
        const { state, changed: did } = withEvidence(before, checks.get(key) ?? new Map(), snapshot.at);
        if (!did) continue;
        this.save(q, state);
        changed++;
        for (const [choice, e] of Object.entries(state.evidence)) {
          if (before.evidence[choice]?.holds !== e.holds && e.holds !== null) {
            this.log.info('review evidence changed', { lens: lensId, question: questionId, choice, holds: e.holds });
          }
        }
      }
    });
    return changed;
  }
}
