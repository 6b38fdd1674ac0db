import * as v8 from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { openStore } from '../store/index.js';
import { systemClock } from '../clock.js';
import { runReadTask, type BuiltBody, type ReadTask } from './tasks.js';
import { BodyBuffer } from './body-buffer.js';
import { lowerThreadPriority } from './priority.js';
import type { WorkerReply } from './pool.js';

/**
 * What a read worker runs (read-worker.ts is the thread's entry; reads.ts starts them): its own read-only connection to the
 * database (WAL: it reads beside the writer without blocking it), running ReadTasks through
 * the store's public read methods. It never writes: rollups are brought up to date by the
 * main thread before it sends a task that reads them.
 */

export interface ReadWorkerData {
  dbPath: string;
  /** The thread's nice value (priority.ts): above the HTTP thread's 0, so the HTTP thread is scheduled first. */
  nice: number;
}

/** Handles messages on `port` for `store`: one answer per task, errors sent back by name. */
export function serveReadTasks(handle: (task: ReadTask) => ReturnType<typeof runReadTask>, nice: number): void {
  const port = parentPort;
  if (!port) throw new Error('read-worker.ts runs only as a worker thread');
  lowerThreadPriority(nice);
  port.on('message', (m: { id: number; task: ReadTask }) => {
    let reply: WorkerReply;
    const transfer: ArrayBuffer[] = [];
    try {
      const result = handle(m.task);
      const body = (result as Partial<BuiltBody>).body;
      // A body of its own (not a slice of Buffer's shared pool) moves to the main thread without a copy.
      if (body && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer) transfer.push(body.buffer);
      reply = { id: m.id, ok: true, result };
    } catch (err) {
      const e = err as { name?: unknown; message?: unknown; field?: unknown };
      reply = {
        id: m.id,
        ok: false,
        error: { name: String(e?.name ?? 'Error'), message: String(e?.message ?? err), ...(typeof e?.field === 'string' ? { field: e.field } : {}) },
      };
    }
    port.postMessage({ ...reply, heapBytes: v8.getHeapStatistics().total_heap_size }, transfer);
  });
}

/** The store of this worker: its clock and retention follow each task's. */
export function readTaskHandler(dbPath: string): (task: ReadTask) => ReturnType<typeof runReadTask> {
  // A worker thread cannot share the runtime's Clock object: each task carries its reading, and
  // the thread's own system clock (this thread is a composition root) stands in until the first.
  let now = systemClock.now();
  const store = openStore({ path: dbPath, readOnly: true, now: () => now });
  const scratch = new BodyBuffer();
  return (task) => {
    now = task.now;
    store.setRetention(task.retention);
    return runReadTask(store, task, scratch);
  };
}

