import type { Sample } from '../../collectors/types.js';
import type { MetricStore } from './backend.js';
import type { Store } from './index.js';
import type { CollectorRunRecord, RangeQuery, RetentionPolicy, Selector } from './types.js';

/**
 * The embedded SQLite store behind the asynchronous MetricStore interface: each method calls
 * the synchronous `Store` and resolves with its answer (a throw becomes a rejection). No logic
 * of its own, so SQLite behaves exactly as it does when called directly.
 */
export class SqliteMetricStore implements MetricStore {
  readonly backend = 'sqlite' as const;

  constructor(readonly store: Store) {}

  async writeSamples(samples: readonly Sample[]) { return this.store.writeSamples(samples); }
  async recordRun(run: CollectorRunRecord, samples: readonly Sample[], options?: { seriesLimit?: number }) {
    return this.store.recordRun(run, samples, options);
  }
  async seriesCount() { return this.store.seriesCount(); }
  async findSeries(selector: Selector, limit?: number) { return this.store.findSeries(selector, limit); }
  async getSeries(id: number) { return this.store.getSeries(id); }
  async querySeries(selector: Selector, q: RangeQuery) { return this.store.querySeries(selector, q); }
  async rawPoints(seriesId: number, from: number, to: number) { return this.store.rawPoints(seriesId, from, to); }
  async firstSampleAt(seriesId: number) { return this.store.firstSampleAt(seriesId); }
  async latestSample(seriesId: number) { return this.store.latestSample(seriesId); }
  async firstDataTs(selector: Selector) { return this.store.firstDataTs(selector); }
  async rollupHours(seriesId: number, from: number, to: number) { return this.store.rollupHours(seriesId, from, to); }
  async updateRollups() { return this.store.updateRollups(); }
  async compactHead(keepRows?: number) { return this.store.compactHead(keepRows); }
  setRetention(policy: Partial<RetentionPolicy>) { this.store.setRetention(policy); }
  retentionPolicy() { return this.store.retentionPolicy(); }
  async applyRetention(now?: number) { return this.store.applyRetention(now); }
  async listRuns(opts?: { collectorId?: string; limit?: number }) { return this.store.listRuns(opts); }
  async collectorRunsBetween(collectorId: string, from: number, to: number, streakCap: number) {
    return this.store.collectorRunsBetween(collectorId, from, to, streakCap);
  }
  async runSummaries() { return this.store.runSummaries(); }
  async saveWorkloadVersion(v: { hash: string; path: string; source: string; appliedAt: number }) { return this.store.saveWorkloadVersion(v); }
  async listWorkloadVersions(limit?: number) { return this.store.listWorkloadVersions(limit); }
  async getWorkloadVersion(id: number) { return this.store.getWorkloadVersion(id); }
  async close() { this.store.close(); }
}
