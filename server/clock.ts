/**
 * The one clock: every part of the server that reads the time or waits takes a `Clock`
 * (created once in the runtime, `systemClock` in production) so tests can step time with a
 * fake one instead of sleeping. This module imports nothing, so every floor may use it.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Calls `fn` once after `ms` (negative counts as 0); returns a function that cancels it
   * (safe to call after it fired). Background timer: it never keeps the process alive alone.
   */
  setTimeout(fn: () => void, ms: number): Cancel;
  /** Calls `fn` every `ms` until cancelled; background, like `setTimeout`. */
  setInterval(fn: () => void, ms: number): Cancel;
  /**
   * Resolves after `ms`, or at once when `signal` is (or gets) aborted. Unlike the timers, a
   * sleep keeps the process alive: someone is awaiting it (a shutdown bound, a retry wait).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export type Cancel = () => void;

/** Wall-clock time and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return () => clearTimeout(t);
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, Math.max(1, ms));
    t.unref();
    return () => clearInterval(t);
  },
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    });
  },
};

/** An AbortSignal that aborts (with a TimeoutError, like `AbortSignal.timeout`) after `ms` on `clock`. */
export function timeoutSignal(clock: Clock, ms: number): { signal: AbortSignal; cancel: Cancel } {
  const ctl = new AbortController();
  const cancel = clock.setTimeout(() => ctl.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms);
  return { signal: ctl.signal, cancel };
}
