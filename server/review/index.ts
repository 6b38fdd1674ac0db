/** Evidence-backed Well-Architected reviews. See docs/review.md. */
import type { ReviewService } from './review-service.js';

export { ReviewService, type MilestoneInfo, type PlanItemPatch } from './review-service.js';
export type { ReviewConfig, ReviewServiceOptions, AnswerInput } from './service.js';
export type { LensInfo, ImportResult } from './lens-catalog.js';
export { ReviewInputError, LensInvalidError, type LensFault } from './errors.js';
export type { EvidenceBinding } from './evidence.js';
export { BUILTIN_LENS_ID, builtinLenses } from './lens/builtin.js';
export { NA_REASONS, type NaReason } from './answers.js';
export { QUESTION_RISKS, type QuestionRisk } from './risk-rules.js';
export { PLAN_STATUSES, type PlanStatus } from './store.js';
export { planCsv, planMarkdown, type ImprovementPlan, type PlanItem } from './plan.js';
export type { ReviewSummary, LensReview, QuestionView, RiskCounts } from './view.js';
export type { MilestoneComparison, MilestoneSnapshot } from './milestones.js';
export { registerReviewMetrics } from './metrics.js';

/** What the HTTP routes use of the review (AppDeps.review): a double can implement just this. */
export type ReviewApi = Pick<
  ReviewService,
  | 'summary' | 'review' | 'bindingProblems' | 'lensInfos' | 'importLens' | 'lensDocument' | 'deleteLens' | 'question' | 'answer'
  | 'clearAnswer' | 'milestones' | 'milestone' | 'createMilestone' | 'compareMilestones' | 'plan' | 'updatePlanItem'
>;
