import { z } from 'zod';
import { STATUSES } from '../../scoring/types.js';
import { NA_REASONS, PLAN_STATUSES, QUESTION_RISKS } from '../../review/index.js';
import { int, isoTime } from './route.js';
import { PillarIdSchema } from './evaluation-schemas.js';

/** What the review routes answer: lenses, questions, risks, milestones, the improvement plan (docs/review.md). */

const risk = z.enum(QUESTION_RISKS);
const pillar = PillarIdSchema.nullable();
const link = z.object({ displayText: z.string().optional(), url: z.string().optional() });
const naReason = z.enum(NA_REASONS);
const date = z.iso.date();

export const RiskCountsSchema = z
  .object({ high: int(), medium: int(), none: int(), unanswered: int(), not_applicable: int() })
  .meta({ id: 'RiskCounts' });

const pillarCounts = z.object({ id: z.string(), name: z.string(), pillar, counts: RiskCountsSchema });

export const MilestoneSchema = z
  .object({ id: int(), name: z.string(), kind: z.enum(['manual', 'weekly']), week: z.string().nullable(), createdAt: isoTime() })
  .meta({ id: 'Milestone' });

const change = z.object({ lens: z.string(), question: z.string(), title: z.string(), from: risk.nullable(), to: risk.nullable() });

export const ReviewSummarySchema = z
  .object({
    generatedAt: isoTime(),
    totals: RiskCountsSchema,
    drift: int(),
    pillars: z.array(z.object({ id: PillarIdSchema, counts: RiskCountsSchema, questions: int() })),
    customPillars: z.array(z.object({ lens: z.string(), id: z.string(), name: z.string(), counts: RiskCountsSchema, questions: int() })),
    lenses: z.array(z.object({ id: z.string(), name: z.string(), counts: RiskCountsSchema, drift: int(), questions: int(), pillars: z.array(pillarCounts) })),
    lastMilestone: MilestoneSchema.nullable(),
  })
  .meta({ id: 'ReviewSummary' });

export const LensInfoSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    builtIn: z.boolean(),
    active: z.boolean(),
    hash: z.string(),
    importedAt: isoTime(),
    updatedAt: isoTime(),
    questions: int(),
    pillars: z.array(z.object({ id: z.string(), name: z.string(), pillar, questions: int() })),
  })
  .meta({ id: 'LensInfo' });

export const LensImportSchema = z
  .object({
    lens: LensInfoSchema,
    created: z.boolean(),
    unchanged: z.boolean(),
    archived: int(),
    warnings: z.array(z.object({ path: z.string(), line: int(), column: int(), message: z.string() })),
  })
  .meta({ id: 'LensImport' });

/** Checked in full by the lens importer (server/review/lens/format.ts), which names every fault by JSON path. */
export const CustomLensSchema = z
  .looseObject({
    schemaVersion: z.literal('2021-11-01'),
    name: z.string(),
    description: z.string().optional(),
    pillars: z.array(z.record(z.string(), z.unknown())),
  })
  .meta({
    id: 'CustomLens',
    description:
      'AWS Well-Architected custom-lens JSON (schemaVersion 2021-11-01): pillars[].questions[].choices[] with helpfulResource, improvementPlan, additionalResources and riskRules.',
  });

export const ReviewQuestionSchema = z
  .object({
    lens: z.string(),
    id: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    pillarId: z.string(),
    pillarName: z.string(),
    pillar,
    risk,
    answered: z.boolean(),
    source: z.enum(['auto', 'manual', 'mixed']).nullable(),
    selected: z.array(z.string()),
    notApplicable: z.boolean(),
    reason: naReason.nullable(),
    note: z.string().nullable(),
    answeredBy: z.string().nullable(),
    answeredAt: isoTime().nullable(),
    overrides: z.array(z.string()),
    drift: z.array(z.object({ choice: z.string(), evidence: z.boolean(), selected: z.boolean() })),
    evidence: z.array(
      z.object({
        choice: z.string(),
        when: z.string(),
        result: z.boolean().nullable(),
        holds: z.boolean().nullable(),
        since: isoTime().nullable(),
        checkedAt: isoTime(),
        indicators: z.array(z.object({ id: z.string(), status: z.enum(STATUSES).nullable(), value: z.number().nullable(), score: z.number().nullable() })),
      }),
    ),
    choices: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        selected: z.boolean(),
        none: z.boolean(),
        bound: z.boolean(),
        helpfulResource: link.nullable(),
        improvementPlan: link.nullable(),
      }),
    ),
    updatedAt: isoTime().nullable(),
  })
  .meta({ id: 'ReviewQuestion' });

export const LensReviewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    counts: RiskCountsSchema,
    drift: int(),
    pillars: z.array(pillarCounts),
    questions: z.array(ReviewQuestionSchema),
  })
  .meta({ id: 'LensReview' });

export const MilestoneComparisonSchema = z
  .object({
    from: MilestoneSchema,
    to: z.union([MilestoneSchema, z.object({ id: z.null(), name: z.literal('current'), createdAt: isoTime() })]).describe('The later milestone, or the review now (`current`)'),
    pillars: z.array(
      z.object({
        lens: z.string(),
        pillarId: z.string(),
        pillarName: z.string(),
        pillar,
        from: RiskCountsSchema,
        to: RiskCountsSchema,
        gained: z.array(change),
        removed: z.array(change),
        changed: z.array(change),
      }),
    ),
    totals: z.object({ gained: int(), removed: int(), changed: int() }),
  })
  .meta({ id: 'MilestoneComparison' });

export const PlanItemSchema = z
  .object({
    lens: z.string(),
    lensName: z.string(),
    pillar,
    pillarId: z.string(),
    pillarName: z.string(),
    question: z.string(),
    title: z.string(),
    risk: z.enum(['high', 'medium']),
    drift: z.boolean(),
    improvements: z.array(z.object({ choice: z.string(), title: z.string(), text: z.string(), url: z.string().nullable(), resources: z.array(link) })),
    owner: z.string().nullable(),
    due: date.nullable(),
    status: z.enum(PLAN_STATUSES),
    note: z.string().nullable(),
    actionItems: z.array(z.object({ ref: z.string(), title: z.string().nullable(), status: z.string(), closedAt: isoTime().nullable() })),
  })
  .meta({ id: 'PlanItem' });

export const ImprovementPlanSchema = z
  .object({
    generatedAt: isoTime(),
    workload: z.object({ id: z.string(), title: z.string() }).nullable(),
    counts: z.object({ high: int(), medium: int() }),
    items: z.array(PlanItemSchema),
  })
  .meta({ id: 'ImprovementPlan' });

/** Bodies the review routes take; the review service checks them in full and names the field at fault. */
export const AnswerBodySchema = z.object({
  choices: z.array(z.string()).optional(),
  notApplicable: z.boolean().optional(),
  reason: naReason.optional(),
  note: z.string().nullable().optional(),
});

export const PlanItemBodySchema = z.object({
  owner: z.string().nullable().optional(),
  due: date.nullable().optional(),
  status: z.enum(PLAN_STATUSES).optional(),
  note: z.string().nullable().optional(),
  actionItems: z.array(z.string().describe('source:externalId of an action_item event')).optional(),
});
