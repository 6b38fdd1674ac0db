import type { Response } from 'express';
import type { Logger } from '../../collectors/types.js';
import { scopeAllows, type TokenInfo } from '../auth/tokens.js';
import type { TokenVerifier } from './auth.js';
import type { EvaluationReader } from './deps.js';
import type { Cancel, Clock } from '../clock.js';

export interface StreamHubOptions {
  /** How often open streams re-check their tokens (revocations may come from another process: the CLI). */
  recheckMs: number;
  heartbeatMs: number;
}

export const DEFAULT_STREAM_HUB_OPTIONS: StreamHubOptions = { recheckMs: 1_000, heartbeatMs: 15_000 };

interface Client {
  res: Response;
  /** The token the stream was opened with; undefined when reads are public. */
  token?: TokenInfo;
  id: number;
}

/**
 * One fan-out for every `/api/stream` client of an app: a single 'evaluated' subscription (not
 * one listener per client), the summary serialised once per evaluation, one timer for heartbeats
 * and token checks. A stream opened with a token follows it: when the token is revoked (or its
 * scope no longer allows reads), the stream gets `event: revoked` and is closed — at the next
 * send, or within `recheckMs` whatever happens. Timer and subscription exist only while a
 * client is connected, so an idle app holds nothing.
 */
export class StreamHub {
  private readonly clients = new Set<Client>();
  private unsubscribe?: () => void;
  private unsubscribeWorkload?: () => void;
  private unsubscribeNotifications?: () => void;
  /** The last summary broadcast (a notification change that leaves it as it was sends nothing). */
  private lastBody?: string;
  private cancelTimer?: Cancel;
  private sinceHeartbeat = 0;
  private pruning?: Promise<void>;

  constructor(
    private readonly deps: {
      evaluation: EvaluationReader;
      /** Subscribes to other changes of the summary (the workload file's reload status); returns the unsubscribe. */
      workloadStatus?: (fn: () => void) => () => void;
      /** Subscribes to changes of the notifications' status (attempts, silences); returns the unsubscribe. */
      notificationStatus?: (fn: () => void) => () => void;
      tokens: TokenVerifier;
      summaryJson: () => string;
      log: Logger;
      /** Re-checks and heartbeats run on its timer. */
      clock: Clock;
    },
    private readonly options: StreamHubOptions = DEFAULT_STREAM_HUB_OPTIONS,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Starts streaming to `res` (headers already sent); returns the function that removes it. */
  add(res: Response, token?: TokenInfo): () => void {
    const client: Client = { res, token, id: 0 };
    this.clients.add(client);
    if (!this.unsubscribe) {
      this.unsubscribe = this.deps.evaluation.subscribe(() => this.broadcast());
      this.unsubscribeWorkload = this.deps.workloadStatus?.(() => this.broadcast());
      this.unsubscribeNotifications = this.deps.notificationStatus?.(() => this.broadcast(true));
    }
    this.cancelTimer ??= this.deps.clock.setInterval(() => this.tick(), this.options.recheckMs);
    this.sendSummary(client, this.summary());
    return () => this.remove(client);
  }

  /** Sends the current summary to every client whose token still allows it (checked first); with `ifChanged`, only when it differs from the last one sent. */
  broadcast(ifChanged = false): void {
    void this.prune().then(() => {
      const body = this.summary();
      if (ifChanged && body.ok && body.body === this.lastBody) return;
      if (body.ok) this.lastBody = body.body;
      for (const c of this.clients) this.sendSummary(c, body);
    });
  }

  private tick(): void {
    this.sinceHeartbeat += this.options.recheckMs;
    const beat = this.sinceHeartbeat >= this.options.heartbeatMs;
    if (beat) this.sinceHeartbeat = 0;
    void this.prune().then(() => {
      if (beat) for (const c of this.clients) c.res.write(': heartbeat\n\n');
    });
  }

  /**
   * Closes the streams whose token is revoked or no longer reads, looking each token up once
   * however many streams share it.
   */
  private prune(): Promise<void> {
    // One check at a time: a slow database does not pile up lookups; callers wait for the running one.
    // Never rejects: a failure is logged and the streams stay (the next check tries again).
    this.pruning ??= this.check()
      .catch((err: unknown) => this.deps.log.warn('stream token check failed', { error: (err as Error).message }))
      .finally(() => {
        this.pruning = undefined;
      });
    return this.pruning;
  }

  private async check(): Promise<void> {
    const ids = [...new Set([...this.clients].flatMap((c) => (c.token ? [c.token.id] : [])))];
    if (ids.length === 0) return;
    const verdicts = new Map(await Promise.all(ids.map(async (id) => [id, await this.verdict(id)] as const)));
    for (const c of [...this.clients]) {
      if (!c.token) continue;
      const why = verdicts.get(c.token.id);
      if (why === undefined || why === null) continue;
      c.res.write(`event: revoked\ndata: ${JSON.stringify({ detail: why })}\n\n`);
      c.res.end();
      this.remove(c);
    }
  }

  /** Why a token no longer reads, or null when it still does. */
  private async verdict(id: number): Promise<string | null> {
    let info: TokenInfo | undefined;
    try {
      info = await this.deps.tokens.get(id);
    } catch (err) {
      // The database cannot answer: keep the streams (the next check tries again).
      this.deps.log.warn('stream token check failed', { error: (err as Error).message });
      return null;
    }
    if (!info || info.revokedAt !== null) return 'the token has been revoked';
    return scopeAllows(info.scope, 'read') ? null : `the token's scope ${info.scope} no longer allows reads`;
  }

  private summary(): { ok: true; body: string } | { ok: false; detail: string } {
    try {
      return { ok: true, body: this.deps.summaryJson() };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  }

  private sendSummary(c: Client, s: ReturnType<StreamHub['summary']>): void {
    if (s.ok) c.res.write(`id: ${++c.id}\nevent: summary\ndata: ${s.body}\n\n`);
    else c.res.write(`event: error\ndata: ${JSON.stringify({ detail: s.detail })}\n\n`);
  }

  private remove(c: Client): void {
    if (!this.clients.delete(c) || this.clients.size > 0) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.unsubscribeWorkload?.();
    this.unsubscribeWorkload = undefined;
    this.unsubscribeNotifications?.();
    this.unsubscribeNotifications = undefined;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.sinceHeartbeat = 0;
  }
}
