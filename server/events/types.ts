import type { EventKind, OperationalEvent } from '../../collectors/types.js';

/**
 * Operational events as stored (migrations/0004_events.sql): deployments, changes, incidents,
 * game days, reviews and action items, from the API, webhooks and collectors.
 * Idempotent by (source, externalId): a second delivery of the same event updates it
 * (an incident resolved, a deployment that finished) rather than adding a row.
 *
 * Conventions in `attrs` that DORA and the design-principle series read (documented in
 * docs/events.md by the events engineer; keep this list in step):
 * - deployment: `commits: Array<{ sha: string; at: number }>` (what it shipped; `at` = commit time, ms),
 *   `linesChanged?: number`, `trigger?: 'pipeline' | 'manual'`, `rollback?: boolean` (this
 *   deployment rolls back a previous one), `rollbackPlan?: boolean` (a recorded rollback path),
 *   `revertOf?: string` (sha), `status`: 'success' | 'failure' | 'in_progress' | …
 * - incident: `deployment?: string` (explicit link: the deployment's externalId, or "source:externalId"),
 *   `cause?: string` (for repeat-incident detection), `severity?: string`; `endedAt` = restored.
 * - review: `incident?: string` (the incident it reviews), `status: 'completed' | …`.
 * - action_item: `incident?: string`, `status: 'open' | 'closed'`, `endedAt` = closed.
 * - gameday: `findings?: number | string[]`.
 */
export interface StoredEvent extends OperationalEvent {
  id: number;
  receivedAt: number;
  updatedAt: number;
}

export interface EventFilter {
  kind?: EventKind | EventKind[];
  service?: string;
  environment?: string;
  source?: string;
  /** Events whose startedAt is within [from, to] (ms epoch). */
  from?: number;
  to?: number;
  limit?: number;
}

/** The read side DORA, the principle series, reports and the API use. */
export interface EventReader {
  listEvents(filter: EventFilter): StoredEvent[];
  getEvent(source: string, externalId: string): StoredEvent | undefined;
  /** Distinct services that have events (for per-service DORA). */
  services(): string[];
}

export interface EventWriter {
  /** Inserts or updates each event by (source, externalId), all in one transaction (atomic batch). */
  upsertEvents(events: readonly OperationalEvent[]): { inserted: number; updated: number; ids: number[] };
}
