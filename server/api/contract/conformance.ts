import type { z } from 'zod';
import type { annotationOf } from '../../events/annotations.js';
import type { ApiStoredEvent } from '../../events/schema.js';
import type { ImprovementPlan, LensInfo, LensReview, MilestoneInfo, QuestionView, ReviewApi, ReviewSummary } from '../../review/index.js';
import type { indicatorView, outcomeView, pillarView, summaryView } from '../views.js';
import type { reloadView, workloadFileView } from '../workload-view.js';
import type { notificationStatusView } from '../routes/notifications.js';
import type { AnnotationSchema, StoredEventSchema } from './events.js';
import type { IndicatorSchema, OutcomeSchema, PillarSchema, SummarySchema, WorkloadReloadSchema } from './evaluation-schemas.js';
import type {
  ImprovementPlanSchema,
  LensInfoSchema,
  LensReviewSchema,
  MilestoneComparisonSchema,
  ReviewQuestionSchema,
  ReviewSummarySchema,
} from './review-schemas.js';

/**
 * Compile-time half of the response contract for the shared views (a handler building its answer
 * in place writes `answer(Schema, {...})` instead): what the view functions build must be assignable
 * to what the answer schemas (and so the OpenAPI document) promise — a field renamed, dropped
 * or retyped in a view is a type error here. A field a view adds that the schema lacks is
 * caught at run time instead: every API test checks every answer against the document
 * (test/support/api-request.ts), and the answer schemas allow no undeclared keys.
 */

type Conforms<View, Schema extends z.ZodType> = View extends z.output<Schema> ? true : { view: View; schema: z.output<Schema> };
type Check<T extends true> = T;

export type ContractChecks = [
  Check<Conforms<ReturnType<typeof pillarView>, typeof PillarSchema>>,
  Check<Conforms<ReturnType<typeof outcomeView>, typeof OutcomeSchema>>,
  Check<Conforms<ReturnType<typeof indicatorView>, typeof IndicatorSchema>>,
  Check<Conforms<ReturnType<typeof summaryView> & { workloadFile: ReturnType<typeof workloadFileView>; notifications: ReturnType<typeof notificationStatusView> }, typeof SummarySchema>>,
  Check<Conforms<ReturnType<typeof reloadView>, typeof WorkloadReloadSchema>>,
  Check<Conforms<ReturnType<typeof annotationOf>, typeof AnnotationSchema>>,
  Check<Conforms<ApiStoredEvent, typeof StoredEventSchema>>,
  Check<Conforms<ReviewSummary & { lastMilestone: MilestoneInfo | null }, typeof ReviewSummarySchema>>,
  Check<Conforms<LensInfo, typeof LensInfoSchema>>,
  Check<Conforms<LensReview, typeof LensReviewSchema>>,
  Check<Conforms<QuestionView, typeof ReviewQuestionSchema>>,
  Check<Conforms<ReturnType<ReviewApi['compareMilestones']>, typeof MilestoneComparisonSchema>>,
  Check<Conforms<ImprovementPlan, typeof ImprovementPlanSchema>>,
];
