import * as fs from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { Logger } from '../../collectors/types.js';
import { collectorRegistry } from '../../collectors/index.js';
import { loadWorkloadFile } from '../workload/index.js';
import { locate } from '../workload/locate.js';
import { LensInvalidError, ReviewInputError, type ReviewService } from '../review/index.js';
import { bindingProblem } from '../review/evidence.js';
import { renderTable } from './table.js';
import { reportInputErrors, withReview, type Output } from './review.js';

/**
 * `pillarboard lens import|export|list|remove`: lenses in the AWS custom-lens JSON format. Import
 * refuses an invalid lens with every fault as `file:line:column: $.json.path: message`, and
 * re-importing an id keeps the answers of questions that still exist (the rest are archived).
 * Remove refuses the built-in lens, and a lens with answers or plan edits unless --force.
 */

export function runLensImport(
  dbPath: string,
  file: string,
  opts: { id?: string; config?: string; env?: Record<string, string | undefined> },
  io: Output,
  log: Logger,
): number {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    io.err.write(`pillarboard: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
    return 2;
  }
  return reportInputErrors(io.err, () =>
    withReview(dbPath, log, (review) => {
      let result;
      try {
        result = review.importLens({ text, id: opts.id });
      } catch (e) {
        if (!(e instanceof LensInvalidError)) throw e;
        for (const i of e.issues) io.err.write(`${i.line > 0 ? `${file}:${i.line}:${i.column}` : file}: ${i.path}: ${i.message}\n`);
        io.err.write(`${file}: ${e.issues.length} error${e.issues.length === 1 ? '' : 's'}; nothing imported\n`);
        return 2;
      }
      for (const w of result.warnings) io.err.write(`${w.line > 0 ? `${file}:${w.line}:${w.column}` : file}: ${w.path}: warning: ${w.message}\n`);
      const l = result.lens;
      const what = result.unchanged ? 'unchanged' : result.created ? 'imported' : 're-imported';
      io.out.write(`${what} lens "${l.id}" (${l.name}): ${l.pillars.length} pillar(s), ${l.questions} question(s)`);
      io.out.write(result.archived > 0 ? `; ${result.archived} answer(s) archived\n` : '\n');
      if (opts.config) warnBindings(review, l.id, opts.config, opts.env ?? {}, io.err);
      return 0;
    }),
  );
}

/** Evidence bindings of the workload file that name questions or choices this lens lacks. */
function warnBindings(review: ReviewService, lensId: string, config: string, env: Record<string, string | undefined>, err: NodeJS.WritableStream): void {
  const loaded = loadWorkloadFile(config, { registry: collectorRegistry, env });
  if (!loaded.ok) return;
  const lens = review.lens(lensId);
  const lines = new LineCounter();
  const doc = parseDocument(loaded.source, { lineCounter: lines, logLevel: 'silent' });
  loaded.workload.review.evidence.forEach((b, i) => {
    if (b.lens !== lensId) return;
    const problem = bindingProblem(b, lens);
    if (problem === null) return;
    const key = lens?.questions.has(b.question) ? 'choice' : 'question';
    const pos = locate(doc, lines, ['review', 'evidence', i, key]);
    err.write(`warning: ${config}:${pos.line}:${pos.column}: review.evidence[${i}].${key}: ${problem}\n`);
  });
}

export function runLensExport(dbPath: string, id: string, opts: { out?: string }, io: Output, log: Logger): number {
  return withReview(dbPath, log, (review) => {
    const doc = review.lensDocument(id);
    if (!doc) {
      io.err.write(`pillarboard: no lens "${id}"; lenses: ${review.lensInfos().map((l) => l.id).join(', ')}\n`);
      return 2;
    }
    const text = JSON.stringify(doc, null, 2) + '\n';
    if (opts.out) {
      fs.writeFileSync(opts.out, text);
      io.err.write(`wrote lens "${id}" to ${opts.out}\n`);
    } else io.out.write(text);
    return 0;
  });
}

export function runLensList(dbPath: string, io: Output, log: Logger): number {
  return withReview(dbPath, log, (review) => {
    const rows = review.lensInfos().map((l) => [
      l.id,
      l.name,
      l.builtIn ? 'yes' : 'no',
      String(l.pillars.length),
      String(l.questions),
      l.updatedAt.replace(/\.\d+Z$/, 'Z'),
    ]);
    io.out.write(renderTable(['ID', 'NAME', 'BUILT-IN', 'PILLARS', 'QUESTIONS', 'UPDATED'], rows));
    return 0;
  });
}

/**
 * `pillarboard lens remove ID [--force]`. Exit 0 removed; 2 unknown id, built-in lens, or a lens
 * in use without --force (the message says what it holds and what --force does).
 */
export function runLensRemove(dbPath: string, id: string, opts: { force?: boolean }, io: Output, log: Logger): number {
  return withReview(dbPath, log, (review) => {
    try {
      const r = review.deleteLens(id, { force: Boolean(opts.force) });
      io.out.write(`removed lens "${r.removed}": ${r.archived} answer(s) archived, ${r.planItemsDeleted} improvement-plan item(s) deleted; milestones keep it\n`);
      return 0;
    } catch (e) {
      if (!(e instanceof ReviewInputError)) throw e;
      io.err.write(`pillarboard: ${e.status === 409 && e.field === 'force' ? e.message.replace('force it:', 'add --force:') : e.message}\n`);
      return 2;
    }
  });
}
