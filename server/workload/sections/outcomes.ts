import { z } from 'zod';
import type { OutcomeIndicatorRef, OutcomeSpec } from '../../evaluation/spec.js';
import { docs } from '../doc-meta.js';
import type { Path } from '../../validation/path.js';
import { describeValue } from '../../validation/zod-issues.js';
import { slugSchema } from './shared.js';

/**
 * `outcomes:` — what the business gets, each scored from indicators (weighted mean, key
 * indicators as gates; see docs/scoring.md). That every `ref` names an indicator is checked
 * across sections in `checks/references.ts`.
 */

const nonEmpty = z.string().trim().min(1, { message: 'must not be empty' });

const refObject = z.strictObject(
  {
    ref: z.string().describe('Id of an indicator in this file.').register(docs, { type: 'indicator id' }),
    weight: z
      .number()
      .min(0, { message: 'must be 0 or more' })
      .register(docs, { type: 'number ≥ 0' })
      .default(1)
      .describe("The indicator's share of the outcome's score, 0 or more."),
    key: z
      .boolean()
      .default(false)
      .describe('A key indicator gates the outcome: critical makes the outcome critical, stale or no data makes it a warning.'),
  },
  {
    error: (iss) =>
      iss.code === 'invalid_type' && iss.input !== undefined
        ? `expected an indicator id or a mapping { ref, weight, key }, found ${describeValue(iss.input)}`
        : undefined,
  },
);

/** `- checkout_latency` is shorthand for `- { ref: checkout_latency }` (weight 1, not key). */
const refEntry = z
  .preprocess((v) => (typeof v === 'string' ? { ref: v } : v), refObject)
  .transform((r): OutcomeIndicatorRef => r)
  .register(docs, { fields: () => refObject });

export const outcomesSchema = z
  .array(
    z
      .strictObject({
        id: slugSchema.describe('Unique among outcomes; names the outcome in the API and metrics.'),
        title: nonEmpty.describe('What the business gets, in its words: "Customers can complete checkout".'),
        owner: nonEmpty.optional().describe('Team or person accountable for the outcome.'),
        description: z.string().optional().describe('Free text: why the outcome matters.'),
        indicators: z
          .array(refEntry)
          .min(1, { message: 'an outcome needs at least one indicator' })
          .describe('The indicators it is scored from: an indicator id, or `{ ref, weight, key }`.')
          .register(docs, { type: 'list of ids or mappings' }),
      })
      .transform((o): OutcomeSpec => o),
  )
  .default([])
  .describe('Business outcomes, each scored from the indicators it lists.');

/** Where a path under `outcomes` lands in the Workload: a shorthand ref `indicators[1]` becomes `indicators[1].ref`. */
export function outcomesOutputPath(rest: Path): Path {
  const [index, key, refIndex, ...more] = rest;
  if (typeof index === 'number' && key === 'indicators' && typeof refIndex === 'number' && more.length === 0) {
    // A value from `${VAR}` is always a string, so a secret path ending at an entry is a shorthand ref.
    return [index, key, refIndex, 'ref'];
  }
  return rest;
}
