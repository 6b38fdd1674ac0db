import type Database from 'better-sqlite3';
import type { Status } from '../scoring/types.js';
import type { AttemptCount } from './metrics.js';
import { headlineOf, type NotificationContent } from './message.js';
import type { MessageKind, RuleState } from './rules.js';
import { NO_HEALTH, type ChannelHealth } from './status.js';

/**
 * The only reader and writer of the notification tables (migrations/0010_notifications.sql).
 * A pass's decisions (every rule's state and the messages it decided, each with a pending
 * delivery per channel) are written in one transaction, so a restart finds either all of a
 * pass or none of it: a message decided is never lost, and never decided twice.
 */

export interface NewMessage {
  rule: string;
  subject: string;
  kind: MessageKind;
  status: Status;
  since: number;
  at: number;
  content: NotificationContent;
  channels: string[];
  /** The silence that applied: the message is stored with it and gets no delivery. */
  silencedBy?: number;
  /** Deliveries wait until then (quiet hours); default `at`. */
  notBefore?: number;
}

export interface DueDelivery {
  notificationId: number;
  channel: string;
  /** Attempts made so far. */
  attempts: number;
  content: NotificationContent;
}

export interface AttemptRecord {
  notificationId: number;
  channel: string;
  attempt: number;
  at: number;
  ok: boolean;
  error: string | null;
}

export interface NotificationRecord {
  id: number;
  rule: string;
  subject: string;
  kind: MessageKind;
  status: Status;
  since: number;
  createdAt: number;
  headline: string;
  /** The silence that kept it from being sent; null when none did. */
  silencedBy: number | null;
  deliveries: Array<{ channel: string; state: 'pending' | 'sent' | 'failed'; attempts: number; lastError: string | null }>;
}

type StateRow = [string, Status, number | null, Status | null, number | null];

export class NotificationStore {
  private readonly selectStates: Database.Statement;
  private readonly upsertState: Database.Statement;
  private readonly deleteStatesOf: Database.Statement;
  private readonly insertMessage: Database.Statement;
  private readonly insertDelivery: Database.Statement;
  private readonly selectDue: Database.Statement;
  private readonly selectNextDue: Database.Statement;
  private readonly updateDelivery: Database.Statement;
  private readonly insertAttempt: Database.Statement;
  private readonly selectQueue: Database.Statement;
  /** Rule → subject → state: read once per rule, then kept with every pass committed (this store is the table's only writer). */
  private readonly stateCache = new Map<string, Map<string, RuleState>>();
  private readonly selectContent: Database.Statement;
  private readonly selectDueRefs: Database.Statement;
  /** Channel → health, read from the attempts table once and then kept with every attempt recorded. */
  private health: Map<string, ChannelHealth> | null = null;

  constructor(private readonly db: Database.Database) {
    this.selectStates = db.prepare('SELECT subject, status, bad_since, fired_status, last_sent_at FROM notification_state WHERE rule_id = ?').raw();
    this.upsertState = db.prepare(
      `INSERT INTO notification_state (rule_id, subject, status, bad_since, fired_status, last_sent_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (rule_id, subject) DO UPDATE SET status = excluded.status, bad_since = excluded.bad_since,
         fired_status = excluded.fired_status, last_sent_at = excluded.last_sent_at`,
    );
    this.deleteStatesOf = db.prepare('DELETE FROM notification_state WHERE rule_id NOT IN (SELECT value FROM json_each(?))');
    this.insertMessage = db.prepare(
      'INSERT INTO notifications (rule_id, subject, kind, status, since, created_at, content, silenced_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
    );
    this.insertDelivery = db.prepare("INSERT INTO notification_deliveries (notification_id, channel, state, attempts, next_at) VALUES (?, ?, 'pending', 0, ?)");
    this.selectDue = db
      .prepare(
        `SELECT d.notification_id, d.channel, d.attempts, n.content FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
         WHERE d.state = 'pending' AND d.next_at <= ? ORDER BY d.next_at, d.notification_id LIMIT ?`,
      )
      .raw();
    this.selectNextDue = db.prepare("SELECT min(next_at) FROM notification_deliveries WHERE state = 'pending'").pluck();
    this.updateDelivery = db.prepare('UPDATE notification_deliveries SET state = ?, attempts = ?, next_at = ?, last_error = ? WHERE notification_id = ? AND channel = ?');
    this.insertAttempt = db.prepare('INSERT INTO notification_attempts (notification_id, channel, attempt, at, ok, error) VALUES (?, ?, ?, ?, ?, ?)');
    this.selectContent = db.prepare('SELECT content FROM notifications WHERE id = ?').pluck();
    this.selectDueRefs = db
      .prepare("SELECT notification_id, channel, attempts FROM notification_deliveries WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, notification_id LIMIT ?")
      .raw();
    this.selectQueue = db.prepare("SELECT channel, state, count(*) FROM notification_deliveries WHERE state IN ('pending', 'failed') GROUP BY channel, state").raw();
  }

