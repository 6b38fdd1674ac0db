import type { Logger } from '../../collectors/types.js';
import type { Cancel, Clock } from '../clock.js';
import type { EvaluationSnapshot } from '../evaluation/snapshot.js';
import type { Channel, ChannelOptions } from '../reports/channels.js';
import { ALERT_REFRESH_MS, notificationChannel } from './channels.js';
import { quietUntil } from './quiet.js';
import { buildContent, renderMessage } from './message.js';
import { decide, subjectKey, watchedSubjects, type RuleState } from './rules.js';
import type { NotificationSettings } from './settings.js';
import { silencing, type SilenceStore } from './silences.js';
import { channelStatuses, NO_HEALTH, silencedSubjects, type ChannelHealth, type NotificationStatus } from './status.js';
import type { AttemptRecord, NewMessage, NotificationRecord, NotificationStore } from './store.js';
import type { NotificationContent } from './message.js';

/**
 * Notifications: after every evaluation pass each rule's decisions are stored (state and new
 * messages in one transaction), then pending deliveries are sent, each channel on its own.
 * A failed attempt is retried after `retryDelaysMs[0]`, `[1]`, …, all waits on the one Clock;
 * every attempt is recorded (and counted on /metrics from there). On start, deliveries a restart left
 * pending are sent: nothing decided is lost. (A crash between a channel accepting a message
 * and the attempt being recorded sends that one message again: delivery is at least once, and
 * every message carries its stable id — Idempotency-Key, Message-ID — for receivers to drop the copy.)
 */

export interface NotificationContext {
  settings: NotificationSettings;
  workload: { id: string; title: string };
  /** The workload's time zone: quiet hours are read in it. */
  timezone: string;
}

export interface NotificationEngineOptions {
  store: NotificationStore;
  silences: SilenceStore;
  /** The settings now (re-read on every pass and delivery, so a reload applies); null before a workload is loaded. */
  context: () => NotificationContext | null;
  clock: Clock;
  log: Logger;
  /** Builds a channel from its settings; tests may wrap it. */
  channel?: (s: NotificationSettings['channels'][number], opts: ChannelOptions) => Channel;
  channelOptions?: Omit<ChannelOptions, 'clock'>;
}

export class NotificationEngine {
  private timer: Cancel | null = null;
  private timerAt = Infinity;
  private readonly inFlight = new Set<string>();
  private pumping: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** `rule/subject/channel` → when the firing alert was last posted to that Alertmanager. */
  private readonly alertPosted = new Map<string, number>();
  private readonly refreshing = new Set<Promise<void>>();
  private readonly listeners = new Set<() => void>();
  /** The rule ids whose state was last kept (keepRules runs when they change). */
  private keptRules: string | null = null;
  /** Contents of messages with deliveries still open, by id, from the pass that decided them. */
  private readonly contents = new Map<number, { content: NotificationContent; open: number }>();
  /**
   * Alertmanager channels whose keep-alive re-posts fail (not recorded as attempts: they are not
   * messages), so the dashboard shows an Alertmanager that went away between messages.
   */
  private readonly keepAliveFailures = new Map<string, { count: number; since: number; at: number; error: string }>();
  /** A delivery round scheduled for the next turn of the event loop. */
  private soon: Promise<void> | null = null;
  /** Attempts waiting to be recorded together, and the write that records them. */
  private records: Array<{ attempt: AttemptRecord; retryAt: number | null }> = [];
  private recording: Promise<void> | null = null;

  constructor(private readonly opts: NotificationEngineOptions) {}

  /** Sends what a restart left pending. */
  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Cancels the retry timer; attempts in flight finish and are recorded. */
  stop(): void {
    this.stopped = true;
    this.timer?.();
    this.timer = null;
    this.timerAt = Infinity;
  }

  /** The newest messages with their delivery states. */
  recent(limit = 50): NotificationRecord[] {
    return this.opts.store.recent(limit);
  }

  /** Every attempt of one message. */
  attempts(notificationId: number): AttemptRecord[] {
    return this.opts.store.attempts(notificationId);
  }

