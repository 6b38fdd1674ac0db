import type { PathIssue } from '../../validation/issues.js';
import type { Path } from '../../validation/path.js';
import type { SemanticCheck } from '../semantic.js';
import { unknownNameMessage } from '../../validation/suggest.js';
import { entriesOf } from './entries.js';

/** The ids declared in a top-level list, in file order, first occurrence only. */
function idsOf(doc: unknown, section: string): string[] {
  const ids = entriesOf(doc, section).flatMap(({ entry }) => (typeof entry.id === 'string' ? [entry.id] : []));
  return [...new Set(ids)];
}

/**
 * Every outcome's indicators name an indicator of this file, each at most once. An unknown
 * ref is reported at the ref with the close matches; a repeat at the repeat, pointing back.
 */
export const outcomeRefs: SemanticCheck = (doc) => {
  const indicators = idsOf(doc, 'indicators');
  const known = new Set(indicators);
  const issues: PathIssue[] = [];
  for (const { index, entry } of entriesOf(doc, 'outcomes')) {
    if (!Array.isArray(entry.indicators)) continue;
    const first = new Map<string, Path>();
    entry.indicators.forEach((item: unknown, i) => {
      const ref = refOf(item);
      if (ref === undefined) return;
      const path: Path = typeof item === 'string' ? ['outcomes', index, 'indicators', i] : ['outcomes', index, 'indicators', i, 'ref'];
      const earlier = first.get(ref);
      if (earlier) {
        issues.push({ path, message: `indicator "${ref}" is listed twice in this outcome`, related: { path: earlier, note: 'first listed' } });
        return;
      }
      first.set(ref, path);
      if (!known.has(ref)) issues.push({ path, message: unknownNameMessage('indicator', ref, indicators) });
    });
  }
  return issues;
};

function refOf(item: unknown): string | undefined {
  if (typeof item === 'string') return item;
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const ref = (item as Record<string, unknown>).ref;
    if (typeof ref === 'string') return ref;
  }
  return undefined;
}

/** An indicator's `collector` names a collector of this file. */
export const indicatorCollectors: SemanticCheck = (doc) => {
  const collectors = idsOf(doc, 'collectors');
  const known = new Set(collectors);
  return entriesOf(doc, 'indicators').flatMap(({ index, entry }) =>
    typeof entry.collector === 'string' && !known.has(entry.collector)
      ? [{ path: ['indicators', index, 'collector'], message: unknownNameMessage('collector', entry.collector, collectors) }]
      : [],
  );
};