  /** subject → state, for one rule (a view: do not change it; commitPass does). */
  states(rule: string): ReadonlyMap<string, RuleState> {
    let out = this.stateCache.get(rule);
    if (!out) {
      out = new Map<string, RuleState>();
      for (const [subject, status, badSince, firedStatus, lastSentAt] of this.selectStates.all(rule) as StateRow[]) {
        out.set(subject, { status, badSince, firedStatus, lastSentAt });
      }
      this.stateCache.set(rule, out);
    }
    return out;
  }

  /** One pass: every state written and every message with its deliveries, atomically. Returns the messages' ids. */
  commitPass(states: Array<{ rule: string; subject: string; state: RuleState }>, messages: NewMessage[]): number[] {
    const ids = this.db.transaction(() => {
      for (const { rule, subject, state } of states) this.upsertState.run(rule, subject, state.status, state.badSince, state.firedStatus, state.lastSentAt);
      return messages.map((m) => {
        const id = (this.insertMessage.get(m.rule, m.subject, m.kind, m.status, m.since, m.at, JSON.stringify(m.content), m.silencedBy ?? null) as { id: number }).id;
        if (m.silencedBy === undefined) for (const c of m.channels) this.insertDelivery.run(id, c, m.notBefore ?? m.at);
        return id;
      });
    })();
    // Committed: the cache follows (a rule not read yet is read from the table when it is).
    for (const { rule, subject, state } of states) this.stateCache.get(rule)?.set(subject, state);
    return ids;
  }

  /** The content of the last firing message or reminder about `subject` under `rule` that was not silenced. */
  lastFiring(rule: string, subject: string): NotificationContent | undefined {
    const row = this.db
      .prepare("SELECT content FROM notifications WHERE rule_id = ? AND subject = ? AND kind IN ('firing', 'repeat') AND silenced_by IS NULL ORDER BY id DESC LIMIT 1")
      .pluck()
      .get(rule, subject) as string | undefined;
    return row === undefined ? undefined : (JSON.parse(row) as NotificationContent);
  }

  /** Forgets the state of rules no longer configured (a rule added again starts afresh). */
  keepRules(ids: readonly string[]): void {
    this.deleteStatesOf.run(JSON.stringify(ids));
    for (const rule of [...this.stateCache.keys()]) if (!ids.includes(rule)) this.stateCache.delete(rule);
  }

  /** Pending deliveries due at `now`, oldest first, without their content (see content()). */
  dueRefs(now: number, limit = 500): Array<{ notificationId: number; channel: string; attempts: number }> {
    return (this.selectDueRefs.all(now, limit) as Array<[number, string, number]>).map(([notificationId, channel, attempts]) => ({ notificationId, channel, attempts }));
  }

  /** A stored message's content. */
  content(notificationId: number): NotificationContent | undefined {
    const row = this.selectContent.get(notificationId) as string | undefined;
    return row === undefined ? undefined : (JSON.parse(row) as NotificationContent);
  }

  /** Pending deliveries due at `now`, oldest first. */
  due(now: number, limit = 500): DueDelivery[] {
    return (this.selectDue.all(now, limit) as Array<[number, string, number, string]>).map(([notificationId, channel, attempts, content]) => ({
      notificationId,
      channel,
      attempts,
      content: JSON.parse(content) as NotificationContent,
    }));
  }

  /** When the next pending delivery is due; null when none is pending. */
  nextDue(): number | null {
    return (this.selectNextDue.get() as number | null) ?? null;
  }

  /** Records an attempt and the delivery's new state together. `retryAt` null: no more attempts (sent, or failed for good). */
  recordAttempt(a: AttemptRecord, retryAt: number | null): void {
    this.recordAttempts([{ attempt: a, retryAt }]);
  }

  /** recordAttempt for several attempts, in one transaction (a round of sends finishing together). */
  recordAttempts(list: ReadonlyArray<{ attempt: AttemptRecord; retryAt: number | null }>): void {
    this.db.transaction(() => {
      for (const { attempt: a, retryAt } of list) {
        this.insertAttempt.run(a.notificationId, a.channel, a.attempt, a.at, a.ok ? 1 : 0, a.error);
        const state = a.ok ? 'sent' : retryAt === null ? 'failed' : 'pending';
        this.updateDelivery.run(state, a.attempt, retryAt ?? a.at, a.error, a.notificationId, a.channel);
      }
    })();
    for (const { attempt } of list) this.noteHealth(attempt);
  }