  /**
   * What the dashboard shows: silences and quiet hours in effect, each channel's health, the
   * subjects silenced (of `snapshot`); null while no workload is loaded or it has no
   * notifications section.
   */
  status(snapshot: EvaluationSnapshot | null): NotificationStatus | null {
    const ctx = this.opts.context();
    if (!ctx || (ctx.settings.rules.length === 0 && ctx.settings.channels.length === 0)) return null;
    const now = this.opts.clock.now();
    const silences = this.opts.silences.active(now).sort((a, b) => a.endsAt - b.endsAt || a.id - b.id);
    return {
      silences,
      quietUntil: quietUntil(now, ctx.settings.quietHours, ctx.timezone),
      channels: channelStatuses(ctx.settings, this.healthWithKeepAlives(), this.opts.store.queue()),
      silenced: silencedSubjects(ctx.settings.rules, silences, snapshot),
    };
  }

  /** The recorded attempts' health, with failed keep-alive re-posts newer than a channel's last attempt counted in. */
  private healthWithKeepAlives(): ReadonlyMap<string, ChannelHealth> {
    const health = this.opts.store.channelHealth();
    if (this.keepAliveFailures.size === 0) return health;
    const out = new Map(health);
    for (const [channel, f] of this.keepAliveFailures) {
      const h = out.get(channel) ?? NO_HEALTH;
      if (h.lastAttemptAt !== null && h.lastAttemptAt > f.at) continue;
      out.set(channel, { ...h, lastAttemptAt: f.at, consecutiveFailures: h.consecutiveFailures + f.count, failingSince: h.failingSince ?? f.since, lastError: f.error });
    }
    return out;
  }

  /** Calls `fn` when what `status()` shows changed other than by an evaluation (an attempt recorded, a silence changed); returns the unsubscribe. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Tells the subscribers (the API calls it after changing a silence). */
  changed(): void {
    for (const fn of this.listeners) {
      try {
        fn();
      } catch (err) {
        this.opts.log.warn('a notification status listener failed', { error: (err as Error).message });
      }
    }
  }

  /** Resolves when no delivery is being sent (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.soon || this.pumping || this.refreshing.size > 0) await Promise.all([this.soon, this.pumping, ...this.refreshing]);
  }

  /** The evaluator's 'evaluated' listener: decide, store, then send. Never throws. */
  onEvaluated(snapshot: EvaluationSnapshot): void {
    const ctx = this.opts.context();
    if (!ctx || ctx.settings.rules.length === 0) return;
    try {
      const states: Array<{ rule: string; subject: string; state: RuleState }> = [];
      const messages: NewMessage[] = [];
      const silences = this.opts.silences.active(snapshot.at);
      const quietEnd = quietUntil(snapshot.at, ctx.settings.quietHours, ctx.timezone);
      for (const rule of ctx.settings.rules) {
        const known = this.opts.store.states(rule.id);
        for (const subject of watchedSubjects(rule, snapshot)) {
          const key = subjectKey(subject);
          const prev = known.get(key);
          // Most passes change nothing: a subject whose status held and whose timers are not due is skipped.
          if (prev && prev.status === subject.status && !timerDue(rule, prev, snapshot.at)) continue;
          const d = decide(rule, prev, subject.status, snapshot.at);
          if (!prev || !sameState(prev, d.next)) states.push({ rule: rule.id, subject: key, state: d.next });
          if (!d.message) continue;
          // A recovery or "no longer measured" is about the status that fired; a firing one about the change.
          const previous =
            d.message.kind === 'recovery' || d.message.kind === 'no_data' ? (prev?.firedStatus ?? null) : prev && prev.status !== subject.status ? prev.status : null;
          const content = buildContent(
            {
              rule: rule.id,
              kind: d.message.kind,
              subject,
              previous,
              since: d.message.since,
              ...(d.message.kind === 'no_data' && prev?.badSince != null && { firingSince: prev.badSince }),
              workload: ctx.workload,
              ...(ctx.settings.baseUrl !== undefined && { baseUrl: ctx.settings.baseUrl }),
            },
            snapshot,
          );
          const silence = silencing(silences, rule.id, subject);
          messages.push({
            rule: rule.id,
            subject: key,
            kind: d.message.kind,
            status: subject.status,
            since: d.message.since,
            at: snapshot.at,
            content,
            channels: rule.channels,
            ...(silence && { silencedBy: silence.id }),
            ...(quietEnd !== null && rule.quietHours && { notBefore: quietEnd }),
          });
        }
      }
      const ruleIds = ctx.settings.rules.map((r) => r.id);
      if (ruleIds.join('\n') !== this.keptRules) {
        this.opts.store.keepRules(ruleIds);
        this.keptRules = ruleIds.join('\n');
      }
      if (states.length > 0 || messages.length > 0) {
        const ids = this.opts.store.commitPass(states, messages);
        // The contents just stored, for the sends: not read back from the table.
        messages.forEach((m, i) => {
          if (m.silencedBy === undefined && this.contents.size < CONTENT_CACHE) this.contents.set(ids[i]!, { content: m.content, open: m.channels.length });
        });
      }
      if (messages.length > 0) this.opts.log.info('notifications decided', { count: messages.length });
      this.refreshAlerts(ctx, snapshot.at, new Set(messages.map((m) => `${m.rule}/${m.subject}`)));
    } catch (err) {
      this.opts.log.error('notification rules could not be applied', { error: (err as Error).message });
      return;
    }
    this.kickSoon();
  }

