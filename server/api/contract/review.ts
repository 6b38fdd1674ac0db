import { z } from 'zod';
import { int, isoTime, json, param, problem, problems, route, type RouteSpec } from './route.js';
import {
  AnswerBodySchema,
  CustomLensSchema,
  ImprovementPlanSchema,
  LensImportSchema,
  LensInfoSchema,
  LensReviewSchema,
  MilestoneComparisonSchema,
  MilestoneSchema,
  PlanItemBodySchema,
  PlanItemSchema,
  ReviewQuestionSchema,
  ReviewSummarySchema,
} from './review-schemas.js';

/** Well-Architected reviews: lenses, answers, risks, milestones, improvement plan (routes/review.ts; docs/review.md). */

const tag = 'review';
const lensParam = { lens: z.string().describe('Lens id (`wellarchitected` is built in)') };
const questionParams = z.object({ ...lensParam, question: z.string().describe('Question id in the lens') });
const lensQuery = z.object({ lens: param("Only this lens (default: the lenses of the workload's review)").optional() });
const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': schema } });

export const ReviewAnswerSchema = z.object({
  generatedAt: isoTime(),
  lenses: z.array(LensReviewSchema),
  bindingProblems: z
    .array(
      z.object({
        index: int(),
        binding: z.object({ lens: z.string(), question: z.string(), choice: z.string(), when: z.string() }),
        problem: z.string(),
      }),
    )
    .describe("The workload's evidence bindings (review.evidence[index]) that cannot apply to the stored lenses, and why"),
});
export const LensListSchema = z.object({ lenses: z.array(LensInfoSchema) });
export const LensRemovedSchema = z.object({ removed: z.string(), archived: int(), planItemsDeleted: int() });
export const MilestoneListSchema = z.object({ milestones: z.array(MilestoneSchema) });
export const PlanItemAnswerSchema = z.object({ item: PlanItemSchema.nullable() });

