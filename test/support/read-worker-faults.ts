import * as fs from 'node:fs';
import { workerData } from 'node:worker_threads';
import { readTaskHandler, serveReadTasks, type ReadWorkerData } from '../../server/workers/serve-reads.js';

/**
 * A read worker with faults on demand, for test/read-workers.test.ts: the real handler, except
 * that a selector named `crash_worker` ends the thread (exit code 3) and one named
 * `block_worker{until="FILE"}` holds the thread until FILE exists (a stuck SQLite read).
 */
const data = workerData as ReadWorkerData;
const handle = readTaskHandler(data.dbPath);
serveReadTasks((task) => {
  if ('selector' in task) {
    if (task.selector.name === 'crash_worker') process.exit(3);
    if (task.selector.name === 'block_worker') {
      const until = task.selector.matchers.find((m) => m.label === 'until')?.value ?? '';
      const nap = new Int32Array(new SharedArrayBuffer(4));
      while (!fs.existsSync(until)) Atomics.wait(nap, 0, 0, 5);
    }
  }
  return handle(task);
}, data.nice);
