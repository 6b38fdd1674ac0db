import type { Logger } from '../../collectors/types.js';
import type { ReportRepository } from './backend.js';
import type { Channel, DeliveryMessage } from './channels.js';
import type { Clock } from '../clock.js';

/**
 * Sends one report through its channels, each on its own: every attempt is recorded in the
 * archive, a failed one is retried after `retryDelaysMs[0]`, then `[1]`, … (default 1 min,
 * 5 min, 30 min: at most four attempts), and no channel waits for another. Nothing here
 * blocks: waits are timers, attempts are network I/O, and the caller may ignore the promise.
 */

export interface ChannelResult {
  channel: string;
  ok: boolean;
  attempts: number;
  error: string | null;
}

export interface DeliveryOptions {
  archive: Pick<ReportRepository, 'recordDelivery'>;
  log: Logger;
  /** Time and timers (created once by the runtime). */
  clock: Clock;
}

export class ReportDelivery {
  private readonly clock: Clock;
  private readonly cancels = new Set<() => void>();
  private stopped = false;

  constructor(private readonly opts: DeliveryOptions) {
    this.clock = opts.clock;
  }

  /**
   * Delivers `message` through every channel; resolves when each has succeeded or used up
   * its attempts (never rejects). `firstAttempt` > 1 resumes a delivery cut short by a restart.
   */
  deliver(week: string, channels: Channel[], message: DeliveryMessage, retryDelaysMs: readonly number[], firstAttempt = 1): Promise<ChannelResult[]> {
    return Promise.all(channels.map((c) => this.deliverOne(week, c, message, retryDelaysMs, firstAttempt)));
  }

  /** Cancels pending retries (on shutdown); attempts in flight finish and are recorded. */
  stop(): void {
    this.stopped = true;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
  }

  /** Retries waiting on a timer. */
  get pendingRetries(): number {
    return this.cancels.size;
  }

  private async deliverOne(week: string, channel: Channel, message: DeliveryMessage, delays: readonly number[], firstAttempt: number): Promise<ChannelResult> {
    const log = this.opts.log.child({ report: week, channel: channel.name });
    for (let attempt = firstAttempt; ; attempt++) {
      let error: string | null = null;
      try {
        await channel.send(message);
      } catch (err) {
        error = (err as Error).message;
      }
      await this.record(week, channel.name, attempt, error);
      if (error === null) {
        log.info('report delivered', { attempt });
        return { channel: channel.name, ok: true, attempts: attempt, error: null };
      }
      const delay = delays[attempt - 1];
      if (delay === undefined || this.stopped) {
        log.error('report delivery failed; giving up', { attempt, error });
        return { channel: channel.name, ok: false, attempts: attempt, error };
      }
      log.warn('report delivery failed; will retry', { attempt, retryInMs: delay, error });
      const waited = await this.wait(delay);
      if (!waited) return { channel: channel.name, ok: false, attempts: attempt, error };
    }
  }

  private async record(week: string, channel: string, attempt: number, error: string | null): Promise<void> {
    try {
      await this.opts.archive.recordDelivery({ week, channel, attempt, at: this.clock.now(), ok: error === null, error });
    } catch (err) {
      this.opts.log.error('cannot record a report delivery attempt', { report: week, channel, error: (err as Error).message });
    }
  }

  /** Resolves true after `ms`, or false when stopped first. */
  private wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      let cancel: () => void = () => undefined;
      const done = (ok: boolean) => {
        this.cancels.delete(stopper);
        resolve(ok);
      };
      const stopper = () => {
        cancel();
        done(false);
      };
      this.cancels.add(stopper);
      cancel = this.clock.setTimeout(() => done(true), ms);
    });
  }
}
