import { emailChannel, postJson, webhookChannel, type Channel, type ChannelOptions } from '../reports/channels.js';
import { headlineOf, linesOf, type NotificationContent } from './message.js';
import type { NotificationChannelSettings } from './settings.js';

/**
 * A notification channel by its settings: e-mail and webhooks are the weekly report's own
 * channels (server/reports/channels.ts); Alertmanager is this module's.
 */
export function notificationChannel(s: NotificationChannelSettings, opts: ChannelOptions): Channel {
  const o = { ...opts, userAgent: 'pillarboard-notifications' };
  if (s.type === 'email') return { ...emailChannel(s.email, o), name: s.name };
  if (s.type === 'webhook') return webhookChannel(s.webhook, o);
  return alertmanagerChannel(s, o);
}

/**
 * How long a firing alert stays active in Alertmanager unless Pillarboard posts it again; the
 * engine re-posts every ALERT_REFRESH_MS while the status holds (as Prometheus re-sends its
 * firing alerts), so alerts of a Pillarboard that stopped resolve on their own.
 */
export const ALERT_HOLD_MS = 15 * 60_000;
export const ALERT_REFRESH_MS = 5 * 60_000;

/**
 * The alerts one message becomes, as Alertmanager's `POST /api/v2/alerts` takes them. Labels:
 * alertname `PillarboardStatus`, workload, `outcome` / `pillar` / `indicator` = the id, status,
 * severity. A recovery resolves the alert it ends (endsAt = when it recovered); "no longer
 * measured" keeps the fired alert active with the news in its annotations; a firing message
 * that replaces another status (warning → critical) resolves the old one as it fires the new.
 */
export function alertsOf(c: NotificationContent): unknown[] {
  const labels = (status: string) => ({
    alertname: 'PillarboardStatus',
    workload: c.workload.id,
    [c.subject.kind]: c.subject.id,
    status,
    severity: status,
  });
  const annotations = { summary: headlineOf(c), description: linesOf(c).join('\n') };
  const at = new Date(c.at).toISOString();
  const base = { annotations, ...(c.link ? { generatorURL: c.link } : {}) };
  if (c.kind === 'recovery') {
    return c.previous ? [{ ...base, labels: labels(c.previous), endsAt: new Date(c.since).toISOString() }] : [];
  }
  // No longer measured: the alert of the status that fired stays active.
  if (c.kind === 'no_data') {
    if (!c.previous) return [];
    return [{ ...base, labels: labels(c.previous), ...(c.firingSince !== undefined && { startsAt: new Date(c.firingSince).toISOString() }), endsAt: new Date(c.at + ALERT_HOLD_MS).toISOString() }];
  }
  const out: unknown[] = [{ ...base, labels: labels(c.status), startsAt: new Date(c.since).toISOString(), endsAt: new Date(c.at + ALERT_HOLD_MS).toISOString() }];
  if (c.previous && c.previous !== c.status && c.previous !== 'ok') out.push({ ...base, labels: labels(c.previous), endsAt: at });
  return out;
}

function alertmanagerChannel(s: Extract<NotificationChannelSettings, { type: 'alertmanager' }>, opts: ChannelOptions): Channel {
  const timeout = opts.timeoutMs ?? 30_000;
  const url = `${s.url.replace(/\/+$/, '')}/api/v2/alerts`;
  const what = `Alertmanager ${s.name} (${new URL(s.url).origin})`;
  return {
    name: s.name,
    async send(m) {
      const alerts = alertsOf(m.json as unknown as NotificationContent);
      if (alerts.length === 0) return;
      await postJson(url, alerts, { what, timeoutMs: timeout, clock: opts.clock, userAgent: 'pillarboard-notifications', headers: s.headers });
    },
  };
}
