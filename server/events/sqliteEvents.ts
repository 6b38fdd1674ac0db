import type { OperationalEvent } from '../../collectors/types.js';
import type { EventRepository, UpsertResult } from './backend.js';
import type { EventStore } from './store.js';
import type { EventFilter } from './types.js';

/**
 * The SQLite EventStore behind the asynchronous EventRepository: each method calls the
 * synchronous store and resolves with its answer (a throw becomes a rejection). No logic of its
 * own, so SQLite behaves exactly as it does when called directly.
 */
export class SqliteEventRepository implements EventRepository {
  readonly backend = 'sqlite' as const;

  constructor(readonly store: EventStore) {}

  async upsertEvents(events: readonly OperationalEvent[]): Promise<UpsertResult> {
    const r = this.store.upsertEvents(events);
    return { inserted: r.inserted, updated: r.updated, ids: r.ids, skipped: r.skipped ?? 0 };
  }
  async getEvent(source: string, externalId: string) { return this.store.getEvent(source, externalId); }
  async listEvents(filter: EventFilter) { return this.store.listEvents(filter); }
  async services() { return this.store.services(); }
}
