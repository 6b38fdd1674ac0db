import { Gauge, type Registry } from 'prom-client';
import type { PoolStats } from './pool.js';

/**
 * The read-worker pool on `/metrics`, read at scrape time: how many threads run and are busy,
 * how many tasks wait, how many workers were replaced, and the V8 heap the live workers
 * reported after their last task (the main thread's heap is prom-client's `nodejs_heap_*`;
 * the workers' isolates are not in it, yet are in the process's RSS).
 */
export function registerReadWorkerMetrics(registry: Registry, stats: () => PoolStats | null): void {
  new Gauge({
    name: 'pillarboard_read_workers',
    help: 'Read-worker threads by state (size: configured; live: started; busy: running a task) and tasks queued for one.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      const s = stats();
      if (!s) return;
      this.set({ state: 'size' }, s.size);
      this.set({ state: 'live' }, s.live);
      this.set({ state: 'busy' }, s.busy);
      this.set({ state: 'queued' }, s.queued);
    },
  });
  new Gauge({
    name: 'pillarboard_read_workers_replaced',
    help: 'Read workers that died or were stopped (timeout) and replaced since start.',
    registers: [registry],
    collect() {
      this.reset();
      const s = stats();
      if (s) this.set(s.replaced);
    },
  });
  new Gauge({
    name: 'pillarboard_read_worker_heap_bytes',
    help: 'V8 heap (total size) of the live read workers, summed, as each reported after its last task.',
    registers: [registry],
    collect() {
      this.reset();
      const s = stats();
      if (s) this.set(s.heapBytes);
    },
  });
}
