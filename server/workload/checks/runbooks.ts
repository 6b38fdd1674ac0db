import type { PathIssue } from '../../validation/issues.js';
import type { SemanticCheck } from '../semantic.js';
import { entriesOf } from './entries.js';

/** Runbook ids under `operations.runbooks` are unique: every repeat is reported at its `id`. */
export const uniqueRunbookIds: SemanticCheck = (doc) => {
  const operations = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>).operations : undefined;
  const first = new Map<string, number>();
  const issues: PathIssue[] = [];
  for (const { index, entry } of entriesOf(operations, 'runbooks')) {
    if (typeof entry.id !== 'string') continue;
    const earlier = first.get(entry.id);
    if (earlier === undefined) first.set(entry.id, index);
    else
      issues.push({
        path: ['operations', 'runbooks', index, 'id'],
        message: `duplicate runbook id "${entry.id}"`,
        related: { path: ['operations', 'runbooks', earlier, 'id'], note: 'first defined' },
      });
  }
  return issues;
};
