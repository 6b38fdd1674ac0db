import { apiUrl, getJson, ApiError } from './api.js';

/**
 * Keeps the summary current: Server-Sent Events from /api/stream (a summary at connect and
 * after every evaluation), with polling of /api/summary while the stream is down. Says how
 * connected we are, so the page can tell the truth when it is not:
 *
 * - `live`: the stream is open (or the last poll succeeded while it reconnects);
 * - `polling`: no stream (blocked by a proxy, or reconnecting), polls succeed;
 * - `offline`: the API cannot be reached; the last good data stays on screen, marked stale.
 *
 * While the page is hidden the stream is closed and nothing is polled; showing it again
 * fetches at once. A watchdog polls when the stream has been silent for too long, since a
 * dead TCP connection (a pulled cable) can look open for many minutes.
 */

export type Connection = 'connecting' | 'live' | 'polling' | 'offline';

export interface FeedState {
  connection: Connection;
  /** Date.now() of the last answer from the server (stream message or poll). */
  lastContactAt: number | null;
  /** Why we are offline or what the server said went wrong. */
  error: string | null;
  /**
   * What kind of trouble: the server cannot be reached; it answered with an HTTP error
   * (401, 503…); or it answered with something that is not a summary.
   */
  problem: 'unreachable' | 'refused' | 'unreadable' | null;
}

export interface FeedOptions {
  pollMs: number;
  watchdogMs: number;
  /** Stream silence after which the watchdog polls. */
  silenceMs: number;
  /** Reopen a stream the browser gave up on after this long. */
  reopenMs: number;
}

const DEFAULTS: FeedOptions = { pollMs: 10_000, watchdogMs: 30_000, silenceMs: 150_000, reopenMs: 15_000 };

export class LiveFeed {
  private es: EventSource | null = null;
  private streamOpen = false;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private reopenTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdogTimer: ReturnType<typeof setInterval> | null = null;
  private polling = false;
  private running = false;
  private lastMessageAt = 0;
  private state: FeedState = { connection: 'connecting', lastContactAt: null, error: null, problem: null };
  private readonly opts: FeedOptions;

  constructor(
    private readonly onSummary: (raw: unknown) => void,
    private readonly onState: (s: FeedState) => void,
    opts: Partial<FeedOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  start(): void {
    document.addEventListener('visibilitychange', this.onVisibility);
    if (!document.hidden) this.resume();
  }

  current(): FeedState {
    return this.state;
  }

  /** Fetch once now (e.g. after a navigation), whatever the stream is doing. */
  refresh(): Promise<void> {
    return this.poll();
  }

  private readonly onVisibility = () => {
    if (document.hidden) this.suspend();
    else this.resume();
  };

  private resume(): void {
    if (this.running) return;
    this.running = true;
    void this.poll();
    this.openStream();
    this.watchdogTimer = setInterval(this.watchdog, this.opts.watchdogMs);
  }

  private suspend(): void {
    this.running = false;
    this.closeStream();
    this.stopPolling();
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    if (this.watchdogTimer) clearInterval(this.watchdogTimer);
    this.reopenTimer = null;
    this.watchdogTimer = null;
  }

  private readonly watchdog = () => {
    if (!this.streamOpen || Date.now() - this.lastMessageAt < this.opts.silenceMs) return;
    void this.poll().then(() => {
      // The poll could not reach the server: the "open" stream is a dead connection.
      if (this.state.connection === 'offline' && this.running) {
        this.closeStream();
        this.openStream();
      }
    });
  };

  private openStream(): void {
    if (typeof EventSource === 'undefined') {
      this.startPolling();
      return;
    }
    const es = new EventSource(apiUrl('/api/stream'));
    this.es = es;
    es.addEventListener('open', () => {
      this.streamOpen = true;
    });
    es.addEventListener('summary', (e) => {
      this.lastMessageAt = Date.now();
      this.stopPolling();
      let data: unknown;
      try {
        data = JSON.parse((e as MessageEvent<string>).data);
      } catch {
        this.set({ connection: 'live', lastContactAt: Date.now(), error: 'the stream sent a summary that is not JSON', problem: 'unreadable' });
        return;
      }
      this.set({ connection: 'live', lastContactAt: Date.now(), error: null, problem: null });
      this.onSummary(data);
    });
    es.addEventListener('error', (e) => {
      // The server's own `event: error` carries a message; a connection error does not.
      const data = (e as MessageEvent<unknown>).data;
      if (typeof data === 'string' && data !== '') {
        let detail = data;
        try {
          detail = String((JSON.parse(data) as { detail?: unknown }).detail ?? data);
        } catch {
          /* keep the raw text */
        }
        this.set({ ...this.state, lastContactAt: Date.now(), error: `the server could not build the summary: ${detail}` });
        return;
      }
      this.streamOpen = false;
      if (es.readyState === EventSource.CLOSED) {
        // The browser gave up (an HTTP error or a wrong content type): try again later.
        if (this.es === es) this.es = null;
        if (this.running && !this.reopenTimer) {
          this.reopenTimer = setTimeout(() => {
            this.reopenTimer = null;
            if (this.running && !this.es) this.openStream();
          }, this.opts.reopenMs);
        }
      }
      this.startPolling();
    });
  }

  private closeStream(): void {
    this.es?.close();
    this.es = null;
    this.streamOpen = false;
  }

  private startPolling(): void {
    if (this.pollTimer || !this.running) return;
    void this.poll();
    this.pollTimer = setInterval(() => void this.poll(), this.opts.pollMs);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const raw = await getJson('/api/summary', {}, 8_000);
      this.lastMessageAt = Date.now();
      this.set({ connection: this.streamOpen ? 'live' : 'polling', lastContactAt: Date.now(), error: null, problem: null });
      this.onSummary(raw);
    } catch (err) {
      const status = err instanceof ApiError ? err.status : null;
      const problem = status === null ? 'unreachable' : status >= 400 ? 'refused' : 'unreadable';
      // The server may be there but give no summary; unless the stream still delivers,
      // there is no current data either way.
      this.set({
        connection: problem !== 'unreachable' && this.streamOpen ? 'live' : 'offline',
        lastContactAt: problem === 'unreachable' ? this.state.lastContactAt : Date.now(),
        error: (err as Error).message,
        problem,
      });
    } finally {
      this.polling = false;
    }
  }

  private set(s: FeedState): void {
    const changed = s.connection !== this.state.connection || s.error !== this.state.error || s.problem !== this.state.problem;
    this.state = s;
    if (changed || s.lastContactAt !== null) this.onState(s);
  }
}
