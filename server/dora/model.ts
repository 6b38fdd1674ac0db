import type { StoredEvent } from '../events/types.js';
import type { DerivedSettings } from './types.js';

/**
 * Stored events read into the shapes the metrics use, applying the conventions of
 * server/events/types.ts once, here, so every formula reads typed fields:
 * - only **successful production** deployments exist for DORA (a failed or running attempt
 *   never reached production; its retry is the deployment that counts);
 * - a deployment happened at `endedAt ?? startedAt` (when it reached production);
 * - an event without `environment` counts as production; incidents in another environment
 *   are left out;
 * - a shipped commit without `at` takes its time from the stored `change` event of that sha
 *   (webhooks store one per pushed commit); without one it counts for linking, not lead time;
 * - malformed attrs are ignored field by field, never fatal.
 */

export interface Deployment {
  source: string;
  externalId: string;
  service?: string;
  at: number;
  /** The commits it shipped whose time is known (attrs.commits[].at, else a stored change event). */
  commits: Array<{ sha: string; at: number }>;
  /** Every sha it names — shipped commits with or without a time, and the deployed commit. */
  shas: string[];
  linesChanged?: number;
  trigger?: 'pipeline' | 'manual';
  rollback: boolean;
  rollbackPlan: boolean;
  /** Commits this deployment reverts (attrs.revertOf, attrs.reverts). */
  reverts: string[];
}

export interface Incident {
  source: string;
  externalId: string;
  service?: string;
  startedAt: number;
  restoredAt?: number;
  /** attrs.deployment: an explicit link. */
  deploymentRef?: string;
  cause?: string;
}

export interface Gameday {
  service?: string;
  startedAt: number;
  /** endedAt ?? startedAt. */
  heldAt: number;
  findings: number;
}

export interface Review {
  incidentRef?: string;
  runbook?: string;
  /** When it was completed; undefined while it is not. */
  completedAt?: number;
}

export interface ActionItem {
  service?: string;
  incidentRef?: string;
  openedAt: number;
  open: boolean;
}

export interface Model {
  /** Oldest first. */
  deployments: Deployment[];
  /** Oldest first (by startedAt). */
  incidents: Incident[];
  gamedays: Gameday[];
  reviews: Review[];
  actionItems: ActionItem[];
}

const SUCCESS = new Set(['success', 'succeeded', 'successful', 'completed', 'done']);
const REVIEW_DONE = new Set(['completed', 'complete', 'done', 'closed', 'published']);
const CLOSED = new Set(['closed', 'done', 'completed', 'resolved', 'cancelled', 'canceled', 'wontfix']);
const CANCELLED = new Set(['cancelled', 'canceled']);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const lower = (s: string | undefined) => s?.toLowerCase();

export function buildModel(events: readonly StoredEvent[], settings: DerivedSettings, now: number): Model {
  const production = new Set(settings.productionEnvironments);
  const inProduction = (e: StoredEvent) => e.environment === undefined || production.has(e.environment);
  const model: Model = { deployments: [], incidents: [], gamedays: [], reviews: [], actionItems: [] };
  const commitTimes = changeTimes(events);
  for (const e of events) {
    if (e.startedAt > now) continue; // planned, not yet happened
    const attrs = e.attrs ?? {};
    switch (e.kind) {
      case 'deployment': {
        const status = lower(e.status);
        const at = e.endedAt ?? e.startedAt;
        if (!inProduction(e) || (status !== undefined && !SUCCESS.has(status)) || at > now) break;
        const shipped = commitsOf(attrs.commits);
        const commit = str(attrs.commit);
        const commits: Array<{ sha: string; at: number }> = [];
        for (const c of shipped) {
          const t = c.at ?? commitTimes.get(c.sha);
          if (t !== undefined) commits.push({ sha: c.sha, at: t });
        }
        model.deployments.push({
          source: e.source,
          externalId: e.externalId,
          service: e.service,
          at,
          commits,
          shas: commit === undefined ? shipped.map((c) => c.sha) : [...shipped.map((c) => c.sha), commit],
          linesChanged: nonNegative(attrs.linesChanged),
          trigger: attrs.trigger === 'pipeline' || attrs.trigger === 'manual' ? attrs.trigger : undefined,
          rollback: attrs.rollback === true,
          rollbackPlan: attrs.rollbackPlan === true,
          reverts: [...new Set([str(attrs.revertOf), ...stringsOf(attrs.reverts)].filter((s): s is string => s !== undefined))],
        });
        break;
      }
      case 'incident':
        if (!inProduction(e)) break;
        model.incidents.push({
          source: e.source,
          externalId: e.externalId,
          service: e.service,
          startedAt: e.startedAt,
          restoredAt: e.endedAt !== undefined && e.endedAt >= e.startedAt && e.endedAt <= now ? e.endedAt : undefined,
          deploymentRef: str(attrs.deployment),
          cause: str(attrs.cause),
        });
        break;
      case 'gameday':
        if (CANCELLED.has(lower(e.status) ?? '')) break;
        model.gamedays.push({ service: e.service, startedAt: e.startedAt, heldAt: Math.min(e.endedAt ?? e.startedAt, now), findings: findingsOf(attrs.findings) });
        break;
      case 'review': {
        const status = lower(e.status ?? str(attrs.status));
        const done = status === undefined || REVIEW_DONE.has(status);
        model.reviews.push({
          incidentRef: str(attrs.incident),
          runbook: str(attrs.runbook),
          completedAt: done ? e.endedAt ?? e.startedAt : undefined,
        });
        break;
      }
      case 'action_item': {
        const status = lower(e.status ?? str(attrs.status));
        const closed = (e.endedAt !== undefined && e.endedAt <= now) || (status !== undefined && CLOSED.has(status));
        model.actionItems.push({ service: e.service, incidentRef: str(attrs.incident), openedAt: e.startedAt, open: !closed });
        break;
      }
      default:
        break;
    }
  }
  model.deployments.sort((a, b) => a.at - b.at);
  model.incidents.sort((a, b) => a.startedAt - b.startedAt);
  return model;
}

function commitsOf(v: unknown): Array<{ sha: string; at?: number }> {
  if (!Array.isArray(v)) return [];
  const out: Array<{ sha: string; at?: number }> = [];
  for (const c of v) {
    const sha = str((c as { sha?: unknown } | null)?.sha);
    if (sha !== undefined) out.push({ sha, at: finite((c as { at?: unknown } | null)?.at) });
  }
  return out;
}

/** sha → commit time, from `change` events (externalId `commit:<sha>`, or their attrs.commits). */
function changeTimes(events: readonly StoredEvent[]): Map<string, number> {
  const times = new Map<string, number>();
  for (const e of events) {
    if (e.kind !== 'change') continue;
    for (const c of commitsOf(e.attrs?.commits)) if (c.at !== undefined) times.set(c.sha, c.at);
    if (e.externalId.startsWith('commit:')) times.set(e.externalId.slice('commit:'.length), e.startedAt);
  }
  return times;
}

function stringsOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s !== '') : [];
}

function nonNegative(v: unknown): number | undefined {
  const n = finite(v);
  return n !== undefined && n >= 0 ? n : undefined;
}

/** `findings` is a count or a list of findings. */
function findingsOf(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  const n = nonNegative(v);
  return n === undefined ? 0 : Math.floor(n);
}
