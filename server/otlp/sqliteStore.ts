import type { Sample } from '../../collectors/types.js';
import { SeriesLimitError, type Store } from '../store/index.js';
import { NewSeriesLimitError, seriesKeyOf, type OtlpSampleStore } from './ingest.js';

/** The receiver's writes on the embedded SQLite store, limits checked inside the write's transaction. */
export function sqliteOtlpStore(store: Store): OtlpSampleStore {
  return {
    async write(samples, limits) {
      const before = store.seriesCount();
      store.writeSamples(samples, () => {
        const after = store.seriesCount();
        if (after <= before) return;
        if (limits.seriesLimit > 0 && after > limits.seriesLimit) throw new SeriesLimitError(limits.seriesLimit, before);
        if (limits.newSeries > 0 && after - before > limits.newSeries) throw new NewSeriesLimitError(limits.newSeries, after - before);
      });
    },
    async existing(samples) {
      const known = new Map<string, boolean>();
      return samples.map((s) => {
        const key = seriesKeyOf(s);
        let found = known.get(key);
        if (found === undefined) {
          found = holds(store, s);
          known.set(key, found);
        }
        return found;
      });
    },
  };
}

function holds(store: Store, s: Sample): boolean {
  const wanted = Object.entries(s.labels).filter(([, v]) => v !== '');
  const candidates = store.findSeries({ name: s.name, matchers: wanted.map(([label, value]) => ({ label, op: '=' as const, value })) }, 1000);
  return candidates.some((c) => Object.keys(c.labels).length === wanted.length);
}
