import { builtinLenses } from '../../review/lens/builtin.js';
import type { CompiledLens } from '../../review/lens/compile.js';
import { conditionIndicators, parseEvidenceCondition } from '../../review/evidence-condition.js';
import type { PathIssue } from '../../validation/issues.js';
import type { Path } from '../../validation/path.js';
import type { SemanticCheck } from '../semantic.js';
import { unknownNameMessage } from '../../validation/suggest.js';
import { entriesOf } from './entries.js';

/**
 * `review.evidence`: every indicator a condition reads is declared in this file; for the
 * built-in lens, the question and choice exist (imported lenses live in the database, so the
 * server checks those when it applies the workload and at `lens import`); a binding's lens is
 * among `review.lenses` when that list is given; no choice is bound twice.
 */
export const reviewEvidence: SemanticCheck = (doc) => {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return [];
  const review = (doc as Record<string, unknown>).review;
  if (review === null || typeof review !== 'object' || Array.isArray(review)) return [];
  const { lenses, evidence } = review as Record<string, unknown>;
  const indicators = [...new Set(entriesOf(doc, 'indicators').flatMap(({ entry }) => (typeof entry.id === 'string' ? [entry.id] : [])))];
  const known = new Set(indicators);
  const listed = Array.isArray(lenses) ? lenses.filter((l): l is string => typeof l === 'string') : null;
  const builtins = new Map(safeBuiltins().map((l) => [l.id, l]));
  const issues: PathIssue[] = [];
  const first = new Map<string, Path>();
  if (listed) {
    const seen = new Map<string, number>();
    listed.forEach((l, i) => {
      const earlier = seen.get(l);
      if (earlier !== undefined) issues.push({ path: ['review', 'lenses', i], message: `lens "${l}" is listed twice`, related: { path: ['review', 'lenses', earlier], note: 'first listed' } });
      else seen.set(l, i);
    });
  }
  if (!Array.isArray(evidence)) return issues;
  evidence.forEach((raw, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return;
    const b = raw as Record<string, unknown>;
    const at = (key: string): Path => ['review', 'evidence', i, key];
    const lensId = typeof b.lens === 'string' ? b.lens : 'wellarchitected';
    if (typeof b.when === 'string') {
      let refs: Array<{ id: string; offset: number }> = [];
      try {
        refs = conditionIndicators(parseEvidenceCondition(b.when));
      } catch {
        // reported by the schema
      }
      for (const { id, offset } of refs) {
        if (!known.has(id)) issues.push({ path: at('when'), message: `${unknownNameMessage('indicator', id, indicators)} (at character ${offset + 1})` });
      }
    }
    if (listed && !listed.includes(lensId)) {
      issues.push({ path: typeof b.lens === 'string' ? at('lens') : ['review', 'evidence', i], message: `lens "${lensId}" is not among review.lenses (${listed.join(', ')})` });
    }
    const lens = builtins.get(lensId);
    if (lens && typeof b.question === 'string') {
      const q = lens.questions.get(b.question);
      if (!q) issues.push({ path: at('question'), message: unknownNameMessage('question', b.question, [...lens.questions.keys()], `in lens "${lensId}"`) });
      else if (typeof b.choice === 'string') {
        if (!q.choiceIds.includes(b.choice)) issues.push({ path: at('choice'), message: unknownNameMessage('choice', b.choice, q.choiceIds, `of question "${q.id}"`) });
        else if (b.choice === q.noneChoice) issues.push({ path: at('choice'), message: `"${b.choice}" is the "None of these" choice; evidence cannot select it` });
      }
    }
    if (typeof b.question === 'string' && typeof b.choice === 'string') {
      const key = `${lensId}\u0000${b.question}\u0000${b.choice}`;
      const earlier = first.get(key);
      if (earlier) issues.push({ path: at('choice'), message: `choice "${b.choice}" of question "${b.question}" is bound twice`, related: { path: earlier, note: 'first bound' } });
      else first.set(key, at('choice'));
    }
  });
  return issues;
};

/** The built-in lenses, or none when they cannot be read (then only the other checks run). */
function safeBuiltins(): CompiledLens[] {
  try {
    return builtinLenses();
  } catch {
    return [];
  }
}