  private noteHealth(a: AttemptRecord): void {
    if (this.health) {
      const h = this.health.get(a.channel) ?? NO_HEALTH;
      this.health.set(
        a.channel,
        a.ok
          ? { lastAttemptAt: a.at, lastSuccessAt: a.at, consecutiveFailures: 0, failingSince: null, lastError: null }
          : { lastAttemptAt: a.at, lastSuccessAt: h.lastSuccessAt, consecutiveFailures: h.consecutiveFailures + 1, failingSince: h.failingSince ?? a.at, lastError: a.error },
      );
    }
  }

  /** Each channel's delivery record (channels never attempted are absent). */
  channelHealth(): ReadonlyMap<string, ChannelHealth> {
    if (this.health) return this.health;
    const health = new Map<string, ChannelHealth>();
    const last = this.db
      .prepare('SELECT channel, max(id), max(CASE WHEN ok = 1 THEN id END), max(CASE WHEN ok = 1 THEN at END) FROM notification_attempts GROUP BY channel')
      .raw()
      .all() as Array<[string, number, number | null, number | null]>;
    const row = this.db.prepare('SELECT at, error FROM notification_attempts WHERE id = ?').raw();
    const failures = this.db.prepare('SELECT count(*), min(at) FROM notification_attempts WHERE channel = ? AND id > ?').raw();
    for (const [channel, lastId, okId, okAt] of last) {
      const [at, error] = row.get(lastId) as [number, string | null];
      const [n, since] = failures.get(channel, okId ?? 0) as [number, number | null];
      health.set(channel, { lastAttemptAt: at, lastSuccessAt: okAt, consecutiveFailures: n, failingSince: n > 0 ? since : null, lastError: n > 0 ? error : null });
    }
    return (this.health = health);
  }

  /** Per channel, deliveries pending (retries, quiet hours) and given up. */
  queue(): Map<string, { pending: number; failed: number }> {
    const out = new Map<string, { pending: number; failed: number }>();
    for (const [channel, state, n] of this.selectQueue.all() as Array<[string, 'pending' | 'failed', number]>) {
      const q = out.get(channel) ?? { pending: 0, failed: 0 };
      q[state] = n;
      out.set(channel, q);
    }
    return out;
  }

  /** The newest messages with their delivery states (the API and the dashboard read this). */
  recent(limit = 50): NotificationRecord[] {
    const rows = this.db
      .prepare('SELECT id, rule_id, subject, kind, status, since, created_at, content, silenced_by FROM notifications ORDER BY id DESC LIMIT ?')
      .raw()
      .all(limit) as Array<[number, string, string, MessageKind, Status, number, number, string, number | null]>;
    const deliveries = this.db.prepare('SELECT channel, state, attempts, last_error FROM notification_deliveries WHERE notification_id = ? ORDER BY channel').raw();
    return rows.map(([id, rule, subject, kind, status, since, createdAt, content, silencedBy]) => ({
      id,
      rule,
      subject,
      kind,
      status,
      since,
      createdAt,
      headline: headlineOf(JSON.parse(content) as NotificationContent),
      silencedBy,
      deliveries: (deliveries.all(id) as Array<[string, 'pending' | 'sent' | 'failed', number, string | null]>).map(([channel, state, attempts, lastError]) => ({
        channel,
        state,
        attempts,
        lastError,
      })),
    }));
  }

  /** Attempts so far by channel and result (for /metrics). */
  attemptCounts(): AttemptCount[] {
    return (this.db.prepare('SELECT channel, ok, count(*) FROM notification_attempts GROUP BY channel, ok ORDER BY channel, ok').raw().all() as Array<[string, number, number]>).map(
      ([channel, ok, count]) => ({ channel, result: ok === 1 ? 'success' : 'failure', count }),
    );
  }

  /** Every attempt of one message, in order. */
  attempts(notificationId: number): AttemptRecord[] {
    return (
      this.db
        .prepare('SELECT notification_id, channel, attempt, at, ok, error FROM notification_attempts WHERE notification_id = ? ORDER BY id')
        .raw()
        .all(notificationId) as Array<[number, string, number, number, number, string | null]>
    ).map(([notificationId, channel, attempt, at, ok, error]) => ({ notificationId, channel, attempt, at, ok: ok === 1, error }));
  }
}
