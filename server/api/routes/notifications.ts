import { Router } from 'express';
import { parseSilenceInput, SilenceInputError, type NotificationRecord, type NotificationStatus, type Silence, type SilenceStore } from '../../notifications/index.js';
import type { EvaluationSnapshot } from '../../evaluation/snapshot.js';
import { tryParseDuration } from '../../workload/duration.js';
import { requireScope } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { badParam, notFound, Problem } from '../problem.js';
import { answer } from '../contract/route.js';
import { NotificationListSchema, SilenceListSchema, SilenceSchema } from '../contract/notifications.js';

/** What the notification routes read and write (the runtime's notification engine and silences). */
export interface NotificationsApi {
  recent(limit: number): NotificationRecord[];
  silences: SilenceStore;
  /** What the summary's `notifications` part is built from (null: no notifications section). */
  status(snapshot: EvaluationSnapshot | null): NotificationStatus | null;
  /** Calls `fn` when that status changes outside an evaluation; returns the unsubscribe. */
  subscribe(fn: () => void): () => void;
  /** Tells the subscribers a silence changed. */
  changed(): void;
}

const iso = (t: number) => new Date(t).toISOString();

function api(deps: AppDeps): NotificationsApi {
  if (!deps.notifications) throw new Problem(503, 'not-ready', 'Notifications are not available', 'this server runs without notifications');
  return deps.notifications;
}

export function silenceView(s: Silence, now: number) {
  return {
    id: s.id,
    kind: s.kind,
    target: s.target,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    state: s.endsAt <= now ? ('expired' as const) : s.startsAt > now ? ('pending' as const) : ('active' as const),
    reason: s.reason,
    createdBy: s.createdBy,
    createdAt: iso(s.createdAt),
  };
}

/** The summary's `notifications` part (docs/api.md): times as RFC 3339. */
export function notificationStatusView(st: NotificationStatus | null, now: number) {
  if (!st) return null;
  const t = (x: number | null) => (x === null ? null : iso(x));
  return {
    silences: st.silences.map((s) => silenceView(s, now)),
    quietUntil: t(st.quietUntil),
    channels: st.channels.map((c) => ({
      name: c.name,
      type: c.type,
      failing: c.failing,
      consecutiveFailures: c.consecutiveFailures,
      failingSince: t(c.failingSince),
      lastAttemptAt: t(c.lastAttemptAt),
      lastSuccessAt: t(c.lastSuccessAt),
      lastError: c.lastError,
      pending: c.pending,
      failed: c.failed,
    })),
    silenced: st.silenced,
  };
}

/** GET /api/notifications; GET, POST /api/silences and DELETE /api/silences/:id (docs/notifications.md). */
export function notificationRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/api/notifications', (req, res) => {
    const raw = typeof req.query.limit === 'string' ? req.query.limit : undefined;
    const limit = raw === undefined ? 50 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw badParam('limit', 'must be a whole number from 1 to 500');
    const list = api(deps).recent(limit);
    res.json(
      answer(NotificationListSchema, {
        notifications: list.map((n) => ({ ...n, since: iso(n.since), createdAt: iso(n.createdAt) })),
      }),
    );
  });
  r.get('/api/silences', (req, res) => {
    const now = deps.clock.now();
    res.json(answer(SilenceListSchema, { silences: api(deps).silences.list({ all: req.query.all === 'true' }).map((s) => silenceView(s, now)) }));
  });
  r.post('/api/silences', requireScope('write', deps), (req, res) => {
    const now = deps.clock.now();
    let input;
    try {
      input = parseSilenceInput(req.body as Record<string, string>, now, tryParseDuration);
    } catch (err) {
      if (err instanceof SilenceInputError) throw badParam(err.field, err.message, 'body');
      throw err;
    }
    const a = api(deps);
    const added = a.silences.add(input);
    a.changed();
    res.status(201).json(answer(SilenceSchema, silenceView(added, now)));
  });
  r.delete('/api/silences/:id', requireScope('write', deps), (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id < 1) throw badParam('id', 'must be a silence id (a number)', 'path');
    const a = api(deps);
    const s = a.silences.expire(id);
    if (!s) throw notFound('silence', `no silence ${id} that has not already ended`);
    a.changed();
    res.json(answer(SilenceSchema, silenceView(s, deps.clock.now())));
  });
  return r;
}
