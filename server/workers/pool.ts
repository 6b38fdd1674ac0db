import * as path from 'node:path';
import { Worker, type TransferListItem } from 'node:worker_threads';
import type { Logger } from '../../collectors/types.js';
import type { Cancel, Clock } from '../clock.js';

/**
 * A small pool of worker threads running one module, for work that must not hold the HTTP
 * thread (SQLite reads are synchronous). Contract for callers:
 * - run() resolves with the worker's answer or rejects with the error the worker threw (its
 *   `name`, `message` and `field` kept, so callers tell a QueryError from a bug), or with one of
 *   the OffThreadUnavailable errors below: the queue is full (WorkersBusyError, at once), the
 *   task ran past the timeout (WorkerTimeoutError: the worker is terminated, since a SQLite call
 *   cannot be interrupted), or the worker died (WorkerFailedError).
 * - A dead or terminated worker is replaced when the next task needs a thread, so a worker that
 *   cannot start (a missing file) fails each task with its reason instead of respawning in a loop.
 * - Workers keep the process alive only while they hold a task.
 * - close() refuses queued tasks, terminates the threads and resolves once they are gone.
 */

/** The work cannot be done off the HTTP thread now; the API answers 503 with Retry-After. */
export class OffThreadUnavailable extends Error {
  constructor(
    message: string,
    /** problem+json slug and title the API answers with. */
    readonly slug: string,
    readonly title: string,
    readonly retryAfterS: number,
  ) {
    super(message);
  }
}

export class WorkersBusyError extends OffThreadUnavailable {
  constructor(queued: number) {
    super(`every read worker is busy and ${queued} requests already wait; retry in a moment`, 'server-busy', 'Server busy', 1);
    this.name = 'WorkersBusyError';
  }
}

export class WorkerTimeoutError extends OffThreadUnavailable {
  constructor(ms: number) {
    super(`the read did not finish within ${ms} ms and was stopped; narrow the range or the selector`, 'read-timeout', 'Read timed out', 5);
    this.name = 'WorkerTimeoutError';
  }
}

export class WorkerFailedError extends OffThreadUnavailable {
  constructor(reason: string) {
    super(`the read worker failed (${reason}); it has been replaced, retry`, 'worker-failed', 'Read worker failed', 1);
    this.name = 'WorkerFailedError';
  }
}

export class PoolClosedError extends OffThreadUnavailable {
  constructor() {
    super('the server is shutting down', 'shutting-down', 'Shutting down', 5);
    this.name = 'PoolClosedError';
  }
}

/** What a worker posts back for task `id`, with the size of its heap after the task (bytes). */
export type WorkerReply = ({ id: number; ok: true; result: unknown } | { id: number; ok: false; error: { name: string; message: string; field?: string } }) & {
  heapBytes?: number;
};

export interface WorkerPoolOptions {
  /** The module each worker runs (a .ts file under tsx registers tsx in the worker first). */
  file: string;
  workerData?: unknown;
  /** Threads (at least 1). */
  size: number;
  /** Tasks waiting for a thread beyond which run() refuses with WorkersBusyError. */
  maxQueue: number;
  /** A task running longer is stopped (its worker terminated) with WorkerTimeoutError. */
  timeoutMs: number;
  clock: Clock;
  log: Logger;
  /**
   * A worker whose heap is larger than this after a task (a big answer leaves megabytes V8
   * keeps) is ended once idle for `fatIdleMs`, giving the memory back; the next task starts a
   * new one (~150 ms). Default: never.
   */
  fatHeapBytes?: number;
  fatIdleMs?: number;
}

interface Task {
  id: number;
  message: unknown;
  transfer: readonly TransferListItem[];
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  cancelTimer: Cancel | null;
  /** The pool's generation when it started (see recycle()). */
  generation: number;
  heapBytes: number;
  cancelIdle: Cancel | null;
}

export interface PoolStats {
  size: number;
  /** Threads running now (a slot's worker starts on demand). */
  live: number;
  busy: number;
  queued: number;
  /** Workers that died or were stopped and replaced since start. */
  replaced: number;
  /** V8 heap (total size) of the live workers, summed, as each reported after its last task. */
  heapBytes: number;
}

export class WorkerPool {
  private readonly slots: Array<Slot | null>;
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private replaced = 0;
  private generation = 0;

  constructor(private readonly opts: WorkerPoolOptions) {
    if (!(opts.size >= 1)) throw new RangeError(`size must be at least 1, got ${opts.size}`);
    this.slots = new Array<Slot | null>(Math.floor(opts.size)).fill(null);
  }

