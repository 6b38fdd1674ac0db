import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../collectors/types.js';
import { openExistingStore } from './database.js';
import { planCsv, planMarkdown, ReviewInputError, ReviewService, NA_REASONS, type LensReview } from '../review/index.js';
import { renderTable } from './table.js';
import { systemClock } from '../clock.js';

/**
 * `pillarboard review show|answer|milestone|plan`: the review stored in the database, read and
 * answered without the server (the server picks the changes up on its next read). Evidence is
 * the server's to apply; these commands show the evidence it last recorded.
 */

export interface Output {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

/** Opens the database (migrating it), stores the built-in lenses, runs `fn`, closes. */
export function withReview<T>(dbPath: string, log: Logger, fn: (review: ReviewService) => T): T {
  const store = openExistingStore({ path: dbPath, now: systemClock.now });
  try {
    const review = new ReviewService({ db: store.db, log, clock: systemClock });
    review.syncBuiltins();
    return fn(review);
  } finally {
    store.close();
  }
}

/** Runs `fn`, turning a ReviewInputError into `pillarboard: field: message` and exit 2. */
export function reportInputErrors(err: NodeJS.WritableStream, fn: () => number): number {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ReviewInputError) {
      err.write(`pillarboard: ${e.field}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

const counts = (c: LensReview['counts']) =>
  `high ${c.high} · medium ${c.medium} · none ${c.none} · unanswered ${c.unanswered} · not applicable ${c.not_applicable}`;

export function renderReview(reviews: readonly LensReview[]): string {
  const out: string[] = [];
  for (const r of reviews) {
    out.push(`Lens ${r.id} — ${r.name}`, `  ${counts(r.counts)}${r.drift ? ` · drift ${r.drift}` : ''}`, '');
    for (const p of r.pillars) {
      out.push(`${p.name} (${p.pillar ?? `lens pillar ${p.id}`}): ${counts(p.counts)}`);
      const rows = r.questions
        .filter((q) => q.pillarId === p.id)
        .map((q) => [
          q.risk,
          q.id,
          q.source ?? '-',
          q.notApplicable ? `n/a: ${q.reason}` : q.selected.join(', ') || '-',
          q.drift.length > 0 ? `DRIFT: ${q.drift.map((d) => `${d.choice} (evidence ${d.evidence ? 'holds' : 'does not hold'})`).join(', ')}` : '',
        ]);
      out.push(renderTable(['RISK', 'QUESTION', 'SOURCE', 'SELECTED', ''], rows).replace(/^/gm, '  ').trimEnd(), '');
    }
  }
  return out.join('\n') + '\n';
}

export function runReviewShow(dbPath: string, opts: { lens?: string }, io: Output, log: Logger): number {
  return reportInputErrors(io.err, () =>
    withReview(dbPath, log, (review) => {
      io.out.write(renderReview(review.review(opts.lens)));
      return 0;
    }),
  );
}

export interface AnswerOptions {
  lens?: string;
  /** Comma-separated choice ids; "" selects none. */
  choices?: string;
  note?: string;
  /** Not applicable, with this reason. */
  na?: string;
  /** Forget the person's answer: back to the evidence. */
  auto?: boolean;
}

export function runReviewAnswer(dbPath: string, question: string, opts: AnswerOptions, io: Output, log: Logger): number {
  const modes = [opts.choices !== undefined, opts.na !== undefined, Boolean(opts.auto)].filter(Boolean).length;
  if (modes !== 1) {
    io.err.write(`pillarboard: give exactly one of --choices a,b  --na REASON (${NA_REASONS.join(', ')})  --auto\n`);
    return 2;
  }
  return reportInputErrors(io.err, () =>
    withReview(dbPath, log, (review) => {
      const lens = opts.lens ?? inferLens(review, question);
      const view = opts.auto
        ? review.clearAnswer(lens, question)
        : opts.na !== undefined
          ? review.answer(lens, question, { notApplicable: true, reason: opts.na, note: opts.note }, 'cli')
          : review.answer(lens, question, { choices: splitChoices(opts.choices!), note: opts.note }, 'cli');
      io.out.write(`${lens}/${view.id}: risk ${view.risk}; ${view.notApplicable ? `not applicable (${view.reason})` : `selected: ${view.selected.join(', ') || 'none'}`} (${view.source ?? 'unanswered'})\n`);
      for (const d of view.drift) {
        io.out.write(`  drift: ${d.choice} is ${d.selected ? '' : 'not '}selected, but its evidence ${d.evidence ? 'holds' : 'does not hold'}\n`);
      }
      return 0;
    }),
  );
}

function splitChoices(text: string): string[] {
  return text.split(',').map((c) => c.trim()).filter((c) => c !== '');
}

function inferLens(review: ReviewService, question: string): string {
  const lenses = review.lensesWithQuestion(question);
  if (lenses.length === 1) return lenses[0]!;
  if (lenses.length === 0) throw new ReviewInputError(`no lens has a question "${question}" (pillarboard review show lists them)`, 'question');
  throw new ReviewInputError(`question "${question}" is in several lenses (${lenses.join(', ')}); say which with --lens`, 'lens');
}

export function runReviewMilestone(dbPath: string, name: string, io: Output, log: Logger): number {
  return reportInputErrors(io.err, () =>
    withReview(dbPath, log, (review) => {
      const m = review.createMilestone(name);
      const s = review.summary();
      io.out.write(`milestone ${m.id} "${m.name}" taken at ${m.createdAt}: ${counts(s.totals)}\n`);
      return 0;
    }),
  );
}

export function runReviewPlan(dbPath: string, opts: { format?: string; out?: string; lens?: string }, io: Output, log: Logger): number {
  const format = opts.format ?? 'markdown';
  if (format !== 'markdown' && format !== 'csv' && format !== 'json') {
    io.err.write(`pillarboard: --format must be markdown, csv or json (got "${format}")\n`);
    return 2;
  }
  return reportInputErrors(io.err, () =>
    withReview(dbPath, log, (review) => {
      const plan = review.plan({ lens: opts.lens });
      const text = format === 'csv' ? planCsv(plan) : format === 'json' ? JSON.stringify(plan, null, 2) + '\n' : planMarkdown(plan);
      if (opts.out) {
        fs.writeFileSync(opts.out, text);
        io.err.write(`wrote the improvement plan (${plan.items.length} item(s)) to ${opts.out}\n`);
      } else io.out.write(text);
      return 0;
    }),
  );
}