export const reviewRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/review/summary',
    summary: "Risk counts per pillar (the six, and lenses' own pillars) and per lens: what a pillar tile shows",
    tag,
    scope: 'read',
    responses: { 200: json(ReviewSummarySchema), ...problems(503) },
  }),
  route({
    method: 'get',
    path: '/api/review',
    summary: 'The whole review: every question with its answer, risk, evidence and drift',
    tag,
    scope: 'read',
    query: lensQuery,
    responses: {
      200: json(ReviewAnswerSchema),
      ...problems(404, 503),
    },
  }),
  route({
    method: 'get',
    path: '/api/review/lenses',
    summary: 'Stored lenses',
    tag,
    scope: 'read',
    responses: { 200: json(LensListSchema), ...problems(503) },
  }),
  route({
    method: 'post',
    path: '/api/review/lenses',
    summary:
      'Import a lens in the AWS custom-lens JSON format (admin). Re-importing an id keeps the answers of questions that still exist and archives the rest. 422 names every fault by JSON path.',
    tag,
    scope: 'admin',
    query: z.object({ id: param('Lens id to store it under (default: a slug of its name)').optional() }),
    body: { ...body(CustomLensSchema), parsedBy: 'route' }, // the lens importer: 422 naming every fault by JSON path
    responses: {
      200: json(LensImportSchema, 'Re-imported (or unchanged)'),
      201: json(LensImportSchema, 'Created'),
      ...problems(400, 413, 422),
      409: problem('The id belongs to a built-in lens.'),
    },
  }),
  route({
    method: 'get',
    path: '/api/review/lenses/{lens}',
    summary: 'The lens in the AWS custom-lens JSON format, exactly as imported (lossless export)',
    tag,
    scope: 'read',
    params: z.object(lensParam),
    query: z.object({ download: param('Present: send as an attachment <lens>.json').optional() }),
    responses: { 200: json(CustomLensSchema), ...problems(404) },
  }),
  route({
    method: 'delete',
    path: '/api/review/lenses/{lens}',
    summary:
      'Remove an imported lens (admin). Refused (409, `force`) while it has answers or improvement-plan edits, unless `force=true`: then its answers are archived and its plan edits deleted. Milestones keep it.',
    tag,
    scope: 'admin',
    params: z.object(lensParam),
    query: z.object({
      force: param('true: remove it even with answers (archived) and plan edits (deleted)', z.enum(['true', 'false', '1', '0', ''])).optional(),
    }),
    responses: {
      200: json(LensRemovedSchema),
      ...problems(400, 404),
      409: problem('A built-in lens (cannot be removed), or a lens with answers or plan edits and no `force=true`.'),
    },
  }),
  route({
    method: 'get',
    path: '/api/review/lenses/{lens}/questions/{question}',
    summary: 'One question: choices, answer, risk, evidence, drift',
    tag,
    scope: 'read',
    params: questionParams,
    responses: { 200: json(ReviewQuestionSchema), ...problems(404) },
  }),
  route({
    method: 'put',
    path: '/api/review/lenses/{lens}/questions/{question}/answer',
    summary:
      "A person's answer (write): `{ choices: [...], note? }` or `{ notApplicable: true, reason, note? }`. Where it differs from an evidence-bound choice's evidence, it overrides it (shown as drift while the evidence disagrees). An unknown choice is 400 naming it (`choices[i]`).",
    tag,
    scope: 'write',
    params: questionParams,
    body: body(AnswerBodySchema),
    responses: { 200: json(ReviewQuestionSchema), ...problems(400, 404) },
  }),
  route({
    method: 'delete',
    path: '/api/review/lenses/{lens}/questions/{question}/answer',
    summary: "Forget the person's answer (write): the question follows its evidence again, or is unanswered",
    tag,
    scope: 'write',
    params: questionParams,
    responses: { 200: json(ReviewQuestionSchema), ...problems(404) },
  }),
  route({
    method: 'get',
    path: '/api/review/milestones',
    summary: 'Milestones, oldest first (weekly ones are created automatically)',
    tag,
    scope: 'read',
    responses: { 200: json(MilestoneListSchema), ...problems(503) },
  }),
  route({
    method: 'post',
    path: '/api/review/milestones',
    summary: 'Take a named milestone now (write)',
    tag,
    scope: 'write',
    body: body(z.object({ name: z.string() })),
    responses: { 201: json(MilestoneSchema, 'Created'), ...problems(400) },
  }),
  route({
    method: 'get',
    path: '/api/review/milestones/compare',
    summary: 'Risks gained, removed and changed per pillar between two milestones (or a milestone and now)',
    tag,
    scope: 'read',
    query: z.object({
      from: param('Milestone id', z.string()),
      to: param('Milestone id, or `current` (default)').optional(),
    }),
    responses: { 200: json(MilestoneComparisonSchema), ...problems(400, 404) },
  }),
  route({
    method: 'get',
    path: '/api/review/milestones/{id}',
    summary: 'One milestone with its snapshot and risk counts per pillar',
    tag,
    scope: 'read',
    params: z.object({ id: z.string().describe('Milestone id (a positive integer)') }),
    responses: {
      200: json(MilestoneSchema.extend({ snapshot: z.record(z.string(), z.unknown()), pillars: z.array(z.record(z.string(), z.unknown())) })),
      ...problems(400, 404),
    },
  }),
  route({
    method: 'get',
    path: '/api/review/plan',
    summary:
      'The improvement plan: every high and medium risk with its improvement-plan text, owner, due date, status and linked action items',
    tag,
    scope: 'read',
    query: lensQuery.extend({ format: param('json (default), csv or markdown', z.enum(['json', 'csv', 'markdown'])).optional() }),
    responses: {
      200: { description: 'OK', content: { 'application/json': ImprovementPlanSchema, 'text/csv': z.string(), 'text/markdown': z.string() } },
      ...problems(400, 404, 503),
    },
  }),
  route({
    method: 'patch',
    path: '/api/review/plan/{lens}/{question}',
    summary: 'Set owner, due date, status, note or linked action items of a plan item (write)',
    tag,
    scope: 'write',
    params: questionParams,
    body: body(PlanItemBodySchema),
    responses: { 200: json(PlanItemAnswerSchema), ...problems(400, 404) },
  }),
];
