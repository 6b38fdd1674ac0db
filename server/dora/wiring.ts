import type { EventRepository } from '../events/backend.js';
import type { RunSink } from '../scheduler/types.js';

/**
 * Hooks that ask the derived-series job for a run when new events arrive, so DORA series
 * follow a deployment within seconds instead of at the next timer tick. They wrap the
 * writers; the writers themselves know nothing about DORA.
 */

/** The scheduler's sink, asking for a run after storing a run that brought events (a git collector's deployments). */
export function requestRunAfterEvents(sink: RunSink, request: () => void): RunSink {
  return {
    recordRun: (run, samples, events, options) => {
      const stored = sink.recordRun(run, samples, events, options);
      if (events?.length) request();
      return stored;
    },
  };
}

/** The event store as the API sees it, asking for a run after every write (POST /api/events, webhooks). */
export function requestRunOnWrite(events: EventRepository, request: () => void): EventRepository {
  return {
    backend: events.backend,
    listEvents: (filter) => events.listEvents(filter),
    getEvent: (source, externalId) => events.getEvent(source, externalId),
    services: () => events.services(),
    upsertEvents: async (batch) => {
      const result = await events.upsertEvents(batch);
      if (result.inserted + result.updated > 0) request();
      return result;
    },
  };
}
