import type { OperationalEvent } from '../../collectors/types.js';
import { defined, firstLine } from './payload.js';
import type { MapResult } from './types.js';

/** A push as GitHub and GitLab both describe it, reduced to what the change events need. */
export interface PushFacts {
  source: 'github' | 'gitlab';
  ref: string;
  deleted: boolean;
  defaultBranch: string | undefined;
  service: string;
  repo: string;
  commits: ReadonlyArray<{ id: string; timestamp: number; url?: string; title?: string; message?: string }>;
}

/**
 * One `change` event per commit pushed to the default branch (`commit:<sha>`), so a later
 * deployment of that sha can take its commit time from it. Pushes elsewhere, tags and branch
 * deletions carry no change to production and are ignored with the reason.
 */
export function pushToChanges(p: PushFacts): MapResult {
  if (p.deleted) return { ignored: 'a branch deletion carries no changes' };
  if (!p.ref.startsWith('refs/heads/')) return { ignored: `${p.ref} is not a branch` };
  const branch = p.ref.slice('refs/heads/'.length);
  if (p.defaultBranch !== undefined && branch !== p.defaultBranch) {
    return { ignored: `push to "${branch}", not the default branch "${p.defaultBranch}"` };
  }
  if (p.commits.length === 0) return { ignored: 'the push has no commits' };
  return {
    events: p.commits.map((c) => {
      const sha = c.id.toLowerCase();
      const e: OperationalEvent = {
        kind: 'change',
        source: p.source,
        externalId: `commit:${sha}`,
        service: p.service,
        startedAt: c.timestamp,
        attrs: defined({ commits: [{ sha, at: c.timestamp }], branch, repo: p.repo, url: c.url }),
      };
      const title = c.title ?? firstLine(c.message);
      if (title !== undefined) e.title = title;
      return e;
    }),
  };
}
