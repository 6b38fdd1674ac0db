import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * Lowers the calling thread's CPU priority to `nice` (Linux; elsewhere Node offers no
 * per-thread priority and this does nothing). A read worker calls it at start, so when the
 * HTTP thread and a worker both want a CPU — a heavy query looping while /healthz is probed —
 * the HTTP thread is scheduled first instead of waiting out the worker's time slice; on an idle
 * core the worker runs as fast as before. Linux applies setpriority() on a thread id to that
 * thread alone, and threads started later (new workers) begin from the process's own value.
 * Returns the nice value in force, or undefined when it could not be set.
 */
export function lowerThreadPriority(nice: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(path(fs.readlinkSync('/proc/thread-self')));
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    // Never raise it: an unprivileged process may only lower its threads' priority.
    if (os.getPriority(tid) < nice) os.setPriority(tid, nice);
    return os.getPriority(tid);
  } catch {
    return undefined;
  }
}

/** `1234/task/1240` → `1240` */
function path(link: string): string {
  return link.slice(link.lastIndexOf('/') + 1);
}
