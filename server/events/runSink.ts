import type { RunSink } from '../scheduler/types.js';
import type { Store } from '../store/index.js';
import type { EventWriter } from './types.js';

/**
 * The scheduler's sink: a run, its samples and the operational events its collector returned
 * (a git collector's deployments) in one transaction — the store's and the event store's
 * writes nest in it as savepoints — so a run is recorded whole or not at all. Events go first:
 * if they fail, no run row claims a success whose events are missing. Runs without events
 * take the store's own path unchanged.
 */
export function runSinkWithEvents(store: Pick<Store, 'db' | 'recordRun'>, events: EventWriter): RunSink {
  return {
    recordRun: (run, samples, runEvents, options) => {
      if (!runEvents?.length) return store.recordRun(run, samples, options);
      return store.db
        .transaction(() => {
          events.upsertEvents(runEvents);
          return store.recordRun(run, samples, options);
        })
        .immediate();
    },
  };
}
