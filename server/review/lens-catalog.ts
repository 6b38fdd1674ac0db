import type { Logger } from '../../collectors/types.js';
import { resolveAnswer, retainChoices } from './answers.js';
import { LensInvalidError, ReviewInputError } from './errors.js';
import { builtinLenses } from './lens/builtin.js';
import { compileLens, type CompiledLens } from './lens/compile.js';
import { LENS_KEY_PATTERN, lensKeyFromName, type LensDocument } from './lens/format.js';
import { parseLensText, type PositionedLensIssue } from './lens/parse-file.js';
import { formatJsonPath, validateLens } from './lens/validate.js';
import type { Pillar } from '../scoring/types.js';
import type { ReviewStore } from './store.js';

/**
 * The stored lenses: import (with what happens to existing answers), export, delete, and the
 * compiled form the review reads — recompiled only when a lens's hash changed, so a lens that
 * another process imported is picked up on the next read.
 */

export interface LensInfo {
  id: string;
  name: string;
  description: string | null;
  builtIn: boolean;
  /** Part of this workload's review (`review.lenses`, or every lens when not given). */
  active: boolean;
  hash: string;
  importedAt: string;
  updatedAt: string;
  questions: number;
  pillars: Array<{ id: string; name: string; pillar: Pillar | null; questions: number }>;
}

export interface ImportResult {
  lens: LensInfo;
  created: boolean;
  unchanged: boolean;
  /** Answers set aside: their question left the lens, or some of their choices did. */
  archived: number;
  /** What was accepted but deserves a look: unknown keys (kept), an empty url, a long choice id. */
  warnings: PositionedLensIssue[];
}

export class LensCatalog {
  private readonly compiled = new Map<string, CompiledLens>();

  constructor(
    private readonly store: ReviewStore,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly lensesDir?: string,
  ) {}

  /** Stores the built-in lenses, or updates them when the release changed them (answers kept as on re-import). */
  syncBuiltins(): void {
    const stored = this.store.lensHashes();
    for (const lens of builtinLenses(this.lensesDir)) {
      if (stored.get(lens.id) === lens.hash) continue;
      this.importDocument(lens.id, lens.doc, true);
      this.log.info('built-in lens stored', { lens: lens.id, hash: lens.hash.slice(0, 12) });
    }
  }

  /** Every stored lens, compiled, built-in first. */
  all(): CompiledLens[] {
    const hashes = this.store.lensHashes();
    for (const id of this.compiled.keys()) if (!hashes.has(id)) this.compiled.delete(id);
    const out: CompiledLens[] = [];
    for (const row of this.store.listLenses()) {
      let c = this.compiled.get(row.id);
      if (!c || c.hash !== row.hash) {
        c = compileLens(row.id, this.store.getLens(row.id)!.doc);
        this.compiled.set(row.id, c);
      }
      out.push(c);
    }
    return out;
  }

  get(id: string): CompiledLens | undefined {
    return this.all().find((l) => l.id === id);
  }

  infos(active: ReadonlySet<string>): LensInfo[] {
    const rows = new Map(this.store.listLenses().map((r) => [r.id, r]));
    return this.all().map((l) => {
      const row = rows.get(l.id)!;
      return {
        id: l.id,
        name: l.doc.name,
        description: l.doc.description ?? null,
        builtIn: row.builtin,
        active: active.has(l.id),
        hash: l.hash,
        importedAt: new Date(row.importedAt).toISOString(),
        updatedAt: new Date(row.updatedAt).toISOString(),
        questions: l.questions.size,
        pillars: l.pillars.map((p) => ({ id: p.id, name: p.name, pillar: p.pillar, questions: p.questions.length })),
      };
    });
  }

  /** The lens in the custom-lens format, exactly as stored (lossless export). */
  document(id: string): LensDocument | undefined {
    return this.store.getLens(id)?.doc;
  }