  /**
   * Starts a delivery round on the next turn of the event loop: the evaluator's pass ends when
   * the decisions are stored, and the sends are set up after it.
   */
  private kickSoon(): void {
    if (this.soon) return;
    this.soon = new Promise<void>((resolve) =>
      setImmediate(() => {
        this.soon = null;
        this.kick();
        resolve();
      }),
    );
  }

  /**
   * Re-posts the alerts still firing to the Alertmanager channels every ALERT_REFRESH_MS, so
   * they stay active while the status holds (and expire on their own if this server stops).
   * A keep-alive, not a message: not recorded, a failure only logged (the next pass retries).
   */
  private refreshAlerts(ctx: NotificationContext, at: number, justDecided: ReadonlySet<string>): void {
    if (this.stopped) return;
    const managers = new Map(ctx.settings.channels.filter((c) => c.type === 'alertmanager').map((c) => [c.name, c]));
    if (managers.size === 0) return;
    const make = this.opts.channel ?? notificationChannel;
    for (const rule of ctx.settings.rules) {
      const targets = rule.channels.filter((c) => managers.has(c));
      if (targets.length === 0) continue;
      for (const [subject, state] of this.opts.store.states(rule.id)) {
        if (state.firedStatus === null) continue;
        for (const channel of targets) {
          const key = `${rule.id}/${subject}/${channel}`;
          if (justDecided.has(`${rule.id}/${subject}`)) {
            this.alertPosted.set(key, at);
            continue;
          }
          if (at - (this.alertPosted.get(key) ?? -Infinity) < ALERT_REFRESH_MS) continue;
          const content = this.opts.store.lastFiring(rule.id, subject);
          if (!content) continue;
          this.alertPosted.set(key, at);
          const p = make(managers.get(channel)!, { ...this.opts.channelOptions, clock: this.opts.clock })
            .send(renderMessage({ ...content, kind: 'repeat', at }))
            .then(
              () => {
                if (this.keepAliveFailures.delete(channel)) this.changed();
              },
              (err: unknown) => {
                const error = (err as Error).message;
                this.opts.log.warn('re-posting a firing alert failed', { channel, subject, error });
                const f = this.keepAliveFailures.get(channel);
                const now = this.opts.clock.now();
                this.keepAliveFailures.set(channel, { count: (f?.count ?? 0) + 1, since: f?.since ?? now, at: now, error });
                this.changed();
              },
            )
            .finally(() => this.refreshing.delete(p));
          this.refreshing.add(p);
        }
      }
    }
  }

