import type { OperationalEvent } from '../../collectors/types.js';
import type { EventFilter, StoredEvent } from './types.js';

/** What one `upsertEvents` call did (EventWriter's answer). */
export interface UpsertResult {
  inserted: number;
  updated: number;
  /** Row id of each event, in input order (also for skipped ones). */
  ids: number[];
  /** Deliveries ignored because the stored event has a newer `attrs.observedAt`. */
  skipped: number;
}

/**
 * The events table as the API, webhooks, the DORA job and the `event` command see it (issue 14):
 * asynchronous, so the embedded SQLite store (sqliteEvents.ts over the synchronous EventStore)
 * and PostgreSQL (pgStore.ts) are interchangeable. Both pass test/events-contract.test.ts:
 *
 * - `upsertEvents` validates every event first (InvalidEventError naming the index and field,
 *   nothing written), then stores the batch in one transaction: all or none.
 * - Idempotent by (source, externalId): a repeat delivery replaces the stored fields whole and
 *   keeps `id` and `receivedAt`; `updatedAt` becomes now. A delivery whose `attrs.observedAt` is
 *   older than the stored one's is skipped and counted in `skipped`.
 * - `listEvents` orders by (startedAt, id), ascending unless `order: 'desc'`; `limit` applies
 *   after ordering.
 */
export interface EventRepository {
  readonly backend: 'sqlite' | 'postgres';
  upsertEvents(events: readonly OperationalEvent[]): Promise<UpsertResult>;
  getEvent(source: string, externalId: string): Promise<StoredEvent | undefined>;
  listEvents(filter: EventFilter): Promise<StoredEvent[]>;
  /** Distinct services that have events, in byte order (for per-service DORA). */
  services(): Promise<string[]>;
}
