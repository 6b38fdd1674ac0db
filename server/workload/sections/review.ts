import { z } from 'zod';
import { BUILTIN_LENS_ID } from '../../review/lens/builtin.js';
import { LENS_ID_PATTERN, LENS_KEY_PATTERN } from '../../review/lens/format.js';
import { parseEvidenceCondition } from '../../review/evidence-condition.js';
import { ExpressionError } from '../../review/expression.js';
import type { EvidenceBinding } from '../../review/evidence.js';
import { docs } from '../doc-meta.js';

/**
 * `review:` — which Well-Architected lenses this workload is reviewed against, and the evidence
 * bindings that answer lens choices from live indicators (docs/review.md). That the indicators,
 * questions and choices named exist is checked across sections in `checks/review-evidence.ts`.
 */

const lensId = z
  .string()
  .regex(LENS_KEY_PATTERN, { message: 'a lens id is lowercase letters, digits, "_" and "-", starting with a letter' })
  .register(docs, { type: 'lens id' });

const lensItemId = (what: string) =>
  z.string().regex(LENS_ID_PATTERN, { message: `a ${what} id is letters, digits and "_"` }).register(docs, { type: `${what} id` });

const condition = z
  .string()
  .superRefine((text, ctx) => {
    try {
      parseEvidenceCondition(text);
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      ctx.addIssue({ code: 'custom', message: `the condition does not parse at character ${err.offset + 1}: ${err.message}` });
    }
  })
  .register(docs, { type: 'condition' });

const binding = z
  .strictObject({
    lens: lensId.default(BUILTIN_LENS_ID).describe('The lens of the question.'),
    question: lensItemId('question').describe('The question id in the lens.'),
    choice: lensItemId('choice').describe('The choice the evidence selects while `when` holds, and clears while it does not.'),
    when: condition.describe(
      'Condition over indicators: `ID == STATUS` (ok, warning, critical, no_data, stale), `ID.value <= 90` or `ID.score >= 80` ' +
        '(< <= > >= == !=), joined with &&, || and !, with parentheses. Unknown (no data, stale) leaves the choice as it was.',
    ),
  })
  .transform((b): EvidenceBinding => b);

export const reviewSchema = z
  .strictObject({
    lenses: z
      .array(lensId)
      .min(1, { message: 'list at least one lens, or leave `lenses` out to review against every stored lens' })
      .optional()
      .describe(`Lenses this workload is reviewed against: \`${BUILTIN_LENS_ID}\` (built in) and ids of imported lenses. Absent: every stored lens.`),
    evidence: z
      .array(binding)
      .default([])
      .describe('Evidence bindings: a lens choice selected or cleared automatically at each evaluation from a condition over indicators.'),
  })
  .transform((r) => ({ lenses: r.lenses ?? null, evidence: r.evidence }))
  .prefault({})
  .describe('Well-Architected review: lenses and evidence bindings. Optional.');