  /** Runs a delivery round now, or once more after the one running. */
  private kick(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.again) {
        this.again = false;
        this.kick();
      } else this.arm();
    });
  }

  private async pump(): Promise<void> {
    const ctx = this.opts.context();
    if (!ctx) return;
    const now = this.opts.clock.now();
    let due;
    try {
      due = this.opts.store.dueRefs(now).filter((d) => !this.inFlight.has(`${d.notificationId}/${d.channel}`));
    } catch (err) {
      this.opts.log.error('pending notifications could not be read', { error: (err as Error).message });
      return;
    }
    const channels = new Map(ctx.settings.channels.map((c) => [c.name, c]));
    const make = this.opts.channel ?? notificationChannel;
    // Rendered once per message, whatever the number of its channels.
    const rendered = new Map<number, ReturnType<typeof renderMessage>>();
    await Promise.all(
      due.map(async (d) => {
        const key = `${d.notificationId}/${d.channel}`;
        this.inFlight.add(key);
        const attempt = d.attempts + 1;
        let error: string | null = null;
        const s = channels.get(d.channel);
        try {
          if (!s) throw new Error(`channel "${d.channel}" is no longer in notifications.channels`);
          let message = rendered.get(d.notificationId);
          if (!message) {
            const stored = this.contents.get(d.notificationId)?.content ?? this.opts.store.content(d.notificationId);
            if (!stored) throw new Error(`notification ${d.notificationId} is no longer stored`);
            // Messages stored before ids existed get one from their row: stable across attempts all the same.
            message = renderMessage(stored.id === undefined ? { ...stored, id: `pillarboard-${ctx.workload.id}-${d.notificationId}` } : stored);
            rendered.set(d.notificationId, message);
          }
          await make(s, { ...this.opts.channelOptions, clock: this.opts.clock }).send(message);
        } catch (err) {
          error = (err as Error).message;
        }
        const at = this.opts.clock.now();
        const delay = error === null || !s ? undefined : ctx.settings.retryDelaysMs[attempt - 1];
        try {
          await this.record({ notificationId: d.notificationId, channel: d.channel, attempt, at, ok: error === null, error }, delay === undefined ? null : at + delay);
        } catch (err) {
          this.opts.log.error('a notification attempt could not be recorded', { error: (err as Error).message });
        } finally {
          this.inFlight.delete(key);
        }
        if (delay === undefined) {
          const c = this.contents.get(d.notificationId);
          if (c && --c.open <= 0) this.contents.delete(d.notificationId);
        }
        const log = this.opts.log.child({ notification: d.notificationId, channel: d.channel, attempt });
        if (error === null) log.info('notification sent');
        else if (delay !== undefined) log.warn('notification failed; will retry', { retryInMs: delay, error });
        else log.error('notification failed; giving up', { error });
      }),
    );
    if (due.length > 0) this.changed();
  }

  /**
   * Records an attempt after its send: those finishing in the same turn of the event loop are
   * written in one transaction (a round of 200 answers is a few writes, not 200). Resolves when
   * it is stored; rejects when the write failed.
   */
  private record(attempt: AttemptRecord, retryAt: number | null): Promise<void> {
    this.records.push({ attempt, retryAt });
    this.recording ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        const batch = this.records;
        this.records = [];
        this.recording = null;
        try {
          this.opts.store.recordAttempts(batch);
          resolve();
        } catch (err) {
          reject(err as Error);
        }
      }),
    );
    return this.recording;
  }

  /** One timer, for the earliest pending delivery. */
  private arm(): void {
    if (this.stopped) return;
    let next: number | null;
    try {
      next = this.opts.store.nextDue();
    } catch {
      return;
    }
    if (next === null || next >= this.timerAt) return;
    this.timer?.();
    this.timerAt = next;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.kick();
    }, next - this.opts.clock.now());
  }
}

/** Messages whose content is kept in memory for their sends, at most (beyond: read from the table). */
const CONTENT_CACHE = 5_000;

/** Whether a rule may decide something about a subject whose status did not change: its `for:` or `repeat:` is due, or its state does not match the rule. */
function timerDue(rule: NotificationSettings['rules'][number], prev: RuleState, at: number): boolean {
  // A state the rule would not have left (its statuses changed by a reload, or firing without data): decide.
  if (rule.statuses.includes(prev.status) !== (prev.badSince !== null)) return true;
  if (prev.firedStatus === null) return prev.badSince !== null && at - prev.badSince >= rule.forMs;
  return rule.repeatMs !== undefined && prev.lastSentAt !== null && at - prev.lastSentAt >= rule.repeatMs;
}

function sameState(a: RuleState, b: RuleState): boolean {
  return a.status === b.status && a.badSince === b.badSince && a.firedStatus === b.firedStatus && a.lastSentAt === b.lastSentAt;
}