  /**
   * Imports a lens from file text or a parsed body; the id defaults to a slug of its name.
   * Re-importing an id keeps the answers of questions that still exist (dropping choices that
   * no longer do) and archives the rest. Throws LensInvalidError or ReviewInputError.
   */
  import(
    input: { text: string; id?: string } | { body: unknown; id?: string },
  ): { id: string; created: boolean; unchanged: boolean; archived: number; warnings: PositionedLensIssue[] } {
    let doc: LensDocument;
    let warnings: PositionedLensIssue[];
    if ('text' in input) {
      const parsed = parseLensText(input.text);
      if (!parsed.ok) throw new LensInvalidError(parsed.issues);
      doc = parsed.lens;
      warnings = parsed.warnings;
    } else {
      const v = validateLens(input.body);
      if (!v.ok) throw new LensInvalidError(v.issues.map((i) => ({ path: formatJsonPath(i.path), line: 0, column: 0, message: i.message })));
      doc = v.lens;
      warnings = v.warnings.map((w) => ({ path: formatJsonPath(w.path), line: 0, column: 0, message: w.message }));
    }
    const id = input.id ?? lensKeyFromName(doc.name);
    if (!LENS_KEY_PATTERN.test(id)) {
      throw new ReviewInputError(`lens id "${id}" must start with a lowercase letter and hold only lowercase letters, digits, "_" and "-" (at most 64)`, 'id');
    }
    const builtin = builtinLenses(this.lensesDir).some((l) => l.id === id) || this.store.getLens(id)?.builtin === true;
    if (builtin) throw new ReviewInputError(`"${id}" is a built-in lens; import under another id`, 'id', 409);
    return { id, ...this.importDocument(id, doc, false), warnings };
  }

  private importDocument(id: string, doc: LensDocument, builtin: boolean): { created: boolean; unchanged: boolean; archived: number } {
    const lens = compileLens(id, doc);
    const at = this.now();
    const result = this.store.transaction(() => {
      const previous = this.store.getLens(id);
      if (previous?.hash === lens.hash) return { created: false, unchanged: true, archived: 0 };
      this.store.putLens({ id, doc, hash: lens.hash, builtin }, at);
      let archived = 0;
      for (const answer of this.store.listAnswers(id)) {
        const q = lens.questions.get(answer.questionId);
        if (!q) {
          this.store.archiveAnswer(answer, 'the question is no longer in the lens', at);
          this.store.deleteAnswer(id, answer.questionId);
          archived++;
          continue;
        }
        const kept = retainChoices(q, answer);
        if (kept.dropped.length === 0) continue;
        this.store.archiveAnswer(answer, `choices no longer in the question: ${kept.dropped.join(', ')}`, at);
        const state = { ...kept.state, updatedAt: at };
        const r = resolveAnswer(q, state);
        this.store.putAnswer(state, { selected: r.selected, source: r.source });
        archived++;
      }
      return { created: previous === undefined, unchanged: false, archived };
    });
    this.compiled.delete(id);
    if (result.archived > 0) this.log.info('lens re-imported; answers archived', { lens: id, archived: result.archived });
    return result;
  }

  /**
   * Removes an imported lens. A lens that people have worked on — answers, or improvement-plan
   * edits (owner, due date, status, note) — is kept unless `force`: then its answers are archived
   * in `review_answers_archive` (reason "the lens was removed") and its plan edits deleted.
   * Milestones are history and keep the lens as it was. Built-in lenses cannot be removed.
   * Throws ReviewInputError: 404 unknown id, 409 built-in or in use without `force`.
   */
  delete(id: string, opts: { force?: boolean } = {}): LensRemoval {
    const row = this.store.getLens(id);
    if (!row) throw new ReviewInputError(`no lens "${id}"; lenses: ${this.store.listLenses().map((l) => l.id).join(', ')}`, 'id', 404);
    if (row.builtin) throw new ReviewInputError(`"${id}" is a built-in lens and cannot be removed (only imported lenses can)`, 'id', 409);
    const at = this.now();
    const result = this.store.transaction(() => {
      const answers = this.store.listAnswers(id);
      const planItems = this.store.listImprovements().filter((i) => i.lensId === id).length;
      if (!opts.force && (answers.length > 0 || planItems > 0)) {
        const what = [answers.length > 0 ? `${answers.length} answer(s)` : '', planItems > 0 ? `${planItems} improvement-plan item(s)` : ''].filter(Boolean).join(' and ');
        throw new ReviewInputError(
          `lens "${id}" has ${what}; to remove it anyway, force it: the answers are archived, the plan items deleted, milestones keep the lens`,
          'force',
          409,
        );
      }
      for (const a of answers) {
        this.store.archiveAnswer(a, 'the lens was removed', at);
        this.store.deleteAnswer(id, a.questionId);
      }
      const deletedPlanItems = this.store.deleteImprovements(id);
      this.store.deleteLens(id);
      return { removed: id, archived: answers.length, planItemsDeleted: deletedPlanItems };
    });
    this.compiled.delete(id);
    this.log.info('lens removed', { lens: id, archived: result.archived, planItemsDeleted: result.planItemsDeleted });
    return result;
  }
}

/** What removing a lens did. */
export interface LensRemoval {
  removed: string;
  /** Answers moved to `review_answers_archive`. */
  archived: number;
  /** Improvement-plan edits deleted. */
  planItemsDeleted: number;
}