  /**
   * Runs `message` on a free worker (queued when all are busy; `urgent` tasks go first).
   * `transfer` lists buffers moved to the worker rather than copied.
   */
  run<T>(message: unknown, options: { urgent?: boolean; transfer?: readonly TransferListItem[] } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new PoolClosedError());
    return new Promise<T>((resolve, reject) => {
      const task: Task = { id: this.nextId++, message, transfer: options.transfer ?? [], resolve: resolve as (v: unknown) => void, reject };
      const free = this.slots.findIndex((s) => s === null || s.task === null);
      if (free >= 0) return this.start(free, task);
      if (this.queue.length >= this.opts.maxQueue) return reject(new WorkersBusyError(this.queue.length));
      if (options.urgent) this.queue.unshift(task);
      else this.queue.push(task);
    });
  }

  /**
   * Retires every worker started so far: idle ones now, busy ones when their task ends; the
   * next tasks get new workers. For state a worker may hold that the database no longer
   * matches (cached series after retention deleted some).
   */
  recycle(): void {
    this.generation++;
    this.slots.forEach((s, i) => {
      if (s && s.task === null) this.retire(i, s);
    });
  }

  stats(): PoolStats {
    return { size: this.slots.length, live: this.slots.filter((x) => x !== null).length, busy: this.slots.filter((s) => s?.task).length, queued: this.queue.length, replaced: this.replaced, heapBytes: this.slots.reduce((sum, s) => sum + (s?.heapBytes ?? 0), 0) };
  }

  /** Refuses queued and running tasks (PoolClosedError) and terminates every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new PoolClosedError());
    const exits: Array<Promise<number>> = [];
    this.slots.forEach((s, i) => {
      if (!s) return;
      this.slots[i] = null;
      s.cancelTimer?.();
      s.cancelIdle?.();
      s.task?.reject(new PoolClosedError());
      s.worker.removeAllListeners();
      s.worker.on('error', () => {}); // an error while exiting concerns nobody any more
      exits.push(s.worker.terminate());
    });
    await Promise.all(exits);
  }

  private start(index: number, task: Task): void {
    const slot = this.slots[index] ?? this.spawn(index);
    slot.cancelIdle?.();
    slot.cancelIdle = null;
    slot.task = task;
    slot.worker.ref();
    slot.cancelTimer = this.opts.clock.setTimeout(() => this.timedOut(index, slot), this.opts.timeoutMs);
    try {
      slot.worker.postMessage({ id: task.id, task: task.message }, task.transfer);
    } catch (err) {
      // e.g. a message that cannot be cloned: the caller's mistake, the worker is fine.
      this.finish(index, slot);
      task.reject(err as Error);
      this.next(index);
    }
  }

  private spawn(index: number): Slot {
    const file = this.opts.file;
    const worker = path.extname(file) === '.ts'
      ? // Under tsx (tests, benches): workers do not inherit its loader, so register it first.
        new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, { eval: true, workerData: this.opts.workerData })
      : new Worker(file, { workerData: this.opts.workerData });
    worker.unref();
    const slot: Slot = { worker, task: null, cancelTimer: null, generation: this.generation, heapBytes: 0, cancelIdle: null };
    this.slots[index] = slot;
    worker.on('message', (m: WorkerReply) => {
      const task = slot.task;
      if (!task || m.id !== task.id) return; // a late answer for a task already timed out
      slot.heapBytes = m.heapBytes ?? 0;
      this.finish(index, slot);
      if (m.ok) task.resolve(m.result);
      else task.reject(Object.assign(new Error(m.error.message), { name: m.error.name, ...(m.error.field ? { field: m.error.field } : {}) }));
      this.next(index);
    });
    worker.on('error', (err) => this.died(index, slot, err.message));
    worker.on('exit', (code) => this.died(index, slot, `exited with code ${code}`));
    return slot;
  }

  private timedOut(index: number, slot: Slot): void {
    const task = slot.task;
    if (!task || this.slots[index] !== slot) return;
    this.opts.log.warn('read worker stopped: a task ran past its timeout', { timeoutMs: this.opts.timeoutMs });
    this.discard(index, slot);
    task.reject(new WorkerTimeoutError(this.opts.timeoutMs));
    this.next(index);
  }

  private died(index: number, slot: Slot, reason: string): void {
    if (this.slots[index] !== slot) return; // already replaced (timeout, close)
    const task = slot.task;
    this.opts.log.error('read worker died; it is replaced on the next task', { reason, busy: task !== null });
    this.discard(index, slot);
    task?.reject(new WorkerFailedError(reason));
    this.next(index);
  }

  /** Forgets a worker (terminating it if it still runs); the slot respawns on demand. */
  private discard(index: number, slot: Slot): void {
    slot.cancelTimer?.();
    slot.cancelIdle?.();
    slot.task = null;
    this.slots[index] = null;
    this.replaced++;
    slot.worker.removeAllListeners();
    slot.worker.on('error', () => {});
    void slot.worker.terminate();
  }

  private finish(index: number, slot: Slot): void {
    slot.cancelTimer?.();
    slot.cancelTimer = null;
    slot.task = null;
    if (this.slots[index] !== slot) return;
    if (slot.generation !== this.generation) return this.retire(index, slot);
    slot.worker.unref();
    const { fatHeapBytes, fatIdleMs } = this.opts;
    if (fatHeapBytes !== undefined && slot.heapBytes > fatHeapBytes) {
      slot.cancelIdle = this.opts.clock.setTimeout(() => {
        if (this.slots[index] === slot && slot.task === null) this.retire(index, slot);
      }, fatIdleMs ?? 0);
    }
  }

  /** Ends an idle worker on purpose (not counted as replaced). */
  private retire(index: number, slot: Slot): void {
    slot.cancelIdle?.();
    this.slots[index] = null;
    slot.worker.removeAllListeners();
    slot.worker.on('error', () => {});
    void slot.worker.terminate();
  }

  private next(index: number): void {
    if (this.closed) return;
    const task = this.queue.shift();
    if (task) this.start(index, task);
  }
}
