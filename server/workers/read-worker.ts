import { workerData } from 'node:worker_threads';
import { readTaskHandler, serveReadTasks, type ReadWorkerData } from './serve-reads.js';

/** The entry of a read worker thread (see serve-reads.ts). */
const data = workerData as ReadWorkerData;
serveReadTasks(readTaskHandler(data.dbPath), data.nice);
