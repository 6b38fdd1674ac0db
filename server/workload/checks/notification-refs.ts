import { PILLARS } from '../../scoring/types.js';
import type { PathIssue } from '../../validation/issues.js';
import { unknownNameMessage } from '../../validation/suggest.js';
import type { SemanticCheck } from '../semantic.js';
import { entriesOf } from './entries.js';

/**
 * `notifications.rules[]`: every outcome and indicator id a rule names is declared in this
 * file, and every pillar is one of the six (`"*"` stands for all and is always valid).
 */
export const notificationRefs: SemanticCheck = (doc) => {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return [];
  const n = (doc as Record<string, unknown>).notifications;
  if (n === null || typeof n !== 'object' || Array.isArray(n)) return [];
  const rules = (n as Record<string, unknown>).rules;
  if (!Array.isArray(rules)) return [];
  const idsOf = (section: string) => entriesOf(doc, section).flatMap(({ entry }) => (typeof entry.id === 'string' ? [entry.id] : []));
  const known = { outcomes: idsOf('outcomes'), indicators: idsOf('indicators'), pillars: [...PILLARS] as string[] };
  const what = { outcomes: 'outcome', indicators: 'indicator', pillars: 'pillar' } as const;
  const issues: PathIssue[] = [];
  rules.forEach((raw, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return;
    for (const key of ['outcomes', 'pillars', 'indicators'] as const) {
      const list = (raw as Record<string, unknown>)[key];
      if (!Array.isArray(list)) continue;
      list.forEach((id, j) => {
        if (typeof id === 'string' && id !== '*' && !known[key].includes(id)) {
          issues.push({ path: ['notifications', 'rules', i, key, j], message: unknownNameMessage(what[key], id, known[key]) });
        }
      });
    }
  });
  return issues;
};
