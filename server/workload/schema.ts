import { z } from 'zod';
import type { EvaluationSettings, IndicatorSpec, OutcomeSpec } from '../evaluation/spec.js';
import type { OperationsSettings } from '../events/types.js';
import type { Path } from '../validation/path.js';
import { collectorsOutputPath, collectorsSchema, type CollectorRegistry } from './sections/collectors.js';
import { evaluationOutputPath, evaluationSchema } from './sections/evaluation.js';
import { indicatorsOutputPath, indicatorsSchema } from './sections/indicators.js';
import { outcomesOutputPath, outcomesSchema } from './sections/outcomes.js';
import { reviewSchema } from './sections/review.js';
import { reportsOutputPath, reportsSchema } from './sections/reports.js';
import { operationsOutputPath, operationsSchema } from './sections/operations.js';
import { notificationsOutputPath, notificationsSchema } from './sections/notifications.js';
import { storageOutputPath, storageSchema } from './sections/storage.js';
import { otlpOutputPath, otlpSchema } from './sections/otlp.js';
import { workloadMetaSchema } from './sections/workload.js';

/**
 * The one schema of the workload file. Each top-level section is its own
 * module under `sections/`; adding a section (indicators, outcomes, reports,
 * review) is a new module plus one line here — and, when the section refers
 * to others, a check in `semantic.ts`.
 */

export interface SchemaContext {
  registry: CollectorRegistry;
}

export const CURRENT_VERSION = 1;

export function buildWorkloadSchema(ctx: SchemaContext) {
  return z
    .strictObject({
      version: z
        .literal(CURRENT_VERSION, { error: `unsupported version; this Pillarboard reads version ${CURRENT_VERSION}` })
        .default(CURRENT_VERSION)
        .describe('Format version of this file. Leave it at 1; it exists so the format can change without guessing.'),
      workload: workloadMetaSchema,
      storage: storageSchema,
      collectors: collectorsSchema(ctx.registry),
      evaluation: evaluationSchema,
      indicators: indicatorsSchema,
      outcomes: outcomesSchema,
      review: reviewSchema,
      reports: reportsSchema,
      operations: operationsSchema,
      notifications: notificationsSchema,
      otlp: otlpSchema,
    })
    .describe('A workload file.');
}

/**
 * The validated workload. Besides `workload`, `storage` and `collectors`, it carries
 * `evaluation: EvaluationSettings`, `indicators: IndicatorSpec[]` and `outcomes: OutcomeSpec[]`
 * exactly as server/evaluation/spec.ts declares them (all optional in the file).
 */
export type Workload = z.output<ReturnType<typeof buildWorkloadSchema>>;

// Compile-time proof that the loader produces the engine's types, not look-alikes.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const producesSpecTypes: Same<Workload['indicators'], IndicatorSpec[]> &
  Same<Workload['outcomes'], OutcomeSpec[]> &
  Same<Workload['evaluation'], EvaluationSettings> &
  Same<Workload['operations'], OperationsSettings> = true;
void producesSpecTypes;

/** Sections whose Workload shape differs from the file's (renamed or regrouped keys). */
const OUTPUT_PATHS: Record<string, (rest: Path) => Path> = {
  storage: storageOutputPath,
  collectors: collectorsOutputPath,
  evaluation: evaluationOutputPath,
  indicators: indicatorsOutputPath,
  outcomes: outcomesOutputPath,
  reports: reportsOutputPath,
  operations: operationsOutputPath,
  notifications: notificationsOutputPath,
  otlp: otlpOutputPath,
};

/** Where the value at a file path lands in the Workload, e.g. `collectors[0].password` → `collectors[0].config.password`. */
export function toWorkloadPath(path: Path): Path {
  const [section, ...rest] = path;
  const map = typeof section === 'string' ? OUTPUT_PATHS[section] : undefined;
  return map && section !== undefined ? [section, ...map(rest)] : path;
}
