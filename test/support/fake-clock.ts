import type { Cancel, Clock } from '../../server/clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  every?: number;
}

/**
 * A clock that moves only when a test says so. `advance(ms)` fires every timer due within
 * the step in time order (equal times in the order they were set), with `now()` at each
 * timer's due time while it runs; timers set by a firing timer fire too if due in the step.
 * `advanceAsync` also lets promises settle between timers, for code that re-arms after an await.
 */
export class FakeClock implements Clock {
  private timers: Timer[] = [];
  private seq = 0;

  constructor(private t = Date.UTC(2026, 11, 7, 12, 0, 0)) {}

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): Cancel {
    return this.add({ at: this.t + Math.max(0, ms), seq: this.seq++, fn });
  }

  setInterval(fn: () => void, ms: number): Cancel {
    const every = Math.max(1, ms);
    return this.add({ at: this.t + every, seq: this.seq++, fn, every });
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const cancel = this.setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => (cancel(), resolve()), { once: true });
    });
  }

  /** Timers not yet fired (intervals count once). */
  pending(): number {
    return this.timers.length;
  }

  /** The times timers are armed for, soonest first. */
  armed(): number[] {
    return this.timers.map((x) => x.at).sort((a, b) => a - b);
  }

  /** Sets the time without firing anything, as when the wall clock jumps or the process was suspended. */
  jumpTo(at: number): void {
    this.t = at;
  }

  /** When the next timer is due, or null when none is set. */
  nextAt(): number | null {
    return this.next()?.at ?? null;
  }

  /** Moves time forward to `at` (never back), firing due timers synchronously. */
  advanceTo(at: number): void {
    this.advance(Math.max(0, at - this.t));
  }

  /** Moves time forward by `ms`, firing due timers synchronously. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (let n = 0; n < 100_000; n++) {
      const timer = this.next();
      if (!timer || timer.at > end) break;
      this.fire(timer);
    }
    this.t = Math.max(this.t, end);
  }

  /** Like `advance`, letting pending promises (and I/O callbacks) run before and after each timer. */
  async advanceAsync(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (let n = 0; n < 100_000; n++) {
      const timer = this.next();
      if (!timer || timer.at > end) break;
      this.fire(timer);
      await settle();
    }
    this.t = Math.max(this.t, end);
    await settle();
  }

  private add(timer: Timer): Cancel {
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  private next(): Timer | undefined {
    let best: Timer | undefined;
    for (const x of this.timers) if (!best || x.at < best.at || (x.at === best.at && x.seq < best.seq)) best = x;
    return best;
  }

  private fire(timer: Timer): void {
    this.t = Math.max(this.t, timer.at);
    if (timer.every) {
      timer.at += timer.every;
      timer.seq = this.seq++;
    } else {
      this.timers = this.timers.filter((x) => x !== timer);
    }
    timer.fn();
  }
}

/** Lets queued promise callbacks and one turn of the event loop run. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * A clock whose time the test sets (a variable it moves by hand), for tests of reads at a given
 * "now" (API answers, reports, reviews). Its timers are held: they never fire, so nothing runs
 * behind the test's back on real time (a collector, an evaluation pass, a retry). A test that
 * needs timers to fire uses a FakeClock and steps it.
 */
export function clockAt(now: () => number): Clock {
  const held = new FakeClock(now());
  return {
    now,
    setTimeout: (fn, ms) => held.setTimeout(fn, ms),
    setInterval: (fn, ms) => held.setInterval(fn, ms),
    sleep: (ms, signal) => held.sleep(ms, signal),
  };
}
