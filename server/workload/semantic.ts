import type { PathIssue } from '../validation/issues.js';
import { indicatorCollectors, outcomeRefs } from './checks/references.js';
import { uniqueIds } from './checks/unique-ids.js';
import { reviewEvidence } from './checks/review-evidence.js';
import { uniqueRunbookIds } from './checks/runbooks.js';
import { notificationRefs } from './checks/notification-refs.js';

/**
 * Checks across values that a per-field schema cannot make: uniqueness, and
 * (in later sections) references such as an outcome naming an indicator.
 *
 * Contract of a check: it receives the document as written, after `${ENV}`
 * substitution and before the schema's transforms, so it runs even when the
 * schema found problems and every issue is reported in one pass. It must skip
 * whatever is not shaped as it expects (the schema reports that) and return
 * issues by path; the loader turns paths into file positions.
 */
export type SemanticCheck = (doc: unknown) => PathIssue[];

export const semanticChecks: readonly SemanticCheck[] = [
  uniqueIds('collectors', 'collector'),
  uniqueIds('indicators', 'indicator'),
  uniqueIds('outcomes', 'outcome'),
  indicatorCollectors,
  outcomeRefs,
  reviewEvidence,
  uniqueRunbookIds,
  notificationRefs,
];

export function runSemanticChecks(doc: unknown, checks: readonly SemanticCheck[] = semanticChecks): PathIssue[] {
  return checks.flatMap((check) => check(doc));
}
