import type { PathIssue } from '../../validation/issues.js';
import type { SemanticCheck } from '../semantic.js';
import { entriesOf } from './entries.js';

/** Ids within a top-level list must be unique: every repeat is reported at its `id`, pointing back to the first. */
export function uniqueIds(section: string, noun: string): SemanticCheck {
  return (doc) => {
    const first = new Map<string, number>();
    const issues: PathIssue[] = [];
    for (const { index, entry } of entriesOf(doc, section)) {
      const id = entry.id;
      if (typeof id !== 'string') continue;
      const earlier = first.get(id);
      if (earlier === undefined) first.set(id, index);
      else
        issues.push({
          path: [section, index, 'id'],
          message: `duplicate ${noun} id "${id}"`,
          related: { path: [section, earlier, 'id'], note: 'first defined' },
        });
    }
    return issues;
  };
}
