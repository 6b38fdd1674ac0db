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
 * - action_item: `incident?: string`, `status: 'open' | 'closed'`, `endedAt` = closed;
 *   `reviewQuestion?: string` and `lens?: string` link it to a Well-Architected review question's
 *   improvement-plan item (docs/review.md).
 * - gameday: `findings?: number | string[]`.
 * - any kind: `url?: string` (where a person reads more: the pipeline run, the incident page;
 *   annotations link to it), `observedAt?: number` (ms; when the source observed the state
 *   delivered — a later delivery with an older observedAt is ignored, so webhooks that arrive
 *   out of order cannot undo a resolution), `repo?: string` (e.g. "org/shop").
 * - change (webhooks): one event per commit, externalId `commit:<sha>`, startedAt = commit time,
 *   `commits: [{ sha, at }]`, `branch?: string`. A deployment's `commits[].at` is filled from
 *   such a change event when one is stored; otherwise it may be absent (look the sha up then).
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
  /**
   * With from/to: also return events that started before `from` but are still running within
   * [from, to] — those with an endedAt at or after `from`, and incidents without an endedAt
   * (ongoing). What time-chart annotations need. Default false.
   */
  overlaps?: boolean;
  /** By startedAt (then id); default 'asc'. With `limit`, 'desc' keeps the newest. */
  order?: 'asc' | 'desc';
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
  upsertEvents(events: readonly OperationalEvent[]): {
    inserted: number;
    updated: number;
    /** Row id of each event, in input order (also for skipped ones). */
    ids: number[];
    /** Deliveries ignored because the stored event has a newer `attrs.observedAt`. */
    skipped?: number;
  };
}

/**
 * The workload file's `operations:` section as the server sees it (validated, defaults applied;
 * server/workload/sections/operations.ts). `Workload['operations']` has exactly this type.
 */
export interface OperationsSettings {
  /** Environments that count as production for DORA (default ["production", "prod"]). */
  productionEnvironments: string[];
  dora: { benchmarkYear: 2021 | 2022 | 2023 | 2024 };
  /** GitHub/GitLab issues with one of these labels (case-insensitive) are incidents. */
  incidentLabels: string[];
  webhooks: {
    github?: { secret: string; deployWorkflows: string[]; deployEnvironment: string };
    gitlab?: { token: string; deployPipelines: string[]; deployEnvironment: string };
    pagerduty?: { secret: string };
    alertmanager?: {
      bearerToken?: string;
      basicAuth?: { username: string; password: string };
      /** Alerts selected: any set whose matchers all match (labels absent read as ""); empty = every alert. */
      match: Array<Array<{ label: string; op: '=' | '!=' | '=~' | '!~'; value: string }>>;
      serviceLabel: string;
      severityLabel: string;
      environmentLabel: string;
    };
  };
  /** `reviewedAt`: ms epoch of the last review day (00:00 UTC). */
  runbooks: Array<{ id: string; title: string; owner?: string; reviewedAt: number; url?: string }>;
}
